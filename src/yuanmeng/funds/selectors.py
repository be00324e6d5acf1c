from yuanmeng.funds.models import Budget, LedgerEntry
from yuanmeng.orgs.roles import Capability


def budget_list(*, user, year: int | None = None):
    qs = Budget.objects.restrict(user, Capability.VIEW_FUNDS).select_related("organisation")
    return qs.filter(year=year) if year else qs


def ledger_for(*, user, budget_id: int):
    return LedgerEntry.objects.restrict(user, Capability.VIEW_FUNDS).filter(budget_id=budget_id).select_related(
        "actor")

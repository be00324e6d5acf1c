from yuanmeng.funds.models import Budget
from yuanmeng.orgs.roles import Capability


def budget_list(*, user, year: int | None = None):
    qs = Budget.objects.restrict(user, Capability.VIEW_FUNDS).select_related("organisation")
    return qs.filter(year=year) if year else qs

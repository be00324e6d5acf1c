from django.db.models import Q

from yuanmeng.funds.models import Budget, FundSource
from yuanmeng.orgs.roles import Capability


def budget_list(*, user, year: int | None = None):
    qs = Budget.objects.restrict(user, Capability.VIEW_FUNDS).select_related("organisation")
    return qs.filter(year=year) if year else qs


def plan_budgets(*, year: int, special_of: int, matching_of: list[int]) -> dict[tuple[int, str], Budget]:
    """One union's special budget and other unions' matching budgets for a year, by (union id, source), in one
    query: what a payout plan reads to say how much money is left before it asks for any."""
    budgets = Budget.objects.filter(Q(organisation_id=special_of, source=FundSource.SPECIAL)
                                    | Q(organisation_id__in=matching_of, source=FundSource.MATCHING), year=year)
    return {(budget.organisation_id, budget.source): budget for budget in budgets}

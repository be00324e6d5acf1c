from yuanmeng.orgs.roles import Capability
from yuanmeng.payouts.models import Batch, PaymentLine, Round


def round_list(*, user):
    return Round.objects.restrict(user, Capability.VIEW_FUNDS).select_related("policy", "budget__organisation")


def round_get(*, user, round_id: int) -> Round:
    return round_list(user=user).get(pk=round_id)


def batch_get(*, user, batch_id: int) -> Batch:
    return Batch.objects.restrict(user, Capability.VIEW_FUNDS).select_related(
        "round__policy__organisation", "round__created_by", "file_issued_by").get(pk=batch_id)


def line_list(*, user, round_id: int | None = None, batch_id: int | None = None, status: str = ""):
    qs = PaymentLine.objects.restrict(user, Capability.VIEW_FUNDS).select_related("area", "application").defer(
        "account")
    if round_id:
        qs = qs.filter(round_id=round_id)
    if batch_id:
        qs = qs.filter(batch_id=batch_id)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("rank")

from django.db.models import Exists, OuterRef

from yuanmeng.funds.models import Budget, FundSource
from yuanmeng.orgs.roles import Capability
from yuanmeng.payouts.models import Batch, LotteryDraw, LotteryEntry, PaymentLine, Round


def round_list(*, user):
    return Round.objects.restrict(user, Capability.VIEW_FUNDS).select_related("policy", "budget__organisation")


def round_get(*, user, round_id: int) -> Round:
    return round_list(user=user).get(pk=round_id)


def batches_visible(*, user):
    return Batch.objects.restrict(user, Capability.VIEW_FUNDS)


def lines_visible(*, user):
    return PaymentLine.objects.restrict(user, Capability.VIEW_FUNDS)


def batch_get(*, user, batch_id: int) -> Batch:
    return batches_visible(user=user).select_related(
        "round__policy__organisation", "round__created_by", "file_issued_by").get(pk=batch_id)


def line_list(*, user, round_id: int | None = None, batch_id: int | None = None, status: str = ""):
    qs = lines_visible(user=user).select_related("area", "application").defer("account")
    if round_id:
        qs = qs.filter(round_id=round_id)
    if batch_id:
        qs = qs.filter(batch_id=batch_id)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("rank")


def special_budget(policy) -> Budget | None:
    """The special fund a policy's rounds are paid from: its union's, for its year."""
    return Budget.objects.filter(organisation=policy.organisation, year=policy.year,
                                 source=FundSource.SPECIAL).first()


def draw_list(*, user):
    return LotteryDraw.objects.restrict(user, Capability.VIEW_FUNDS).select_related(
        "policy__organisation", "budget", "announced_by", "frozen_by", "seed_entered_by", "seed_confirmed_by",
        "round")


def public_draw(code: str) -> LotteryDraw:
    """A lottery is public from its announcement: anyone may read it, logged in or not."""
    return LotteryDraw.objects.select_related(
        "policy__organisation", "announced_by", "frozen_by", "seed_entered_by", "seed_confirmed_by", "round").get(
        code=code)


def draw_entries(draw: LotteryDraw, *, winners: bool = False):
    """A frozen list in published order, or its winners in drawn order; once drawn, each says whether it is paid
    in the round (a winner who had left the queue is not)."""
    entries = LotteryEntry.objects.filter(draw=draw)
    if draw.round_id:
        entries = entries.annotate(paid=Exists(PaymentLine.objects.filter(
            round_id=draw.round_id, application_id=OuterRef("application_id"))))
    return entries.filter(place__isnull=False).order_by("place") if winners else entries.order_by("position")

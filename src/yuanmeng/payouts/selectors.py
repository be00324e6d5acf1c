"""Reads of rounds, batches, lines and lotteries that pages, the API and the public notice share."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q, Sum
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext_lazy as _lazy

from yuanmeng.core.masking import masked_name_sql
from yuanmeng.core.waiting import Waiting, waiting
from yuanmeng.funds.models import Budget, FundSource
from yuanmeng.orgs.roles import Capability
from yuanmeng.orgs.scoping import has_capability
from yuanmeng.payouts.models import (
    LIVE_LINE,
    Batch,
    BatchApproval,
    BatchStatus,
    LineStatus,
    LotteryDraw,
    LotteryEntry,
    PaymentLine,
    Round,
    RoundStatus,
)


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


def line_list(*, round_: Round | None = None, batch: Batch | None = None, status: str = ""):
    """The lines of a round or of a batch that the caller found visible (``round_get``, ``batch_get``): all of them.
    A line is visible through its round's union or its application's, and the first holds for every line of a
    visible round: read by the round alone, not each of 400,000 lines tested against two subtrees."""
    where = {key: found for key, found in (("round", round_), ("batch", batch)) if found is not None}
    if not where:
        raise ValueError("The lines of a round or of a batch.")
    qs = PaymentLine.objects.filter(**where).select_related("area", "application").defer("account")
    if status:
        qs = qs.filter(status=status)
    # Batches are cut in rank order, so (batch number, rank) is the rank order that the (round, batch_number) index
    # serves: a page of a round of 880,000 lines sorts one batch's lines, not the round's.
    return qs.order_by("batch_number", "rank")


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


# ---- the public notice (公示) -----------------------------------------------------------------------------
# A round's list is public, without log-in, from the day its notice starts to the day it ends; afterwards its
# page stays (the round, its totals, that the notice has ended) but the list is withdrawn: names and masked
# numbers are published for the objection period only, not for ever.

def notice_is_open(round_: Round, today: datetime.date | None = None) -> bool:
    """Whether the round's list is published now (objections are taken until its last day, inclusive)."""
    today = today or timezone.localdate()
    return (round_.status == RoundStatus.IN_NOTICE and round_.notice_starts_on is not None
            and round_.notice_starts_on <= today <= round_.notice_ends_on)


def notice_days_left(round_: Round, today: datetime.date | None = None) -> int:
    """Days the notice still runs, today included (0 once it has ended)."""
    today = today or timezone.localdate()
    return max((round_.notice_ends_on - today).days + 1, 0) if round_.notice_ends_on else 0


def notices_open():
    """The rounds under public notice today, the latest first, with the union that runs each."""
    today = timezone.localdate()
    return (Round.objects.filter(status=RoundStatus.IN_NOTICE, notice_starts_on__lte=today,
                                 notice_ends_on__gte=today)
            .select_related("policy__organisation").order_by("-notice_starts_on", "-pk"))


def public_notice(code: str) -> Round:
    """A round that has had a public notice, by its code (any other round raises Round.DoesNotExist)."""
    return (Round.objects.filter(notice_starts_on__isnull=False)
            .select_related("policy__organisation", "lottery_draw").get(code=code))


def notice_lines(round_: Round, *, search: str = ""):
    """The round's live lines as published: rank, masked name and identity number, enterprise, the amounts.

    The name is masked in SQL (the full name never reaches the page). A search matches the enterprise by any
    part of its name, never a person: a name found by searching would uncover its masked characters (a two-
    character name by trying common given names). A worker finds their own line on their home page.
    """
    lines = (PaymentLine.objects.filter(LIVE_LINE, round=round_)
             .annotate(name_masked=RawSQL(masked_name_sql(f"{PaymentLine._meta.db_table}.payee_name"), []),
                       id_masked=F("application__worker__id_number_masked"),
                       enterprise=F("application__organisation__enterprise__legal_name"),
                       matching_fen=F("district_fen") + F("enterprise_fen"))
             .values("rank", "name_masked", "id_masked", "enterprise", "level", "city_fen", "matching_fen",
                     "total_fen").order_by("batch_number", "rank"))  # the rank order, as line_list reads it
    search = search.strip()[:100]
    if search:
        lines = lines.filter(application__organisation__enterprise__legal_name__icontains=search)
    return lines


def round_amounts(round_: Round) -> dict[str, int]:
    """The round's live lines summed: city, matching (district and enterprise top-ups) and total, in fen."""
    sums = PaymentLine.objects.filter(LIVE_LINE, round=round_).aggregate(
        city_fen=Sum("city_fen"), district_fen=Sum("district_fen"), enterprise_fen=Sum("enterprise_fen"),
        total_fen=Sum("total_fen"))
    sums = {key: value or 0 for key, value in sums.items()}
    return {**sums, "matching_fen": sums["district_fen"] + sums["enterprise_fen"]}


def notice_line_for_worker(worker):
    """The worker's own line in a round under public notice (the latest such round), for their home; None if
    none. Carries the round (its notice dates, its union's contact) and the amounts by level of funding."""
    line = (PaymentLine.objects.filter(application__worker=worker, status=LineStatus.PENDING,
                                       round__status=RoundStatus.IN_NOTICE)
            .select_related("round__policy__organisation").defer("account")
            .annotate(matching_fen=F("district_fen") + F("enterprise_fen"))
            .order_by("-round__notice_starts_on", "-round_id").first())
    if line is not None:
        line.days_left = notice_days_left(line.round)
    return line


# ---- work waiting (home pages, and the batch list's ``?waiting=`` filter) ---------------------------------------

@dataclass(frozen=True)
class WaitingBatches:
    """A step of a batch that waits for a finance officer: which batches, and the date they have waited since."""

    key: str
    label: str
    since: str
    where: Callable[[object], Q]


WAITING_BATCHES = {work.key: work for work in (
    # Two approvers where the policy asks for them: a batch this officer has approved waits for someone else.
    WaitingBatches("approve", _lazy("Batches to approve"), "round__committed_at",
                   lambda user: Q(status=BatchStatus.AWAITING_APPROVAL) & ~Q(
                       Exists(BatchApproval.objects.filter(batch_id=OuterRef("pk"), user=user)))),
    WaitingBatches("issue_file", _lazy("Payment files to issue"), "approved_at",
                   lambda user: Q(status=BatchStatus.APPROVED, file_issued_at__isnull=True)),
    WaitingBatches("results", _lazy("Bank results missing"), "file_issued_at",
                   lambda user: Q(status=BatchStatus.APPROVED, file_issued_at__isnull=False)),
)}


def waiting_batches(*, user, key: str):
    """The batches in the user's scope at the step ``key`` (the home page's count, the batch list's rows)."""
    return batches_visible(user=user).filter(WAITING_BATCHES[key].where(user))


def batches_waiting(user) -> list[tuple[WaitingBatches, Waiting]]:
    """For a finance officer (who approves, issues the file and imports the results): each step's bounded count
    and the date the oldest batch has waited since."""
    if not has_capability(user, Capability.APPROVE_PAYOUTS):
        return []
    return [(work, waiting(waiting_batches(user=user, key=work.key), work.since))
            for work in WAITING_BATCHES.values()]


def batch_list(*, user, key: str = ""):
    """Batches in scope with their round, oldest first; only those at one waiting step when ``key`` names it."""
    qs = waiting_batches(user=user, key=key) if key in WAITING_BATCHES else batches_visible(user=user)
    return qs.select_related("round").order_by("round__committed_at", "round_id", "number")



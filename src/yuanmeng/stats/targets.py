"""Targets against the rollups: how far an organisation has come, the pace it needs, and where its current pace
leads (decision 0017).

- **Progress** is read from the rollups (exact as of their refresh, ``as_of``), summed over the target's years up to
  the day asked about: a year is the policy's year of an application and the budget's year of money, as on the
  dashboards. Projects are counted live (``projects.selectors.count_for_targets``): a few hundred rows.
- **Pace needed**: what is left of the target divided by the months left until the end of its last year.
- **Forecast**: the mean monthly pace since the start of the first year (progress ÷ months elapsed) carried on to
  the end of the period. Linear and plain: the rollups hold years, not months, so no shorter window can be read.

Who reads what: the targets of organisations the user may VIEW (money: VIEW_FUNDS), and for context, where an
organisation holds no target of its own for a measure and period, its nearest ancestor's (the value only; the
ancestor's progress is outside the user's subtree).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from yuanmeng.core.access import Capability
from yuanmeng.core.money import fen_to_yuan
from yuanmeng.orgs.models import Organisation, OrgKind
from yuanmeng.orgs.scoping import has_capability
from yuanmeng.projects.selectors import count_for_targets_many
from yuanmeng.stats.models import Measure, MoneyRollup, Target, WorkerRollup
from yuanmeng.stats.selectors import EVERY_APPLICATION

MONEY_MEASURES = frozenset({Measure.BUDGET_PAID})
# Who takes a share of a target: the unions below (not a school or a training provider, which hold none).
UNION_KINDS = frozenset(OrgKind.values) - {OrgKind.SCHOOL, OrgKind.PROVIDER}
ROLLUP_MEASURES = (Measure.WORKERS_PAID, Measure.MIGRANTS_PAID, Measure.APPROVED, Measure.BUDGET_PAID)
DAYS_PER_MONTH = 365.2425 / 12


def shown(measure: str, value: int | float | None) -> str:
    """A measure's amount as the pages show it: yuan for money (stored in fen), a whole number otherwise."""
    if value is None:
        return "—"
    return fen_to_yuan(round(value)) if measure in MONEY_MEASURES else f"{round(value):,}"


def progress_day(asked: datetime.date | None) -> datetime.date:
    """The day progress is measured on: today (None), or the end of a past year. The rollups count by year as of the
    last refresh, so a day inside a year (or a later one) would set that whole year's figures against part of it."""
    today = timezone.localdate()
    if asked is None or asked == today or (asked < today and (asked.month, asked.day) == (12, 31)):
        return asked or today
    raise ValidationError({"on": [_("Progress is measured today or on 31 December of a past year (the figures are "
                                    "counted by year), such as %(day)s.") % {"day": f"{today.year - 1}-12-31"}]})


def capability_for(measure: str) -> str:
    """What a user must hold over an organisation to read (or set) a target of ``measure``."""
    return Capability.VIEW_FUNDS if measure in MONEY_MEASURES else Capability.VIEW


def period_start(target: Target) -> datetime.date:
    return datetime.date(target.start_year, 1, 1)


def period_end(target: Target) -> datetime.date:
    return datetime.date(target.end_year, 12, 31)


def months_between(start: datetime.date, end: datetime.date) -> float:
    """Months from the start of ``start`` to the end of ``end`` (whole days, months of a mean length)."""
    return max(0, (end - start).days + 1) / DAYS_PER_MONTH


@dataclass
class Progress:
    """A target of an organisation and how far the organisation has come towards it on a day."""

    target: Target
    organisation: Organisation  # whose progress this is (the target's own, or a child's under an ancestor's)
    context: bool  # the target is an ancestor's, shown because the organisation has none of its own
    done: int
    on: datetime.date
    allocated: int = 0  # what the target's shares to children add up to

    @property
    def measure(self) -> str:
        return self.target.measure

    @property
    def is_money(self) -> bool:
        return self.target.measure in MONEY_MEASURES

    @property
    def months_total(self) -> float:
        return months_between(period_start(self.target), period_end(self.target))

    @property
    def months_elapsed(self) -> float:
        return months_between(period_start(self.target), min(self.on, period_end(self.target)))

    @property
    def months_left(self) -> float:
        return self.months_total - self.months_elapsed

    @property
    def left(self) -> int:
        return max(0, self.target.value - self.done)

    @property
    def percent(self) -> float | None:
        return 100 * self.done / self.target.value if self.target.value else None

    @property
    def percent_expected(self) -> float:
        """Where a straight line from nothing at the start to the target at the end stands on the day."""
        return 100 * self.months_elapsed / self.months_total

    @property
    def needed_per_month(self) -> float | None:
        """What each month left must bring to reach the target; None once the period is over."""
        return self.left / self.months_left if self.months_left > 0 else None

    @property
    def pace_per_month(self) -> float | None:
        return self.done / self.months_elapsed if self.months_elapsed > 0 else None

    @property
    def forecast(self) -> int | None:
        """Where the mean monthly pace so far leads by the end of the period."""
        pace = self.pace_per_month
        return None if pace is None else round(self.done + pace * self.months_left)

    @property
    def done_shown(self) -> str:
        return shown(self.measure, self.done)

    @property
    def value_shown(self) -> str:
        return shown(self.measure, self.target.value)

    @property
    def allocated_shown(self) -> str:
        return shown(self.measure, self.allocated)

    @property
    def needed_shown(self) -> str:
        return shown(self.measure, self.needed_per_month)

    @property
    def forecast_shown(self) -> str:
        return shown(self.measure, self.forecast)

    @property
    def on_track(self) -> bool | None:
        forecast = self.forecast
        return None if forecast is None else forecast >= self.target.value


def _years(target: Target, on: datetime.date) -> range:
    """The years of the target counted on the day: its first year to the day's (or its last)."""
    return range(target.start_year, min(target.end_year, on.year) + 1)


def achieved(organisation_ids: list[int], first: int, last: int) -> dict[int, dict[int, dict[str, int]]]:
    """Every rollup-read measure of each organisation's subtree per year from ``first`` to ``last``, as of the last
    refresh (two queries: workers, money)."""
    found = defaultdict(lambda: defaultdict(lambda: dict.fromkeys(ROLLUP_MEASURES, 0)))
    # EVERY_APPLICATION's dimension holds every application once; "migrant" the migrants among them.
    for org_id, year, dimension, value, approved, paid in WorkerRollup.objects.filter(
            organisation_id__in=organisation_ids, year__range=(first, last),
            dimension__in=[EVERY_APPLICATION, "migrant"],
    ).values_list("organisation_id", "year", "dimension", "value", "approved", "paid"):
        counts = found[org_id][year]
        if dimension == EVERY_APPLICATION:
            counts[Measure.WORKERS_PAID] += paid
            counts[Measure.APPROVED] += approved
        elif value == "yes":
            counts[Measure.MIGRANTS_PAID] += paid
    for row in MoneyRollup.objects.filter(organisation_id__in=organisation_ids, year__range=(first, last)).values(
            "organisation_id", "year").annotate(paid=Sum("paid_fen")).order_by():
        found[row["organisation_id"]][row["year"]][Measure.BUDGET_PAID] += row["paid"]
    return found


def _counted_to(target: Target, on: datetime.date) -> datetime.date:
    return min(on, period_end(target))


def _projects(targets_of: list[tuple[Target, Organisation, bool]], on: datetime.date) -> dict:
    """The projects counted towards each projects target: {(first day, last day): {organisation id: count}}, one
    query per period (a page's unions below share theirs)."""
    periods = defaultdict(dict)
    for target, organisation, _context in targets_of:
        if target.measure == Measure.PROJECTS:
            periods[(period_start(target), _counted_to(target, on))][organisation.pk] = organisation
    return {(start, end): count_for_targets_many(organisations.values(), start, end)
            for (start, end), organisations in periods.items()}


def _progress(targets_of: list[tuple[Target, Organisation, bool]], on: datetime.date) -> list[Progress]:
    """The progress of each (target, organisation whose progress, context?) on the day."""
    if not targets_of:
        return []
    first = min(target.start_year for target, _org, _context in targets_of)
    last = max(target.end_year for target, _org, _context in targets_of)
    read = achieved(sorted({org.pk for _target, org, _context in targets_of}), first, last)
    projects = _projects(targets_of, on)
    progress = []
    for target, organisation, context in targets_of:
        if target.measure == Measure.PROJECTS:
            done = projects[(period_start(target), _counted_to(target, on))][organisation.pk]
        else:
            done = sum(read[organisation.pk][year][target.measure] for year in _years(target, on))
        progress.append(Progress(target=target, organisation=organisation, context=context, done=done, on=on))
    return progress


def progress_of(target: Target, on: datetime.date) -> Progress:
    """One target's progress by its own organisation on the day (the caller has checked who may read it)."""
    [progress] = _progress([(target, target.organisation, False)], on)
    progress.allocated = shared(target)
    return progress


def reached_by_year(target: Target, on: datetime.date) -> list[tuple[datetime.date, int]]:
    """The organisation's progress towards its target summed year by year: nothing on the first day, then at the
    end of each counted year (the last one on the day) what the years up to it hold, as of the refresh."""
    years = _years(target, on)
    if target.measure == Measure.PROJECTS:
        ends = [min(on, datetime.date(year, 12, 31)) for year in years]
        counts = [count_for_targets_many([target.organisation], period_start(target), end)[target.organisation_id]
                  for end in ends]  # one query a year of the period so far
        return [(period_start(target), 0), *zip(ends, counts, strict=True)]
    read = achieved([target.organisation_id], target.start_year, target.end_year)[target.organisation_id]
    points, total = [(period_start(target), 0)], 0
    for year in years:
        total += read[year][target.measure]
        points.append((min(on, datetime.date(year, 12, 31)), total))
    return points


def shared(target: Target, *, leaving_out: Target | None = None) -> int:
    """What the target's shares add up to (but ``leaving_out``'s)."""
    shares = target.shares.all()
    if leaving_out is not None:
        shares = shares.exclude(pk=leaving_out.pk)
    return shares.aggregate(total=Sum("value"))["total"] or 0


def _readable(user, organisation: Organisation, measure: str) -> bool:
    return has_capability(user, capability_for(measure), organisation.path)


def targets_for(user, organisation: Organisation, on: datetime.date) -> list[tuple[Target, bool]]:
    """The organisation's targets whose period holds the day, and for each measure and period it has none of, its
    nearest ancestor's (context); only measures the user may read there (one query)."""
    candidates = (Target.objects.filter(organisation_id__in=organisation.path_ids(),
                                        start_year__lte=on.year, end_year__gte=on.year)
                  .select_related("organisation").order_by("-organisation__depth"))
    chosen: dict[tuple, tuple[Target, bool]] = {}
    for target in candidates:
        key = (target.measure, target.start_year, target.end_year)
        if key not in chosen and _readable(user, organisation, target.measure):
            chosen[key] = (target, target.organisation_id != organisation.pk)
    return sorted(chosen.values(), key=lambda pair: (pair[0].start_year, pair[0].end_year,
                                                     list(Measure.values).index(pair[0].measure)))


def progress_for(*, user, organisation: Organisation, on: datetime.date) -> list[Progress]:
    """The targets of an organisation the user may VIEW (404 otherwise) whose period holds ``on``, each with the
    organisation's progress, pace and forecast on that day (as of the last refresh: ``latest_as_of()``), and, for
    its own targets, what their shares to children add up to."""
    get_object_or_404(Organisation.objects.restrict(user, Capability.VIEW), pk=organisation.pk)
    chosen = targets_for(user, organisation, on)
    progress = _progress([(target, organisation, context) for target, context in chosen], on)
    allocated = dict(Target.objects.filter(parent__in=[target for target, context in chosen if not context])
                     .values("parent_id").annotate(total=Sum("value")).order_by().values_list("parent_id", "total"))
    for item in progress:
        item.allocated = allocated.get(item.target.pk, 0)
    return progress


@dataclass
class ShareRow:
    """A child organisation under a target: its share (None: none allocated) and its progress."""

    organisation: Organisation
    share: Target | None
    progress: Progress


def share_candidates(target: Target):
    """The unions a share of the target may go to: the active unions directly below its organisation, in the pages'
    order."""
    return Organisation.objects.filter(parent_id=target.organisation_id, is_active=True,
                                       kind__in=UNION_KINDS).order_by("kind", "name")


def children_for(user, target: Target):
    """The unions below that may take a share (``share_candidates``) whose measure the user may read."""
    return share_candidates(target).restrict(user, capability_for(target.measure))


def shares_of(target: Target, children: list[Organisation], on: datetime.date) -> list[ShareRow]:
    """Each of those children (``children_for``, a page of them): its share and its progress towards it (or,
    without a share, towards the parent's target, as context)."""
    shares = {share.organisation_id: share for share in target.shares.filter(organisation__in=children)}
    progress = _progress([(shares.get(child.pk, target), child, child.pk not in shares) for child in children], on)
    return [ShareRow(organisation=child, share=shares.get(child.pk), progress=item)
            for child, item in zip(children, progress, strict=True)]

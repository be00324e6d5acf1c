"""The yearly report of an organisation: the year's figures from the rollups (``selectors.figure_for``), their
tables and charts, the targets, and the audit chain's anchor at the year's end (``audit.anchors.anchor_on``).

One ``YearlyReport`` feeds the printable page and the PDF (``report_pdf``), so both show the same figures. Money
is read only where the reader holds VIEW_FUNDS over the organisation (otherwise the report leaves it out and says
so); everything else needs VIEW, and an organisation outside the reader's subtree is a 404, like the dashboards.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from yuanmeng.audit.anchors import Anchor, AnchorFileDamaged, anchor_on
from yuanmeng.audit.models import AuditEntry
from yuanmeng.core.money import fen_to_yuan
from yuanmeng.stats.charts_svg import Series, bar_chart
from yuanmeng.stats.labels import (
    CHART_CHILDREN,
    dimension_label,
    holder_label,
    source_label,
    state_label,
    step_label,
    value_label,
)
from yuanmeng.stats.models import Measure
from yuanmeng.stats.selectors import (
    WORKER_MEASURES,
    Drilldown,
    every_application,
    figure_for,
    intake_caps,
    money_by_level,
    money_by_source,
)
from yuanmeng.stats.targets import Progress, progress_for

FIRST_YEAR = 2000  # no union kept these figures before
# Up to this many children the PDF is made inside the request (about a second); an organisation with more (a street
# with hundreds of enterprise unions) gets it from the background worker (decision 0018).
INLINE_CHILDREN = 60


def report_year(value) -> int:
    """The year asked for: a whole number from FIRST_YEAR to this year (a later year has no figures yet)."""
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError({"year": [_("Enter the year as four digits, e.g. 2025.")]}) from None
    this_year = timezone.localdate().year
    if year > this_year:
        raise ValidationError({"year": [_("%(year)d has not begun; choose %(this_year)d or an earlier year.")
                                        % {"year": year, "this_year": this_year}]})
    if year < FIRST_YEAR:
        raise ValidationError({"year": [_("Choose %(first)d or a later year.") % {"first": FIRST_YEAR}]})
    return year


@dataclass
class Table:
    columns: list[str]
    rows: list[list]
    chart: SafeString | None = None


@dataclass
class AnchorCheck:
    """The audit chain's anchor at the year's end (or today, in the current year) and whether the trail still holds
    its entry unchanged."""

    day: datetime.date
    anchor: Anchor | None = None
    on_the_day: bool = False  # taken that day, not on an earlier one
    holds: bool | None = None  # the trail's entry at the anchor's sequence has the anchored hash
    damaged: str = ""


@dataclass
class YearlyReport:
    organisation: object
    year: int
    as_of: datetime.datetime | None
    generated_at: datetime.datetime
    has_data: bool
    children: int
    money: Table | None  # None: the reader may not see funds here
    money_by_level: Table | None
    money_by_child: Table | None
    workers_by_child: Table
    workers: list[tuple[str, Table]]
    funnel: Table
    drop_outs: Table
    durations: Table
    intake: Table
    caps: Table
    anchor: AnchorCheck
    targets: Table


def report_assemble(*, user, organisation_id: int, year: int) -> YearlyReport:
    """The report of an organisation the user may VIEW (404 otherwise) for a year ``report_year`` accepted."""
    figures = {name: figure_for(user, figure=name, organisation_id=organisation_id, year=year)
               for name in ("workers", "funnel", "durations", "intake")}
    try:
        money = figure_for(user, figure="money", organisation_id=organisation_id, year=year)
    except Http404:
        money = None
    workers = figures["workers"]
    money_total = money.total if money else []
    intake = intake_table(figures["intake"].total)
    return YearlyReport(
        organisation=workers.organisation, year=year, as_of=workers.as_of, generated_at=timezone.now(),
        has_data=bool(workers.total or money_total or figures["intake"].total),
        children=len(workers.children),
        money=money_table(money_total) if money else None,
        money_by_level=money_level_table(money_total) if money else None,
        money_by_child=money_by_child(money) if money else None,
        workers_by_child=workers_by_child(workers),
        workers=workers_tables(workers.total),
        funnel=funnel_table(figures["funnel"].total["steps"]),
        drop_outs=drop_out_table(figures["funnel"].total["drop_outs"]),
        durations=durations_table(figures["durations"].total),
        intake=intake,
        caps=caps_table(intake_caps(workers.organisation, year)) if figures["intake"].total else Table([], []),
        anchor=anchor_check(year),
        targets=targets_table(progress_for(user=user, organisation=workers.organisation, on=year_end(year))),
    )


def year_end(year: int) -> datetime.date:
    """The day the year's figures stand on: 31 December, or today while the year runs."""
    return min(datetime.date(year, 12, 31), timezone.localdate())


MONEY_FIELDS = ("budgeted_fen", "reserved_fen", "paid_fen", "available_fen")


def _money_columns() -> list[str]:
    return [_("Budgeted (yuan)"), _("Reserved (yuan)"), _("Paid (yuan)"), _("Available (yuan)")]


def money_table(rows: list[dict]) -> Table:
    rows = money_by_source(rows)
    series = [Series(name, [r[measure] / 100 for r in rows])
              for name, measure in zip(_money_columns(), MONEY_FIELDS, strict=True)]
    chart = bar_chart(title=_("Money by fund source (yuan)"), categories=[source_label(r["source"]) for r in rows],
                      series=series) if rows else None
    return Table([_("Fund source"), *_money_columns()],
                 [[source_label(r["source"]), *(fen_to_yuan(r[m]) for m in MONEY_FIELDS)] for r in rows], chart)


def money_level_table(rows: list[dict]) -> Table:
    """The special and matching money by the level of the unions holding it, and each level's share of the
    matching money."""
    return Table([_("Level"), _("Special fund"), _("Matching fund"), _("Paid"), _("Share of the matching money (%)")],
                 [[holder_label(level["holder_kind"]), fen_to_yuan(level["special_fen"]),
                   fen_to_yuan(level["matching_fen"]), fen_to_yuan(level["paid_fen"]),
                   "" if level["matching_share"] is None else f"{level['matching_share']}"]
                  for level in money_by_level(rows)], None)


def money_by_child(money: Drilldown) -> Table:
    rows = [[child.name, *(fen_to_yuan(sum(r[m] for r in figure)) for m in MONEY_FIELDS)]
            for child, figure in money.children]
    if money.own:
        rows.append([_("Its own budgets"), *(fen_to_yuan(sum(r[m] for r in money.own)) for m in MONEY_FIELDS)])
    return Table([_("Organisation"), *_money_columns()], rows)


def _worker_columns() -> list[str]:
    return [_("Applying"), _("Approved"), _("Graduated"), _("Paid")]




def workers_by_child(workers: Drilldown) -> Table:
    rows = [[child.name, *every_application(figure)] for child, figure in workers.children]
    charted = sorted(rows, key=lambda row: -row[1])[:CHART_CHILDREN]
    title = _("Applying and paid, by organisation") if len(rows) <= CHART_CHILDREN else \
        _("Applying and paid: the %(count)d organisations with most applications") % {"count": CHART_CHILDREN}
    chart = bar_chart(title=title, categories=[row[0] for row in charted],
                      series=[Series(_("Applying"), [row[1] for row in charted]),
                              Series(_("Paid"), [row[4] for row in charted])]) if any(row[1] for row in rows) else None
    return Table([_("Organisation"), *_worker_columns()], [[row[0], *(f"{v:,}" for v in row[1:])] for row in rows],
                 chart)


def workers_tables(rows: list[dict]) -> list[tuple[str, Table]]:
    by_dimension = defaultdict(list)
    for row in rows:
        by_dimension[row["dimension"]].append(row)
    return [(dimension_label(dimension), Table(
        [dimension_label(dimension), *_worker_columns()],
        [[value_label(dimension, r["value"]), *(f"{r[m]:,}" for m in WORKER_MEASURES)] for r in found]))
        for dimension, found in by_dimension.items()]


def funnel_table(steps: list[dict]) -> Table:
    chart = bar_chart(title=_("Applications reaching each step"), categories=[state_label(s["state"]) for s in steps],
                      series=[Series(_("Applications that reached it"), [s["reached"] for s in steps])]) \
        if any(s["reached"] for s in steps) else None
    return Table([_("Step"), _("Applications that reached it")],
                 [[state_label(s["state"]), f"{s['reached']:,}"] for s in steps], chart)


def drop_out_table(drop_outs: list[dict]) -> Table:
    return Table([_("Left by"), _("At the step"), _("Applications that left")],
                 [[state_label(d["outcome"]), state_label(d["state"]), f"{d['applications']:,}"] for d in drop_outs])


def _days(value: float | None) -> str:
    return "—" if value is None else f"{value:,.1f}"


def durations_table(rows: list[dict]) -> Table:
    timed = [r for r in rows if r["applications"]]
    chart = bar_chart(title=_("Days per step"), categories=[step_label(r["step"]) for r in timed],
                      series=[Series(_("Median"), [r["median_days"] for r in timed]),
                              Series(_("90th percentile"), [r["p90_days"] for r in timed])]) if timed else None
    return Table([_("Step"), _("Applications timed"), _("Median days"), _("90th percentile days")],
                 [[step_label(r["step"]), f"{r['applications']:,}", _days(r["median_days"]), _days(r["p90_days"])]
                  for r in rows], chart)


def intake_table(rows: list[dict]) -> Table:
    """The year's intake by month (the rollup has it by day and policy: a year of days is too long for a report)."""
    months = defaultdict(lambda: [0, 0])
    for row in rows:
        months[row["day"].month][0] += row["applicants"]
        months[row["day"].month][1] += row["approvals"]
    found = sorted(months.items())
    chart = bar_chart(title=_("Intake by month"), categories=[str(month) for month, _counts in found],
                      series=[Series(_("Applicants"), [c[0] for _m, c in found]),
                              Series(_("Applications approved"), [c[1] for _m, c in found])]) if found else None
    return Table([_("Month"), _("Applicants"), _("Applications approved")],
                 [[str(month), f"{a:,}", f"{b:,}"] for month, (a, b) in found], chart)


def caps_table(policies: list[dict]) -> Table:
    def cap(value):
        return "—" if value is None else f"{value:,}"

    return Table([_("Policy"), _("Applicants in the year"), _("Applicant cap"), _("Approvals in the year"),
                  _("Approval cap")],
                 [[f"{p['code']} {p['title']}", f"{p['applicants']:,}", cap(p["max_applicants"]),
                   f"{p['approvals']:,}", cap(p["max_approvals"])] for p in policies])


def anchor_check(year: int) -> AnchorCheck:
    """The last anchor taken on or before 31 December (today, while the year runs), checked against the trail."""
    check = AnchorCheck(day=year_end(year))
    try:
        check.anchor = anchor_on(check.day)
    except AnchorFileDamaged as exc:
        check.damaged = str(exc)
        return check
    if check.anchor is not None:
        check.on_the_day = timezone.localtime(check.anchor.at).date() == check.day
        held = AuditEntry.objects.filter(seq=check.anchor.seq).values_list("hash", flat=True).first()
        check.holds = held == check.anchor.hash
    return check


def targets_table(progress: list[Progress]) -> Table:
    """The targets whose period holds the year's end (an ancestor's, marked, where the organisation has none)."""
    def name(item: Progress) -> str:
        label = str(dict(Measure.choices).get(item.measure, item.measure))
        return _("%(measure)s (set above)") % {"measure": label} if item.context else label

    return Table([_("Target"), _("Period"), _("Target value"), _("Reached"), _("Share reached"), _("Needed per month"),
                  _("Forecast")],
                 [[name(item), f"{item.target.start_year}–{item.target.end_year}", item.value_shown, item.done_shown,
                   "—" if item.percent is None else f"{item.percent:.1f}%", item.needed_shown, item.forecast_shown]
                  for item in progress])

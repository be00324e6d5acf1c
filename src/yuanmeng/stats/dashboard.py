"""The dashboard's tables, built from the figures of ``selectors.figure_for``: each table is what the page shows under
its chart (the accessible truth) and what its xlsx export writes, so the two never differ.

A table's rows are lists of cells; an organisation's row also names the organisation, which the page links to its
own dashboard (the drill-down).
"""

import datetime
import math
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import accumulate

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from yuanmeng.applications.workflow import State
from yuanmeng.core.access import Capability
from yuanmeng.core.errors import PermissionDenied
from yuanmeng.core.exports import Column
from yuanmeng.funds.models import FundSource
from yuanmeng.jobs.models import LIVE_STATES, Job
from yuanmeng.jobs.services import job_submit
from yuanmeng.orgs.models import Organisation
from yuanmeng.orgs.scoping import has_capability
from yuanmeng.stats.jobs import REFRESH_JOB
from yuanmeng.stats.labels import (
    CHART_CHILDREN,
    dimension_label,
    holder_label,
    source_label,
    state_label,
    step_label,
    value_label,
)
from yuanmeng.stats.rollups import DIPLOMA_TO_MONEY, TIMED_STEPS
from yuanmeng.stats.selectors import (
    WORKER_MEASURES,
    Drilldown,
    every_application,
    figure_for,
    intake_caps,
    intake_days,
    latest_as_of,
    money_by_level,
    money_by_source,
    visible_organisations,
)

CHART_POLICIES = 4  # the intake charts the policies with the most applicants; its table lists every policy
FOLD_ROWS = 20  # a longer table is folded under its chart
RECENT_DAYS = 14  # the intake's projection follows the pace of the last two weeks with data


@dataclass
class Table:
    key: str  # the export's name
    title: str
    headers: list[str]
    numeric: list[bool]
    rows: list[list] = field(default_factory=list)
    organisations: list[Organisation | None] = field(default_factory=list)  # the organisation of each row, if any
    charts: list[dict] = field(default_factory=list)
    note: str = ""
    folded: bool = False  # a long table the page shows folded (the chart above says it)
    by_child: bool = False  # a row per child: the page shows a page of them (``page_of``), the export every one
    page_ids: set[int] | None = None  # the children of the page shown

    @property
    def wide(self) -> bool:
        """Too many columns to sit beside another table."""
        return len(self.headers) > 5

    def chart_blocks(self) -> list[tuple[str, dict]]:
        """Each chart with the id of its JSON block on the page."""
        return [(f"chart-{self.key}-{n}", chart) for n, chart in enumerate(self.charts)]

    def add(self, cells: list, organisation: Organisation | None = None) -> None:
        self.rows.append(cells)
        self.organisations.append(organisation)

    def headers_numeric(self) -> list[tuple[str, bool]]:
        return list(zip(self.headers, self.numeric, strict=True))

    def shown(self) -> list[tuple[Organisation | None, list[tuple[str, bool]]]]:
        """Each row's organisation and its cells as the page shows them, each with whether it is a number."""
        return [(org, [(_shown(cell), numeric) for cell, numeric in zip(cells, self.numeric, strict=True)])
                for org, cells in zip(self.organisations, self.rows, strict=True)
                if self.page_ids is None or org is None or org.pk in self.page_ids]

    def columns(self) -> list[Column]:
        return [Column(header, lambda row, i=i: row[i], 22 if i == 0 else 14) for i, header in enumerate(self.headers)]


def _shown(cell) -> str:
    if cell is None:
        return "—"
    if isinstance(cell, Decimal):
        return f"{cell:,.2f}"
    if isinstance(cell, float):
        return f"{cell:,.1f}"
    if isinstance(cell, int):
        return f"{cell:,}"
    return str(cell)


def yuan(fen: int) -> Decimal:
    """Fen as yuan for a table's cell and its export (a number, not text)."""
    return Decimal(fen) / 100


def _chart(title: str, categories: list, series: list[tuple[str, list]], unit: str = "") -> dict:
    """A bar chart's data for ``static/yuanmeng/charts.js`` (through ``json_script``, never ``|safe``)."""
    return {"kind": "bars", "title": title, "categories": [str(c) for c in categories], "unit": unit,
            "series": [{"name": str(name), "data": data} for name, data in series]}


def _largest(rows: list, size) -> list:
    return sorted(rows, key=size, reverse=True)[:CHART_CHILDREN]


def _chart_note(children: list) -> str:
    return _("The chart shows the %(n)d largest; the table lists all.") % {"n": CHART_CHILDREN} \
        if len(children) > CHART_CHILDREN else ""


# ---- money ---------------------------------------------------------------------------------------------------

def _by_source(rows: list[dict]) -> dict[str, dict]:
    return {row["source"]: row for row in money_by_source(rows)}


def money_tables(found: Drilldown) -> list[Table]:
    by_source = Table("money", _("Money by fund source (yuan)"),
                      [_("Fund source"), _("Budgeted"), _("Reserved"), _("Paid"), _("Available")],
                      [False, True, True, True, True])
    for row in money_by_source(found.total):
        by_source.add([source_label(row["source"]), *(
            yuan(row[f"{measure}_fen"]) for measure in ("budgeted", "reserved", "paid", "available"))])
    by_source.charts = [_chart(by_source.title, [cells[0] for cells in by_source.rows], [
        (_("Paid"), [float(cells[3]) for cells in by_source.rows]),
        (_("Reserved"), [float(cells[2]) for cells in by_source.rows]),
        (_("Available"), [float(cells[4]) for cells in by_source.rows])])]
    return [by_source, _money_by_level(found), _money_by_holder(found)]


def _money_by_level(found: Drilldown) -> Table:
    """The special and matching money by the level of the unions holding it, and each level's share of the
    matching money (three-level funding: city, district and enterprise)."""
    table = Table("money_by_level", _("Budgets by the level of the union holding them (yuan)"),
                  [_("Level"), _("Special fund"), _("Matching fund"), _("Paid"), _("Share of the matching money (%)")],
                  [False, True, True, True, True])
    for level in money_by_level(found.total):
        table.add([holder_label(level["holder_kind"]), yuan(level["special_fen"]), yuan(level["matching_fen"]),
                   yuan(level["paid_fen"]), level["matching_share"]])
    table.charts = [_chart(_("Matching money by level (yuan)"), [cells[0] for cells in table.rows],
                           [(_("Matching fund"), [float(cells[2]) for cells in table.rows])])]
    return table


def _money_by_holder(found: Drilldown) -> Table:
    """Who holds the budgets: the organisation's own (a city's special fund) and each child's subtree (a
    district's and its enterprises' matching), with the matching money's share of each."""
    table = Table("money_by_holder", _("Budgets by who holds them (yuan), and the share of matching money"),
                  [_("Organisation"), _("Level"), _("Special fund"), _("Matching fund"), _("Paid"),
                   _("Matching share (%)")], [False, False, True, True, True, True], by_child=True)
    holders = [(found.organisation, _("its own budgets"), found.own), *(
        (child, child.get_kind_display(), figure) for child, figure in found.children)]
    for organisation, level, figure in holders:
        rows = _by_source(figure)
        special, matching = (rows.get(s, {}).get("budgeted_fen", 0) for s in (FundSource.SPECIAL,
                                                                               FundSource.MATCHING))
        if organisation is found.organisation and not (special or matching):
            continue
        share = round(100 * matching / (special + matching), 1) if special + matching else None
        table.add([organisation.name, str(level), yuan(special), yuan(matching),
                   yuan(sum(row["paid_fen"] for row in figure)), share],
                  None if organisation is found.organisation else organisation)
    shown = _largest([cells for cells in table.rows if cells[2] + cells[3]], lambda cells: cells[2] + cells[3])
    table.charts = [_chart(_("Budgeted by holder (yuan)"), [cells[0] for cells in shown], [
        (_("Special fund"), [float(cells[2]) for cells in shown]),
        (_("Matching fund"), [float(cells[3]) for cells in shown])])]
    table.note = " ".join(filter(None, [_chart_note(table.rows), _(
        "A child's budgets are its whole subtree's: a district's matching fund includes its enterprises' (the "
        "table by level splits them by the union holding each budget).")]))
    return table


# ---- workers -------------------------------------------------------------------------------------------------

def _measure_headers() -> list[str]:
    return [_("Applying"), _("Approved"), _("Graduated"), _("Paid")]


def workers_tables(found: Drilldown, dimension: str) -> list[Table]:
    table = Table(f"workers_{dimension}", _("Workers by %(dimension)s") % {"dimension": dimension_label(dimension)},
                  [dimension_label(dimension), *_measure_headers()], [False, True, True, True, True])
    for row in found.total:
        if row["dimension"] == dimension:
            table.add([value_label(dimension, row["value"]), *(row[m] for m in WORKER_MEASURES)])
    table.charts = [_chart(table.title, [cells[0] for cells in table.rows], [
        (header, [cells[i + 1] for cells in table.rows]) for i, header in enumerate(_measure_headers())])]
    return [table, _workers_by_child(found)]


def _workers_by_child(found: Drilldown) -> Table:
    table = Table("workers_by_organisation", _("Workers by organisation below"),
                  [_("Organisation"), *_measure_headers()], [False, True, True, True, True], by_child=True)
    for child, figure in found.children:
        table.add([child.name, *every_application(figure)], child)
    own = every_application(found.own)
    if any(own):
        table.add([_("%(name)s itself") % {"name": found.organisation.name}, *own])
    shown = _largest(table.rows, lambda cells: cells[1])
    table.charts = [_chart(table.title, [cells[0] for cells in shown], [
        (header, [cells[i + 1] for cells in shown]) for i, header in enumerate(_measure_headers())])]
    table.note = _chart_note(table.rows)
    return table


# ---- the funnel ----------------------------------------------------------------------------------------------

def funnel_tables(found: Drilldown) -> list[Table]:
    """Per step: applications that reached it, and those that left there, withdrawn or rejected."""
    table = Table("funnel", _("From application to payment"),
                  [_("Step"), _("Reached"), _("Withdrawn there"), _("Rejected there")], [False, True, True, True])
    left = {(d["state"], d["outcome"]): d["applications"] for d in found.total["drop_outs"]}
    steps = [s["state"] for s in found.total["steps"]]
    reached = {s["state"]: s["reached"] for s in found.total["steps"]}
    others = sorted({state for state, _outcome in left} - set(steps))  # left while returned for correction
    for state in (*steps, *others):
        table.add([state_label(state), reached.get(state),
                   left.get((state, State.WITHDRAWN), 0), left.get((state, State.REJECTED), 0)])
    table.charts = [_chart(table.title, [cells[0] for cells in table.rows], [
        (_("Reached"), [cells[1] or 0 for cells in table.rows]),
        (_("Withdrawn there"), [cells[2] for cells in table.rows]),
        (_("Rejected there"), [cells[3] for cells in table.rows])])]
    return [table]


# ---- durations -----------------------------------------------------------------------------------------------

STEPS_TIMED = (*TIMED_STEPS, DIPLOMA_TO_MONEY)


def durations_tables(found: Drilldown) -> list[Table]:
    table = Table("durations", _("Days per step"),
                  [_("Step"), _("Applications timed"), _("Median days"), _("90th percentile days")],
                  [False, True, True, True])
    for row in found.total:
        table.add([step_label(row["step"]), row["applications"], row["median_days"], row["p90_days"]])
    table.charts = [_chart(table.title, [cells[0] for cells in table.rows], [
        (_("Median days"), [cells[2] or 0 for cells in table.rows]),
        (_("90th percentile days"), [cells[3] or 0 for cells in table.rows])], _("days"))]
    return [table, _durations_by_child(found)]


def _durations_by_child(found: Drilldown) -> Table:
    """Who is slow: each child's median and 90th percentile per step."""
    headers = [_("Organisation")]
    for step in STEPS_TIMED:
        headers += [_("%(step)s: median") % {"step": step_label(step)},
                    _("%(step)s: 90th percentile") % {"step": step_label(step)}]
    table = Table("durations_by_organisation", _("Days per step, by organisation below"), headers,
                  [False] + [True] * (len(headers) - 1), by_child=True)
    for child, figure in found.children:
        steps = {row["step"]: row for row in figure}
        table.add([child.name, *(value for step in STEPS_TIMED
                                 for value in (steps[step]["median_days"], steps[step]["p90_days"]))], child)
    timed = [cells for cells in table.rows if any(value is not None for value in cells[1:])]
    shown = _largest(timed, lambda cells: cells[-1] or 0)
    table.charts = [_chart(_("90th percentile days per step, by organisation below"), [cells[0] for cells in shown],
                           [(step_label(step), [cells[2 + 2 * i] or 0 for cells in shown])
                            for i, step in enumerate(STEPS_TIMED)], _("days"))]
    table.note = _chart_note(timed)
    return table


# ---- intake --------------------------------------------------------------------------------------------------

def _projection(days: list[datetime.date], cumulative: list[int], cap: int | None) -> tuple[datetime.date, int] | None:
    """When the cap is reached at the pace of the last ``RECENT_DAYS`` days with data: (the day, the count then);
    None without a cap, room left, a pace, or ``RECENT_DAYS`` of intake to take the pace from."""
    if not cap or not days or cumulative[-1] >= cap:
        return None
    since = days[-1] - datetime.timedelta(days=RECENT_DAYS)
    if days[0] > since:
        return None
    before = next((count for day, count in zip(reversed(days), reversed(cumulative), strict=True) if day <= since), 0)
    pace = (cumulative[-1] - before) / RECENT_DAYS
    if pace <= 0:
        return None
    return days[-1] + datetime.timedelta(days=math.ceil((cap - cumulative[-1]) / pace)), cap


def intake_tables(organisation: Organisation, years: tuple[int, int]) -> list[Table]:
    """Per policy: applicants and approvals to date against its caps, with the day each cap would be reached at the
    recent pace (a projection, only for a policy still open whose intake here is the whole policy's); the largest
    policies charted by day, their days beneath. Days are read only for the policies charted or projected."""
    summary = Table("intake", _("Intake against the policies' caps"),
                    [_("Policy"), _("Applicants"), _("Applicant cap"), _("Cap reached (projected)"),
                     _("Approvals"), _("Approval cap"), _("Cap reached (projected)")],
                    [False, True, True, False, True, True, False])
    days = Table("intake_days", _("Intake by day of the policies charted"),
                 [_("Policy"), _("Day"), _("Applicants"), _("Approvals"), _("Applicants to date"),
                  _("Approvals to date")], [False, False, True, True, True, True], folded=True)
    policies = sorted(intake_caps(organisation, *years), key=lambda policy: (-policy["applicants"], policy["id"]))
    projected = {policy["id"] for policy in policies
                 if policy["open"] and (policy["max_applicants"] or policy["max_approvals"])}
    by_policy = intake_days(organisation, {policy["id"] for policy in policies[:CHART_POLICIES]} | projected, *years)
    for n, policy in enumerate(policies):
        rows = by_policy[policy["id"]]
        dates = [row["day"] for row in rows]
        applied, approved = (list(accumulate(row[measure] for row in rows)) for measure in ("applicants", "approvals"))
        caps = (policy["max_applicants"], policy["max_approvals"])
        ends = [_projection(dates, counts, cap) for counts, cap in ((applied, caps[0]), (approved, caps[1]))]
        name = f"{policy['code']} {policy['title']}"
        summary.add([name, policy["applicants"], caps[0], ends[0][0].isoformat() if ends[0] else None,
                     policy["approvals"], caps[1], ends[1][0].isoformat() if ends[1] else None])
        if n < CHART_POLICIES:
            summary.charts.append(_intake_chart(name, dates, (applied, approved), caps, ends))
            for row, applied_then, approved_then in zip(rows, applied, approved, strict=True):
                days.add([policy["code"], row["day"].isoformat(), row["applicants"], row["approvals"], applied_then,
                          approved_then])
    notes = [_("The %(n)d policies with the most applicants are charted.") % {"n": CHART_POLICIES}] \
        if len(policies) > CHART_POLICIES else []
    if not all(policy["whole"] for policy in policies):
        notes.append(_("A policy of a union above this one: its caps count every applicant of the policy, so they "
                       "and their projection are shown on the dashboard of the union that holds it."))
    summary.note, summary.folded = " ".join(notes), len(summary.rows) > FOLD_ROWS
    return [summary, days]


def _intake_chart(title: str, dates: list, counts: tuple[list, list], caps: tuple, ends: list) -> dict:
    """Applicants and approvals to date by day, each cap a line, and a dashed projection to the day it is reached."""
    series, cap_lines = [], []
    for tone, (name, running, cap, end) in enumerate(zip((_("Applicants"), _("Approvals")), counts, caps, ends,
                                                         strict=True)):
        series.append({"name": name, "tone": tone,
                       "data": [[day.isoformat(), n] for day, n in zip(dates, running, strict=True)]})
        if end:
            series.append({"name": _("%(name)s (projection at the recent pace)") % {"name": name}, "tone": tone,
                           "dashed": True,
                           "data": [[dates[-1].isoformat(), running[-1]], [end[0].isoformat(), end[1]]]})
        if cap:
            cap_lines.append({"name": _("%(name)s cap") % {"name": name}, "value": cap, "tone": tone})
    return {"kind": "line", "title": title, "series": series, "caps": cap_lines}


# ---- the page ------------------------------------------------------------------------------------------------

@dataclass
class Section:
    key: str
    title: str
    tables: list[Table]


@dataclass
class Dashboard:
    organisation: Organisation
    years: tuple[int, int]
    as_of: datetime.datetime | None
    crumbs: list[Organisation]  # the ancestors the user may view, from the highest
    children: list[Organisation]
    sections: list[Section]

    def table(self, key: str) -> Table | None:
        return next((table for section in self.sections for table in section.tables if table.key == key), None)

    def page_of(self, children: list[Organisation]) -> None:
        """Show only these children's rows in the tables by child (a page of them; the charts keep the largest of
        all, the exports every row)."""
        for section in self.sections:
            for table in section.tables:
                if table.by_child:
                    table.page_ids = {child.pk for child in children}


def _sections(found: dict[str, Drilldown], years: tuple[int, int], dimension: str) -> list[Section]:
    sections = [Section("money", _("Money"), money_tables(found["money"]))] if "money" in found else []
    return [*sections,
            Section("workers", _("Workers"), workers_tables(found["workers"], dimension)),
            Section("funnel", _("The funnel"), funnel_tables(found["funnel"])),
            Section("durations", _("Time taken"), durations_tables(found["durations"])),
            Section("intake", _("Intake"), intake_tables(found["workers"].organisation, years))]


def dashboard_for(user, *, organisation_id: int, years: tuple[int, int], dimension: str) -> Dashboard:
    """Every figure of the organisation the user may read, as tables (404 where they may not VIEW it; no money
    section where they may not see funds)."""
    found = {}
    for figure in ("workers", "funnel", "durations", "money"):
        try:
            found[figure] = figure_for(user, figure=figure, organisation_id=organisation_id, year=years[0],
                                       to_year=years[1])
        except Http404:
            if figure != "money":
                raise
    workers = found["workers"]
    above = workers.organisation.ancestor_ids()
    crumbs = list(visible_organisations(user, Capability.VIEW).filter(pk__in=above).order_by("depth"))
    return Dashboard(organisation=workers.organisation, years=years, as_of=workers.as_of, crumbs=crumbs,
                     children=[child for child, _figure in workers.children],
                     sections=_sections(found, years, dimension))


def may_refresh(user) -> bool:
    """Who may count the figures again now rather than wait for the schedule: those who set targets (city
    administrators and the viewers above), who read the dashboards for their work."""
    return has_capability(user, Capability.SET_TARGETS)


FRESH_FOR = datetime.timedelta(minutes=10)  # a count this recent is not run again on request


def refresh_submit(*, by) -> Job | None:
    """Queue a refresh of every rollup, unless one is queued or running already, whoever asked for it (that one is
    returned: it counts for everyone, and a national count takes minutes), or the last finished less than
    ``FRESH_FOR`` ago (None)."""
    if not may_refresh(by):
        raise PermissionDenied(_("You may not count the figures again."))
    live = next((job for job in Job.objects.filter(kind=REFRESH_JOB, state__in=LIVE_STATES).order_by("pk")
                 if job.live), None)
    if live is not None:
        live.submitted_now = False
        return live
    as_of = latest_as_of()
    if as_of is not None and timezone.now() - as_of < FRESH_FOR:
        return None
    return job_submit(by=by, kind=REFRESH_JOB, label=_("Count the dashboards' figures"),
                      capability=Capability.SET_TARGETS)

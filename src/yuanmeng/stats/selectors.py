"""The dashboards' figures, read from the rollups (``services.stats_refresh``) for (user, organisation, year).

A user reads a figure of an organisation over which they hold the figure's capability (``CAPABILITIES``: money
needs VIEW_FUNDS like every budget read, the others VIEW); 404 otherwise, like every other read. And the
drill-down: the figures of each child organisation, and the organisation's own part (its rows less its
children's: its own budgets), which together sum to the organisation's figures. Medians and percentiles do not
sum; they are read from day histograms that do, so each level's are exact.
"""

import datetime
import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Sum
from django.http import Http404
from django.shortcuts import get_object_or_404

from yuanmeng.core.access import Capability
from yuanmeng.orgs.models import Organisation, OrgKind
from yuanmeng.orgs.scoping import acting_organisation
from yuanmeng.policies.models import PolicyStatus
from yuanmeng.stats.models import FunnelRollup, IntakeRollup, MoneyRollup, Refresh, RegistryRollup, WorkerRollup
from yuanmeng.stats.rollups import (
    AGE_BANDS,
    DIMENSIONS,
    DIPLOMA_TO_MONEY,
    DROP_OUTS,
    FUNNEL_STEPS,
    REGISTERED_WORKERS,
    ROLLUPS,
    TIMED_STEPS,
)

Rows = dict[tuple, tuple]  # a rollup's keys (after the year) → its measures


@dataclass
class Drilldown:
    """A figure of an organisation, of each of its children, and of the organisation's own rows."""

    organisation: Organisation
    year: int
    as_of: datetime.datetime | None  # the refresh's time, None before the first
    total: object
    children: list[tuple[Organisation, object]] = field(default_factory=list)
    own: object = None


def latest_as_of():
    return Refresh.objects.order_by("-as_of").values_list("as_of", flat=True).first()


def visible_organisations(user, capability: str):
    """The organisations over which the user holds ``capability``, with what a figure names of them."""
    return Organisation.objects.restrict(user, capability).only("id", "name", "kind", "path")


def highest_organisation(user) -> Organisation:
    """Where the dashboards, targets and yearly reports open: the highest organisation the user may view (a
    superuser without a role: the root); 404 for none."""
    organisation = acting_organisation(user, Capability.VIEW)
    if organisation is None and user.is_superuser:
        organisation = Organisation.objects.order_by("depth", "path").first()
    if organisation is None:
        raise Http404
    return organisation


EVERY_APPLICATION = "level"  # any one dimension of the workers' rollup counts every application once
WORKER_MEASURES = ("applying", "approved", "graduated", "paid")


def every_application(figure: list[dict]) -> list[int]:
    """The four counts (``WORKER_MEASURES``) of all applications in a ``workers`` figure: the values of one
    dimension (``EVERY_APPLICATION``) sum to them."""
    return [sum(row[m] for row in figure if row["dimension"] == EVERY_APPLICATION) for m in WORKER_MEASURES]


MONEY_MEASURES = ("budgeted_fen", "reserved_fen", "paid_fen", "available_fen")
HOLDER_ORDER = list(OrgKind.values)


def _holder_order(kind: str) -> int:
    """Levels from the top down; rows counted before the level was kept (no kind until the next refresh) last."""
    return HOLDER_ORDER.index(kind) if kind in HOLDER_ORDER else len(HOLDER_ORDER)


def money(rows: Rows) -> list[dict]:
    """Budgets by fund source and by the level of the union holding them (its kind)."""
    return [{"source": source, "holder_kind": kind, "budgeted_fen": budgeted, "reserved_fen": reserved,
             "paid_fen": paid, "available_fen": budgeted - reserved - paid}
            for (source, kind), (budgeted, reserved, paid) in
            sorted(rows.items(), key=lambda item: (item[0][0], _holder_order(item[0][1])))]


def money_by_source(rows: list[dict]) -> list[dict]:
    """The money rows summed over the levels: one row per fund source."""
    summed = {}
    for row in rows:
        totals = summed.setdefault(row["source"], dict.fromkeys(MONEY_MEASURES, 0))
        for measure in MONEY_MEASURES:
            totals[measure] += row[measure]
    return [{"source": source, **totals} for source, totals in summed.items()]


def money_by_level(rows: list[dict]) -> list[dict]:
    """Per level of the holding unions (city, district, enterprise…): budgeted special and matching money, paid, and
    the level's share of all the matching money budgeted (None when there is none)."""
    levels = {}
    for row in rows:
        level = levels.setdefault(row["holder_kind"], {"special_fen": 0, "matching_fen": 0, "paid_fen": 0})
        level[f"{row['source']}_fen"] += row["budgeted_fen"]
        level["paid_fen"] += row["paid_fen"]
    matching = sum(level["matching_fen"] for level in levels.values())
    return [{"holder_kind": kind, **level,
             "matching_share": round(100 * level["matching_fen"] / matching, 1) if matching else None}
            for kind, level in sorted(levels.items(), key=lambda item: _holder_order(item[0]))]


def _dimension_order(dimension: str, value: str) -> tuple:
    order = {"age_band": [label for label, _start in AGE_BANDS]}.get(dimension)
    return (list(DIMENSIONS).index(dimension), order.index(value) if order else 0, value)


def workers(rows: Rows) -> list[dict]:
    return [{"dimension": dimension, "value": value, "applying": applying, "approved": approved,
             "graduated": graduated, "paid": paid}
            for (dimension, value), (applying, approved, graduated, paid) in
            sorted(rows.items(), key=lambda item: _dimension_order(*item[0]))]


def funnel(rows: Rows) -> dict:
    """Applications that reached each step, and those that left: withdrawn or rejected, at which step."""
    return {"steps": [{"state": state, "reached": rows.get(("reached", state), (0,))[0]} for state in FUNNEL_STEPS],
            "drop_outs": [{"outcome": outcome, "state": state, "applications": count}
                          for (outcome, state), (count,) in sorted(rows.items()) if outcome in DROP_OUTS]}


def percentile(histogram: list[tuple[int, int]], fraction: float) -> float | None:
    """``percentile_cont`` over the values a histogram of (value, count) in value order stands for: the value at
    ``fraction`` of the way through them, interpolated between the two nearest."""
    total = sum(count for _value, count in histogram)
    if not total:
        return None
    position = fraction * (total - 1)

    def value_at(index: int) -> int:
        seen = 0
        for value, count in histogram:
            seen += count
            if index < seen:
                return value
        raise IndexError(index)

    lower, upper = value_at(math.floor(position)), value_at(math.ceil(position))
    return lower + (upper - lower) * (position - math.floor(position))


def durations(rows: Rows) -> list[dict]:
    """Per step: how many applications were timed, and the median and 90th percentile of their whole days."""
    histograms = defaultdict(list)
    for (step, days), (count,) in sorted(rows.items()):
        histograms[step].append((days, count))
    return [{"step": step, "applications": sum(count for _days, count in histograms[step]),
             "median_days": percentile(histograms[step], 0.5), "p90_days": percentile(histograms[step], 0.9)}
            for step in (*TIMED_STEPS, DIPLOMA_TO_MONEY)]


def intake(rows: Rows) -> list[dict]:
    return [{"policy_id": policy_id, "day": day, "applicants": applicants, "approvals": approvals}
            for (policy_id, day), (applicants, approvals) in sorted(rows.items())]


FIGURES = {"money": money, "workers": workers, "funnel": funnel, "durations": durations, "intake": intake}
# What a user must hold over an organisation to read its figure: budgets are VIEW_FUNDS's, as in funds.selectors.
CAPABILITIES = {figure: Capability.VIEW_FUNDS if figure == "money" else Capability.VIEW for figure in FIGURES}


def _rows(figure: str, organisation_ids: list[int], years: range) -> dict[int, Rows]:
    """The rollup's rows of the organisations for the years, summed over the years, by organisation (one query):
    counts and day histograms sum, so a range's medians are exact too."""
    rollup = ROLLUPS[figure]
    keys = [key for key in rollup.keys if key != "year"]
    found = defaultdict(dict)
    for row in rollup.model.objects.filter(organisation_id__in=organisation_ids, year__gte=years.start,
                                           year__lt=years.stop).values_list("organisation_id", *keys,
                                                                            *rollup.measures):
        key, measures = tuple(row[1:1 + len(keys)]), row[1 + len(keys):]
        before = found[row[0]].get(key)
        found[row[0]][key] = tuple(measures) if before is None else tuple(map(sum, zip(before, measures,
                                                                                          strict=True)))
    return found


def _less(total: Rows, parts: list[Rows]) -> Rows:
    """What of ``total`` its parts do not account for (an organisation's own rows), without the empty rows."""
    left = {key: list(measures) for key, measures in total.items()}
    for part in parts:
        for key, measures in part.items():
            left[key] = [a - b for a, b in zip(left.get(key, [0] * len(measures)), measures, strict=True)]
    return {key: tuple(measures) for key, measures in left.items() if any(measures)}


def figure_for(user, *, figure: str, organisation_id: int, year: int, to_year: int | None = None) -> Drilldown:
    """One figure of an organisation over which the user holds the figure's capability (404 otherwise), the
    children's over which they hold it too, and its own part (four queries: the user's roles, the organisation,
    its children, the rows; the refresh's time a fifth); for ``year`` or, with ``to_year``, the years from
    ``year`` to ``to_year`` summed."""
    visible = visible_organisations(user, CAPABILITIES[figure])
    organisation = get_object_or_404(visible, pk=organisation_id)
    children = list(visible.filter(parent_id=organisation.pk).order_by("path"))
    rows = _rows(figure, [organisation.pk, *(child.pk for child in children)], range(year, (to_year or year) + 1))
    build = FIGURES[figure]
    child_rows = [rows.get(child.pk, {}) for child in children]
    return Drilldown(organisation=organisation, year=year, as_of=latest_as_of(),
                     total=build(rows.get(organisation.pk, {})),
                     children=[(child, build(found)) for child, found in zip(children, child_rows, strict=True)],
                     own=build(_less(rows.get(organisation.pk, {}), child_rows)))


def intake_caps(organisation: Organisation, year: int, to_year: int | None = None) -> list[dict]:
    """The policies the organisation's intake of the year (or the years to ``to_year``) names, by id: its own
    applicants and approvals of each in those years (the intake rollup's, as of the refresh), and the policy's caps
    where it is the organisation's or a union's below (``whole``: the organisation's intake is all of the policy's);
    a policy of a union above caps every applicant of it, so its caps are None here. One query; the organisation is
    one ``figure_for`` found visible."""
    rows = (IntakeRollup.objects.filter(organisation_id=organisation.pk, year__gte=year, year__lte=to_year or year)
            .values("policy_id").annotate(applicants=Sum("applicants"), approvals=Sum("approvals"))
            .values("policy_id", "policy__code", "policy__title", "policy__max_applicants", "policy__max_approvals",
                    "policy__organisation__path", "policy__status", "applicants", "approvals").order_by("policy_id"))
    found = []
    for row in rows:
        whole = row["policy__organisation__path"].startswith(organisation.path)
        found.append({"id": row["policy_id"], "code": row["policy__code"], "title": row["policy__title"],
                      "applicants": row["applicants"], "approvals": row["approvals"], "whole": whole,
                      "open": row["policy__status"] == PolicyStatus.PUBLISHED,
                      "max_applicants": row["policy__max_applicants"] if whole else None,
                      "max_approvals": row["policy__max_approvals"] if whole else None})
    return found


def intake_days(organisation: Organisation, policy_ids, year: int, to_year: int | None = None) -> dict[int, list]:
    """The organisation's intake by day of these policies in the years (the intake rollup's), oldest day first, by
    policy: a dashboard reads the days of the few policies it charts or projects, not of every policy (a national
    union's intake is a row per policy and day of the whole country)."""
    found = defaultdict(list)
    for row in (IntakeRollup.objects.filter(organisation_id=organisation.pk, year__gte=year,
                                            year__lte=to_year or year, policy_id__in=policy_ids)
                .values_list("policy_id", "day", "applicants", "approvals").order_by("policy_id", "day")):
        found[row[0]].append({"day": row[1], "applicants": row[2], "approvals": row[3]})
    return found


@dataclass
class Registry:
    """Counts (the registry's ``REGISTRY_COUNTS``, or ``STAGE_COUNTS``) of an organisation's subtree and of each
    child's, as of the last refresh; ``as_of`` None (and no counts) before the first."""

    organisation: Organisation
    as_of: datetime.datetime | None
    total: dict[str, int]
    children: list[tuple[Organisation, dict[str, int]]]


REGISTRY_COUNTS = (*REGISTERED_WORKERS, "enterprises")


def _with_children(user, capability: str, organisation_id: int, child_kinds_left_out) -> tuple | None:
    """An organisation over which the user holds ``capability`` and its active children but those of
    ``child_kinds_left_out``, by kind and name (None outside): the user's roles, the organisation, its children."""
    visible = visible_organisations(user, capability)
    organisation = visible.filter(pk=organisation_id).first()
    if organisation is None:
        return None
    return organisation, list(visible.filter(parent_id=organisation.pk, is_active=True)
                              .exclude(kind__in=child_kinds_left_out).order_by("kind", "name"))


def _registry(user, capability: str, organisation_id: int, child_kinds_left_out, counts_of) -> Registry | None:
    """The organisation and children ``_with_children`` finds, each with its counts as of the last refresh
    (``counts_of(ids)``: a function of an organisation's id; no counts before the first refresh)."""
    found = _with_children(user, capability, organisation_id, child_kinds_left_out)
    if found is None:
        return None
    organisation, children = found
    as_of = latest_as_of()
    if as_of is None:
        return Registry(organisation=organisation, as_of=None, total={}, children=[(child, {}) for child in children])
    counts = counts_of([organisation.pk, *(child.pk for child in children)])
    return Registry(organisation=organisation, as_of=as_of, total=counts(organisation.pk),
                    children=[(child, counts(child.pk)) for child in children])


def registry_for(user, *, organisation_id: int, child_kinds_left_out=()) -> Registry | None:
    """The registry's counts of an organisation the user may VIEW (None otherwise) and of its active children but
    those of ``child_kinds_left_out``, by kind and name: four queries whatever the subtree's size (the user's roles,
    the organisation, its children, the rows; the refresh's time a fifth)."""
    return _registry(user, Capability.VIEW, organisation_id, child_kinds_left_out, _registry_counts)


def _registry_counts(ids: list[int]):
    zeros = dict.fromkeys(REGISTRY_COUNTS, 0)
    rows = {row["organisation_id"]: row for row in RegistryRollup.objects.filter(organisation_id__in=ids).values(
        "organisation_id", *REGISTRY_COUNTS)}
    return lambda pk: {key: rows.get(pk, zeros)[key] for key in REGISTRY_COUNTS}


# Where applications stand, every year together, and what the budgets paid: a province's or the nation's home page
# compares its children by these.
STAGE_COUNTS = ("under_review", "pre_registered", "diploma_verified", "paid", "paid_fen")


def stages_for(user, *, organisation_id: int, child_kinds_left_out=()) -> Registry | None:
    """``STAGE_COUNTS`` of an organisation whose money the user may see (VIEW_FUNDS; None otherwise) and of its active
    children but those of ``child_kinds_left_out``, as of the last refresh, from the rollups of every year: an
    application is under review until approved (unless withdrawn or rejected: the funnel's drop-outs), pre-registered
    until its diploma is verified, then verified until paid; paid money is what the budgets of the subtree paid.
    Seven queries whatever the subtree's size (the user's roles, the organisation, its children, the refresh's time,
    three rollups)."""
    return _registry(user, Capability.VIEW_FUNDS, organisation_id, child_kinds_left_out, _stage_counts)


def _stage_counts(ids: list[int]):
    applications = {row.pop("organisation_id"): row for row in WorkerRollup.objects.filter(
        organisation_id__in=ids, dimension=EVERY_APPLICATION).values("organisation_id").annotate(
        applying=Sum("applying"), approved=Sum("approved"), graduated=Sum("graduated"), paid=Sum("paid"))}
    dropped = dict(FunnelRollup.objects.filter(organisation_id__in=ids, outcome__in=DROP_OUTS).values(
        "organisation_id").annotate(n=Sum("applications")).values_list("organisation_id", "n"))
    paid_fen = dict(MoneyRollup.objects.filter(organisation_id__in=ids).values("organisation_id").annotate(
        fen=Sum("paid_fen")).values_list("organisation_id", "fen"))

    def counts(pk: int) -> dict[str, int]:
        found = applications.get(pk, {"applying": 0, "approved": 0, "graduated": 0, "paid": 0})
        return {"under_review": found["applying"] - found["approved"] - dropped.get(pk, 0),
                "pre_registered": found["approved"] - found["graduated"],
                "diploma_verified": found["graduated"] - found["paid"], "paid": found["paid"],
                "paid_fen": paid_fen.get(pk, 0)}

    return counts

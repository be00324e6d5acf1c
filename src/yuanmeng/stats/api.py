"""The dashboards' figures for the provincial platform: /api/stats/{organisation}/{year}/{figure}, scoped like every
read (404 outside the caller's subtree; money, like every budget read, only where the caller may see funds), each
with its children's figures and the organisation's own part, which sum to its figures, and the time they are exact
as of (decision 0013)."""

import datetime

from django.http import Http404
from ninja import Router, Schema
from pydantic import create_model

from yuanmeng.core.api_answers import answers
from yuanmeng.orgs.models import OrgKind
from yuanmeng.stats.selectors import Drilldown, figure_for, intake_caps, registry_for

router = Router(tags=["statistics"])


class OrganisationRef(Schema):
    id: int
    name: str
    kind: OrgKind


class MoneyRow(Schema):
    source: str
    budgeted_fen: int
    reserved_fen: int
    paid_fen: int
    available_fen: int


class WorkersRow(Schema):
    dimension: str
    value: str
    applying: int
    approved: int
    graduated: int
    paid: int


class FunnelStep(Schema):
    state: str
    reached: int


class DropOut(Schema):
    outcome: str
    state: str
    applications: int


class Funnel(Schema):
    steps: list[FunnelStep]
    drop_outs: list[DropOut]


class DurationRow(Schema):
    step: str
    applications: int
    median_days: float | None
    p90_days: float | None


class IntakeDay(Schema):
    policy_id: int
    day: datetime.date
    applicants: int
    approvals: int


class PolicyCaps(Schema):
    id: int
    code: str
    title: str
    max_applicants: int | None
    max_approvals: int | None
    applicant_count: int
    approval_count: int


class RegistryCounts(Schema):
    workers: int
    migrants: int
    new_form: int
    honoured: int
    with_bank: int
    enterprises: int


class RegistryOfChild(Schema):
    organisation: OrganisationRef
    figure: RegistryCounts | None


class RegistryFigures(Schema):
    as_of: datetime.datetime | None
    organisation: OrganisationRef
    total: RegistryCounts | None
    children: list[RegistryOfChild]


def _figures_schema(name: str, figure: type, **extra) -> type[Schema]:
    """The answer of one figure: the organisation's, each child's and its own part's, with the refresh's time."""
    child = create_model(f"{name}OfChild", __base__=Schema, organisation=(OrganisationRef, ...), figure=(figure, ...))
    return create_model(
        name, __base__=Schema, as_of=(datetime.datetime | None, ...), organisation=(OrganisationRef, ...),
        year=(int, ...), total=(figure, ...), own=(figure, ...), children=(list[child], ...), **extra)


MoneyFigures = _figures_schema("MoneyFigures", list[MoneyRow])
WorkersFigures = _figures_schema("WorkersFigures", list[WorkersRow])
FunnelFigures = _figures_schema("FunnelFigures", Funnel)
DurationFigures = _figures_schema("DurationFigures", list[DurationRow])
IntakeFigures = _figures_schema("IntakeFigures", list[IntakeDay], policies=(list[PolicyCaps], ...))


def _answer(found: Drilldown) -> dict:
    return {"as_of": found.as_of, "organisation": found.organisation, "year": found.year, "total": found.total,
            "own": found.own, "children": [{"organisation": child, "figure": figure}
                                           for child, figure in found.children]}


@router.get("/{organisation_id}/{year}/money", response=answers(MoneyFigures, 404, 422),
            summary="Money by fund source: budgeted, reserved, paid, available (fen)")
def money(request, organisation_id: int, year: int):
    return _answer(figure_for(request.user, figure="money", organisation_id=organisation_id, year=year))


@router.get("/{organisation_id}/{year}/workers", response=answers(WorkersFigures, 404, 422),
            summary="Applications applying, approved, graduated and paid, by each dimension")
def workers(request, organisation_id: int, year: int):
    return _answer(figure_for(request.user, figure="workers", organisation_id=organisation_id, year=year))


@router.get("/{organisation_id}/{year}/funnel", response=answers(FunnelFigures, 404, 422),
            summary="The funnel from application to payment, and who left at which step")
def funnel(request, organisation_id: int, year: int):
    return _answer(figure_for(request.user, figure="funnel", organisation_id=organisation_id, year=year))


@router.get("/{organisation_id}/{year}/durations", response=answers(DurationFigures, 404, 422),
            summary="Median and 90th-percentile whole days per review step and from diploma to money")
def durations(request, organisation_id: int, year: int):
    return _answer(figure_for(request.user, figure="durations", organisation_id=organisation_id, year=year))


@router.get("/{organisation_id}/{year}/intake", response=answers(IntakeFigures, 404, 422),
            summary="Applicants and approvals per day and policy, beside the policies' caps")
def intake(request, organisation_id: int, year: int):
    found = figure_for(request.user, figure="intake", organisation_id=organisation_id, year=year)
    return {**_answer(found), "policies": intake_caps(found.organisation.pk, year)}


@router.get("/{organisation_id}/registry", response=answers(RegistryFigures, 404, 422),
            summary="Enterprises and workers registered now (migrants, new forms, honoured, with a bank account)")
def registry(request, organisation_id: int):
    """Not per year: the registry as it stands at the refresh (decision 0013); null counts before the first."""
    found = registry_for(request.user, organisation_id=organisation_id)
    if found is None:
        raise Http404
    return {"as_of": found.as_of, "organisation": found.organisation, "total": found.total or None,
            "children": [{"organisation": child, "figure": counts or None} for child, counts in found.children]}

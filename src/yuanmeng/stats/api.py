"""The dashboards' figures for the provincial platform: /api/stats/{organisation}/{year}/{figure}, scoped like every
read (404 outside the caller's subtree; money, like every budget read, only where the caller may see funds), each
with its children's figures and the organisation's own part, which sum to its figures, and the time they are exact
as of (decision 0013)."""

import datetime

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from pydantic import create_model

from yuanmeng.core.access import Capability
from yuanmeng.core.api import Values
from yuanmeng.core.api_answers import answers
from yuanmeng.core.pages import paginate
from yuanmeng.orgs.models import OrgKind
from yuanmeng.orgs.scoping import has_capability
from yuanmeng.stats.models import Measure, Target
from yuanmeng.stats.selectors import (
    Drilldown,
    figure_for,
    intake_caps,
    latest_as_of,
    registry_for,
    visible_organisations,
)
from yuanmeng.stats.target_services import target_change, target_remove, target_set, target_share_allocate
from yuanmeng.stats.targets import (
    Progress,
    capability_for,
    children_for,
    progress_day,
    progress_for,
    progress_of,
    share_candidates,
    shares_of,
)

router = Router(tags=["statistics"])


class OrganisationRef(Schema):
    id: int
    name: str
    kind: OrgKind


class MoneyRow(Values):
    source: str
    holder_kind: str = Field(..., description="the level of the unions holding these budgets (an organisation kind: "
                                              "city, district, enterprise…); empty for figures counted before the "
                                              "level was kept, until the next refresh")
    budgeted_fen: int
    reserved_fen: int
    paid_fen: int
    available_fen: int


class WorkersRow(Values):
    dimension: str
    value: str
    applying: int
    approved: int
    graduated: int
    paid: int


class FunnelStep(Values):
    state: str
    reached: int


class DropOut(Values):
    outcome: str
    state: str
    applications: int


class Funnel(Values):
    steps: list[FunnelStep]
    drop_outs: list[DropOut]


class DurationRow(Values):
    step: str
    applications: int
    median_days: float | None
    p90_days: float | None


class IntakeDay(Values):
    policy_id: int
    day: datetime.date
    applicants: int
    approvals: int


class PolicyCaps(Values):
    id: int
    code: str
    title: str
    max_applicants: int | None = Field(..., description="null where the policy is a union's above this one (its cap "
                                                     "counts every applicant of the policy) or has none")
    max_approvals: int | None = Field(..., description="likewise")
    applicants: int = Field(..., description="this organisation's applicants of the policy in the year")
    approvals: int = Field(..., description="this organisation's approvals of the policy in the year")
    whole: bool = Field(..., description="the policy is this organisation's or a union's below it")


class RegistryCounts(Values):
    workers: int
    migrants: int
    new_form: int
    honoured: int
    with_bank: int
    enterprises: int


class RegistryOfChild(Values):
    organisation: OrganisationRef
    figure: RegistryCounts | None


class RegistryFigures(Values):
    as_of: datetime.datetime | None
    organisation: OrganisationRef
    total: RegistryCounts | None
    children: list[RegistryOfChild]


YEAR_TO = "the last year summed (?year_to=, up to nine years on; the year alone by default)"


def _figures_schema(name: str, figure: type, **extra) -> type[Schema]:
    """The answer of one figure: the organisation's, each child's and its own part's, with the refresh's time."""
    child = create_model(f"{name}OfChild", __base__=Values, organisation=(OrganisationRef, ...), figure=(figure, ...))
    return create_model(
        name, __base__=Values, as_of=(datetime.datetime | None, ...), organisation=(OrganisationRef, ...),
        year=(int, ...), year_to=(int, Field(..., description=YEAR_TO)),
        total=(figure, ...), own=(figure, ...), children=(list[child], ...), **extra)


MoneyFigures = _figures_schema("MoneyFigures", list[MoneyRow])
WorkersFigures = _figures_schema("WorkersFigures", list[WorkersRow])
FunnelFigures = _figures_schema("FunnelFigures", Funnel)
DurationFigures = _figures_schema("DurationFigures", list[DurationRow])
IntakeFigures = _figures_schema("IntakeFigures", list[IntakeDay], policies=(list[PolicyCaps], ...))


MAX_YEARS = 10  # as on the dashboard


def _figure(request, figure: str, organisation_id: int, year: int, year_to: int | None) -> Drilldown:
    """The figure for ``year`` or, with ``year_to``, the years from ``year`` to it summed (as the dashboard's)."""
    if year_to is not None and not year <= year_to < year + MAX_YEARS:
        raise ValidationError({"year_to": [_("Give a year from %(first)s to %(last)s.") % {
            "first": year, "last": year + MAX_YEARS - 1}]})
    return figure_for(request.user, figure=figure, organisation_id=organisation_id, year=year, to_year=year_to)


def _answer(found: Drilldown, year_to: int | None) -> dict:
    return {"as_of": found.as_of, "organisation": found.organisation, "year": found.year,
            "year_to": year_to or found.year, "total": found.total, "own": found.own,
            "children": [{"organisation": child, "figure": figure} for child, figure in found.children]}


@router.get("/{organisation_id}/{year}/money", response=answers(MoneyFigures, 404, 422),
            summary="Money by fund source: budgeted, reserved, paid, available (fen)")
def money(request, organisation_id: int, year: int, year_to: int | None = None):
    return _answer(_figure(request, "money", organisation_id, year, year_to), year_to)


@router.get("/{organisation_id}/{year}/workers", response=answers(WorkersFigures, 404, 422),
            summary="Applications applying, approved, graduated and paid, by each dimension")
def workers(request, organisation_id: int, year: int, year_to: int | None = None):
    return _answer(_figure(request, "workers", organisation_id, year, year_to), year_to)


@router.get("/{organisation_id}/{year}/funnel", response=answers(FunnelFigures, 404, 422),
            summary="The funnel from application to payment, and who left at which step")
def funnel(request, organisation_id: int, year: int, year_to: int | None = None):
    return _answer(_figure(request, "funnel", organisation_id, year, year_to), year_to)


@router.get("/{organisation_id}/{year}/durations", response=answers(DurationFigures, 404, 422),
            summary="Median and 90th-percentile whole days per review step and from diploma to money")
def durations(request, organisation_id: int, year: int, year_to: int | None = None):
    return _answer(_figure(request, "durations", organisation_id, year, year_to), year_to)


@router.get("/{organisation_id}/{year}/intake", response=answers(IntakeFigures, 404, 422),
            summary="Applicants and approvals per day and policy, beside the policies' caps")
def intake(request, organisation_id: int, year: int, year_to: int | None = None):
    found = _figure(request, "intake", organisation_id, year, year_to)
    return {**_answer(found, year_to), "policies": intake_caps(found.organisation, year, year_to)}


@router.get("/{organisation_id}/registry", response=answers(RegistryFigures, 404, 422),
            summary="Enterprises and workers registered now (migrants, new forms, honoured, with a bank account)")
def registry(request, organisation_id: int):
    """Not per year: the registry as it stands at the refresh (decision 0013); null counts before the first."""
    found = registry_for(request.user, organisation_id=organisation_id)
    if found is None:
        raise Http404
    return {"as_of": found.as_of, "organisation": found.organisation, "total": found.total or None,
            "children": [{"organisation": child, "figure": counts or None} for child, counts in found.children]}


# ---- Targets (decision 0017): an organisation's targets with its progress, pace and forecast; setting them and
# sharing them out. Reading needs VIEW over the organisation (money measures VIEW_FUNDS); setting, SET_TARGETS over
# the union that owns the target (for a share: the union that gave it).


class TargetOut(Schema):
    id: int
    organisation: OrganisationRef
    measure: Measure
    start_year: int
    end_year: int
    value: int = Field(..., description="the target: a count, or fen for money measures")
    parent_id: int | None = Field(None, description="for a share: the target it was given out of")
    note: str


class ProgressOut(Schema):
    target: TargetOut
    context: bool = Field(..., description="the target is an ancestor's, shown because the union has none of its "
                                           "own for that measure and those years; its progress is the union's")
    done: int = Field(..., description="reached so far, as of the refresh")
    allocated: int = Field(..., description="what the target's shares to the unions below add up to")
    percent: float | None
    percent_expected: float = Field(..., description="where a straight line to the target stands on the day")
    months_left: float
    needed_per_month: float | None = Field(..., description="null once the period is over")
    pace_per_month: float | None = Field(..., description="the mean monthly pace since the first year began")
    forecast: int | None = Field(..., description="where that pace leads by the end of the last year")


class TargetsOut(Schema):
    as_of: datetime.datetime | None
    on: datetime.date
    organisation: OrganisationRef
    targets: list[ProgressOut]


class ShareOut(Schema):
    organisation: OrganisationRef
    share: TargetOut | None = Field(..., description="null: none given; the progress is then towards the target")
    progress: ProgressOut


class TargetDetailOut(Schema):
    as_of: datetime.datetime | None
    on: datetime.date
    progress: ProgressOut
    shares: list[ShareOut] = Field(..., description="a page of the unions below that may take a share, by kind and "
                                                    "name (?page=)")
    page: int
    pages: int = Field(..., description="the pages of unions below, counted up to PAGE_COUNT_CAP of them")


class TargetIn(Schema):
    measure: str
    start_year: int
    end_year: int
    value: int = Field(..., description="a count, or fen for money measures")
    note: str = ""


class ShareIn(Schema):
    organisation_id: int
    value: int
    note: str = ""


class TargetPatch(Schema):
    value: int
    note: str | None = None


def _progress_answer(item: Progress) -> dict:
    names = ("context", "done", "allocated", "percent", "percent_expected", "months_left", "needed_per_month",
             "pace_per_month", "forecast")
    return {"target": item.target, **{name: getattr(item, name) for name in names}}


def _target_to_manage(request, target_id: int) -> Target:
    """A target the caller may read (404 otherwise); the service refuses (403) one they may not set."""
    target = get_object_or_404(Target.objects.select_related("organisation", "parent__organisation"), pk=target_id)
    if not has_capability(request.user, capability_for(target.measure), target.organisation.path):
        raise Http404
    return target


@router.get("/{organisation_id}/targets", response=answers(TargetsOut, 404, 422),
            summary="Targets of an organisation whose period holds the day, with progress, pace needed and forecast")
def targets(request, organisation_id: int, on: datetime.date | None = None):
    organisation = get_object_or_404(visible_organisations(request.user, Capability.VIEW), pk=organisation_id)
    on = progress_day(on)
    return {"as_of": latest_as_of(), "on": on, "organisation": organisation,
            "targets": [_progress_answer(item) for item in progress_for(user=request.user,
                                                                        organisation=organisation, on=on)]}


@router.get("/targets/{target_id}", response=answers(TargetDetailOut, 404, 422),
            summary="One target with its progress, and a page of the unions below with their shares and progress")
def target(request, target_id: int, on: datetime.date | None = None, page: int = 1):
    target = _target_to_manage(request, target_id)
    on = progress_day(on)
    children = paginate(request, children_for(request.user, target))
    return {"as_of": latest_as_of(), "on": on, "progress": _progress_answer(progress_of(target, on)),
            "shares": [{"organisation": row.organisation, "share": row.share,
                        "progress": _progress_answer(row.progress)}
                       for row in shares_of(target, list(children.object_list), on)],
            "page": children.number, "pages": children.paginator.num_pages}


@router.post("/{organisation_id}/targets", response=answers({201: TargetOut}, 403, 404, 422), summary="Set a target")
def set_target(request, organisation_id: int, payload: TargetIn):
    organisation = get_object_or_404(visible_organisations(request.user, Capability.VIEW), pk=organisation_id)
    return Status(201, target_set(by=request.user, organisation=organisation, **payload.dict()))


@router.post("/targets/{target_id}/shares", response=answers(TargetOut, 403, 404, 422),
             summary="Give or change the share of a union directly below (the shares may not exceed the target)")
def share_target(request, target_id: int, payload: ShareIn):
    target = _target_to_manage(request, target_id)
    child = share_candidates(target).filter(pk=payload.organisation_id).first()
    if child is None:
        raise ValidationError({"organisation_id": [
            _("A share goes to a union directly below %(union)s.") % {"union": target.organisation}]})
    return target_share_allocate(by=request.user, target=target, organisation=child, value=payload.value,
                                 note=payload.note)


@router.patch("/targets/{target_id}", response=answers(TargetOut, 403, 404, 422), summary="Change a target's value")
def change_target(request, target_id: int, payload: TargetPatch):
    return target_change(by=request.user, target=_target_to_manage(request, target_id), value=payload.value,
                         note=payload.note)


@router.delete("/targets/{target_id}", response=answers({204: None}, 403, 404, 422),
               summary="Remove a target (or a share) that has no shares of its own")
def remove_target(request, target_id: int):
    target_remove(by=request.user, target=_target_to_manage(request, target_id))
    return Status(204, None)

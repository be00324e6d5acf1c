"""Education and skills projects over the API: list and read what is in scope, register, change, move the status,
name participants."""

import datetime
from typing import Annotated

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import StringConstraints

from yuanmeng.core.access import get_for_action
from yuanmeng.core.api import EXPORT, Pages, export_answer
from yuanmeng.core.api_answers import answers
from yuanmeng.orgs.models import Organisation
from yuanmeng.orgs.roles import Capability
from yuanmeng.people.models import Worker
from yuanmeng.projects import selectors, services
from yuanmeng.projects.models import Project, ProjectKind, ProjectParticipant, ProjectStatus

router = Router(tags=["projects"])
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class ProjectOut(Schema):
    id: int
    name: str
    kind: ProjectKind
    lead_id: int
    lead_name: str = Field(..., alias="lead.name")
    starts_on: datetime.date
    ends_on: datetime.date
    status: ProjectStatus
    named_participants: int = Field(..., description="workers named one by one")
    unnamed_participants: int = Field(..., description="participants counted but not named")
    description: str
    partner_ids: list[int] = Field(..., description="partner organisations")

    @staticmethod
    def resolve_partner_ids(obj: Project) -> list[int]:
        return sorted(org.pk for org in obj.partners.all())

    @staticmethod
    def resolve_named_participants(obj: Project) -> int:
        return getattr(obj, "named", None) or 0


class ProjectIn(Schema):
    lead_id: Id = Field(..., description="the leading union, school or provider (in your scope)")
    name: Name
    kind: ProjectKind
    starts_on: datetime.date
    ends_on: datetime.date
    unnamed_participants: int = Field(0, ge=0, le=10_000_000)
    description: str = Field("", max_length=5000)
    partner_ids: list[Id] = Field([], max_length=50, description="partner organisations (schools, enterprises, "
                                                                 "unions)")


class ProjectPatch(Schema):
    name: Name = None
    kind: ProjectKind = None
    starts_on: datetime.date = None
    ends_on: datetime.date = None
    unnamed_participants: int = Field(None, ge=0, le=10_000_000)
    description: str = Field(None, max_length=5000)
    partner_ids: list[Id] = Field(None, max_length=50)


class WorkersIn(Schema):
    worker_ids: list[Id] = Field(..., min_length=1, max_length=1000)


class AddedOut(Schema):
    added: int


def _partners(request, ids: list[int]) -> list[Organisation]:
    """Partners by id among those the caller may name (any other id is no organisation at all)."""
    found = {org.pk: org for org in selectors.partner_candidates(request.user).filter(pk__in=ids)}
    if len(found) != len(set(ids)):
        raise ValidationError({"partner_ids": [_("No such organisation: %(ids)s.")
                                               % {"ids": ", ".join(str(i) for i in ids if i not in found)}]})
    return [found[i] for i in ids]


def _fields(request, data: dict) -> dict:
    if "partner_ids" in data:
        data["partners"] = _partners(request, data.pop("partner_ids"))
    return {k: str(v) if isinstance(v, ProjectKind) else v for k, v in data.items()}


def _projects(request, **filters):
    return selectors.project_list(user=request.user, **filters).prefetch_related("partners")


def _to_manage(request, project_id: int) -> Project:
    return get_for_action(_projects(request), project_id, user=request.user,
                          capability=Capability.MANAGE_PROJECTS)


@router.get("", response=answers(list[ProjectOut], 422), summary="Projects in my scope")
@paginate(Pages)
def list_projects(request, status: ProjectStatus | None = None, kind: ProjectKind | None = None, q: str = ""):
    return _projects(request, status=status or "", kind=kind or "", search=q)


@router.get("/export", summary="Projects in my scope, as an Excel workbook", **EXPORT)
def export_projects(request, status: ProjectStatus | None = None, kind: ProjectKind | None = None, q: str = ""):
    return export_answer(request, "projects", status=status, kind=kind, q=q)


@router.get("/{project_id}", response=answers(ProjectOut, 404, 422), summary="One project")
def get_project(request, project_id: Id):
    return get_for_action(_projects(request), project_id, user=request.user,
                          capability=Capability.VIEW)


@router.post("", response=answers({201: ProjectOut}, 403, 404, 422), summary="Register a project")
def create_project(request, payload: ProjectIn):
    lead = Organisation.objects.restrict(request.user).filter(pk=payload.lead_id).first()
    if lead is None:
        raise ValidationError({"lead_id": [_("No such organisation in your scope.")]})
    project = services.project_create(by=request.user, lead=lead, **_fields(request, payload.dict(exclude={"lead_id"})))
    return Status(201, _projects(request).get(pk=project.pk))


@router.patch("/{project_id}", response=answers(ProjectOut, 403, 404, 422), summary="Change a project")
def update_project(request, project_id: Id, payload: ProjectPatch):
    project = services.project_update(by=request.user, project=_to_manage(request, project_id),
                                      **_fields(request, payload.dict(exclude_unset=True)))
    return _projects(request).get(pk=project.pk)


@router.post("/{project_id}/participants", response=answers(AddedOut, 403, 404, 422),
             summary="Name workers (in your scope) as participants", description="Those already named stay.")
def add_participants(request, project_id: Id, payload: WorkersIn):
    project = _to_manage(request, project_id)
    workers = list(Worker.objects.restrict(request.user).filter(pk__in=payload.worker_ids))
    if len(workers) != len(set(payload.worker_ids)):
        raise ValidationError({"worker_ids": [_("A worker is not within your organisation.")]})
    return {"added": services.project_participants_add(by=request.user, project=project, workers=workers)}


@router.delete("/participants/{participant_id}", response=answers({204: None}, 403, 404, 422),
               summary="Take a named worker off an open project")
def remove_participant(request, participant_id: Id):
    named = get_object_or_404(ProjectParticipant.objects.select_related("worker"), pk=participant_id)
    project = _to_manage(request, named.project_id)
    services.project_participant_remove(by=request.user, project=project, worker=named.worker)
    return Status(204, None)


@router.post("/{project_id}/{action}", response=answers(ProjectOut, 403, 404, 422),
             summary="Move the status: start, finish or cancel")
def transition_project(request, project_id: Id, action: str):
    if action not in ("start", "finish", "cancel"):
        raise ValidationError({"action": [_("This action is not open to a project in this status.")]})
    project = services.project_transition(by=request.user, project=_to_manage(request, project_id), action=action)
    return _projects(request).get(pk=project.pk)

"""Training orders over the API ("one enterprise, one scheme"): an enterprise union orders training; the union above
it accepts or declines, assigns a school and teachers from the teacher library, schedules sessions, records
attendance (one by one or from a spreadsheet) and completes the order; the report of sessions held, workers trained
and learning hours. Orders outside the caller's scope answer 404; a move the caller's role does not make, 403."""

import datetime
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate
from pydantic import StringConstraints

from yuanmeng.core.access import get_for_action
from yuanmeng.core.api import EXPORT, Pages, export_answer
from yuanmeng.core.api_answers import answers
from yuanmeng.core.errors import PermissionDenied
from yuanmeng.orgs.models import Organisation
from yuanmeng.orgs.roles import Capability
from yuanmeng.people.models import Worker
from yuanmeng.training.models import Place
from yuanmeng.training.skills import SkillCategory
from yuanmeng.training_orders import selectors, services
from yuanmeng.training_orders.forms import default_since
from yuanmeng.training_orders.models import Session, Teacher, TrainingOrder
from yuanmeng.training_orders.workflow import Action, State

router = Router(tags=["training orders"])
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
Text200 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]


class OrderOut(Schema):
    id: int
    organisation_id: int = Field(..., description="the ordering enterprise union")
    organisation_name: str = Field(..., alias="organisation.name")
    topic: str
    skill_category: SkillCategory
    head_count: int
    place_id: int | None = Field(..., description="the preferred training place (of the training network)")
    preferred_place: str
    preferred_from: datetime.date | None
    preferred_to: datetime.date | None
    notes: str
    state: State
    decline_reason: str
    taken_by_id: int | None = Field(..., description="the union that accepted the order")
    school_id: int | None = Field(..., description="the partner school or training provider")
    participant_count: int = Field(..., description="workers trained, once completed")
    minutes_total: int = Field(..., description="learning minutes of all participants, once completed")
    created_at: datetime.datetime
    completed_at: datetime.datetime | None


class OrderIn(Schema):
    organisation_id: Id = Field(..., description="your enterprise union")
    topic: Text200
    skill_category: SkillCategory
    head_count: int = Field(..., description="at least 1")
    place_id: Id | None = Field(None, description="a training place of the unions above the enterprise")
    preferred_place: Text200 = ""
    preferred_from: datetime.date | None = None
    preferred_to: datetime.date | None = None
    notes: str = Field("", max_length=2000)


class TransitionIn(Schema):
    action: Literal["accept", "decline", "cancel", "complete"]
    reason: str = Field("", max_length=500, description="required to decline")


class AssignmentIn(Schema):
    school_id: Id | None = None
    teacher_ids: list[Id] = Field(..., min_length=1, max_length=50)


class SessionOut(Schema):
    id: int
    order_id: int
    teacher_id: int
    teacher_name: str = Field(..., alias="teacher.name")
    date: datetime.date
    starts_at: datetime.time
    ends_at: datetime.time
    minutes: int
    place_id: int | None
    venue: str


class SessionIn(Schema):
    teacher_id: Id
    date: datetime.date = Field(..., description="today or later")
    starts_at: datetime.time
    ends_at: datetime.time
    place_id: Id | None = None
    venue: Text200 = Field("", description="an address, when no training place is given")


class ParticipantOut(Schema):
    id: int = Field(..., description="the participant's id (to take them off the order)")
    worker_id: int
    name: str = Field(..., alias="worker.name")
    id_number_masked: str = Field(..., alias="worker.id_number_masked")
    minutes: int = Field(..., description="learning minutes, set when the order is completed")


class ParticipantsIn(Schema):
    worker_ids: list[Id] = Field(..., min_length=1, max_length=10_000)


class AttendanceIn(Schema):
    worker_id: Id = Field(..., description="a worker on the order")
    present: bool = True


class ChangedOut(Schema):
    changed: int


class TeacherOut(Schema):
    id: int
    organisation_id: int = Field(..., description="the union or school whose library holds the teacher")
    name: str
    title: str
    specialities: list[SkillCategory]
    school_id: int | None
    is_active: bool


class TeacherChange(Schema):
    name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=50)]
    title: Annotated[str, StringConstraints(strip_whitespace=True, max_length=50)] = ""
    specialities: list[SkillCategory] = Field([], max_length=len(SkillCategory.values))
    school_id: Id | None = None
    is_active: bool = True


class TeacherIn(TeacherChange):
    organisation_id: Id = Field(..., description="the union or school whose library keeps the teacher")


class ReportRowOut(Schema):
    label: str
    sessions: int = Field(..., description="sessions held (with attendance recorded)")
    workers: int = Field(..., description="distinct workers present")
    hours: float


class ReportOut(Schema):
    organisation_id: int
    group_by: str
    since: datetime.date
    until: datetime.date
    rows: list[ReportRowOut]
    total: ReportRowOut


def _order(request, order_id: int) -> TrainingOrder:
    return get_object_or_404(selectors.order_list(user=request.user), pk=order_id)


def _order_to_take(request, order_id: int) -> TrainingOrder:
    return get_for_action(selectors.order_list(user=request.user), order_id, user=request.user,
                          capability=Capability.TAKE_TRAINING_ORDERS)


def _session(request, session_id: int) -> Session:
    return get_for_action(Session.objects.restrict(request.user).select_related("order__organisation"), session_id,
                          user=request.user, capability=Capability.TAKE_TRAINING_ORDERS)


def _place(place_id: int | None, places) -> Place | None:
    """A place the order may use (of the unions above the enterprise, or of its school): any other, outside the
    caller's reach or nowhere, is the same "no such place"."""
    if place_id is None:
        return None
    place = places.filter(pk=place_id).first()
    if place is None:
        raise ValidationError({"place_id": [_("No such training place.")]})
    return place


@router.get("", response=answers(list[OrderOut], 422), summary="Training orders in my scope, newest first")
@paginate(Pages)
def list_orders(request, state: State | None = None, skill_category: SkillCategory | None = None):
    return selectors.order_list(user=request.user, state=state or "", skill_category=skill_category or "")


@router.get("/export", summary="Training orders in my scope, as an Excel workbook", **EXPORT)
def export_orders(request, state: State | None = None, skill_category: SkillCategory | None = None):
    return export_answer(request, "training_orders", state=state, skill_category=skill_category)


@router.get("/report", response=answers(ReportOut, 404, 422), summary="Sessions held, workers trained, hours",
            description="For the orders under a union in my scope (default: my highest), grouped by enterprise, "
                        "district (the union's children) or skill category, for the sessions dated since–until "
                        "(default: the last twelve months).")
def report(request, organisation_id: Id | None = None,
           group_by: Literal["enterprise", "district", "skill_category"] = "district",
           since: datetime.date | None = None, until: datetime.date | None = None):
    organisation = selectors.report_organisation(request.user, organisation_id)
    if organisation is None:
        raise Http404
    today = timezone.localdate()
    found = selectors.training_report(user=request.user, organisation=organisation, group_by=group_by,
                                      since=since or default_since(today), until=until or today)
    return {"organisation_id": organisation.pk, "group_by": group_by, "since": found.since, "until": found.until,
            "rows": found.rows, "total": found.total}


@router.get("/teachers", response=answers(list[TeacherOut], 422), summary="The teacher libraries in my scope")
@paginate(Pages)
def list_teachers(request, skill_category: SkillCategory | None = None):
    return selectors.teacher_list(user=request.user, skill_category=skill_category or "")


def _teacher_fields(payload: TeacherChange, keeper: Organisation) -> dict:
    school = None
    if payload.school_id is not None:
        school = selectors.schools_for_keeper(keeper).filter(pk=payload.school_id).first()
        if school is None:
            raise ValidationError({"school_id": [_("No such school.")]})
    return {"name": payload.name, "title": payload.title, "specialities": [str(s) for s in payload.specialities],
            "school": school}


@router.post("/teachers", response=answers({201: TeacherOut}, 403, 422), summary="Add a teacher to a library")
def create_teacher(request, payload: TeacherIn):
    keeper = Organisation.objects.restrict(request.user).filter(pk=payload.organisation_id).first()
    if keeper is None:
        raise ValidationError({"organisation_id": [_("No such union or school in your scope.")]})
    return Status(201, services.teacher_create(by=request.user, organisation=keeper,
                                               **_teacher_fields(payload, keeper)))


@router.put("/teachers/{teacher_id}", response=answers(TeacherOut, 403, 404, 422), summary="Change a teacher")
def update_teacher(request, teacher_id: Id, payload: TeacherChange):
    teacher = get_for_action(Teacher.objects.restrict(request.user), teacher_id, user=request.user,
                             capability=Capability.MANAGE_TRAINING)
    return services.teacher_update(by=request.user, teacher=teacher, is_active=payload.is_active,
                                   **_teacher_fields(payload, teacher.organisation))


@router.post("", response=answers({201: OrderOut}, 403, 422), summary="Order training for my enterprise's workers")
def create_order(request, payload: OrderIn):
    organisation = Organisation.objects.restrict(request.user).filter(pk=payload.organisation_id).first()
    if organisation is None:
        raise ValidationError({"organisation_id": [_("No such enterprise union in your scope.")]})
    data = payload.dict(exclude={"organisation_id", "place_id"})
    place = _place(payload.place_id, selectors.places_for_order(organisation))
    order = services.order_request(by=request.user, organisation=organisation, place=place,
                                   **{**data, "skill_category": str(payload.skill_category)})
    return Status(201, _order(request, order.pk))


@router.get("/{order_id}", response=answers(OrderOut, 404, 422), summary="One training order")
def get_order(request, order_id: Id):
    return _order(request, order_id)


@router.post("/{order_id}/transitions", response=answers(OrderOut, 403, 404, 422), summary="Move an order",
             description="accept, decline (with a reason), complete: the union above the enterprise; cancel: the "
                         "enterprise, while requested. Accepting an accepted order is a 422.")
def transition(request, order_id: Id, payload: TransitionIn):
    order = _order(request, order_id)
    services.order_transition(by=request.user, order=order, action=Action(payload.action), reason=payload.reason)
    return _order(request, order_id)


@router.put("/{order_id}/assignment", response=answers(OrderOut, 403, 404, 422),
            summary="Assign the partner school and the teachers")
def assign(request, order_id: Id, payload: AssignmentIn):
    order = _order_to_take(request, order_id)
    school = selectors.schools_for_order(order).filter(pk=payload.school_id).first() if payload.school_id else None
    if payload.school_id and school is None:
        raise ValidationError({"school_id": [_("No such school.")]})
    teachers = list(selectors.teachers_for_order(order, school).filter(pk__in=payload.teacher_ids))
    if len(teachers) != len(set(payload.teacher_ids)):
        raise ValidationError({"teacher_ids": [_("No such teacher.")]})
    services.order_assign(by=request.user, order=order, school=school, teachers=teachers)
    return _order(request, order_id)


@router.get("/{order_id}/sessions", response=answers(list[SessionOut], 404, 422), summary="The order's sessions")
def list_sessions(request, order_id: Id):
    return list(selectors.order_sessions(_order(request, order_id)))


@router.post("/{order_id}/sessions", response=answers({201: SessionOut}, 403, 404, 422), summary="Schedule a session",
             description="Today or later, with a teacher assigned to the order who has no other session then.")
def schedule(request, order_id: Id, payload: SessionIn):
    order = _order_to_take(request, order_id)
    teacher = order.teachers.filter(pk=payload.teacher_id).first()
    if teacher is None:
        raise ValidationError({"teacher_id": [_("No such teacher.")]})
    session = services.session_schedule(by=request.user, order=order, teacher=teacher, date=payload.date,
                                        starts_at=payload.starts_at, ends_at=payload.ends_at, venue=payload.venue,
                                        place=_place(payload.place_id, selectors.places_for_order(
                                            order.organisation, order.school_id)))
    return Status(201, session)


@router.get("/{order_id}/participants", response=answers(list[ParticipantOut], 404, 422),
            summary="The workers on the order")
def list_participants(request, order_id: Id):
    return list(selectors.order_participants(_order(request, order_id)))


@router.post("/{order_id}/participants", response=answers(ChangedOut, 403, 404, 422),
             summary="Put workers of the ordering enterprise on the order")
def add_participants(request, order_id: Id, payload: ParticipantsIn):
    order = _order(request, order_id)
    if not services.may_put_on(request.user, order):  # a wrong role: 403 before the body is read
        raise PermissionDenied(_("Your role does not allow this action on this record."))
    workers = list(Worker.objects.filter(pk__in=payload.worker_ids, employer__organisation=order.organisation))
    if len(workers) != len(set(payload.worker_ids)):
        raise ValidationError({"worker_ids": [_("Not workers of the ordering enterprise.")]})
    return {"changed": services.participants_add(by=request.user, order=order, workers=workers)}


@router.delete("/participants/{participant_id}", response=answers({204: None}, 403, 404, 422),
               summary="Take a worker off the order", description="A participant (an order's participants list "
               "their ids) while none of their attendance is recorded.")
def remove_participant(request, participant_id: Id):
    participant = selectors.participant_to_remove(user=request.user, participant_id=participant_id)
    services.participant_remove(by=request.user, order=participant.order, worker=participant.worker)
    return Status(204, None)


@router.delete("/sessions/{session_id}", response=answers({204: None}, 403, 404, 422),
               summary="Take a session off the schedule", description="Before any attendance is recorded for it.")
def cancel_session(request, session_id: Id):
    services.session_cancel(by=request.user, session=_session(request, session_id))
    return Status(204, None)


@router.put("/sessions/{session_id}/attendance", response=answers(ChangedOut, 403, 404, 422),
            summary="Record a worker present at (or absent from) a session")
def mark_attendance(request, session_id: Id, payload: AttendanceIn):
    session = _session(request, session_id)
    worker = Worker.objects.filter(pk=payload.worker_id, training_participations__order=session.order_id).first()
    if worker is None:  # not on the order, outside the caller's reach or nowhere: the same answer
        raise ValidationError({"worker_id": [_("This worker is not on the order.")]})
    return {"changed": int(services.attendance_mark(by=request.user, session=session, worker=worker,
                                                    present=payload.present))}


@router.post("/sessions/{session_id}/attendance-file", response=answers(ChangedOut, 403, 404, 422),
             summary="A session's attendance from a spreadsheet",
             description="One row a worker present: 身份证号 (and 姓名, checked). All rows or none; each problem names "
                         "its row and column.")
def import_attendance(request, session_id: Id, file: File[UploadedFile]):
    session = _session(request, session_id)
    return {"changed": services.attendance_import(by=request.user, session=session, upload=file)}

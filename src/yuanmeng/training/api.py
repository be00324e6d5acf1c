"""The training network and the course catalogue over the API: places near a point, courses, enrolments, learning
hours, and the xAPI statements providers' platforms send.

Coordinates are WGS84 degrees. Learning time is whole minutes; a course's hours are decimal hours.
"""

import datetime
import decimal
import uuid
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from yuanmeng.core.access import get_for_action
from yuanmeng.core.api import Pages
from yuanmeng.core.api_answers import answers
from yuanmeng.core.text import clean_search
from yuanmeng.orgs.models import Organisation
from yuanmeng.orgs.roles import Capability
from yuanmeng.people.models import Worker
from yuanmeng.training import selectors, services
from yuanmeng.training.models import (
    Course,
    CourseLevel,
    CourseMode,
    CourseStatus,
    Enrolment,
    EnrolmentStatus,
    LearningVerb,
    PlaceType,
)
from yuanmeng.training.skills import SkillCategory
from yuanmeng.training.xapi import prefixed, statement_read

router = Router(tags=["training"])
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
Latitude = Annotated[float, Field(ge=-90, le=90, description="WGS84 degrees")]
Longitude = Annotated[float, Field(ge=-180, le=180, description="WGS84 degrees")]
Minutes = Annotated[int, Field(ge=5, le=180, description="the reach, in minutes of travel")]


# ---- places ---------------------------------------------------------------------------------------------------

class PlaceOut(Schema):
    id: int
    owner_id: int
    owner_name: str = Field(..., alias="owner.name")
    name: str
    place_type: PlaceType
    address: str
    latitude: float
    longitude: float
    opening_hours: str
    contact_name: str
    contact_phone: str
    is_active: bool


class NearbyOut(Schema):
    place: PlaceOut
    distance_km: float = Field(..., description="as the crow flies (haversine)")
    minutes: int = Field(..., description=f"estimated travel: {selectors.SPEED_KMH:g} km/h door to door over "
                                          f"{selectors.DETOUR:g}× the straight line")


class PlaceIn(Schema):
    owner_id: Id = Field(..., description="the organisation that runs the place (in your scope)")
    name: str = Field(..., max_length=120)
    place_type: PlaceType
    address: str = Field(..., max_length=200)
    latitude: float = Field(..., description="WGS84 degrees, -90 to 90")
    longitude: float = Field(..., description="WGS84 degrees, -180 to 180")
    opening_hours: str = Field("", max_length=120)
    contact_name: str = Field("", max_length=50)
    contact_phone: str = Field("", max_length=30)


class PlacePatch(Schema):
    name: str = Field(None, max_length=120)
    place_type: PlaceType = None
    address: str = Field(None, max_length=200)
    latitude: float = None
    longitude: float = None
    opening_hours: str = Field(None, max_length=120)
    contact_name: str = Field(None, max_length=50)
    contact_phone: str = Field(None, max_length=30)
    is_active: bool = None


def _plain(data: dict) -> dict:
    return {name: str(value) if isinstance(value, str) else value for name, value in data.items()}


def _owner(request, owner_id: int, field: str) -> Organisation:
    owner = Organisation.objects.restrict(request.user, Capability.MANAGE_TRAINING).filter(pk=owner_id).first()
    if owner is None:
        raise ValidationError({field: [_("No such organisation among those whose training you manage.")]})
    return owner


@router.get("/places", response=answers(list[PlaceOut], 422), summary="Open places of the training network")
@paginate(Pages)
def list_places(request, q: str = "", place_type: PlaceType | None = None):
    return selectors.place_list(request.user, q=clean_search(q), place_type=place_type or "")


@router.get("/places/near", response=answers(list[NearbyOut], 422), summary="Places within reach of a point",
            description="Open places within `minutes` of travel (60 by default), nearest first.")
def places_near(request, latitude: Latitude, longitude: Longitude, minutes: Minutes = 60,
                place_type: PlaceType | None = None):
    return selectors.places_near(request.user, latitude, longitude, minutes=minutes, place_type=place_type or "")


@router.get("/places/{place_id}", response=answers(PlaceOut, 404, 422), summary="One place")
def get_place(request, place_id: Id):
    return get_object_or_404(selectors.places_visible(request.user).select_related("owner"), pk=place_id)


@router.post("/places", response=answers({201: PlaceOut}, 403, 422), summary="Add a place")
def create_place(request, payload: PlaceIn):
    data = _plain(payload.dict())
    owner = _owner(request, data.pop("owner_id"), "owner_id")
    return Status(201, services.place_create(by=request.user, owner=owner, **data))


@router.patch("/places/{place_id}", response=answers(PlaceOut, 403, 404, 422), summary="Change a place")
def update_place(request, place_id: Id, payload: PlacePatch):
    place = get_for_action(selectors.places_visible(request.user).select_related("owner"), place_id,
                           user=request.user, capability=Capability.MANAGE_TRAINING)
    return services.place_update(by=request.user, place=place, **_plain(payload.dict(exclude_unset=True)))


# ---- courses --------------------------------------------------------------------------------------------------

class CourseOut(Schema):
    id: int
    provider_id: int
    provider_name: str = Field(..., alias="provider.name")
    title: str
    description: str
    category: SkillCategory
    mode: CourseMode
    level: CourseLevel
    hours: decimal.Decimal
    place_id: int | None
    district_id: int | None
    starts_at: datetime.datetime | None
    ends_at: datetime.datetime | None
    schedule: str
    capacity: int | None = Field(..., description="null: no limit")
    enrolled_count: int
    view_count: int
    video_url: str = Field(..., description="on the provider's own site; never copied to ours")
    status: CourseStatus


class _CourseFields(Schema):
    description: str = Field("", max_length=5000)
    level: CourseLevel = CourseLevel.BEGINNER
    place_id: Id | None = Field(None, description="where an offline course is held")
    starts_at: datetime.datetime | None = None
    ends_at: datetime.datetime | None = None
    schedule: str = Field("", max_length=200, description="e.g. every Tuesday 19:00-21:00")
    capacity: int | None = Field(None, ge=1, le=100_000)
    video_url: str = Field("", max_length=300)


class CourseIn(_CourseFields):
    provider_id: Id = Field(..., description="the school, centre or union offering it (in your scope)")
    title: str = Field(..., max_length=120)
    category: SkillCategory
    mode: CourseMode
    hours: decimal.Decimal = Field(..., gt=0, le=2000, decimal_places=1)


class CoursePatch(Schema):
    title: str = Field(None, max_length=120)
    description: str = Field(None, max_length=5000)
    category: SkillCategory = None
    mode: CourseMode = None
    level: CourseLevel = None
    hours: decimal.Decimal = Field(None, gt=0, le=2000, decimal_places=1)
    place_id: Id | None = None
    starts_at: datetime.datetime | None = None
    ends_at: datetime.datetime | None = None
    schedule: str = Field(None, max_length=200)
    capacity: int | None = Field(None, ge=1, le=100_000)
    video_url: str = Field(None, max_length=300)
    status: CourseStatus = None


def _course_fields(request, data: dict) -> dict:
    if "place_id" in data:
        place_id = data.pop("place_id")
        data["place"] = None
        if place_id is not None:
            data["place"] = selectors.places_to_use(request.user).filter(pk=place_id).first()
            if data["place"] is None:
                raise ValidationError({"place_id": [_("No such open place.")]})
    return _plain(data)


@router.get("/courses", response=answers(list[CourseOut], 422), summary="The catalogue of open courses",
            description="`q` finds a piece of the title or description (Chinese needs no spaces).")
@paginate(Pages)
def list_courses(request, q: str = "", category: SkillCategory | None = None, provider_id: Id | None = None,
                 mode: CourseMode | None = None, district_id: Id | None = None):
    return selectors.course_catalogue(request.user, q=clean_search(q), category=category or "",
                                      provider_id=provider_id, mode=mode or "", district_id=district_id)


@router.get("/courses/managed", response=answers(list[CourseOut], 422), summary="Courses I manage, open or closed")
@paginate(Pages)
def list_managed_courses(request, q: str = ""):
    return selectors.courses_managed(request.user, q=clean_search(q))


@router.get("/courses/{course_id}", response=answers(CourseOut, 404, 422), summary="One course")
def get_course(request, course_id: Id):
    return get_object_or_404(selectors.courses_visible(request.user).select_related("provider"), pk=course_id)


@router.post("/courses", response=answers({201: CourseOut}, 403, 422), summary="Add a course")
def create_course(request, payload: CourseIn):
    data = _course_fields(request, payload.dict())
    provider = _owner(request, data.pop("provider_id"), "provider_id")
    return Status(201, services.course_create(by=request.user, provider=provider, **data))


def _course_to_manage(request, course_id: int) -> Course:
    return get_for_action(selectors.courses_visible(request.user).select_related("provider"), course_id,
                          user=request.user, capability=Capability.MANAGE_TRAINING)


@router.patch("/courses/{course_id}", response=answers(CourseOut, 403, 404, 422), summary="Change a course",
              description="`status: closed` closes it to new enrolments.")
def update_course(request, course_id: Id, payload: CoursePatch):
    course = _course_to_manage(request, course_id)
    return services.course_update(by=request.user, course=course,
                                  **_course_fields(request, payload.dict(exclude_unset=True)))


# ---- enrolments and learning hours ----------------------------------------------------------------------------

class EnrolmentOut(Schema):
    id: int
    course_id: int
    course_title: str = Field(..., alias="course.title")
    worker_id: int
    learner_ref: str = Field(..., description="what the provider's platform names the worker by (xAPI "
                                              "actor.account.name)")
    status: EnrolmentStatus
    minutes: int = Field(..., description="learning time recorded so far")
    enrolled_at: datetime.datetime
    completed_at: datetime.datetime | None


class EnrolIn(Schema):
    worker_id: Id | None = Field(None, description="staff enrolling a worker of their organisation; "
                                                   "a worker leaves it out")


class LearningIn(Schema):
    verb: LearningVerb
    minutes: int | None = Field(None, ge=0, le=services.MAX_MINUTES_A_STATEMENT,
                                description="completed without minutes: the course's hours not yet recorded")


def _worker_for(request, worker_id: int | None) -> Worker:
    if worker_id is not None:
        return get_object_or_404(Worker.objects.restrict(request.user).select_related("employer__organisation"),
                                 pk=worker_id)
    worker = Worker.objects.select_related("employer__organisation").filter(user=request.user).first()
    if worker is None:
        raise ValidationError({"worker_id": [_("You have no worker record: give the worker_id.")]})
    return worker


@router.post("/courses/{course_id}/enrolments", response=answers({201: EnrolmentOut}, 403, 404, 422),
             summary="Enrol in a course", description="Refused when the course is full, closed, ended, or the "
                                                      "worker is already enrolled.")
def enrol(request, course_id: Id, payload: EnrolIn):
    course = get_object_or_404(selectors.courses_visible(request.user).select_related("provider"), pk=course_id)
    worker = _worker_for(request, payload.worker_id)
    return Status(201, services.enrolment_create(by=request.user, worker=worker, course=course))


@router.get("/courses/{course_id}/enrolments", response=answers(list[EnrolmentOut], 403, 404, 422),
            summary="The workers of a course I manage, with their learner references")
@paginate(Pages)
def course_enrolments(request, course_id: Id):
    return selectors.enrolments_of_course(_course_to_manage(request, course_id)).select_related("course")


@router.get("/my/enrolments", response=answers(list[EnrolmentOut], 422), summary="My courses and learning time")
@paginate(Pages)
def my_enrolments(request):
    worker = Worker.objects.filter(user=request.user).first()
    return selectors.enrolments_of_worker(worker) if worker else Enrolment.objects.none()


@router.post("/enrolments/{enrolment_id}/learning", response=answers({201: EnrolmentOut}, 403, 404, 422),
             summary="Record attendance, progress or completion")
def record_learning(request, enrolment_id: Id, payload: LearningIn):
    visible = Enrolment.objects.restrict(request.user).select_related("course__provider")
    enrolment = get_for_action(visible, enrolment_id, user=request.user, capability=Capability.MANAGE_TRAINING)
    services.learning_record_create(by=request.user, enrolment=enrolment, verb=str(payload.verb),
                                    minutes=payload.minutes)
    return Status(201, enrolment)


# ---- xAPI -----------------------------------------------------------------------------------------------------

class XapiAccount(Schema):
    homePage: str = Field("", max_length=300)
    name: str = Field(..., min_length=1, max_length=40, description="the enrolment's learner reference")


class XapiActor(Schema):
    objectType: str = "Agent"
    account: XapiAccount


class XapiVerb(Schema):
    id: str = Field(..., max_length=200, description="http://adlnet.gov/expapi/verbs/completed, …/attended or "
                                                     "…/progressed")
    display: dict[str, str] = {}


class XapiObject(Schema):
    objectType: str = "Activity"
    id: str = Field(..., max_length=300, description="the course: <our site>/training/courses/<id>")


class XapiResult(Schema):
    duration: str | None = Field(None, max_length=40, description="ISO 8601, e.g. PT1H30M")
    completion: bool | None = None
    success: bool | None = None
    score: dict[str, Any] | None = None


class XapiStatement(Schema):
    id: uuid.UUID | None = Field(None, description="a statement sent again with its id is recorded once")
    actor: XapiActor
    verb: XapiVerb
    object: XapiObject
    result: XapiResult | None = None
    timestamp: datetime.datetime | None = None


def _read(statement: XapiStatement, index: int | None):
    try:
        return statement_read(statement_id=statement.id, account_name=statement.actor.account.name,
                              verb_id=statement.verb.id, object_id=statement.object.id,
                              duration=statement.result.duration if statement.result else None)
    except ValidationError as exc:
        raise prefixed(exc, index) from None


@router.post("/xapi/statements", response=answers(list[uuid.UUID], 403, 422),
             summary="Learning reported by a provider's platform (xAPI statements)",
             description="One statement or an array (all recorded or none). Answers the statements' ids.")
def xapi_statements(request, payload: XapiStatement | list[XapiStatement]):
    batch = payload if isinstance(payload, list) else [payload]
    if not 1 <= len(batch) <= 500:
        raise ValidationError({"__all__": [_("Send between 1 and 500 statements at once.")]})
    statements = [_read(s, i if len(batch) > 1 else None) for i, s in enumerate(batch)]
    return services.xapi_statements_record(by=request.user, statements=statements)

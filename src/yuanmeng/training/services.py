"""Changes to the training network and the catalogue: places, courses, enrolments, learning hours.

A course's seats are counted by a conditional UPDATE (``filter(open, enrolled_count < capacity).update(+1)``), the
pattern of STYLE.md: correct under concurrent enrolments on both databases, with no row lock held while reading.
"""

import dataclasses
import decimal
import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from yuanmeng.audit.services import audit_record, changes
from yuanmeng.core.editing import snapshot
from yuanmeng.core.errors import PermissionDenied, clean_each
from yuanmeng.core.text import clean_text
from yuanmeng.orgs.models import Organisation, OrgKind
from yuanmeng.orgs.roles import Capability
from yuanmeng.orgs.scoping import has_capability
from yuanmeng.training.models import (
    Course,
    CourseLevel,
    CourseMode,
    CourseStatus,
    Enrolment,
    EnrolmentStatus,
    LearningRecord,
    LearningSource,
    LearningVerb,
    Place,
    PlaceType,
)
from yuanmeng.training.skills import SkillCategory
from yuanmeng.training.xapi import Statement, prefixed

PLACE_FIELDS = ("name", "place_type", "address", "latitude", "longitude", "opening_hours", "contact_name",
                "contact_phone", "is_active")
COURSE_FIELDS = ("title", "description", "category", "mode", "level", "hours", "place", "starts_at", "ends_at",
                 "schedule", "capacity", "video_url", "status")
_TEXT_LENGTHS = {"name": 120, "address": 200, "opening_hours": 120, "contact_name": 50, "contact_phone": 30,
                 "title": 120, "schedule": 200, "video_url": 300}
_REQUIRED_TEXT = {"name", "address", "title"}
_CHOICES = {"place_type": PlaceType.values, "category": SkillCategory.values, "mode": CourseMode.values,
            "level": CourseLevel.values, "status": CourseStatus.values}
_COORDINATE_RANGES = {"latitude": 90, "longitude": 180}
MAX_MINUTES_A_STATEMENT = 24 * 60  # a day's learning: more in one report is a mistake


def _require(by, organisation: Organisation) -> None:
    if not has_capability(by, Capability.MANAGE_TRAINING, organisation.path):
        raise PermissionDenied(_("You may manage training places and courses only of your own organisation and "
                                 "those below it."))


def _clean_coordinate(name: str, value) -> float:
    try:
        degrees = float(value)
    except (TypeError, ValueError):
        raise ValidationError(_("A number of degrees.")) from None
    limit = _COORDINATE_RANGES[name]
    if not -limit <= degrees <= limit:  # NaN fails this too
        raise ValidationError(_("Between -%(limit)d and %(limit)d degrees (WGS84).") % {"limit": limit})
    return degrees


def _clean_hours(value) -> decimal.Decimal:
    try:
        hours = decimal.Decimal(str(value)).quantize(decimal.Decimal("0.1"))
    except (decimal.InvalidOperation, TypeError, ValueError):
        raise ValidationError(_("A number of hours, e.g. 2.5.")) from None
    if not decimal.Decimal("0.1") <= hours <= decimal.Decimal("2000"):
        raise ValidationError(_("Between 0.1 and 2,000 hours."))
    return hours


def _clean_one(name: str, value):
    if name in _COORDINATE_RANGES:
        return _clean_coordinate(name, value)
    if name in _CHOICES:
        if value not in _CHOICES[name]:
            raise ValidationError(_("Choose from the listed options."))
        return value
    if name in _TEXT_LENGTHS:
        return clean_text(value, max_length=_TEXT_LENGTHS[name], required=name in _REQUIRED_TEXT)
    if name == "description":
        return (value or "").replace("\x00", "").strip()[:5000]
    if name == "hours":
        return _clean_hours(value)
    if name == "capacity" and value is not None and not 1 <= value <= 100_000:
        raise ValidationError(_("Between 1 and 100,000 places, or empty for no limit."))
    return value


# ---- places ---------------------------------------------------------------------------------------------------

def place_create(*, by, owner: Organisation, **fields) -> Place:
    _require(by, owner)
    place = Place(owner=owner, **clean_each(fields, _clean_one))
    with transaction.atomic():
        place.save()
        audit_record(actor=by, action="training.place_create", obj=place, organisation=owner,
                     after=snapshot(place, fields))
    return place


def place_update(*, by, place: Place, **fields) -> Place:
    _require(by, place.owner)
    cleaned = clean_each(fields, _clean_one)
    before = snapshot(place, cleaned)
    for name, value in cleaned.items():
        setattr(place, name, value)
    with transaction.atomic():
        place.save(update_fields=list(cleaned))
        audit_record(actor=by, action="training.place_update", obj=place, organisation=place.owner,
                     **dict(zip(("before", "after"), changes(before, snapshot(place, cleaned)), strict=True)))
    return place


# ---- courses --------------------------------------------------------------------------------------------------

def district_and_city(organisation: Organisation) -> tuple[Organisation | None, Organisation | None]:
    """The district and city unions the organisation lies in (itself if it is one): None above them or beside
    them (a school under the city has a city and no district)."""
    found = {org.kind: org for org in Organisation.objects.filter(pk__in=organisation.path_ids(),
                                                                  kind__in=(OrgKind.DISTRICT, OrgKind.CITY))}
    return found.get(OrgKind.DISTRICT), found.get(OrgKind.CITY)


def _check_course(course: Course) -> None:
    errors = {}
    if course.mode == CourseMode.OFFLINE and course.place_id is None:
        errors["place"] = [_("An offline course is held at a place of the training network.")]
    if course.mode == CourseMode.LIVE and course.starts_at is None:
        errors["starts_at"] = [_("A live class needs its start time.")]
    if course.starts_at and course.ends_at and course.ends_at <= course.starts_at:
        errors["ends_at"] = [_("The class ends before it starts.")]
    if course.mode == CourseMode.ONLINE and not course.video_url:
        errors["video_url"] = [_("An online course needs the link to its videos on the provider's site.")]
    if course.capacity is not None and course.capacity < course.enrolled_count:
        errors["capacity"] = [_("%(n)d workers are already enrolled.") % {"n": course.enrolled_count}]
    if errors:
        raise ValidationError(errors)


def _fill_derived(course: Course) -> None:
    course.search_text = f"{course.title}\n{course.description}".lower()
    course.district, course.city = district_and_city(course.place.owner if course.place_id else course.provider)


def course_create(*, by, provider: Organisation, **fields) -> Course:
    _require(by, provider)
    course = Course(provider=provider, **clean_each(fields, _clean_one))
    _check_course(course)
    _fill_derived(course)
    with transaction.atomic():
        course.save()
        audit_record(actor=by, action="training.course_create", obj=course, organisation=provider,
                     after=snapshot(course, fields))
    return course


def course_update(*, by, course: Course, **fields) -> Course:
    _require(by, course.provider)
    cleaned = clean_each(fields, _clean_one)
    course.refresh_from_db(fields=["enrolled_count"])
    before = snapshot(course, cleaned)
    for name, value in cleaned.items():
        setattr(course, name, value)
    _check_course(course)
    _fill_derived(course)
    with transaction.atomic():
        # enrolled_count and view_count move only by their own UPDATEs: never written back from this copy.
        try:
            with transaction.atomic():
                course.save(update_fields=[*cleaned, "search_text", "district", "city"])
        except IntegrityError:  # a seat taken since the check: the table's constraint refused the capacity
            raise ValidationError({"capacity": [_("Fewer places than workers enrolled.")]}) from None
        audit_record(actor=by, action="training.course_update", obj=course, organisation=course.provider,
                     **dict(zip(("before", "after"), changes(before, snapshot(course, cleaned)), strict=True)))
    return course


def course_viewed(*, course: Course) -> None:
    """Count a view: one UPDATE by F() (no read, no lost count), no audit (a view changes nothing of substance).
    The pages count a course once per session, so reloading does not inflate it nor write each time."""
    Course.objects.filter(pk=course.pk).update(view_count=F("view_count") + 1)


# ---- enrolments and learning hours --------------------------------------------------------------------------

def _refusal(course: Course) -> str:
    """Why the conditional UPDATE took no seat, read after it."""
    course.refresh_from_db(fields=["status", "enrolled_count", "capacity"])
    if course.status != CourseStatus.OPEN:
        return _("This course is closed to enrolment.")
    if course.ends_at and course.ends_at <= timezone.now():
        return _("This course has already ended.")
    return _("This course is full (%(n)d places).") % {"n": course.capacity}


def _may_act_for(by, worker) -> bool:
    """Staff who register the worker's records (their enterprise union and the unions above) may enrol them."""
    return worker.employer_id is not None and has_capability(by, Capability.CHANGE_WORKERS,
                                                             worker.employer.organisation.path)


def enrolment_create(*, by, worker, course: Course) -> Enrolment:
    """Enrol ``worker`` (the caller's own record, or one in the caller's scope) in ``course``: once, while the
    course is open and not ended, and only into a free seat. The seat is taken by the conditional UPDATE; the
    enrolment row's unique constraint refuses a second enrolment; either refusal rolls back both."""
    if worker.user_id != by.pk and not _may_act_for(by, worker):
        raise PermissionDenied(_("You may enrol only yourself or workers of your organisation."))
    now = timezone.now()
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(worker=worker, course=course)
            seat = (Q(capacity=None) | Q(enrolled_count__lt=F("capacity"))) & (Q(ends_at=None) | Q(ends_at__gt=now))
            taken = Course.objects.filter(seat, pk=course.pk, status=CourseStatus.OPEN).update(
                enrolled_count=F("enrolled_count") + 1)
            if not taken:
                raise ValidationError({"course": [_refusal(course)]})
            audit_record(actor=by, action="training.enrol", obj=enrolment, organisation=course.provider,
                         object_label=f"{worker.name} · {course.title}")
    except IntegrityError:
        raise ValidationError({"course": [_("You are already enrolled in this course.")]}) from None
    return enrolment


_STATUS_AFTER = {LearningVerb.PROGRESSED: EnrolmentStatus.ATTENDED, LearningVerb.ATTENDED: EnrolmentStatus.ATTENDED,
                 LearningVerb.COMPLETED: EnrolmentStatus.COMPLETED}


def _check_minutes(minutes) -> int:
    if not isinstance(minutes, int) or not 0 <= minutes <= MAX_MINUTES_A_STATEMENT:
        raise ValidationError({"minutes": [_("Between 0 and %(max)d minutes.") % {"max": MAX_MINUTES_A_STATEMENT}]})
    return minutes


def learning_record_create(*, by, enrolment: Enrolment, verb: str, minutes: int | None,
                           source: str = LearningSource.STAFF, statement_id: uuid.UUID | None = None
                           ) -> LearningRecord:
    """Learning hours for an enrolment: a session attended, progress, or the completion (which, given no minutes,
    counts the course's hours not yet recorded). The enrolment's total and status move with the record, in one
    transaction; a completed enrolment stays completed."""
    if verb not in LearningVerb.values:
        raise ValidationError({"verb": [_("Choose from the listed options.")]})
    _require(by, enrolment.course.provider)
    if minutes is None:
        if verb != LearningVerb.COMPLETED:
            raise ValidationError({"minutes": [_("How long the worker learnt.")]})
        minutes = max(0, int(enrolment.course.hours * 60) - enrolment.minutes)
    minutes = _check_minutes(minutes)
    status = _STATUS_AFTER[verb]
    with transaction.atomic():
        record = LearningRecord.objects.create(enrolment=enrolment, verb=verb, minutes=minutes, source=source,
                                               statement_id=statement_id)
        this = Enrolment.objects.filter(pk=enrolment.pk)
        this.update(minutes=F("minutes") + minutes)
        if status == EnrolmentStatus.COMPLETED:
            this.exclude(status=status).update(status=status, completed_at=timezone.now())
        else:
            this.filter(status=EnrolmentStatus.ENROLLED).update(status=status)
        audit_record(actor=by, action=f"training.learning_{verb}", obj=record, organisation=enrolment.course.provider,
                     after={"minutes": minutes, "source": source, "statement": str(statement_id or "")})
    enrolment.refresh_from_db(fields=["minutes", "status", "completed_at"])
    return record


# ---- xAPI statements from providers' platforms --------------------------------------------------------------

def _statement_target(by, statement: Statement) -> Enrolment:
    course = Course.objects.restrict(by, Capability.MANAGE_TRAINING).filter(pk=statement.course_id).first()
    if course is None:
        raise ValidationError({"object.id": [_("No such course among the courses you manage.")]})
    enrolment = (Enrolment.objects.select_related("course__provider", "worker")
                 .filter(course=course, learner_ref=statement.learner_ref).first())
    if enrolment is None:
        raise ValidationError({"actor.account.name": [_("No worker enrolled in this course has this learner "
                                                        "reference.")]})
    return enrolment


def _already_recorded(statement: Statement, enrolment: Enrolment) -> bool:
    """A statement id seen before: the same statement again (True: nothing to do) or a reuse for another
    (refused)."""
    if statement.statement_id is None:
        return False
    earlier = LearningRecord.objects.filter(statement_id=statement.statement_id).first()
    if earlier is None:
        return False
    if earlier.enrolment_id != enrolment.pk or earlier.verb != statement.verb:
        raise ValidationError({"id": [_("This statement id was already used for another statement.")]})
    return True


def _in_statement_terms(exc: ValidationError) -> ValidationError:
    """A refusal of the learning time, named by where the statement holds it."""
    errors = exc.message_dict
    if "minutes" in errors:
        errors["result.duration"] = errors.pop("minutes")
    return ValidationError(errors)


def _statement_record(by, statement: Statement, enrolment: Enrolment) -> None:
    """Learning hours for a new statement; the same statement recorded meanwhile by a concurrent request (the
    unique statement id) is already recorded, as if it had been seen first."""
    try:
        with transaction.atomic():
            learning_record_create(by=by, enrolment=enrolment, verb=statement.verb, minutes=statement.minutes,
                                   source=LearningSource.XAPI, statement_id=statement.statement_id)
    except IntegrityError:
        if not _already_recorded(statement, enrolment):
            raise


def xapi_statements_record(*, by, statements: list[Statement]) -> list[uuid.UUID]:
    """Record a batch of statements, all or none: learning hours for each new one; a statement sent again (same
    id) is recorded once. Returns the statements' ids (issued here for those sent without one)."""
    ids = []
    with transaction.atomic():
        for index, statement in enumerate(statements):
            try:
                enrolment = _statement_target(by, statement)
                if not _already_recorded(statement, enrolment):
                    statement = dataclasses.replace(statement, statement_id=statement.statement_id or uuid.uuid4())
                    _statement_record(by, statement, enrolment)
            except ValidationError as exc:
                raise prefixed(_in_statement_terms(exc), index if len(statements) > 1 else None) from None
            ids.append(statement.statement_id)
    return ids

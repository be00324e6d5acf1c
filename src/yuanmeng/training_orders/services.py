"""Every change to training orders, teachers, sessions, participants and attendance: one function per use case,
each in one transaction with its audit entry and, where the enterprise is told, its message.

An order moves through ``workflow.TRANSITIONS`` only (``order_request``, ``order_transition``), each move a
conditional UPDATE on the state it was read in: of two officers accepting at once, one gets "already accepted".
A teacher's sessions never overlap: ``session_schedule`` locks the teacher's row before it looks for an overlap,
so two schedulers of the same teacher take turns (on SQLite the IMMEDIATE transaction serialises writers).
Work on an order (its participants, sessions, attendance) and its moves all lock the order's row first
(``_locked_order``) and check its state after the lock: completing an order waits for attendance being saved, and
attendance saved after the completion is refused.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from yuanmeng.audit.services import audit_record
from yuanmeng.core.errors import PermissionDenied
from yuanmeng.core.imports import import_whole
from yuanmeng.core.spreadsheets import to_text
from yuanmeng.core.text import clean_text
from yuanmeng.notify.services import notify_user, worker_text
from yuanmeng.orgs.models import Organisation, OrgKind
from yuanmeng.orgs.roles import Capability
from yuanmeng.orgs.scoping import grants, has_capability
from yuanmeng.people.models import Worker
from yuanmeng.training.skills import SkillCategory
from yuanmeng.training_orders import workflow
from yuanmeng.training_orders.models import Attendance, OrderEvent, Participant, Session, Teacher, TrainingOrder
from yuanmeng.training_orders.workflow import Action, State

SCHOOL_KINDS = (OrgKind.SCHOOL, OrgKind.PROVIDER)
MAX_SESSION_MINUTES = 12 * 60


def _require(by, capability: str, organisation: Organisation, message: str) -> None:
    if not has_capability(by, capability, organisation.path):
        raise PermissionDenied(message)


def _specialities(values) -> list[str]:
    values = list(values or [])
    if any(value not in SkillCategory.values for value in values):
        raise ValidationError({"specialities": [_("Choose from the listed options.")]})
    return sorted(set(values), key=values.index)


def _date_text(day) -> str | None:
    return day.isoformat() if day else None


# ---- the teacher library ----------------------------------------------------------------------------------------

def _teacher_fields(*, name, specialities, school, title, keeper: Organisation) -> dict:
    errors = {}
    name = clean_text(name, max_length=50)
    if not name:
        errors["name"] = [_("This field is required.")]
    if school is not None and not school_fits(keeper, school):
        errors["school"] = [_("Choose a school or training provider of this union's area.")]
    try:
        specialities = _specialities(specialities)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return {"name": name, "specialities": specialities, "school": school,
            "title": clean_text(title, max_length=50)}


def _teacher_snapshot(teacher: Teacher) -> dict:
    return {"name": teacher.name, "specialities": teacher.specialities, "school": teacher.school_id,
            "title": teacher.title, "is_active": teacher.is_active}


@transaction.atomic
def teacher_create(*, by, organisation: Organisation, name: str, specialities=(), school=None,
                   title: str = "") -> Teacher:
    """Add a teacher to the library of ``organisation`` (a union or a school: MANAGE_TRAINING there)."""
    _require(by, Capability.MANAGE_TRAINING, organisation,
             _("You may keep teachers only for your own union or school and those below it."))
    fields = _teacher_fields(name=name, specialities=specialities, school=school, title=title, keeper=organisation)
    teacher = Teacher.objects.create(organisation=organisation, **fields)
    audit_record(actor=by, action="teacher.create", obj=teacher, organisation=organisation,
                 after=_teacher_snapshot(teacher))
    return teacher


@transaction.atomic
def teacher_update(*, by, teacher: Teacher, name: str, specialities=(), school=None, title: str = "",
                   is_active: bool = True) -> Teacher:
    _require(by, Capability.MANAGE_TRAINING, teacher.organisation,
             _("You may keep teachers only for your own union or school and those below it."))
    before = _teacher_snapshot(teacher)
    fields = _teacher_fields(name=name, specialities=specialities, school=school, title=title,
                             keeper=teacher.organisation)
    for name_, value in {**fields, "is_active": bool(is_active)}.items():
        setattr(teacher, name_, value)
    teacher.save()
    audit_record(actor=by, action="teacher.update", obj=teacher, organisation=teacher.organisation,
                 before=before, after=_teacher_snapshot(teacher))
    return teacher


# ---- orders and their moves -------------------------------------------------------------------------------------

def _order_snapshot(order: TrainingOrder) -> dict:
    return {"topic": order.topic, "skill_category": order.skill_category, "head_count": order.head_count,
            "preferred_place": order.preferred_place, "preferred_from": _date_text(order.preferred_from),
            "preferred_to": _date_text(order.preferred_to), "state": order.state}


def _order_fields(*, topic, skill_category, head_count, preferred_place, preferred_from, preferred_to,
                  notes, place, organisation) -> dict:
    errors = {}
    if place is not None and not _place_fits(place, organisation):
        errors["place"] = [_("Choose an open training place of the unions above your enterprise.")]
    topic = clean_text(topic, max_length=200)
    if not topic:
        errors["topic"] = [_("This field is required.")]
    if skill_category not in SkillCategory.values:
        errors["skill_category"] = [_("Choose from the listed options.")]
    if not isinstance(head_count, int) or isinstance(head_count, bool) or head_count < 1:
        errors["head_count"] = [_("The head-count is at least 1.")]
    elif head_count > 10_000:
        errors["head_count"] = [_("The head-count is at most 10,000.")]
    if preferred_from and preferred_to and preferred_to < preferred_from:
        errors["preferred_to"] = [_("The preferred period ends before it begins.")]
    if preferred_from and preferred_from < timezone.localdate():
        errors["preferred_from"] = [_("The preferred period begins in the past.")]
    if errors:
        raise ValidationError(errors)
    return {"topic": topic, "skill_category": skill_category, "head_count": head_count, "place": place,
            "preferred_place": clean_text(preferred_place, max_length=200), "preferred_from": preferred_from,
            "preferred_to": preferred_to, "notes": (notes or "").replace("\x00", "")[:2000]}


def _place_fits(place, organisation: Organisation, school_id: int | None = None) -> bool:
    """An open place of a union above the enterprise (or of the order's school)."""
    owners = set(organisation.path_ids()) | ({school_id} if school_id else set())
    return place.is_active and place.owner_id in owners


ABOUT_KIND = "training_order"  # what the enterprise's messages are about (notify's about_kind)


def _about(order: TrainingOrder) -> tuple[str, int, str]:
    return (ABOUT_KIND, order.pk, order.topic)


def _tell_enterprise(order: TrainingOrder, subject: str, body: str) -> None:
    """The officer who ordered is told (a message in the same transaction as the change)."""
    notify_user(user=order.requested_by, subject=subject, body=body, about=_about(order))


@transaction.atomic
def order_request(*, by, organisation: Organisation, topic: str, skill_category: str, head_count: int,
                  preferred_place: str = "", preferred_from: datetime.date | None = None,
                  preferred_to: datetime.date | None = None, notes: str = "", place=None) -> TrainingOrder:
    """An enterprise union orders training for its workers (ORDER_TRAINING over it)."""
    if organisation.kind != OrgKind.ENTERPRISE:
        raise ValidationError({"organisation": [_("Training is ordered by an enterprise union.")]})
    _require(by, Capability.ORDER_TRAINING, organisation, _("You may order training only for your own enterprise."))
    fields = _order_fields(topic=topic, skill_category=skill_category, head_count=head_count,
                           preferred_place=preferred_place, preferred_from=preferred_from,
                           preferred_to=preferred_to, notes=notes, place=place, organisation=organisation)
    order = TrainingOrder.objects.create(organisation=organisation, requested_by=by, state=workflow.FIRST_STATE,
                                         **fields)
    OrderEvent.objects.create(order=order, action=Action.REQUEST, to_state=order.state, by=by)
    audit_record(actor=by, action="training_order.request", obj=order, organisation=organisation,
                 after=_order_snapshot(order))
    return order


def _taking_union(by, order: TrainingOrder) -> Organisation:
    """The union the officer acts for on this order: the closest above it where they take orders."""
    held = [g for g in grants(by) if Capability.TAKE_TRAINING_ORDERS in g.capabilities
            and order.organisation.path.startswith(g.path)]
    if not held:  # a superuser
        return Organisation.objects.get(pk=order.organisation.parent_id)
    return Organisation.objects.get(pk=max(held, key=lambda g: g.path.count("/")).organisation_id)


def _locked_order(order: TrainingOrder) -> TrainingOrder:
    """Lock the order's row for this transaction and read its state again under the lock (it may have moved since
    ``order`` was read): one writer of an order at a time, whatever they change."""
    order.state = TrainingOrder.objects.select_for_update().values_list("state", flat=True).get(pk=order.pk)
    return order


def _move_refusal(order: TrainingOrder, action: str) -> str:
    if action == Action.ACCEPT and order.state == State.ACCEPTED:
        return _("This order has already been accepted.")
    return _("An order that is “%(state)s” cannot be “%(action)s”.") % {
        "state": State(order.state).label, "action": Action(action).label}


def _check_move(by, order: TrainingOrder, action: str) -> str:
    """The next state of ``action`` on ``order`` by ``by``; refusals say why."""
    if action not in Action.values or action == Action.REQUEST:
        raise ValidationError({"action": [_("Choose from the listed options.")]})
    found = workflow.move(order.state, action)
    if found is None:
        raise ValidationError({"action": [_move_refusal(order, action)]})
    capability, next_state = found
    if not has_capability(by, capability, order.organisation.path):
        raise PermissionDenied(_("Your role does not allow this action on this record."))
    return next_state


@transaction.atomic
def order_transition(*, by, order: TrainingOrder, action: str, reason: str = "") -> TrainingOrder:
    """Move the order by ``action`` (accept, decline with a reason, cancel, complete), a conditional UPDATE on the
    state it was read in; the enterprise's officer is told of an acceptance, a refusal and the completion."""
    _locked_order(order)
    next_state = _check_move(by, order, action)
    reason = clean_text(reason, max_length=500)
    if action in workflow.NEEDS_REASON and not reason:
        raise ValidationError({"reason": [_("Give the reason, for the enterprise union.")]})
    changes = {"state": next_state, "updated_at": timezone.now()}
    if action == Action.ACCEPT:
        changes["taken_by"] = _taking_union(by, order)
    elif action == Action.DECLINE:
        changes["decline_reason"] = reason
    elif action == Action.COMPLETE:
        changes.update(_completion(order))
    if not TrainingOrder.objects.filter(pk=order.pk, state=order.state).update(**changes):
        current = TrainingOrder.objects.get(pk=order.pk)
        raise ValidationError({"action": [_move_refusal(current, action)]})
    from_state = order.state
    for name, value in changes.items():
        setattr(order, name, value)
    OrderEvent.objects.create(order=order, action=action, from_state=from_state, to_state=next_state, by=by,
                              reason=reason)
    audit_record(actor=by, action=f"training_order.{action}", obj=order, organisation=order.organisation,
                 before={"state": from_state}, after={"state": next_state, **({"reason": reason} if reason else {}),
                                                      **_completion_audit(changes)})
    _tell_of_move(order, action, reason)
    return order


def _tell_of_move(order: TrainingOrder, action: str, reason: str) -> None:
    if action == Action.ACCEPT:
        _tell_enterprise(order, worker_text("Training order accepted"), worker_text(
            "Your training order “%(topic)s” was accepted by %(union)s.", topic=order.topic, union=order.taken_by.name))
    elif action == Action.DECLINE:
        _tell_enterprise(order, worker_text("Training order declined"), worker_text(
            "Your training order “%(topic)s” was declined: %(reason)s", topic=order.topic, reason=reason))
    elif action == Action.COMPLETE:
        _tell_enterprise(order, worker_text("Training completed"), worker_text(
            "The training “%(topic)s” is completed: %(n)s workers trained.", topic=order.topic,
            n=order.participant_count))


def _completion(order: TrainingOrder) -> dict:
    """Check that every session has been held and someone attended; set each participant's learning minutes (one
    UPDATE); the order's totals."""
    sessions = order.sessions.aggregate(n=Count("id"), ahead=Count("id", filter=_ahead()))
    if not sessions["n"]:
        raise ValidationError({"action": [_("Schedule the sessions and record attendance before completing.")]})
    if sessions["ahead"]:
        raise ValidationError({"action": [_("%(n)d sessions are still to come; complete the order after them.")
                                          % {"n": sessions["ahead"]}]})
    if not Attendance.objects.filter(session__order=order).exists():
        raise ValidationError({"action": [_("No attendance has been recorded yet.")]})
    attended = (Attendance.objects.filter(participant=OuterRef("pk")).values("participant")
                .annotate(total=Sum("session__minutes")).values("total"))
    order.participants.update(minutes=Coalesce(Subquery(attended), 0))
    totals = order.participants.filter(minutes__gt=0).aggregate(n=Count("id"), minutes=Sum("minutes"))
    return {"participant_count": totals["n"], "minutes_total": totals["minutes"] or 0,
            "completed_at": timezone.now()}


def _completion_audit(changes: dict) -> dict:
    if "participant_count" not in changes:
        return {}
    return {"participants": changes["participant_count"], "minutes": changes["minutes_total"]}


def _ahead() -> Q:
    return Q(date__gt=timezone.localdate())


def _require_editable(by, order: TrainingOrder) -> None:
    _require(by, Capability.TAKE_TRAINING_ORDERS, order.organisation,
             _("Your role does not allow this action on this record."))
    _locked_order(order)
    if order.state not in workflow.EDITABLE_STATES:
        raise ValidationError(_("Accept the order first; an order that is “%(state)s” cannot be changed.")
                              % {"state": State(order.state).label})


# ---- assigning the school and teachers ---------------------------------------------------------------------------

def assignable_teacher_ids(order: TrainingOrder, school: Organisation | None) -> list[int]:
    """Teachers of the order's unions above it (their libraries) and of ``school``, the partner school being
    assigned (not the one it replaces): their keepers' ids."""
    return order.organisation.path_ids() + ([school.pk] if school is not None else [])


def school_fits(organisation: Organisation, school: Organisation) -> bool:
    """A school or provider under one of the unions on ``organisation``'s path (an enterprise's city or province, a
    library's union or those above it), or within ``organisation`` (a school keeping its own library)."""
    if school.kind not in SCHOOL_KINDS or school.parent_id is None:
        return False
    parent_path = school.path.rsplit("/", 2)[0] + "/"
    return organisation.path.startswith(parent_path) or school.is_within(organisation)


@transaction.atomic
def order_assign(*, by, order: TrainingOrder, school: Organisation | None, teachers) -> TrainingOrder:
    """Name the partner school and the teachers the union sends (from the teacher library)."""
    _require_editable(by, order)
    errors = {}
    if school is not None and not school_fits(order.organisation, school):
        errors["school"] = [_("Choose a school or training provider of the enterprise's city or province.")]
    teachers = list(teachers)
    if not teachers:
        errors["teachers"] = [_("Choose at least one teacher.")]
    keepers = assignable_teacher_ids(order, school)
    strangers = [t.name for t in teachers if t.organisation_id not in keepers or not t.is_active]
    if strangers:
        errors["teachers"] = [_("Not in the teacher library of this order's unions or school: %(names)s.")
                              % {"names": "、".join(strangers)}]
    if errors:
        raise ValidationError(errors)
    scheduled = set(order.sessions.values_list("teacher_id", flat=True))
    dropped = scheduled - {t.pk for t in teachers}
    if dropped:
        raise ValidationError({"teachers": [_("A teacher with scheduled sessions cannot be taken off the order.")]})
    before = {"school": order.school_id, "teachers": sorted(order.teachers.values_list("pk", flat=True))}
    order.school = school
    order.save(update_fields=["school", "updated_at"])
    order.teachers.set(teachers)
    audit_record(actor=by, action="training_order.assign", obj=order, organisation=order.organisation,
                 before=before, after={"school": order.school_id, "teachers": sorted(t.pk for t in teachers)})
    return order


# ---- sessions ----------------------------------------------------------------------------------------------------

def session_minutes(starts_at: datetime.time, ends_at: datetime.time) -> int:
    return (ends_at.hour * 60 + ends_at.minute) - (starts_at.hour * 60 + starts_at.minute)


def _session_errors(order, *, teacher, date, starts_at, ends_at, venue, place) -> dict:
    errors = {}
    if place is not None and not _place_fits(place, order.organisation, order.school_id):
        errors["place"] = [_("Choose an open training place of the unions above the enterprise or of its school.")]
    if teacher is None or not order.teachers.filter(pk=teacher.pk).exists():
        errors["teacher"] = [_("Choose one of the teachers assigned to this order.")]
    if date is None:
        errors["date"] = [_("This field is required.")]
    elif date < timezone.localdate():
        errors["date"] = [_("This day is in the past; a session is scheduled for today or later.")]
    elif date == timezone.localdate() and starts_at is not None and starts_at < timezone.localtime().time():
        errors["starts_at"] = [_("This time has passed; a session today starts now or later.")]
    if starts_at is None or ends_at is None:
        errors["ends_at" if starts_at else "starts_at"] = [_("This field is required.")]
    elif not 0 < session_minutes(starts_at, ends_at) <= MAX_SESSION_MINUTES:
        errors["ends_at"] = [_("The session ends after it starts, on the same day, within 12 hours.")]
    if not venue:
        errors["venue"] = [_("Give the place: a training place or an address.")]
    return errors


def _overlapping(teacher: Teacher, date, starts_at, ends_at):
    return Session.objects.filter(teacher=teacher, date=date, starts_at__lt=ends_at, ends_at__gt=starts_at)


def _clash_topic(by, clash: Session) -> str:
    """The clashing session's order topic, only to someone who may read that order."""
    if TrainingOrder.objects.restrict(by).filter(pk=clash.order_id).exists():
        return clash.order.topic
    return _("another order")


@transaction.atomic
def session_schedule(*, by, order: TrainingOrder, teacher: Teacher | None, date: datetime.date | None,
                     starts_at: datetime.time | None, ends_at: datetime.time | None, venue: str = "",
                     place=None) -> Session:
    """Schedule a session of an accepted order: today or later, with one of its teachers, who has no other session
    at that time (any order's). The teacher's row is locked first, so a concurrent scheduling of the same teacher
    waits for this one and then sees its session."""
    _require_editable(by, order)
    venue = clean_text(venue, max_length=200) or (f"{place.name} {place.address}"[:200] if place else "")
    errors = _session_errors(order, teacher=teacher, date=date, starts_at=starts_at, ends_at=ends_at, venue=venue,
                             place=place)
    if errors:
        raise ValidationError(errors)
    Teacher.objects.select_for_update().filter(pk=teacher.pk).first()
    clash = _overlapping(teacher, date, starts_at, ends_at).select_related("order").first()
    if clash is not None:
        raise ValidationError({"starts_at": [_("%(teacher)s already teaches from %(start)s to %(end)s that day "
                                               "(“%(topic)s”).") % {
            "teacher": teacher.name, "start": f"{clash.starts_at:%H:%M}", "end": f"{clash.ends_at:%H:%M}",
            "topic": _clash_topic(by, clash)}]})
    session = Session.objects.create(order=order, teacher=teacher, date=date, starts_at=starts_at, ends_at=ends_at,
                                     minutes=session_minutes(starts_at, ends_at), venue=venue, place=place)
    audit_record(actor=by, action="training_order.schedule", obj=order, organisation=order.organisation,
                 after={"session": session.pk, "date": date.isoformat(), "starts_at": f"{starts_at:%H:%M}",
                        "ends_at": f"{ends_at:%H:%M}", "teacher": teacher.pk, "venue": venue})
    _tell_enterprise(order, worker_text("Training session scheduled"), worker_text(
        "A session of “%(topic)s” is scheduled on %(date)s, %(start)s–%(end)s at %(venue)s.", topic=order.topic,
        date=date, start=f"{starts_at:%H:%M}", end=f"{ends_at:%H:%M}", venue=venue))
    return session


@transaction.atomic
def session_cancel(*, by, session: Session) -> TrainingOrder:
    """Take a session off the schedule before anyone's attendance is recorded for it (the enterprise is told).
    Its order."""
    order = session.order
    _require_editable(by, order)
    if session.attendances.exists():
        raise ValidationError(_("Attendance is recorded for this session; it has been held."))
    audit_record(actor=by, action="training_order.unschedule", obj=order, organisation=order.organisation,
                 before={"session": session.pk, "date": session.date.isoformat(),
                         "starts_at": f"{session.starts_at:%H:%M}", "teacher": session.teacher_id})
    _tell_enterprise(order, worker_text("Training session cancelled"), worker_text(
        "The session of “%(topic)s” on %(date)s, %(start)s–%(end)s is cancelled.", topic=order.topic,
        date=session.date, start=f"{session.starts_at:%H:%M}", end=f"{session.ends_at:%H:%M}"))
    session.delete()
    return order


# ---- participants and attendance ---------------------------------------------------------------------------------

def may_put_on(by, order: TrainingOrder) -> bool:
    """Who puts workers on an order: the ordering enterprise, or the union that takes it."""
    return (has_capability(by, Capability.ORDER_TRAINING, order.organisation.path)
            or has_capability(by, Capability.TAKE_TRAINING_ORDERS, order.organisation.path))


def _require_participants_editable(by, order: TrainingOrder) -> None:
    if not may_put_on(by, order):
        raise PermissionDenied(_("Your role does not allow this action on this record."))
    _locked_order(order)  # one adder at a time (the head-count), none once the order is completed
    if order.state not in (State.REQUESTED, State.ACCEPTED):
        raise ValidationError(_("An order that is “%(state)s” cannot be changed.")
                              % {"state": State(order.state).label})


@transaction.atomic
def participants_add(*, by, order: TrainingOrder, workers) -> int:
    """Put workers of the ordering enterprise on the order (the enterprise or the union does); those already on it
    are left as they are. Refused whole past the order's head-count. How many were added."""
    _require_participants_editable(by, order)
    workers = list(workers)
    enterprise = order.organisation.enterprise.pk
    strangers = [w.name for w in workers if w.employer_id != enterprise]
    if strangers:
        raise ValidationError({"workers": [_("Not workers of the ordering enterprise: %(names)s.")
                                           % {"names": "、".join(strangers)}]})
    on_order = set(order.participants.values_list("worker_id", flat=True))
    new = [w for w in {w.pk: w for w in workers}.values() if w.pk not in on_order]
    if len(on_order) + len(new) > order.head_count:
        raise ValidationError({"workers": [_("The order is for %(n)d workers; %(on)d are on it already.")
                                           % {"n": order.head_count, "on": len(on_order)}]})
    Participant.objects.bulk_create([Participant(order=order, worker=w) for w in new])
    if new:
        audit_record(actor=by, action="training_order.participants_add", obj=order, organisation=order.organisation,
                     after={"workers": [w.pk for w in new]})
    return len(new)


@transaction.atomic
def participant_remove(*, by, order: TrainingOrder, worker: Worker) -> TrainingOrder:
    """Take a worker off the order (the enterprise or the union) while no attendance of theirs is recorded."""
    _require_participants_editable(by, order)
    participant = order.participants.filter(worker=worker).first()
    if participant is None:
        raise ValidationError({"worker": [_("This worker is not on the order.")]})
    if participant.attendances.exists():
        raise ValidationError({"worker": [_("This worker's attendance is recorded; they stay on the order.")]})
    participant.delete()
    audit_record(actor=by, action="training_order.participant_remove", obj=order, organisation=order.organisation,
                 before={"worker": worker.pk})
    return order


def _require_attendance(by, session: Session) -> None:
    _require_editable(by, session.order)
    if session.date > timezone.localdate():
        raise ValidationError({"session": [_("This session has not taken place yet.")]})


def attendance_lock(*, by, session: Session) -> None:
    """Within the caller's transaction: lock the session's order and check that its attendance can be recorded
    (the spreadsheet import's write, so an order completed while the file was read takes none of it)."""
    _require_attendance(by, session)


@transaction.atomic
def attendance_mark(*, by, session: Session, worker: Worker, present: bool = True) -> bool:
    """Record one worker present at (or absent from) a session. Only workers on the order can attend. Whether
    anything changed."""
    _require_attendance(by, session)
    participant = session.order.participants.filter(worker=worker).first()
    if participant is None:
        raise ValidationError({"worker": [_("%(name)s is not on this order; put them on it first.")
                                          % {"name": worker.name}]})
    if present:
        try:
            with transaction.atomic():
                changed = Attendance.objects.get_or_create(session=session, participant=participant)[1]
        except IntegrityError:  # recorded at the same moment by someone else
            changed = False
    else:
        changed = bool(Attendance.objects.filter(session=session, participant=participant).delete()[0])
    if changed:
        audit_record(actor=by, action="training_order.attendance", obj=session.order,
                     organisation=session.order.organisation,
                     after={"session": session.pk, "worker": worker.pk, "present": present})
    return changed


@transaction.atomic
def attendance_set(*, by, session: Session, workers, among=None) -> tuple[int, int]:
    """The session's attendance as a whole, or of the workers ``among`` (ids: a page of the attendance page's
    ticks): exactly ``workers`` present. Refused whole if one is not on the order (or not among those).
    (added, removed)."""
    _require_attendance(by, session)
    workers = list(workers)
    participants = session.order.participants
    if among is not None:
        participants = participants.filter(worker_id__in=list(among))
    on_order = dict(participants.values_list("worker_id", "pk"))
    strangers = [w.name for w in workers if w.pk not in on_order]
    if strangers:
        raise ValidationError({"workers": [_("Not on this order: %(names)s.") % {"names": "、".join(strangers)}]})
    present = {on_order[w.pk] for w in workers}
    recorded = set(session.attendances.values_list("participant_id", flat=True))
    shown = session.attendances if among is None else session.attendances.filter(participant_id__in=on_order.values())
    removed = shown.exclude(participant_id__in=present).delete()[0]
    Attendance.objects.bulk_create([Attendance(session=session, participant_id=pk) for pk in present - recorded])
    added = len(present - recorded)
    if added or removed:
        audit_record(actor=by, action="training_order.attendance", obj=session.order,
                     organisation=session.order.organisation,
                     after={"session": session.pk, "present": len(present), "added": added, "removed": removed})
    return added, removed


def attendance_import(*, by, session: Session, upload) -> int:
    """The session's attendance from a spreadsheet (one row a worker present: identity number, name), all rows or
    none; each problem names its row and column (``imports.AttendanceImport``). How many were newly recorded."""
    with transaction.atomic():  # refused before the file is read; checked again under the lock when written
        _require_attendance(by, session)
    params = {"session": session.pk, "file_name": to_text(getattr(upload, "name", ""))[:200]}
    report = import_whole("training_attendance", by=by, source=upload, params=params)
    return report.created

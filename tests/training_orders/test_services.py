"""Each step of a training order and each bad input: a clear error naming the field, nothing half-written."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from tests.builders import workbook
from tests.training_orders.conftest import ELEVEN, NINE, NOON, TEN, TODAY
from yuanmeng.audit.models import AuditEntry
from yuanmeng.core.errors import PermissionDenied
from yuanmeng.notify.models import Message
from yuanmeng.orgs.roles import Role
from yuanmeng.training.skills import SkillCategory
from yuanmeng.training_orders import services
from yuanmeng.training_orders.models import Attendance, OrderEvent, Session, TrainingOrder

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The refusals are compared in English (the site's language is Chinese)."""
    with translation.override("en"):
        yield


def _field_errors(exc) -> dict:
    return exc.value.message_dict


def test_from_request_to_completed(orders, people, tree):
    order = orders.order()
    assert order.state == "requested" and order.requested_by == people.enterprise
    services.order_transition(by=people.district, order=order, action="accept")
    assert order.state == "accepted" and order.taken_by == tree.tianhe
    services.order_assign(by=people.district, order=order, school=tree.school, teachers=[orders.teacher])
    assert services.participants_add(by=people.enterprise, order=order, workers=orders.workers) == 3
    first = orders.session(order)
    second = orders.session(order, starts_at=datetime.time(14), ends_at=datetime.time(17))
    services.attendance_set(by=people.district, session=first, workers=orders.workers)
    services.attendance_mark(by=people.district, session=second, worker=orders.workers[0])
    services.order_transition(by=people.district, order=order, action="complete")
    order.refresh_from_db()
    assert (order.state, order.participant_count, order.minutes_total) == ("completed", 3, 3 * 120 + 180)
    assert sorted(order.participants.values_list("minutes", flat=True)) == [120, 120, 300]
    assert list(OrderEvent.objects.filter(order=order).values_list("action", flat=True)) == [
        "request", "accept", "complete"]
    actions = set(AuditEntry.objects.filter(object_id=str(order.pk), object_type="training_orders.trainingorder")
                  .values_list("action", flat=True))
    assert {"training_order.request", "training_order.accept", "training_order.assign", "training_order.schedule",
            "training_order.participants_add", "training_order.attendance", "training_order.complete"} <= actions
    subjects = list(Message.objects.filter(recipient=people.enterprise).values_list("subject_msgid", flat=True))
    assert "Training order accepted" in subjects and "Training completed" in subjects
    assert "Training session scheduled" in subjects


def test_decline_needs_a_reason_and_tells_the_enterprise(orders, people):
    order = orders.order()
    with pytest.raises(ValidationError) as exc:
        services.order_transition(by=people.district, order=order, action="decline", reason="  ")
    assert "reason" in _field_errors(exc)
    services.order_transition(by=people.district, order=order, action="decline", reason="本季度师资已排满")
    order.refresh_from_db()
    assert (order.state, order.decline_reason) == ("declined", "本季度师资已排满")
    assert Message.objects.filter(recipient=people.enterprise, subject_msgid="Training order declined").exists()


def test_accepting_twice_is_refused(orders, people):
    order = orders.order()
    stale = TrainingOrder.objects.get(pk=order.pk)
    services.order_transition(by=people.district, order=order, action="accept")
    with pytest.raises(ValidationError) as exc:
        services.order_transition(by=people.city, order=order, action="accept")
    assert _field_errors(exc)["action"] == ["This order has already been accepted."]
    with pytest.raises(ValidationError) as exc:  # read before the first acceptance: the conditional UPDATE refuses
        services.order_transition(by=people.city, order=stale, action="accept")
    assert _field_errors(exc)["action"] == ["This order has already been accepted."]
    assert OrderEvent.objects.filter(order=order, action="accept").count() == 1


@pytest.mark.parametrize("head_count", [0, -3, None, "5"])
def test_head_count_must_be_positive(orders, head_count):
    with pytest.raises(ValidationError) as exc:
        orders.order(head_count=head_count)
    assert "head_count" in _field_errors(exc)
    assert not TrainingOrder.objects.exists()


def test_bad_order_fields_are_named(orders):
    with pytest.raises(ValidationError) as exc:
        orders.order(topic=" ", skill_category="juggling", preferred_from=TODAY - datetime.timedelta(1),
                     preferred_to=TODAY - datetime.timedelta(3))
    assert set(_field_errors(exc)) == {"topic", "skill_category", "preferred_from", "preferred_to"}


def test_roles_the_workflow_allows(orders, people, tree):
    order = orders.order()
    with pytest.raises(PermissionDenied):  # the enterprise cannot accept its own order
        services.order_transition(by=people.enterprise, order=order, action="accept")
    with pytest.raises(PermissionDenied):  # another district
        services.order_transition(by=people.other_district, order=order, action="accept")
    with pytest.raises(PermissionDenied):  # another enterprise cannot order for this one
        services.order_request(by=tree.staff(Role.ENTERPRISE_OFFICER, tree.haizhu_firm.organisation),
                               organisation=tree.tianhe_firm.organisation, topic="x",
                               skill_category=SkillCategory.CNC, head_count=1)
    services.order_transition(by=people.enterprise, order=order, action="cancel")
    with pytest.raises(ValidationError):
        services.order_transition(by=people.district, order=order, action="accept")


def test_a_session_in_the_past_is_refused(orders):
    order = orders.accepted()
    with pytest.raises(ValidationError) as exc:
        orders.session(order, date=TODAY - datetime.timedelta(days=1))
    assert "date" in _field_errors(exc)
    assert not Session.objects.exists()


def test_a_session_today_starting_before_now_is_refused(orders, monkeypatch):
    order = orders.accepted()
    ten_past_ten = timezone.make_aware(datetime.datetime.combine(TODAY, datetime.time(10, 10)))
    monkeypatch.setattr(timezone, "now", lambda: ten_past_ten)
    with pytest.raises(ValidationError) as exc:
        orders.session(order, starts_at=TEN, ends_at=NOON)
    assert "has passed" in _field_errors(exc)["starts_at"][0]
    assert orders.session(order, starts_at=datetime.time(10, 30), ends_at=NOON).date == TODAY


def test_session_times_and_teacher_are_checked(orders, people, tree):
    order = orders.accepted()
    other = services.teacher_create(by=people.city, organisation=tree.city, name="未派老师")
    with pytest.raises(ValidationError) as exc:
        orders.session(order, starts_at=ELEVEN, ends_at=NINE, teacher=other)
    assert set(_field_errors(exc)) == {"teacher", "ends_at"}


def test_overlapping_sessions_for_the_same_teacher_are_refused(orders):
    order = orders.accepted()
    orders.session(order, starts_at=NINE, ends_at=ELEVEN)
    other_order = orders.accepted(topic="电气设备维护")
    with pytest.raises(ValidationError) as exc:
        orders.session(other_order, starts_at=TEN, ends_at=NOON)
    assert "王老师 already teaches from 09:00 to 11:00" in _field_errors(exc)["starts_at"][0]
    orders.session(other_order, starts_at=ELEVEN, ends_at=NOON)  # back to back is fine
    orders.session(other_order, date=TODAY + datetime.timedelta(1), starts_at=TEN, ends_at=NOON)
    assert Session.objects.count() == 3


def test_sessions_only_for_an_accepted_order(orders, people):
    order = orders.order()
    with pytest.raises(ValidationError):
        services.session_schedule(by=people.district, order=order, teacher=orders.teacher, date=TODAY,
                                  starts_at=NINE, ends_at=ELEVEN, venue="x")


def test_attendance_for_a_worker_not_on_the_order(orders, people, tree):
    order = orders.accepted()
    session = orders.session(order)
    stranger = tree.worker(name="外人")
    with pytest.raises(ValidationError) as exc:
        services.attendance_mark(by=people.district, session=session, worker=stranger)
    assert "外人 is not on this order" in _field_errors(exc)["worker"][0]
    with pytest.raises(ValidationError) as exc:
        services.attendance_set(by=people.district, session=session, workers=[orders.workers[0], stranger])
    assert "workers" in _field_errors(exc)
    assert not Attendance.objects.exists()


def test_attendance_waits_for_the_session_day(orders, people):
    order = orders.accepted()
    session = orders.session(order, date=TODAY + datetime.timedelta(days=2))
    with pytest.raises(ValidationError):
        services.attendance_mark(by=people.district, session=session, worker=orders.workers[0])
    with pytest.raises(ValidationError) as exc:
        services.order_transition(by=people.district, order=order, action="complete")
    assert "still to come" in _field_errors(exc)["action"][0]


def test_completing_without_attendance_is_refused(orders, people):
    order = orders.accepted()
    with pytest.raises(ValidationError):
        services.order_transition(by=people.district, order=order, action="complete")
    orders.session(order)
    with pytest.raises(ValidationError) as exc:
        services.order_transition(by=people.district, order=order, action="complete")
    assert _field_errors(exc)["action"] == ["No attendance has been recorded yet."]


def test_participants_are_the_enterprise_workers_within_the_head_count(orders, people, tree):
    order = orders.order(head_count=2)
    other = tree.worker(employer=tree.haizhu_firm, name="别家工人")
    with pytest.raises(ValidationError) as exc:
        services.participants_add(by=people.enterprise, order=order, workers=[other])
    assert "别家工人" in _field_errors(exc)["workers"][0]
    with pytest.raises(ValidationError) as exc:
        services.participants_add(by=people.enterprise, order=order, workers=orders.workers)
    assert "for 2 workers" in _field_errors(exc)["workers"][0]
    assert not order.participants.exists()
    assert services.participants_add(by=people.enterprise, order=order, workers=orders.workers[:2]) == 2
    assert services.participants_add(by=people.enterprise, order=order, workers=orders.workers[:1]) == 0


def test_attendance_from_a_spreadsheet(orders, people, tree):
    order = orders.accepted()
    session = orders.session(order)
    good = [[w.id_number, w.name] for w in orders.workers[:2]]
    stranger = tree.worker(name="外人")
    wrong_name = [orders.workers[2].id_number, "错名"]
    upload = workbook(["身份证号", "姓名"], [*good, [stranger.id_number, "外人"], wrong_name])
    with pytest.raises(ValidationError) as exc:
        services.attendance_import(by=people.district, session=session, upload=upload)
    problems = exc.value.message_dict["file"]
    assert any(p.startswith("row 4:") and "身份证号" in p and "not on the order" in p for p in problems)
    assert any(p.startswith("row 5:") and "姓名" in p for p in problems)
    assert not Attendance.objects.exists()
    assert services.attendance_import(by=people.district, session=session,
                                      upload=workbook(["身份证号", "姓名"], good)) == 2
    assert services.attendance_import(by=people.district, session=session,
                                      upload=workbook(["身份证号", "姓名"], good)) == 0  # the same file again
    assert session.attendances.count() == 2


def test_teacher_library(orders, people, tree):
    with pytest.raises(ValidationError) as exc:
        services.teacher_create(by=people.district, organisation=tree.tianhe, name="", specialities=["juggling"])
    assert set(_field_errors(exc)) == {"name", "specialities"}
    with pytest.raises(PermissionDenied):
        services.teacher_create(by=people.enterprise, organisation=tree.tianhe_firm.organisation, name="李老师")
    with pytest.raises(PermissionDenied):
        services.teacher_create(by=people.district, organisation=tree.haizhu, name="李老师")
    teacher = services.teacher_create(by=people.school, organisation=tree.school, name="李老师",
                                      specialities=[SkillCategory.WELDING])
    services.teacher_update(by=people.school, teacher=teacher, name="李老师", specialities=[SkillCategory.CNC],
                            is_active=False)
    teacher.refresh_from_db()
    assert (teacher.specialities, teacher.is_active) == ([SkillCategory.CNC], False)


def test_only_the_library_of_the_order_unions_and_school(orders, people, tree):
    order = orders.order()
    services.order_transition(by=people.district, order=order, action="accept")
    elsewhere = services.teacher_create(by=people.other_district, organisation=tree.haizhu, name="海珠老师")
    with pytest.raises(ValidationError) as exc:
        services.order_assign(by=people.district, order=order, school=None, teachers=[elsewhere])
    assert "海珠老师" in _field_errors(exc)["teachers"][0]
    with pytest.raises(ValidationError) as exc:
        services.order_assign(by=people.district, order=order, school=tree.tianhe, teachers=[orders.teacher])
    assert "school" in _field_errors(exc)


def test_work_read_before_the_order_was_completed_is_refused(orders, people, tree):
    """What a concurrent request read before the completion (the order, the session) takes no more workers or
    attendance: each service reads the order's state again under its lock."""
    order = orders.accepted(head_count=5)
    session = orders.session(order)
    stale_order = TrainingOrder.objects.get(pk=order.pk)
    stale_session = Session.objects.select_related("order__organisation").get(pk=session.pk)
    services.attendance_mark(by=people.district, session=session, worker=orders.workers[0])
    services.order_transition(by=people.district, order=order, action="complete")
    with pytest.raises(ValidationError):
        services.participants_add(by=people.enterprise, order=stale_order, workers=[tree.worker(name="迟到工人")])
    with pytest.raises(ValidationError):
        services.attendance_mark(by=people.district, session=stale_session, worker=orders.workers[1])
    with pytest.raises(ValidationError):
        services.attendance_set(by=people.district, session=stale_session, workers=orders.workers)
    stale_order = TrainingOrder.objects.get(pk=order.pk)
    stale_order.state = "accepted"
    with pytest.raises(ValidationError):
        orders.session(stale_order, date=TODAY + datetime.timedelta(days=1))
    with pytest.raises(ValidationError):
        services.attendance_import(by=people.district, session=stale_session,
                                   upload=workbook(["身份证号", "姓名"], [[orders.workers[1].id_number, "工人1"]]))
    assert (order.participants.count(), Attendance.objects.count(), order.sessions.count()) == (3, 1, 1)


def test_a_clash_names_the_other_order_only_to_those_who_may_read_it(orders, people, tree):
    secret = orders.accepted(topic="天河机密课题")
    orders.session(secret, starts_at=NINE, ends_at=ELEVEN)
    officer = tree.staff(Role.ENTERPRISE_OFFICER, tree.haizhu_firm.organisation)
    theirs = services.order_request(by=officer, organisation=tree.haizhu_firm.organisation, topic="叉车",
                                    skill_category=SkillCategory.ELECTRICAL, head_count=2)
    services.order_transition(by=people.other_district, order=theirs, action="accept")
    services.order_assign(by=people.other_district, order=theirs, school=None, teachers=[orders.teacher])
    for by, order, named in ((people.other_district, theirs, "another order"), (people.city, theirs, "天河机密课题")):
        with pytest.raises(ValidationError) as exc:
            services.session_schedule(by=by, order=order, teacher=orders.teacher, date=TODAY, starts_at=TEN,
                                      ends_at=NOON, venue="海珠")
        assert f"(“{named}”)" in _field_errors(exc)["starts_at"][0]


def test_a_new_school_brings_its_teachers_and_takes_the_old_schools_away(orders, people, tree):
    from yuanmeng.orgs.models import OrgKind
    from yuanmeng.orgs.services import organisation_create
    other = organisation_create(by=tree.root_user, kind=OrgKind.PROVIDER, code="GZ-P2", name="另一培训机构",
                                parent=tree.city)
    school_teacher = services.teacher_create(by=people.city, organisation=tree.school, name="甲校老师")
    order = orders.order()
    services.order_transition(by=people.district, order=order, action="accept")
    services.order_assign(by=people.district, order=order, school=tree.school, teachers=[school_teacher])
    for school in (other, None):
        with pytest.raises(ValidationError) as exc:
            services.order_assign(by=people.district, order=order, school=school, teachers=[school_teacher])
        assert "甲校老师" in _field_errors(exc)["teachers"][0]
    assert services.assignable_teacher_ids(order, other)[-1] == other.pk
    assert school_teacher.organisation_id not in services.assignable_teacher_ids(order, None)

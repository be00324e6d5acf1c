"""Places, courses, enrolments and learning hours through the services: each workflow and each bad input."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from yuanmeng.audit.models import AuditEntry
from yuanmeng.core.errors import PermissionDenied
from yuanmeng.orgs.roles import Role
from yuanmeng.training.models import (
    Course,
    CourseMode,
    CourseStatus,
    Enrolment,
    EnrolmentStatus,
    LearningRecord,
    Place,
    PlaceType,
)
from yuanmeng.training.services import (
    course_create,
    course_update,
    course_viewed,
    enrolment_create,
    learning_record_create,
    place_create,
    place_update,
)
from yuanmeng.training.skills import SkillCategory

pytestmark = pytest.mark.django_db


def _place_fields(**fields):
    return {"name": "石牌职工服务站", "place_type": PlaceType.SERVICE_STATION, "address": "天河区石牌东路1号",
            "latitude": 23.13, "longitude": 113.34, **fields}


def test_a_district_reviewer_adds_a_place_of_their_district_with_its_audit(tree):
    reviewer = tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe)
    place = place_create(by=reviewer, owner=tree.tianhe, opening_hours="周一至周五 9:00-18:00", **_place_fields())
    assert place.owner == tree.tianhe and place.latitude == 23.13
    assert AuditEntry.objects.filter(action="training.place_create", object_id=str(place.pk)).exists()


@pytest.mark.parametrize(("field", "value"), [("latitude", 90.5), ("latitude", -91), ("longitude", 181),
                                              ("longitude", -180.01), ("latitude", "north"),
                                              ("longitude", float("nan"))])
def test_coordinates_out_of_range_are_refused_by_field(tree, field, value):
    with pytest.raises(ValidationError) as refused:
        place_create(by=tree.root_user, owner=tree.tianhe, **_place_fields(**{field: value}))
    assert list(refused.value.message_dict) == [field]
    assert not Place.objects.exists()


def test_a_place_needs_a_name_and_an_address(tree):
    with pytest.raises(ValidationError) as refused:
        place_create(by=tree.root_user, owner=tree.tianhe, **_place_fields(name=" ", address=""))
    assert set(refused.value.message_dict) == {"name", "address"}


def test_another_districts_reviewer_may_not_add_or_change_a_place(tree, network):
    other = tree.staff(Role.DISTRICT_REVIEWER, tree.haizhu)
    with pytest.raises(PermissionDenied):
        place_create(by=other, owner=tree.tianhe, **_place_fields())
    with pytest.raises(PermissionDenied):
        place_update(by=other, place=network.centre, name="改名")


def test_an_enterprise_officer_may_not_manage_training(tree):
    officer = tree.staff(Role.ENTERPRISE_OFFICER, tree.tianhe_firm.organisation)
    with pytest.raises(PermissionDenied):
        place_create(by=officer, owner=tree.tianhe_firm.organisation, **_place_fields())


def test_a_place_update_records_only_what_changed(tree, network):
    place_update(by=tree.root_user, place=network.centre, opening_hours="每天 8:00-20:00", latitude=23.14)
    entry = AuditEntry.objects.filter(action="training.place_update").get()
    assert entry.after == {"opening_hours": "每天 8:00-20:00", "latitude": 23.14}


def test_a_course_takes_the_district_of_its_place_or_provider(tree, network):
    assert network.welding.district == tree.tianhe
    assert network.online.district == tree.tianhe
    school_course = course_create(by=tree.root_user, provider=tree.school, title="物流管理", hours=4,
                                  category=SkillCategory.LOGISTICS, mode=CourseMode.ONLINE,
                                  video_url="https://ou.example.cn/c/1")
    assert school_course.district is None  # the school sits under the city
    moved = course_update(by=tree.root_user, course=school_course, mode=CourseMode.OFFLINE, place=network.far)
    assert moved.district == tree.haizhu


@pytest.mark.parametrize(("fields", "field"), [
    ({"mode": CourseMode.OFFLINE}, "place"),
    ({"mode": CourseMode.LIVE}, "starts_at"),
    ({"mode": CourseMode.ONLINE}, "video_url"),
    ({"mode": CourseMode.ONLINE, "video_url": "https://x.cn/v", "hours": 0}, "hours"),
    ({"mode": CourseMode.ONLINE, "video_url": "https://x.cn/v", "capacity": 0}, "capacity"),
    ({"mode": CourseMode.ONLINE, "video_url": "https://x.cn/v", "category": "cooking"}, "category"),
    ({"mode": CourseMode.ONLINE, "video_url": "https://x.cn/v", "title": ""}, "title"),
])
def test_a_bad_course_is_refused_by_field(tree, fields, field):
    values = {"title": "数控车床编程", "category": SkillCategory.CNC, "hours": 6, **fields}
    with pytest.raises(ValidationError) as refused:
        course_create(by=tree.root_user, provider=tree.tianhe, **values)
    assert field in refused.value.message_dict
    assert not Course.objects.exists()


def test_a_live_class_ends_after_it_starts(tree):
    start = timezone.now() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        course_create(by=tree.root_user, provider=tree.tianhe, title="直播课", category=SkillCategory.DIGITAL,
                      hours=2, mode=CourseMode.LIVE, starts_at=start, ends_at=start - datetime.timedelta(hours=1))
    assert list(refused.value.message_dict) == ["ends_at"]


def test_a_worker_enrols_and_takes_a_seat(tree, network, people):
    enrolment = enrolment_create(by=people.applicant, worker=people.worker, course=network.welding)
    network.welding.refresh_from_db()
    assert network.welding.enrolled_count == 1 and enrolment.status == EnrolmentStatus.ENROLLED
    assert enrolment.learner_ref.startswith("L") and len(enrolment.learner_ref) == 17
    assert AuditEntry.objects.filter(action="training.enrol").exists()


def test_enrolling_twice_is_refused_and_takes_no_second_seat(tree, network, people):
    enrolment_create(by=people.applicant, worker=people.worker, course=network.welding)
    with pytest.raises(ValidationError) as refused:
        enrolment_create(by=people.applicant, worker=people.worker, course=network.welding)
    assert "已报名" in refused.value.message_dict["course"][0]
    network.welding.refresh_from_db()
    assert network.welding.enrolled_count == 1 and Enrolment.objects.count() == 1


def test_a_full_course_refuses_the_next_worker(tree, network):
    for name in ("张甲", "李乙"):
        worker = tree.member(name=name)
        enrolment_create(by=worker.user, worker=worker, course=network.welding)
    third = tree.member(name="王丙")
    with pytest.raises(ValidationError) as refused:
        enrolment_create(by=third.user, worker=third, course=network.welding)
    assert "名额已满（2 个名额）" in refused.value.message_dict["course"][0]
    network.welding.refresh_from_db()
    assert network.welding.enrolled_count == 2 and Enrolment.objects.count() == 2


def test_a_closed_course_refuses_enrolment(tree, network, people):
    course_update(by=tree.root_user, course=network.online, status=CourseStatus.CLOSED)
    with pytest.raises(ValidationError) as refused:
        enrolment_create(by=people.applicant, worker=people.worker, course=network.online)
    assert "停止报名" in refused.value.message_dict["course"][0]
    assert not Enrolment.objects.exists()


def test_an_ended_live_class_refuses_enrolment(tree, network, people):
    live = network.course(tree.tianhe, title="直播：叉车安全", category=SkillCategory.LOGISTICS, mode=CourseMode.LIVE,
                          starts_at=timezone.now() - datetime.timedelta(hours=3),
                          ends_at=timezone.now() - datetime.timedelta(hours=1))
    with pytest.raises(ValidationError) as refused:
        enrolment_create(by=people.applicant, worker=people.worker, course=live)
    assert "已结束" in refused.value.message_dict["course"][0]


def test_capacity_cannot_drop_below_the_enrolled(tree, network, people):
    enrolment_create(by=people.applicant, worker=people.worker, course=network.welding)
    enrolment_create(by=people.enterprise, worker=tree.member(name="李乙"), course=network.welding)
    with pytest.raises(ValidationError) as refused:
        course_update(by=tree.root_user, course=network.welding, capacity=1)
    assert list(refused.value.message_dict) == ["capacity"]


def test_staff_of_the_workers_union_may_enrol_them_others_may_not(tree, network, people):
    enrolment_create(by=people.enterprise, worker=people.worker, course=network.online)
    with pytest.raises(PermissionDenied):
        enrolment_create(by=people.other_district, worker=tree.member(name="李乙"), course=network.online)


def test_attendance_and_completion_record_learning_hours(tree, network, people):
    enrolment = enrolment_create(by=people.applicant, worker=people.worker, course=network.welding)
    learning_record_create(by=people.district, enrolment=enrolment, verb="attended", minutes=180)
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.minutes) == (EnrolmentStatus.ATTENDED, 180)
    learning_record_create(by=people.district, enrolment=enrolment, verb="completed", minutes=None)
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.minutes) == (EnrolmentStatus.COMPLETED, 8 * 60)  # the rest of 8 hours
    assert enrolment.completed_at is not None and enrolment.hours == 8.0
    assert LearningRecord.objects.filter(enrolment=enrolment).count() == 2


def test_learning_needs_minutes_within_a_day_and_a_manager(tree, network, people):
    enrolment = enrolment_create(by=people.applicant, worker=people.worker, course=network.welding)
    with pytest.raises(ValidationError) as refused:
        learning_record_create(by=tree.root_user, enrolment=enrolment, verb="attended", minutes=None)
    assert list(refused.value.message_dict) == ["minutes"]
    with pytest.raises(ValidationError):
        learning_record_create(by=tree.root_user, enrolment=enrolment, verb="attended", minutes=24 * 60 + 1)
    with pytest.raises(PermissionDenied):
        learning_record_create(by=people.other_district, enrolment=enrolment, verb="attended", minutes=60)
    with pytest.raises(PermissionDenied):
        learning_record_create(by=people.applicant, enrolment=enrolment, verb="completed", minutes=60)
    assert not LearningRecord.objects.exists()


def test_views_are_counted_without_losing_any(network):
    for _ in range(3):
        course_viewed(course=network.online)
    network.online.refresh_from_db()
    assert network.online.view_count == 3


def test_hours_keep_one_decimal(tree):
    course = course_create(by=tree.root_user, provider=tree.tianhe, title="养老护理",
                           category=SkillCategory.ELDERLY_CARE, hours="2.25", mode=CourseMode.ONLINE, video_url="https://x.cn/v")
    assert course.hours == Decimal("2.2")

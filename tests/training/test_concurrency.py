"""Seats under concurrent enrolments: the conditional UPDATE never lets a course take more than its capacity. One
xAPI statement sent twice at once: recorded once, both answered."""

import os
import time
import uuid

import pytest

from tests.builders import in_parallel
from yuanmeng.training import services
from yuanmeng.training.models import Course, CourseMode, Enrolment, LearningRecord
from yuanmeng.training.services import course_create, enrolment_create, xapi_statements_record
from yuanmeng.training.skills import SkillCategory
from yuanmeng.training.xapi import Statement

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not ON_POSTGRES, reason="concurrent transactions: PostgreSQL (SQLite has one writer)")
def test_twelve_workers_racing_for_five_seats(tree):
    course = course_create(by=tree.root_user, provider=tree.tianhe, title="叉车司机培训", hours=16,
                           category=SkillCategory.LOGISTICS, mode=CourseMode.ONLINE,
                           video_url="https://learn.example.cn/v/7", capacity=5)
    workers = [tree.member(name=f"学员{n:02d}") for n in range(12)]
    refusals = in_parallel([lambda w=worker: enrolment_create(by=w.user, worker=w, course=course)
                            for worker in workers])
    assert len(refusals) == 7 and all("course" in refusal.message_dict for refusal in refusals)  # five enrolled
    assert Course.objects.get(pk=course.pk).enrolled_count == 5 == Enrolment.objects.filter(course=course).count()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not ON_POSTGRES, reason="concurrent transactions: PostgreSQL (SQLite has one writer)")
def test_one_statement_sent_twice_at_once_is_recorded_once(tree, network, people, monkeypatch):
    enrolment = enrolment_create(by=people.applicant, worker=people.worker, course=network.online)
    statement = Statement(statement_id=uuid.uuid4(), learner_ref=enrolment.learner_ref, verb="progressed",
                          course_id=network.online.pk, minutes=90)
    real_audit = services.audit_record

    def slow_audit(**fields):  # the first record's transaction stays open while the second one writes
        time.sleep(0.5)
        return real_audit(**fields)

    monkeypatch.setattr(services, "audit_record", slow_audit)
    answers = []

    def send():
        answers.append(xapi_statements_record(by=people.district, statements=[statement]))

    assert in_parallel([send, send]) == []
    assert answers == [[statement.statement_id]] * 2
    assert LearningRecord.objects.filter(statement_id=statement.statement_id).count() == 1
    assert Enrolment.objects.get(pk=enrolment.pk).minutes == 90

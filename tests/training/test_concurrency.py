"""Seats under concurrent enrolments: the conditional UPDATE never lets a course take more than its capacity. One
xAPI statement sent twice at once: recorded once, both answered."""

import os
import threading
import time
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

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
    start, outcomes = threading.Barrier(len(workers)), []

    def enrol(worker):
        try:
            start.wait()
            enrolment_create(by=worker.user, worker=worker, course=course)
            outcomes.append("enrolled")
        except ValidationError as exc:
            outcomes.append(exc.message_dict["course"][0])
        finally:
            connection.close()

    threads = [threading.Thread(target=enrol, args=(worker,)) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("enrolled") == 5 and len(outcomes) == 12
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
    start, answers = threading.Barrier(2), []

    def send():
        try:
            start.wait()
            answers.append(xapi_statements_record(by=people.district, statements=[statement]))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [[statement.statement_id]] * 2
    assert LearningRecord.objects.filter(statement_id=statement.statement_id).count() == 1
    assert Enrolment.objects.get(pk=enrolment.pk).minutes == 90

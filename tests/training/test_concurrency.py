"""Seats under concurrent enrolments: the conditional UPDATE never lets a course take more than its capacity."""

import os
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from yuanmeng.training.models import Course, CourseMode, Enrolment
from yuanmeng.training.services import course_create, enrolment_create
from yuanmeng.training.skills import SkillCategory

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

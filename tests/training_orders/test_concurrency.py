"""Races that only PostgreSQL can show: two officers scheduling the same teacher at once, and two accepting the same
order at once. (SQLite's IMMEDIATE transactions take one writer at a time.)"""

import threading
import time

import pytest
from django.db import connection

from tests.builders import in_parallel
from tests.training_orders.conftest import ELEVEN, NINE, NOON, TEN, TODAY
from yuanmeng.training_orders import services
from yuanmeng.training_orders.models import Attendance, OrderEvent, Session, TrainingOrder

ON_POSTGRES = connection.vendor == "postgresql"
pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.skipif(not ON_POSTGRES, reason="a real race needs PostgreSQL")]


def test_one_teacher_scheduled_at_the_same_time_by_six_officers_teaches_once(orders, people):
    accepted = [orders.accepted(topic=f"课程{n}") for n in range(6)]
    times = [(NINE, ELEVEN), (TEN, NOON)] * 3  # every pair overlaps

    def schedule(order, starts_at, ends_at):
        return lambda: services.session_schedule(by=people.district, order=order, teacher=orders.teacher, date=TODAY,
                                                 starts_at=starts_at, ends_at=ends_at, venue="培训中心")

    refusals = in_parallel([schedule(order, *time) for order, time in zip(accepted, times, strict=True)])
    assert len(refusals) == 5 and all("starts_at" in r.message_dict for r in refusals)
    assert Session.objects.filter(teacher=orders.teacher).count() == 1


def test_an_order_accepted_at_once_by_two_unions_is_accepted_once(orders, people):
    order = orders.order()
    refusals = in_parallel([
        lambda by=by: services.order_transition(by=by, order=order, action="accept")
        for by in (people.district, people.city, people.district, people.city)])
    assert len(refusals) == 3
    assert OrderEvent.objects.filter(order=order, action="accept").count() == 1


def test_attendance_saved_while_the_order_is_completed_is_counted_or_refused(orders, people, monkeypatch):
    """The completion waits for attendance being saved (the order's row lock) and counts it; attendance saved
    after it is refused: never a completed order whose totals leave out recorded attendance."""
    order = orders.accepted()
    session = orders.session(order)
    services.attendance_mark(by=people.district, session=session, worker=orders.workers[0])
    saving, real_audit = threading.Event(), services.audit_record

    def slow_audit(**fields):  # the attendance is written and its transaction still open when the completion runs
        if fields["action"] == "training_order.attendance":
            saving.set()
            time.sleep(1)
        return real_audit(**fields)

    monkeypatch.setattr(services, "audit_record", slow_audit)

    def save_attendance():
        stale = Session.objects.select_related("order__organisation").get(pk=session.pk)
        services.attendance_set(by=people.district, session=stale, workers=orders.workers)

    def complete():
        saving.wait(5)
        services.order_transition(by=people.district, order=TrainingOrder.objects.get(pk=order.pk),
                                  action="complete")

    assert in_parallel([save_attendance, complete]) == []
    order.refresh_from_db()
    assert (order.state, order.participant_count, Attendance.objects.filter(session=session).count()) == (
        "completed", 3, 3)

"""Training orders well past a city's size (issue 14; Sanming reports 137 sessions and 7,400 workers a year): N orders
of 50 enterprises in 11 districts, each with a three-hour session and three workers present, and what the unions
read — the first page of the orders list with its capped count (district reviewer, city administrator, an
enterprise officer) and the training report of the city by district, enterprise and skill category — each a median
of repeats, with the PostgreSQL plan of the district's page.

    .venv/bin/python bench/bench_training_orders.py --orders 300000 --postgres
    .venv/bin/python bench/bench_training_orders.py --orders 300                 # SQLite

The orders, sessions, participants and attendance are written with bulk_create, as the data set, not through the
services (which the tests cover). Asserts nothing.
"""

import argparse
import datetime
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.bench_foundation import City, configure, generate_workers, timed  # noqa: E402
from bench.common import figure  # noqa: E402

BENCH = "training_orders"
WORKERS_PER_FIRM = 3


def build(count: int):
    from django.utils import timezone

    from yuanmeng.orgs.roles import Role
    from yuanmeng.people.models import Worker
    from yuanmeng.training.skills import SkillCategory
    from yuanmeng.training_orders.models import Attendance, Participant, Session, Teacher, TrainingOrder

    city = City()
    generate_workers(city, len(city.firms) * WORKERS_PER_FIRM)
    admin = city.tree.staff(Role.CITY_ADMIN, city.tree.city)
    teacher = Teacher.objects.create(organisation=city.tree.city, name="王老师")
    workers = {}
    for worker_id, employer_id in Worker.objects.values_list("pk", "employer_id"):
        workers.setdefault(employer_id, []).append(worker_id)
    skills, today = SkillCategory.values, timezone.localdate()
    for start in range(0, count, 5000):
        firms = [city.firms[n % len(city.firms)] for n in range(start, min(start + 5000, count))]
        orders = TrainingOrder.objects.bulk_create(TrainingOrder(
            organisation_id=firm.organisation_id, requested_by=admin, topic="安全生产培训",
            skill_category=skills[n % len(skills)], head_count=WORKERS_PER_FIRM, state="completed",
            taken_by=city.tree.city) for n, firm in enumerate(firms, start=start))
        sessions = Session.objects.bulk_create(Session(
            order=order, teacher=teacher, date=today - datetime.timedelta(days=order.pk % 300),
            starts_at=datetime.time(9), ends_at=datetime.time(12), minutes=180, venue="培训室") for order in orders)
        participants = Participant.objects.bulk_create(
            Participant(order=order, worker_id=worker_id, minutes=180)
            for order, firm in zip(orders, firms, strict=True) for worker_id in workers[firm.pk])
        by_order = {}
        for participant in participants:
            by_order.setdefault(participant.order_id, []).append(participant)
        Attendance.objects.bulk_create(Attendance(session=session, participant=participant)
                                       for session in sessions for participant in by_order[session.order_id])
    return city, admin


def page_plan(user) -> str:
    from django.db import connection

    from yuanmeng.training_orders.selectors import order_list

    sql, params = order_list(user=user)[:25].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    configure(args.postgres, quick_passwords=True)
    from django.db import connection
    from django.utils import timezone

    from yuanmeng.core.pages import count_up_to
    from yuanmeng.orgs.roles import Role
    from yuanmeng.training_orders.selectors import order_list, training_report

    city, admin = build(args.orders)
    if connection.vendor == "postgresql":  # the statistics autovacuum would gather after such an insert
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    users = {"district reviewer": city.tree.staff(Role.DISTRICT_REVIEWER, city.tree.tianhe),
             "city administrator": admin,
             "enterprise officer": city.tree.staff(Role.ENTERPRISE_OFFICER, city.tree.tianhe_firm.organisation)}
    size = f"{args.orders:,} orders, {args.orders * WORKERS_PER_FIRM:,} attendances, {connection.vendor}"
    print(f"built {size}; load {os.getloadavg()[0]:.1f}", flush=True)
    for who, user in users.items():
        figure(BENCH, f"{who}: orders list, first page", timed(lambda user=user: list(order_list(user=user)[:25]),
                                                                 args.repeat), "ms", size=size)
        figure(BENCH, f"{who}: orders list, capped count", timed(
            lambda user=user: count_up_to(order_list(user=user), 10_000), args.repeat), "ms", size=size)
    today = timezone.localdate()
    for group_by in ("district", "enterprise", "skill_category"):
        figure(BENCH, f"city report by {group_by}, last twelve months", timed(
            lambda group_by=group_by: training_report(user=admin, organisation=city.tree.city, group_by=group_by,
                                                      since=today - datetime.timedelta(days=365), until=today),
            args.repeat), "ms", size=size)
    if connection.vendor == "postgresql":
        print(page_plan(users["district reviewer"]), flush=True)


if __name__ == "__main__":
    main()

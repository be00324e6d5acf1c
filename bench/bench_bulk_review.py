"""Bulk review decisions at scale: a district reviewer passes N confirmed applications at once.

    .venv/bin/python bench/bench_bulk_review.py --applications 10000 --postgres
    .venv/bin/python bench/bench_bulk_review.py --applications 10000          # SQLite

Builds a fresh database (as bench_payouts.py does), inserts N + OLD applications in the state ``confirmed``, then
times the set-based decision (``applications_bulk_transition``: one read, then one history INSERT, one messages
INSERT and one UPDATE, and one audit entry) over the N, and the old row-by-row path (``application_transition``
once an application, each with its own history row, audit entry and message) over OLD of them; prints both and
their ratio per application. Asserts nothing.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.bench_foundation import City, configure  # noqa: E402
from bench.bench_payouts import insert_applications  # noqa: E402
from bench.common import figure  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--applications", type=int, default=10_000)
    parser.add_argument("--old", type=int, default=500, help="applications decided one by one (the old path)")
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    configure(args.postgres, quick_passwords=True)

    from django.db import connection

    from yuanmeng.accounts.services import staff_user_create
    from yuanmeng.applications.models import Application
    from yuanmeng.applications.services import application_transition, applications_bulk_transition
    from yuanmeng.applications.workflow import Action, State
    from yuanmeng.orgs.roles import Role
    from yuanmeng.orgs.services import membership_grant

    city = City()
    policy = city.tree.policy()
    n, old = args.applications, args.old
    insert_applications(city, policy, n + old)
    Application.objects.filter(policy=policy).update(state=State.CONFIRMED)
    if connection.vendor == "postgresql":  # statistics as autovacuum would have them (not every row "verified")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE applications_application")
    reviewer = staff_user_create(by=city.tree.root_user, username="bench-reviewer", password="bench-password-2026",
                                 display_name="bench", organisation=city.districts[0], role=Role.DISTRICT_REVIEWER)
    for district in city.districts[1:]:  # one reviewer over every district, so that all N are in scope
        membership_grant(by=city.tree.root_user, user=reviewer, organisation=district, role=Role.DISTRICT_REVIEWER)
    ids = list(Application.objects.filter(policy=policy).order_by("id").values_list("id", flat=True))
    print(f"database: {connection.vendor}; inserted {n + old:,} confirmed applications")

    started = time.perf_counter()
    result = applications_bulk_transition(by=reviewer, ids=ids[:n], action=Action.REVIEW)
    bulk = time.perf_counter() - started
    print(f"set-based: {len(result.done):,} reviewed, {len(result.failed)} refused in {bulk:.2f} s "
          f"({len(result.done) / bulk:,.0f} applications/s)")

    started = time.perf_counter()
    for application in Application.objects.filter(pk__in=ids[n:]).select_related("worker", "policy", "organisation"):
        application_transition(by=reviewer, application=application, action=Action.REVIEW)
    one_by_one = time.perf_counter() - started
    print(f"row by row (the old path): {old:,} reviewed in {one_by_one:.2f} s ({old / one_by_one:,.0f} "
          f"applications/s; {one_by_one / old * n:,.1f} s for {n:,} at that pace)")
    print(f"ratio per application: set-based is {(one_by_one / old) / (bulk / n):,.0f}x faster")
    figure("bulk_review", "review decisions, set-based", len(result.done) / bulk, "applications/s",
           reference=old / one_by_one, reference_what="row by row (the old path)",
           size=f"{n:,} + {old:,} applications, {connection.vendor}")


if __name__ == "__main__":
    main()

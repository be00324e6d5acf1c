"""The home page's work waiting at scale: the bounded counts over N applications.

    .venv/bin/python bench/bench_home.py --applications 1000000 --postgres
    .venv/bin/python bench/bench_home.py --applications 100000          # SQLite

Builds a fresh database (as bench_payouts.py does: N applications in 11 districts, 50 enterprises), spreads them
over the review states (a fifth each: submitted, confirmed, reviewed, diploma submitted, diploma verified), then
times ``work_cards`` for a district reviewer, a city administrator and a province viewer's summary, then the area
summary of the district reviewer and the city administrator after a stats refresh (itself timed), and prints the
query plan of the district reviewer's review count on PostgreSQL. Prints figures; asserts nothing.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.bench_foundation import City, configure, timed  # noqa: E402
from bench.bench_payouts import insert_applications  # noqa: E402
from bench.common import figure  # noqa: E402

STATES = ("submitted", "confirmed", "reviewed", "diploma_submitted", "diploma_verified")


def spread_states() -> None:
    """A fifth of the applications in each review state, the oldest first in none (ids interleave)."""
    from django.db import connection

    case = "CASE " + " ".join(f"WHEN id % 5 = {k} THEN '{state}'" for k, state in enumerate(STATES)) + " END"
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE applications_application SET state = {case}")
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    configure(args.postgres, quick_passwords=True)

    from django.db import connection

    from yuanmeng.applications.selectors import waiting_applications
    from yuanmeng.orgs.roles import Role
    from yuanmeng.stats.services import stats_refresh
    from yuanmeng.web.home import area_summary, child_summary, work_cards

    city = City()
    policy = city.tree.policy()
    started = time.perf_counter()
    insert_applications(city, policy, args.applications)
    spread_states()
    print(f"database: {connection.vendor}; {args.applications:,} applications in "
          f"{time.perf_counter() - started:.1f} s")
    size = f"{args.applications:,} applications, {connection.vendor}"
    reviewer = city.tree.staff(Role.DISTRICT_REVIEWER, city.tree.tianhe)
    admin = city.tree.staff(Role.CITY_ADMIN, city.tree.city)
    viewer = city.tree.staff(Role.VIEWER, city.tree.province)
    for name, user in (("district reviewer", reviewer), ("city administrator", admin)):
        cards = work_cards(user)
        figure("home", f"{name}: work_cards (median of 5)", timed(lambda u=user: work_cards(u), repeat=5), "ms",
               size=size)
        print("  " + ", ".join(f"{card.label} {card.waiting.shown}" for card in cards))
    figure("home", "province viewer: child_summary (median of 5)",
           timed(lambda: child_summary(viewer, city.tree.province), 5), "ms", size=size)
    figure("home", "stats refresh (every rollup, once)", timed(stats_refresh, 1), "ms", size=size)
    for name, user, root in (("district reviewer", reviewer, city.tree.tianhe),
                             ("city administrator", admin, city.tree.city)):
        figure("home", f"{name}: area_summary (median of 5)",
               timed(lambda u=user, r=root: area_summary(u, r), 5), "ms", size=size)
    if connection.vendor == "postgresql":
        qs = waiting_applications(user=reviewer, key="review").order_by("submitted_at", "pk").values_list(
            "submitted_at", flat=True)[:1001]
        print(qs.explain(analyze=True))


if __name__ == "__main__":
    main()

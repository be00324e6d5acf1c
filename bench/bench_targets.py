"""Targets at scale: progress read from the rollups against the direct counts it replaces.

    .venv/bin/python bench/bench_targets.py --applications 1000000 --postgres
    .venv/bin/python bench/bench_targets.py --applications 100000          # SQLite

Builds a fresh database (as bench_payouts.py does: N applications in 11 districts, 50 enterprises), marks a third
of them paid and every other worker a migrant, refreshes the rollups, sets the national 2030 targets (workers
helped, of whom migrants) with shares down to the city and a district, then times ``progress_for`` of the national
union, the city and the district beside the direct counts of paid applications (and migrants among them) in each
subtree over the targets' years — what the page would run without the rollups. Prints figures; asserts nothing.
"""

import argparse
import datetime
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.bench_foundation import City, configure, timed  # noqa: E402
from bench.bench_payouts import insert_applications  # noqa: E402
from bench.common import figure  # noqa: E402


def pay_a_third() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("UPDATE applications_application SET state = 'paid' WHERE id % 3 = 0")
        cursor.execute("UPDATE people_worker SET is_migrant_worker = (id % 2 = 0)")
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")


def direct_counts(organisation, first: int, last: int) -> tuple[int, int]:
    """Paid applications of the subtree over the years, and the migrants among them: the two counts a target page
    would run per organisation without the rollups."""
    from django.db.models import Count, Q

    from yuanmeng.applications.models import Application
    from yuanmeng.orgs.scoping import within

    counts = Application.objects.filter(within("organisation__path", [organisation.path]), state="paid",
                                        policy__year__range=(first, last)).aggregate(
        paid=Count("id"), migrants=Count("id", filter=Q(worker__is_migrant_worker=True)))
    return counts["paid"], counts["migrants"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    configure(args.postgres, quick_passwords=True)

    from django.db import connection

    from yuanmeng.orgs.roles import Role
    from yuanmeng.stats.models import Measure
    from yuanmeng.stats.services import stats_refresh
    from yuanmeng.stats.target_services import target_set, target_share_allocate
    from yuanmeng.stats.targets import progress_for

    city = City()
    tree = city.tree
    policy = tree.policy()
    started = time.perf_counter()
    insert_applications(city, policy, args.applications)
    pay_a_third()
    print(f"database: {connection.vendor}; {args.applications:,} applications in "
          f"{time.perf_counter() - started:.1f} s")
    size = f"{args.applications:,} applications, {connection.vendor}"
    figure("targets", "stats refresh (every rollup, once)", timed(stats_refresh, 1), "ms", size=size)
    national_viewer = tree.staff(Role.VIEWER, tree.national)
    city_admin = tree.staff(Role.CITY_ADMIN, tree.city)
    for measure, value in ((Measure.WORKERS_PAID, 3_000_000), (Measure.MIGRANTS_PAID, 2_000_000)):
        national = target_set(by=national_viewer, organisation=tree.national, measure=measure, start_year=2024,
                              end_year=2030, value=value)
        province = target_share_allocate(by=national_viewer, target=national, organisation=tree.province,
                                         value=value // 10)
        city_share = target_share_allocate(by=national_viewer, target=province, organisation=tree.city,
                                           value=value // 50)
        target_share_allocate(by=city_admin, target=city_share, organisation=tree.tianhe, value=value // 500)
    on = datetime.date(2026, 6, 30)
    for name, user, organisation in (("national", national_viewer, tree.national), ("city", city_admin, tree.city),
                                     ("district", city_admin, tree.tianhe)):
        progress = progress_for(user=user, organisation=organisation, on=on)
        assert [item.done for item in progress] == list(direct_counts(organisation, 2024, 2026)), name
        figure("targets", f"{name}: progress_for, two targets (median of {args.repeat})",
               timed(lambda u=user, o=organisation: progress_for(user=u, organisation=o, on=on), args.repeat), "ms",
               reference=timed(lambda o=organisation: direct_counts(o, 2024, 2026), args.repeat),
               reference_what="direct counts over the applications", size=size)


if __name__ == "__main__":
    main()

"""The yearly report's PDF: how long assembling and laying it out take, by the number of child organisations (what
sets its length: a row per child in two tables), to set the size above which it is made by the background worker
(``stats.report.INLINE_CHILDREN``, decision 0018).

    .venv/bin/python bench/bench_report.py --applications 100000 --children 10 60 300 --postgres
    .venv/bin/python bench/bench_report.py --applications 1000 --children 10 60       # SQLite

Builds the payout benchmark's city (11 districts, 50 enterprises) with N verified applications and a budget, refreshes
the rollups, then for the city (11 children) and for an organisation with each number of children asked: the
median of ``report_assemble`` (the figures from the rollups), of ``report_pdf`` (WeasyPrint) and the PDF's size.
Prints figures; asserts nothing.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.bench_foundation import City, configure, timed  # noqa: E402
from bench.bench_payouts import PER_WORKER_FEN, insert_applications  # noqa: E402
from bench.common import figure  # noqa: E402


def with_children(tree, count: int):
    """A district union under the city with ``count`` enterprise-like street unions below it."""
    from yuanmeng.orgs.models import OrgKind
    from yuanmeng.orgs.services import organisation_create

    parent = organisation_create(by=tree.root_user, kind=OrgKind.DISTRICT, code=f"B{count}",
                                 name=f"{count} 个下级的区总工会", parent=tree.city)
    for i in range(count):
        organisation_create(by=tree.root_user, kind=OrgKind.STREET, code=f"B{count}-{i}", name=f"第{i}街道总工会",
                            parent=parent)
    return parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--children", type=int, nargs="*", default=[10, 60, 300])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    configure(args.postgres, quick_passwords=True)

    from django.db import connection

    from yuanmeng.funds.models import FundSource
    from yuanmeng.funds.services import budget_create
    from yuanmeng.stats.report import report_assemble
    from yuanmeng.stats.report_pdf import report_pdf
    from yuanmeng.stats.services import stats_refresh

    city = City()
    policy = city.tree.policy()
    insert_applications(city, policy, args.applications)
    budget_create(by=city.tree.root_user, organisation=city.tree.city, year=policy.year, source=FundSource.SPECIAL,
                  name="bench", amount_fen=PER_WORKER_FEN * args.applications)
    organisations = [("the city", city.tree.city)] + [
        (f"{count} children", with_children(city.tree, count)) for count in args.children]
    started = time.perf_counter()
    stats_refresh()
    print(f"database: {connection.vendor}; {args.applications:,} applications; refresh "
          f"{time.perf_counter() - started:.1f} s")
    size = f"{args.applications:,} applications, {connection.vendor}"
    user = city.tree.root_user
    for label, organisation in organisations:
        report = report_assemble(user=user, organisation_id=organisation.pk, year=policy.year)
        pdf = report_pdf(report)
        figure("report", f"{label}: assemble", timed(lambda o=organisation: report_assemble(
            user=user, organisation_id=o.pk, year=policy.year), args.repeat), "ms", size=size)
        figure("report", f"{label}: PDF laid out", timed(lambda r=report: report_pdf(r), args.repeat), "ms",
               size=f"{size}, {len(pdf) // 1024} KiB")


if __name__ == "__main__":
    main()

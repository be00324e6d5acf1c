"""The lottery at scale: freeze, draw and verify over N verified applications.

    .venv/bin/python bench/bench_lottery.py --applications 1000000            # SQLite
    .venv/bin/python bench/bench_lottery.py --applications 1000000 --postgres

Builds a fresh database with N verified applications (bench_payouts' set-based insert), announces a lottery
round funding about 88% of them, then times: the freeze (one INSERT … SELECT of the entries and the list's
SHA-256 streamed in Python), the draw (the ranked SQL ordered by SHA-256(seed ‖ reference) — PostgreSQL's
sha256(), SQLite's through the function the app registers — and the round's commit), and `yuanmeng lottery
verify` (every key recomputed in Python). Prints figures and the peak RSS; asserts nothing.
"""

import argparse
import datetime
import resource
import sys
import time
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.bench_foundation import City, configure  # noqa: E402
from bench.bench_payouts import PER_WORKER_FEN, insert_applications  # noqa: E402
from bench.common import figure  # noqa: E402


def _timed(label: str, work, size: str):
    started = time.perf_counter()
    result = work()
    figure("lottery", label, time.perf_counter() - started, "s", size=size)
    print(f"  peak RSS so far {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    configure(args.postgres, quick_passwords=True)

    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from yuanmeng.funds.models import FundSource
    from yuanmeng.funds.services import budget_create
    from yuanmeng.payouts import services

    city = City()
    by = city.tree.root_user
    second = city.tree.staff("city_admin", city.tree.city)
    policy = city.tree.policy(selection="lottery")
    n = args.applications
    size = f"{n:,} applications, {connection.vendor}"
    _timed("insert the verified applications", lambda: insert_applications(city, policy, n), size)
    budget = budget_create(by=by, organisation=city.tree.city, year=policy.year, source=FundSource.SPECIAL,
                           name="bench", amount_fen=PER_WORKER_FEN * n)
    seed_date = timezone.localdate() + datetime.timedelta(days=1)
    draw = services.lottery_announce(by=by, policy=policy, budget=budget, code="BENCH-L1",
                                     limit_fen=PER_WORKER_FEN * (n * 88 // 100), seed_source="bench",
                                     seed_date=seed_date)
    draw = _timed("freeze the candidates (entries + SHA-256)", lambda: services.lottery_freeze(by=by, draw=draw),
                  size)
    with mock.patch.object(timezone, "localdate", lambda *a, **k: seed_date):
        services.lottery_seed_enter(by=by, draw=draw, values="3 7 12 19 25 33 + 9")
        draw = services.lottery_seed_confirm(by=second, draw=draw, values="3 7 12 19 25 33 + 9")
    round_ = _timed("draw (order, cut, commit the round, winners' places)",
                    lambda: services.lottery_draw(by=by, draw=draw), size)
    print(f"  {round_.funded_count:,} lines in {round_.batches.count()} batches")
    _timed("yuanmeng lottery verify", lambda: call_command("lottery", "verify", "BENCH-L1"), size)


if __name__ == "__main__":
    main()

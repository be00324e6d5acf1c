"""The national data set: how fast `yuanmeng seed national` writes it.

    .venv/bin/python bench/bench_seed.py --workers 3000000 --applications 1000000 --postgres
    .venv/bin/python bench/bench_seed.py --workers 2000                                  # SQLite

Builds a fresh database (as bench_foundation.py does) and runs the command in this process; prints the rows it
wrote per second (workers, applications and their history; every number encrypted for real).
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.bench_foundation import configure  # noqa: E402
from bench.common import figure  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=3_000_000)
    parser.add_argument("--applications", type=int, default=None, help="default: a third of the workers")
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    configure(args.postgres)

    from django.db import connection

    from yuanmeng.demo.national import build_national

    size = f"{args.workers:,} workers, {connection.vendor}"
    started = time.perf_counter()
    result = build_national(workers=args.workers, applications=args.applications,
                            progress=lambda step: print(f"… {step}", flush=True))
    elapsed = time.perf_counter() - started
    rows = result.workers + result.applications + result.events
    print(f"seed national: {result.workers:,} workers, {result.applications:,} applications, {result.events:,} "
          f"history rows in {elapsed:.1f} s")
    figure("seed", "seed national, whole set", elapsed, "s", size=size)
    figure("seed", "seed national, workers + applications + history", rows / elapsed, "rows/s", size=size)


if __name__ == "__main__":
    main()

"""Every benchmark still runs: each at a tiny size, in its own process, on the database of this test run.

The figures they print are not checked (speed is read from full-size runs, never asserted); only that they run
to the end and print their figures.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")
SUITE_DB = f"yuanmeng_bench_suite_{os.getpid()}"

BENCHMARKS = [
    ("bench_foundation.py", ["--workers", "300", "--registrations", "20", "--audit-entries", "200"],
     "generated 300 workers"),
    ("bench_payouts.py", ["--applications", "300"], "inserted 300 verified applications"),
    ("bench_lottery.py", ["--applications", "300"], "lottery verify"),
    ("bench_imports.py", ["--rows", "300", "--peer", "both", "--peer-rows", "300"], "engine speed / DIE bulk"),
    ("bench_bulk_review.py", ["--applications", "300", "--old", "10"], "ratio per application"),
    ("bench_home.py", ["--applications", "300"], "city administrator: area_summary"),
    ("bench_logins.py", ["--logins", "20", "--old-logins", "2", "--pbkdf2-checks", "1"], "log-ins per second"),
    ("bench_api.py", ["--applications", "300", "--seconds", "1", "--connections", "2"],
     "register, 2 connections: server CPU a request"),
    ("bench_seed.py", ["--workers", "300"], "seed national, workers + applications + history"),
    ("bench_pages.py", ["--applications", "300", "--workers", "400", "--repeat", "1"], "reviewer: review queue"),
    ("bench_stats.py", ["--workers", "900", "--applications", "300", "--repeat", "1"],
     "district: intake counted directly"),
    ("bench_report.py", ["--applications", "300", "--children", "3", "--repeat", "1"], "3 children: PDF laid out"),
    ("bench_surveys.py", ["--responses", "300", "--repeat", "1"], "survey results"),
    ("bench_training_orders.py", ["--orders", "300", "--repeat", "1"], "city report by district"),
    ("bench_training.py", ["--rows", "300", "--enrolments", "5", "--repeat", "1"], "enrolments through the service"),
    ("bench_targets.py", ["--applications", "300", "--repeat", "1"], "district: progress_for"),
]


@pytest.fixture(scope="module")
def migrated_template(tmp_path_factory):
    """One migrated database that every benchmark copies (``YUANMENG_BENCH_TEMPLATE``) instead of migrating its own."""
    var = tmp_path_factory.mktemp("bench-template")
    env = {**os.environ, "YUANMENG_VAR": str(var)}
    if ON_POSTGRES:
        name = f"yuanmeng_bench_template_{os.getpid()}"
        _postgres(f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}")
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
    else:
        env.pop("DATABASE_URL", None)
        name = str(var / "yuanmeng.sqlite3")
    subprocess.run([str(Path(sys.executable).parent / "yuanmeng"), "migrate", "-v0"], env=env, check=True)
    yield name
    if ON_POSTGRES:  # the template, and the database the benchmarks built in turn
        _postgres(f"DROP DATABASE IF EXISTS {name}", f"DROP DATABASE IF EXISTS {SUITE_DB}")


def _postgres(*statements: str) -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


@pytest.mark.parametrize(("script", "args", "figure"), BENCHMARKS, ids=[b[0] for b in BENCHMARKS])
def test_benchmark_runs_at_a_tiny_size(script, args, figure, tmp_path, migrated_template):
    env = {**os.environ, "YUANMENG_VAR": str(tmp_path), "YUANMENG_BENCH_DB": SUITE_DB,
           "YUANMENG_BENCH_TEMPLATE": migrated_template}
    env.pop("DATABASE_URL", None)
    command = [sys.executable, str(ROOT / "bench" / script), *args, *(["--postgres"] if ON_POSTGRES else [])]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    assert figure in done.stdout, done.stdout[-2000:]

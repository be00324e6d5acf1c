"""Payout planning at scale: simulate and commit a round over N verified applications.

    .venv/bin/python bench/bench_payouts.py --applications 1000000 --postgres [--explain]
    .venv/bin/python bench/bench_payouts.py --applications 100000          # SQLite

Builds a fresh database (PostgreSQL database `$YUANMENG_BENCH_DB`, else `yuanmeng_bench`, or a temporary SQLite
file), inserts N verified applications with set-based SQL (every worker shares one encrypted bank-account token:
the planner only reads its masked copy and copies the ciphertext as it is; every 100th worker has no account),
then times a round funding about 88% of them (the Guangzhou ratio, 4,400 of 5,000):

- the simulation beside one hand-written SQL statement that gives the same answer (`reference_sql`: the summary
  by group, area and level, the first 20 left out, the applicants without a usable account), best of three each,
  interleaved; it stops if their funded count, totals or left-out lists differ;
- the commit: seconds, lines per second and, on PostgreSQL, the WAL written meanwhile (`pg_current_wal_lsn()`
  before and after: the whole server's, so read it on an otherwise idle server).

`--explain` prints the simulation statement's EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL. With --matching, 天河
district tops its workers up by 500 yuan from a budget that covers half of them (the simulation then runs the
top-up as the commit does, and only the city amounts are compared with the reference). Each figure goes through
`bench.common.figure`. Asserts nothing about speed.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.bench_foundation import City, configure  # noqa: E402
from bench.common import figure  # noqa: E402

PER_WORKER_FEN = 150_000


def insert_applications(city, policy, n: int, *, without_account_every: int = 0) -> None:
    """Workers and their verified applications in two INSERT … SELECT statements over a number series; with
    ``without_account_every`` k, every k-th worker has no bank account on file (a round skips them)."""
    from django.db import connection

    from yuanmeng.core.crypto import encrypt

    token = encrypt("6222020200112233445")
    firm_ids = [f.organisation_id for f in city.firms]
    employer_ids = [f.pk for f in city.firms]
    area = city.tree.tianhe.pk
    series = ("generate_series(1, %s) AS g(i)" if connection.vendor == "postgresql" else
              "(WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < %s) SELECT i FROM s) g")
    pick = f"(g.i %% {len(employer_ids)})"
    employer_case = "CASE " + " ".join(f"WHEN {pick} = {k} THEN {v}" for k, v in enumerate(employer_ids)) + " END"
    org_case = "CASE " + " ".join(f"WHEN {pick} = {k} THEN {v}" for k, v in enumerate(firm_ids)) + " END"
    every = without_account_every or n + 1  # n + 1: none
    with connection.cursor() as cursor:
        cursor.execute(f"""
            INSERT INTO people_worker (name, document_type, id_number, id_number_index, id_number_masked, birth_date,
                sex, mobile,
                employer_id, job_category, is_migrant_worker, is_new_employment_form, model_worker_level,
                labour_medal_level, bank_name, bank_account, bank_account_index, bank_account_masked,
                created_at, updated_at)
            SELECT 'w' || g.i, 'resident_id', %s, 'bench-' || g.i, '4401**********0000', '1990-01-01', 'M',
                   '13900000000',
                   {employer_case}, 'production', false, false, '', '', '工商银行',
                   CASE WHEN g.i %% {every} = 0 THEN '' ELSE %s END, '',
                   CASE WHEN g.i %% {every} = 0 THEN '' ELSE '6222***********3445' END,
                   CURRENT_TIMESTAMP, CURRENT_TIMESTAMP
            FROM {series}""", [token, token, n])
        cursor.execute("SELECT MIN(id) FROM people_worker WHERE id_number_index LIKE 'bench-%%'")
        first_worker = cursor.fetchone()[0]
        cursor.execute(f"""
            INSERT INTO applications_application (worker_id, policy_id, organisation_id, area_id, level,
                programme_type, school_id, major, study_mode, enrolment_date, student_number, state, priority_group,
                priority_rank, submitted_at, certificate_number, graduation_date, diploma_note, enrolment_note, version,
                updated_at)
            SELECT {first_worker} + g.i - 1, %s, {org_case}, %s, 'college', 'open_university', %s, 'm',
                   'part_time', '2023-03-01', 'S' || g.i, 'diploma_verified',
                   CASE WHEN g.i %% 10 = 0 THEN 'model_worker' ELSE '' END,
                   CASE WHEN g.i %% 10 = 0 THEN 0 ELSE 3 END, CURRENT_TIMESTAMP, 'C' || g.i, '2026-07-01', '', '', 0,
                   CURRENT_TIMESTAMP
            FROM {series}""", [policy.pk, area, city.tree.school_profile.pk, n])
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--matching", action="store_true", help="add a district matching policy and budget")
    parser.add_argument("--explain", action="store_true", help="print the simulation's plan (EXPLAIN ANALYZE)")
    args = parser.parse_args()
    configure(args.postgres, quick_passwords=True)

    from django.db import connection

    from yuanmeng.funds.models import FundSource
    from yuanmeng.funds.services import budget_create
    from yuanmeng.payouts.services import plan_input

    city = City()
    policy = city.tree.policy()
    n = args.applications
    started = time.perf_counter()
    insert_applications(city, policy, n, without_account_every=100)
    elapsed = time.perf_counter() - started
    print(f"database: {connection.vendor}; inserted {n:,} verified applications in {elapsed:.1f} s")
    budget = budget_create(by=city.tree.root_user, organisation=city.tree.city, year=policy.year,
                           source=FundSource.SPECIAL, name="bench", amount_fen=PER_WORKER_FEN * n)
    if args.matching:
        add_matching(city, policy, n)
    limit = PER_WORKER_FEN * (n * 88 // 100)
    plan = plan_input(policy, limit, None)
    size = f"{n:,} applications, {connection.vendor}"
    bench_simulation(plan, size, matching=args.matching)
    if args.explain:
        explain_simulation(plan)
    bench_commit(city, policy, budget, limit, size)


def bench_simulation(plan, size: str, *, matching: bool) -> None:
    """The simulation beside the one raw statement that gives the same answer, interleaved, best of three each;
    refuses to print a ratio if their answers differ."""
    from yuanmeng.payouts.planning import simulate

    simulation_s, reference_s = [], []
    for _ in range(3):
        started = time.perf_counter()
        result = simulate(plan)
        simulation_s.append(time.perf_counter() - started)
        started = time.perf_counter()
        reference = raw_reference(plan)
        reference_s.append(time.perf_counter() - started)
    print(f"simulation: {result.funded:,} of {result.candidates:,} funded; city {result.funded_fen / 100:,.0f} yuan, "
          f"matching {result.matching_fen / 100:,.0f} yuan, total {result.total_fen / 100:,.0f} yuan; "
          f"{result.no_bank_account:,} without a usable account")
    answer = {"candidates": result.candidates, "funded": result.funded, "funded_fen": result.funded_fen,
              "no_bank_account": result.no_bank_account, "first_left_out": [r["id"] for r in result.first_left_out],
              **({} if matching else {"total_fen": result.total_fen})}
    if {key: reference[key] for key in answer} != answer:
        raise SystemExit(f"the simulation and the raw statement disagree: {answer} against {reference}")
    figure("payouts", "simulation (best of 3)", min(simulation_s) * 1000, "ms", reference=min(reference_s) * 1000,
           reference_what="one raw SQL statement", size=size)


def reference_sql(plan) -> tuple[str, list]:
    """The answer written by hand as one statement: the verified applications whose worker a payment can reach, in
    payout order, their running city total, summed by (priority group, area, level), then the first 20 left out,
    then the verified applicants without a usable account (city amounts only: no matching top-ups)."""
    amounts = plan.amounts()
    case = " ".join(f"WHEN '{level}' THEN {int(amount)}" for level, amount in amounts.items())
    no_account = "(w.bank_account_masked = '' OR w.bank_account_refused_at IS NOT NULL)"
    return f"""
        WITH ranked AS (
            SELECT a.id, a.priority_group, a.area_id, a.level, CASE a.level {case} ELSE 0 END AS city_fen,
                   ROW_NUMBER() OVER w AS rn, SUM(CASE a.level {case} ELSE 0 END) OVER w AS running
            FROM applications_application a
            WHERE a.policy_id = %s AND a.state = 'diploma_verified'
              AND NOT EXISTS (SELECT 1 FROM people_worker w WHERE w.id = a.worker_id AND {no_account})
            WINDOW w AS (ORDER BY a.priority_rank, a.submitted_at, a.id)
        ), cut AS (SELECT r.*, CASE WHEN r.running <= %s THEN 1 ELSE 0 END AS funded FROM ranked r)
        SELECT 'sum' AS kind, COUNT(*) AS n, SUM(funded) AS funded, SUM(funded * city_fen) AS funded_fen,
               CAST(NULL AS BIGINT) AS rn
        FROM cut GROUP BY priority_group, area_id, level
        UNION ALL
        SELECT * FROM (SELECT 'left', id, CAST(NULL AS BIGINT), CAST(NULL AS BIGINT), rn FROM cut
                       WHERE funded = 0 ORDER BY rn LIMIT 20) l
        UNION ALL
        SELECT 'none', COUNT(*), NULL, NULL, NULL FROM applications_application a JOIN people_worker w
            ON w.id = a.worker_id WHERE a.policy_id = %s AND a.state = 'diploma_verified' AND {no_account}""", [
        plan.policy.pk, plan.limit_fen, plan.policy.pk]


def raw_reference(plan) -> dict:
    """Run the reference statement; its answer in the simulation's terms."""
    from django.db import connection, transaction

    from yuanmeng.payouts.planning import roomy_sorts

    sql, params = reference_sql(plan)
    with transaction.atomic(), connection.cursor() as cursor:
        roomy_sorts()
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    sums = [r for r in rows if r[0] == "sum"]
    return {"candidates": sum(r[1] for r in sums), "funded": sum(r[2] for r in sums),
            "funded_fen": sum(r[3] for r in sums), "total_fen": sum(r[3] for r in sums),
            "first_left_out": [r[1] for r in sorted((r for r in rows if r[0] == "left"), key=lambda r: r[4])],
            "no_bank_account": next(r[1] for r in rows if r[0] == "none")}


def explain_simulation(plan) -> None:
    """The simulation statement's plan as PostgreSQL runs it (for docs/performance.md)."""
    from django.db import connection, transaction

    from yuanmeng.payouts.planning import roomy_sorts, summary_sql

    if connection.vendor != "postgresql":
        return
    sql, params = summary_sql(plan)
    with transaction.atomic(), connection.cursor() as cursor:
        roomy_sorts()
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        print("\n".join(row[0] for row in cursor.fetchall()))


def wal_position() -> str | None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        return cursor.fetchone()[0]


def bench_commit(city, policy, budget, limit: int, size: str) -> None:
    """The commit's time, lines per second and, on PostgreSQL, the WAL written meanwhile (by the whole cluster:
    run it on an otherwise idle server)."""
    from django.db import connection

    from yuanmeng.payouts.services import round_commit

    before = wal_position()
    started = time.perf_counter()
    round_ = round_commit(by=city.tree.root_user, policy=policy, budget=budget, limit_fen=limit, code="BENCH-R1")
    elapsed = time.perf_counter() - started
    print(f"commit: {round_.funded_count:,} lines in {round_.batches.count()} batches, "
          f"total {round_.total_fen / 100:,.0f} yuan")
    figure("payouts", "commit", elapsed, "s", size=size)
    figure("payouts", "commit lines per second", round_.funded_count / elapsed, "lines/s", size=size)
    if before is not None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s)", [before])
            wal = float(cursor.fetchone()[0])
        figure("payouts", "commit WAL", wal / 2**20, "MB", size=size)


def add_matching(city, policy, n: int) -> None:
    """天河 district's 500-yuan top-up, its budget enough for half of its workers (one in 11 districts)."""
    from yuanmeng.funds.models import FundSource
    from yuanmeng.funds.services import budget_create
    from yuanmeng.policies.services import policy_create, policy_publish

    tianhe, root = city.tree.tianhe, city.tree.root_user
    matching = policy_create(by=root, organisation=tianhe, code="TH-M", year=policy.year, title="天河配套",
                             parent=policy, amount_college_fen=50_000, amount_bachelor_fen=50_000)
    policy_publish(by=root, policy=matching)
    budget_create(by=root, organisation=tianhe, year=policy.year, source=FundSource.MATCHING, name="天河配套",
                  amount_fen=50_000 * (n // 22))


if __name__ == "__main__":
    main()

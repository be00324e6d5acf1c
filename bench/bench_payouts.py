"""Payout planning at scale: simulate and commit a round over N verified applications.

    .venv/bin/python bench/bench_payouts.py --applications 1000000 --postgres
    .venv/bin/python bench/bench_payouts.py --applications 100000          # SQLite

Builds a fresh database (PostgreSQL database `yuanmeng_bench`, or a temporary SQLite file), inserts N
verified applications with set-based SQL (every worker shares one encrypted bank-account token: the planner
only reads its masked copy and copies the ciphertext as it is), then times the simulation and the commit
of a round funding about 88% of them (the Guangzhou ratio, 4,400 of 5,000). With --matching, 天河 district tops
its workers up by 500 yuan from a budget that covers half of them (the simulation then runs the top-up as the
commit does). Prints figures; asserts nothing.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.bench_foundation import City, configure  # noqa: E402

PER_WORKER_FEN = 150_000


def insert_applications(city, policy, n: int) -> None:
    """Workers and their verified applications in two INSERT … SELECT statements over a number series."""
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
    with connection.cursor() as cursor:
        cursor.execute(f"""
            INSERT INTO people_worker (name, document_type, id_number, id_number_index, id_number_masked, birth_date,
                sex, mobile,
                employer_id, job_category, is_migrant_worker, is_new_employment_form, model_worker_level,
                labour_medal_level, bank_name, bank_account, bank_account_index, bank_account_masked,
                created_at, updated_at)
            SELECT 'w' || g.i, 'resident_id', %s, 'bench-' || g.i, '4401**********0000', '1990-01-01', 'M',
                   '13900000000',
                   {employer_case}, 'production', false, false, '', '', '工商银行', %s, '', '6222***********3445',
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
    args = parser.parse_args()
    configure(args.postgres)

    from django.conf import settings
    from django.db import connection

    from yuanmeng.funds.models import FundSource
    from yuanmeng.funds.services import budget_create
    from yuanmeng.payouts.planning import simulate
    from yuanmeng.payouts.services import plan_input, round_commit

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    city = City()
    policy = city.tree.policy()
    n = args.applications
    started = time.perf_counter()
    insert_applications(city, policy, n)
    elapsed = time.perf_counter() - started
    print(f"database: {connection.vendor}; inserted {n:,} verified applications in {elapsed:.1f} s")
    budget = budget_create(by=city.tree.root_user, organisation=city.tree.city, year=policy.year,
                           source=FundSource.SPECIAL, name="bench", amount_fen=PER_WORKER_FEN * n)
    if args.matching:
        add_matching(city, policy, n)
    limit = PER_WORKER_FEN * (n * 88 // 100)
    plan = plan_input(policy, limit, None)
    for attempt in range(3):
        started = time.perf_counter()
        result = simulate(plan)
        print(f"simulate #{attempt + 1}: {time.perf_counter() - started:.2f} s — {result.funded:,} of "
              f"{result.candidates:,} funded")
    print(f"  city {result.funded_fen / 100:,.0f} yuan, matching {result.matching_fen / 100:,.0f} yuan, "
          f"total {result.total_fen / 100:,.0f} yuan")
    started = time.perf_counter()
    round_ = round_commit(by=city.tree.root_user, policy=policy, budget=budget, limit_fen=limit, code="BENCH-R1")
    elapsed = time.perf_counter() - started
    print(f"commit: {elapsed:.1f} s — {round_.funded_count:,} lines in {round_.batches.count()} batches, "
          f"{round_.funded_count / elapsed:,.0f} lines/s, total {round_.total_fen / 100:,.0f} yuan")


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

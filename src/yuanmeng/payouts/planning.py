"""Ranking verified applications and cutting at the money or the head-count: a few SQL statements.

The candidates are a policy's verified, unpaid applications whose worker has a bank account on file —
or, for a lottery, the entries of its frozen list. They are ordered — priority group, then submission
time; for a lottery, SHA-256 of the seed and the entry's reference (payouts/lottery.py) — and two window
functions give each its place and the running total of the city amount. A candidate is funded while the
running total fits the round's money and its place fits the quota, which makes the funded set a prefix of
the order: first come, first served within priority, or the first drawn.
"""

import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection, transaction

from yuanmeng.applications.workflow import State
from yuanmeng.core.sql import rows as _rows
from yuanmeng.payouts.lottery import draw_key_sql
from yuanmeng.payouts.models import LotteryDraw
from yuanmeng.policies.models import Policy


@dataclass(frozen=True)
class PlanInput:
    policy: Policy
    limit_fen: int
    quota: int | None = None
    draw: LotteryDraw | None = None  # a lottery with its confirmed seed: its frozen list, in drawn order

    def amounts(self) -> dict[str, int]:
        return self.policy.level_amounts()


def amount_case(amounts: dict[str, int], column: str) -> str:
    """SQL giving each row its level's amount; its parameters are the levels, in ``amounts``' order."""
    whens = " ".join(f"WHEN %s THEN {int(amount)}" for amount in amounts.values())
    return f"CASE {column} {whens} ELSE 0 END"


def _candidates(plan: PlanInput) -> tuple[str, list]:
    """The candidates with their city amount and ``waiting`` (a frozen entry may have left the queue since)."""
    columns = ("a.id, a.worker_id, a.priority_group, a.priority_rank, a.submitted_at, a.level, a.area_id, "
               "a.organisation_id")
    if plan.draw is not None:
        return f"""
            SELECT {columns}, e.amount_fen AS city_fen,
                   CASE WHEN a.state = %s AND w.bank_account_masked <> '' THEN 1 ELSE 0 END AS waiting,
                   e.position, {draw_key_sql("%s", "e.reference")} AS draw_key
            FROM payouts_lotteryentry e
            JOIN applications_application a ON a.id = e.application_id
            JOIN people_worker w ON w.id = a.worker_id
            WHERE e.draw_id = %s""", [State.DIPLOMA_VERIFIED, plan.draw.seed, plan.draw.pk]
    amounts = plan.amounts()
    levels = list(amounts) or ["-"]
    return f"""
        SELECT {columns}, {amount_case(amounts, "a.level")} AS city_fen, 1 AS waiting
        FROM applications_application a
        WHERE a.policy_id = %s AND a.state = %s AND a.level IN ({", ".join(["%s"] * len(levels))})
          AND a.worker_id NOT IN (SELECT w.id FROM people_worker w WHERE w.bank_account_masked = '')""", [
        *amounts.keys(), plan.policy.pk, State.DIPLOMA_VERIFIED, *levels]


def ranked_sql(plan: PlanInput) -> tuple[str, list]:
    """SELECT of every candidate with its rank (rn), running city total, city amount and ``funded`` flag."""
    candidates, params = _candidates(plan)
    order = "c.draw_key, c.position" if plan.draw is not None else "c.priority_rank, c.submitted_at, c.id"
    quota = plan.quota if plan.quota is not None else 2**62
    sql = f"""
        SELECT r.*, CASE WHEN r.running <= %s AND r.rn <= %s THEN 1 ELSE 0 END AS funded
        FROM (
            SELECT c.*,
                   ROW_NUMBER() OVER (ORDER BY {order}) AS rn,
                   SUM(c.city_fen) OVER (ORDER BY {order} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
                       AS running
            FROM ({candidates}) c
        ) r"""
    return sql, [plan.limit_fen, quota, *params]


@dataclass
class Simulation:
    candidates: int = 0
    funded: int = 0
    funded_fen: int = 0
    left_out: int = 0
    no_bank_account: int = 0
    by_group: list[dict] = field(default_factory=list)
    by_area: list[dict] = field(default_factory=list)
    by_level: list[dict] = field(default_factory=list)
    first_left_out: list[dict] = field(default_factory=list)
    cutoff: dict | None = None


def count_funded(plan: PlanInput) -> int:
    sql, params = ranked_sql(plan)
    return int(_rows(f"SELECT COUNT(*) AS n FROM ({sql}) ranked WHERE funded = 1 AND waiting = 1", params)[0]["n"])


def roomy_sorts() -> None:
    """Let PostgreSQL sort a million candidates in memory for this transaction (the default spills to disk)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '256MB'")


RANKED_COLUMNS = ("id BIGINT, worker_id BIGINT, priority_group VARCHAR(24), priority_rank INTEGER, "
                  "submitted_at TIMESTAMP WITH TIME ZONE, level VARCHAR(10), area_id BIGINT, organisation_id BIGINT, "
                  "city_fen BIGINT, waiting INTEGER, rn BIGINT, running BIGINT, funded INTEGER")


@contextmanager
def ranked_table(plan: PlanInput):
    """The ranking computed once into a temporary table, for the several summaries read from it."""
    sql, params = ranked_sql(plan)
    name = f"ym_ranked_{uuid.uuid4().hex[:12]}"
    with transaction.atomic(), connection.cursor() as cursor:
        roomy_sorts()
        cursor.execute(f"CREATE TEMPORARY TABLE {name} ({RANKED_COLUMNS})")
        try:
            cursor.execute(f"INSERT INTO {name} {sql}", params)
            yield name
        finally:
            cursor.execute(f"DROP TABLE {name}")


def _fold(rows: list[dict], key: str) -> list[dict]:
    """Sum the (group, area, level) rows over one of the three."""
    folded: dict = {}
    for row in sorted(rows, key=lambda r: r["first_rn"]):
        entry = folded.setdefault(row[key], {"key": row[key], "applicants": 0, "funded": 0, "funded_fen": 0})
        for name in ("applicants", "funded", "funded_fen"):
            entry[name] += row[name]
    return list(folded.values())


def simulate(plan: PlanInput, *, show_left_out: int = 20) -> Simulation:
    """The round as it would be committed, summed by priority group, area and level; nothing is written.

    One ranked pass grouped by (priority group, area, level) gives every total; a second, short one lists
    the first candidates left out. Funded candidates are a prefix of the order, so the last funded place is
    the number funded.
    """
    with ranked_table(plan) as ranked:
        rows = _rows(f"""
            SELECT priority_group, area_id, level, COUNT(*) AS applicants, SUM(funded) AS funded,
                   SUM(CASE WHEN funded = 1 THEN city_fen ELSE 0 END) AS funded_fen, MIN(rn) AS first_rn
            FROM {ranked} GROUP BY priority_group, area_id, level""", [])
        result = Simulation(candidates=sum(r["applicants"] for r in rows), funded=sum(r["funded"] for r in rows),
                            funded_fen=sum(r["funded_fen"] for r in rows))
        result.first_left_out = _rows(f"SELECT id, rn, priority_group, submitted_at, level, running FROM {ranked} "
                                      f"WHERE funded = 0 ORDER BY rn LIMIT {int(show_left_out)}", [])
    result.left_out = result.candidates - result.funded
    result.by_group, result.by_area = _fold(rows, "priority_group"), _fold(rows, "area_id")
    result.by_level = _fold(rows, "level")
    result.cutoff = {"rn": result.funded} if result.funded else None
    result.no_bank_account = _rows("""
        SELECT COUNT(*) AS n FROM applications_application a JOIN people_worker w ON w.id = a.worker_id
        WHERE a.policy_id = %s AND a.state = %s AND w.bank_account_masked = ''""",
                                   [plan.policy.pk, State.DIPLOMA_VERIFIED])[0]["n"]
    return result

"""Ranking verified applications and cutting at the money or the head-count: a few SQL statements.

The candidates are a policy's verified, unpaid applications whose worker has a bank account on file that the
bank has not refused (``people.selectors.no_usable_account_sql``) —
or, for a lottery, the entries of its frozen list. They are ordered — priority group, then submission
time; for a lottery, SHA-256 of the seed and the entry's reference (payouts/lottery.py) — and two window
functions give each its place and the running total of the city amount. A candidate is funded while the
running total fits the round's money and its place fits the quota, which makes the funded set a prefix of
the order: first come, first served within priority, or the first drawn.

Then the matching policies top the funded up (``top_up_sql``): each union's amount on the lines under it, in
rank order while its matching budget lasts. The simulation runs the same statement on its ranked table as the
commit runs on the payment lines, so both give the same city, matching and total amounts (``AMOUNT_LABELS``
names them the same way on every page, in the API and on the command line).
"""

import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from yuanmeng.applications.workflow import State
from yuanmeng.core.money import fen_to_yuan
from yuanmeng.core.sql import execute as _execute
from yuanmeng.core.sql import rows as _rows
from yuanmeng.payouts.lottery import draw_key_sql
from yuanmeng.payouts.models import LotteryDraw
from yuanmeng.people.selectors import no_usable_account_sql
from yuanmeng.policies.models import Policy

AMOUNT_LABELS = {  # the one set of names for a round's money: pages translate them, the API and the CLI say them
    "city_fen": gettext_noop("City subsidy"),
    "matching_fen": gettext_noop("Matching"),
    "total_fen": gettext_noop("Total (city + matching)"),
}


@dataclass(frozen=True)
class TopUp:
    """A published matching policy as a round applies it: the part it fills (``district`` or ``enterprise``), its
    union's path, its amount per level, and its union's matching budget for the year (none: it gives nothing)."""

    part: str
    path: str
    amounts: dict[str, int]
    budget_id: int | None
    available_fen: int


@dataclass(frozen=True)
class PlanInput:
    policy: Policy
    limit_fen: int
    quota: int | None = None
    draw: LotteryDraw | None = None  # a lottery with its confirmed seed: its frozen list, in drawn order
    top_ups: tuple[TopUp, ...] = ()  # the matching policies, in the order the commit applies them
    available_fen: int | None = None  # what the special budget has left (None: no budget)

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
                   CASE WHEN a.state = %s AND NOT {no_usable_account_sql("w")} THEN 1 ELSE 0 END AS waiting,
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
          AND NOT EXISTS (SELECT 1 FROM people_worker w WHERE w.id = a.worker_id AND {no_usable_account_sql("w")})""", [
        *amounts.keys(), plan.policy.pk, State.DIPLOMA_VERIFIED, *levels]


def shortfall(plan: PlanInput) -> str:
    """Why the round cannot be committed from its special budget as asked, or "" if it can: the page, the API,
    the command line and the commit's refusal all say this."""
    if plan.available_fen is None:
        return _("The policy's union has no special fund for %(year)s.") % {"year": plan.policy.year}
    if plan.limit_fen > plan.available_fen:
        return _("The round asks for %(asked)s yuan but the special fund has only %(available)s yuan "
                 "available.") % {"asked": fen_to_yuan(plan.limit_fen), "available": fen_to_yuan(plan.available_fen)}
    return ""


def top_up_sql(*, table: str, part: str, amounts: dict[str, int], source: str, rank: str,
               set_budget: bool) -> str:
    """UPDATE giving the rows of ``table`` that ``source`` selects (``FROM … WHERE …`` over ``l``, a row of the
    table, and ``o``, its enterprise union) and that the union at the path parameter holds, the matching amount
    of their level in ``rank`` order while the running sum fits the budget parameter; rows already given this
    part by a closer union are skipped. Parameters, in order: [budget id if ``set_budget``], the source's, the
    union's path followed by ``%``, the money available."""
    case, levels = amount_case(amounts, "level"), ", ".join(["%s"] * len(amounts))
    budget = f", {part}_budget_id = %s" if set_budget else ""
    return f"""
        UPDATE {table} SET {part}_fen = {case}{budget}, total_fen = total_fen + {case}
        WHERE id IN (
            SELECT m.id FROM (
                SELECT l.id, SUM({amount_case(amounts, "l.level")})
                           OVER (ORDER BY l.{rank} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running
                {source} AND l.{part}_fen = 0 AND o.path LIKE %s AND l.level IN ({levels})
            ) m WHERE m.running <= %s)"""


def top_up_params(amounts: dict[str, int], *, budget: list, source: list, path: str, available_fen: int) -> list:
    """The parameters of ``top_up_sql`` (its level CASEs and list take the levels each time)."""
    levels = list(amounts)
    return [*levels, *budget, *levels, *levels, *source, path + "%", *levels, available_fen]


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
    funded_fen: int = 0  # the city subsidy of the funded (what the round's money limits)
    matching_fen: int = 0  # what the matching policies add, while their budgets last
    total_fen: int = 0
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
                  "city_fen BIGINT, waiting INTEGER, rn BIGINT, running BIGINT, funded INTEGER, "
                  "district_fen BIGINT, enterprise_fen BIGINT, total_fen BIGINT")


def _with_matching_columns(sql: str) -> str:
    """The ranked rows with their matching parts (none yet) and total, the columns of ``RANKED_COLUMNS``."""
    return f"SELECT ranked.*, 0 AS district_fen, 0 AS enterprise_fen, ranked.city_fen AS total_fen FROM ({sql}) ranked"


@contextmanager
def ranked_table(plan: PlanInput):
    """The ranking computed once into a temporary table, which the matching policies' top-ups then update."""
    sql, params = ranked_sql(plan)
    name = f"ym_ranked_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {name} ({RANKED_COLUMNS})")
        try:
            cursor.execute(f"INSERT INTO {name} {_with_matching_columns(sql)}", params)
            yield name
        finally:
            cursor.execute(f"DROP TABLE {name}")


def _top_up(ranked: str, plan: PlanInput) -> None:
    """The matching policies' amounts on the funded rows of the ranked table, as the commit gives them (a union
    topping up through more than one policy spends one budget)."""
    left: dict[int, int] = {}
    source = (f"FROM {ranked} l JOIN orgs_organisation o ON o.id = l.organisation_id "
              "WHERE l.funded = 1 AND l.waiting = 1")
    budgets = [top_up.budget_id for top_up in plan.top_ups]
    for n, top_up in enumerate(plan.top_ups):
        available = left.setdefault(top_up.budget_id, top_up.available_fen)
        if top_up.budget_id is None or not top_up.amounts or available <= 0:
            continue
        shared = top_up.budget_id in budgets[n + 1:]  # what this one gives, the next of its union cannot
        given = f"SELECT COALESCE(SUM({top_up.part}_fen), 0) AS n FROM {ranked}"
        before = _rows(given, [])[0]["n"] if shared else 0
        _execute(top_up_sql(table=ranked, part=top_up.part, amounts=top_up.amounts, source=source, rank="rn",
                            set_budget=False),
                 top_up_params(top_up.amounts, budget=[], source=[], path=top_up.path, available_fen=available))
        if shared:
            left[top_up.budget_id] -= _rows(given, [])[0]["n"] - before


SUMMED = ("applicants", "funded", "funded_fen", "matching_fen", "total_fen")


def _fold(rows: list[dict], key: str) -> list[dict]:
    """Sum the (group, area, level) rows over one of the three."""
    folded: dict = {}
    for row in sorted(rows, key=lambda r: r["rn"]):  # each group's first place
        entry = folded.setdefault(row[key], {"key": row[key], **dict.fromkeys(SUMMED, 0)})
        for name in SUMMED:
            entry[name] += row[name]
    return list(folded.values())


def _tops_up(plan: PlanInput) -> bool:
    """Whether a matching policy would give anything (else the ranking needs no table to update)."""
    return any(t.budget_id is not None and t.amounts and t.available_fen > 0 for t in plan.top_ups)


def summary_sql(plan: PlanInput, *, ranked: str = "", show_left_out: int = 20) -> tuple[str, list]:
    """One statement giving the whole simulation: a ``sum`` row per (priority group, area, level) of the ranked
    candidates, a ``left_out`` row for each of the first ``show_left_out`` candidates not funded, and a
    ``no_account`` row counting the policy's verified applicants a payment cannot reach.

    The ranking is read once (a common table expression both parts read) from the applications in payout order
    or, with ``ranked``, from a ranked table the matching top-ups have updated. The count of applicants without a
    usable account starts from the few workers in the partial index ``worker_without_usable_account``.
    """
    params: list = []
    if not ranked:
        sql, params = ranked_sql(plan)
        ranked = _with_matching_columns(sql)
    funded_only = "CASE WHEN funded = 1 THEN {} ELSE 0 END"
    sql = f"""
        WITH ranked AS ({ranked})
        SELECT 'sum' AS kind, priority_group, area_id, level, COUNT(*) AS applicants, SUM(funded) AS funded,
               SUM({funded_only.format("city_fen")}) AS funded_fen, SUM(district_fen + enterprise_fen) AS matching_fen,
               SUM({funded_only.format("total_fen")}) AS total_fen, MIN(rn) AS rn, NULL AS id, NULL AS submitted_at,
               NULL AS running
        FROM ranked GROUP BY priority_group, area_id, level
        UNION ALL
        SELECT 'left_out', l.priority_group, l.area_id, l.level, 0, 0, 0, 0, 0, l.rn, l.id, l.submitted_at, l.running
        FROM (SELECT * FROM ranked WHERE funded = 0 ORDER BY rn LIMIT {int(show_left_out)}) l
        UNION ALL
        SELECT 'no_account', NULL, NULL, NULL, COUNT(*), 0, 0, 0, 0, NULL, NULL, NULL, NULL
        FROM people_worker w JOIN applications_application a ON a.worker_id = w.id
        WHERE {no_usable_account_sql("w")} AND a.policy_id = %s AND a.state = %s"""
    return sql, [*params, plan.policy.pk, State.DIPLOMA_VERIFIED]


def _summary_rows(plan: PlanInput, show_left_out: int) -> list[dict]:
    """The rows of ``summary_sql``, through a ranked table only when matching policies top the funded up."""
    with transaction.atomic():
        roomy_sorts()  # before a ranked table is filled: its ranking is the largest sort
        if not _tops_up(plan):
            return _rows(*summary_sql(plan, show_left_out=show_left_out))
        with ranked_table(plan) as ranked:
            _top_up(ranked, plan)
            return _rows(*summary_sql(plan, ranked=f"SELECT * FROM {ranked}", show_left_out=show_left_out))


def simulate(plan: PlanInput, *, show_left_out: int = 20) -> Simulation:
    """The round as it would be committed, summed by priority group, area and level; nothing is written.

    One statement (``summary_sql``) gives every total, the first candidates left out and the count of those a
    payment cannot reach. Funded candidates are a prefix of the order, so the last funded place is the number
    funded.
    """
    rows = _summary_rows(plan, show_left_out)
    sums = [row for row in rows if row["kind"] == "sum"]
    result = Simulation(candidates=sum(r["applicants"] for r in sums),
                        **{name: sum(r[name] for r in sums) for name in SUMMED[1:]})
    result.first_left_out = sorted(({name: row[name] for name in ("id", "rn", "priority_group", "submitted_at",
                                                                 "level", "running")}
                                    for row in rows if row["kind"] == "left_out"), key=lambda r: r["rn"])
    result.no_bank_account = next(row["applicants"] for row in rows if row["kind"] == "no_account")
    result.left_out = result.candidates - result.funded
    result.by_group, result.by_area = _fold(sums, "priority_group"), _fold(sums, "area_id")
    result.by_level = _fold(sums, "level")
    result.cutoff = {"rn": result.funded} if result.funded else None
    return result

"""The refresh: every rollup rebuilt from the data in one transaction, set-based (decision 0013).

For each rollup:
1. its SELECTs (``rollups.py``) put the rows of each organisation that holds data into a temporary table (one
   scan of the applications, events or budgets per SELECT, grouped);
2. the tree is summed from its deepest level up, one INSERT … SELECT … GROUP BY per level: an organisation's rows
   are its own rows and its children's sums (already written, one level deeper), so every organisation's row sums
   its whole subtree;
3. the old rows were deleted first, in the same transaction: a reader sees the old figures until it commits, then
   the new ones, never a mixture.
On PostgreSQL the transaction is REPEATABLE READ, so every statement reads the same snapshot and the figures agree
with each other as of the refresh's start (``Refresh.as_of``).
"""

import datetime
import time

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from yuanmeng.core.sql import execute
from yuanmeng.orgs.models import Organisation
from yuanmeng.stats.models import Refresh
from yuanmeng.stats.rollups import ROLLUPS, Rollup

OWN = "stats_own_rows"
KEEP_REFRESHES = datetime.timedelta(days=7)


def stats_refresh() -> Refresh:
    """Rebuild every rollup from the data, exact as of the returned refresh's ``as_of``."""
    started = time.monotonic()
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql":
            _one_at_a_time(outermost)
        as_of = timezone.now()
        deepest = Organisation.objects.aggregate(deepest=Max("depth"))["deepest"] or 0
        rows = sum(_rebuild(rollup, deepest) for rollup in ROLLUPS.values())
        Refresh.objects.filter(as_of__lt=as_of - KEEP_REFRESHES).delete()
        return Refresh.objects.create(as_of=as_of, seconds=time.monotonic() - started, rows=rows)


def _one_at_a_time(outermost: bool) -> None:
    """On PostgreSQL: one snapshot for every statement; a second refresh waits for the first to commit and then
    reads after it (the lock is taken before any query fixes the snapshot: REPEATABLE READ would otherwise refuse
    the second's DELETE of rows the first replaced); readers are not blocked. The history's sorts and hashes in
    memory (1,000,000 applications: about 500 MB at most, for this transaction only). On SQLite the transaction is
    IMMEDIATE (settings): one writer, already."""
    if outermost:  # (a test's transaction has read already: its own isolation holds)
        execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", [])
    execute(f"LOCK TABLE {Refresh._meta.db_table} IN SHARE ROW EXCLUSIVE MODE", [])
    execute("SET LOCAL work_mem = '256MB'", [])


def _rebuild(rollup: Rollup, deepest: int) -> int:
    """Replace the rollup's rows; the number written."""
    table = rollup.model._meta.db_table
    columns = ["organisation_id", *rollup.keys, *rollup.measures]
    fields = {field.column: field for field in rollup.model._meta.concrete_fields}
    typed = ", ".join(f"{name} {fields[name].db_type(connection)}" for name in columns)
    execute(f"DELETE FROM {table}", [])
    execute(f"CREATE TEMPORARY TABLE {OWN} ({typed})", [])
    try:
        for sql, params in rollup.selects():
            execute(f"INSERT INTO {OWN} ({', '.join(columns)}) {sql}", params)
        grouped = ", ".join(["organisation_id", *rollup.keys])
        sums = ", ".join(f"SUM({name})" for name in rollup.measures)
        values = [*rollup.keys, *rollup.measures]
        own = ", ".join(f"own.{name}" for name in values)
        children = ", ".join(f"child.{name}" for name in values)
        written = 0
        for depth in range(deepest, -1, -1):
            written += execute(f"""
                INSERT INTO {table} ({', '.join(columns)})
                SELECT {grouped}, {sums} FROM (
                    SELECT own.organisation_id, {own}
                    FROM {OWN} own JOIN orgs_organisation o ON o.id = own.organisation_id WHERE o.depth = %s
                    UNION ALL
                    SELECT o.parent_id, {children}
                    FROM {table} child JOIN orgs_organisation o ON o.id = child.organisation_id WHERE o.depth = %s
                ) subtree
                GROUP BY {grouped}""", [depth, depth + 1])
        return written
    finally:
        execute(f"DROP TABLE {OWN}", [])


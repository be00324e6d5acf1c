"""Raw SQL for the set-based work (rounds, moves, imports): one statement, its row count or its rows."""

from decimal import Decimal

from django.db import connection


def execute(sql: str, params: list) -> int:
    """Run one statement; the number of rows it touched."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def rows(sql: str, params: list) -> list[dict]:
    """The result as dicts; PostgreSQL's Decimal sums come back as int (amounts are integer fen)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [col[0] for col in cursor.description]
        return [{name: int(value) if isinstance(value, Decimal) else value
                 for name, value in zip(names, row, strict=True)} for row in cursor.fetchall()]


def scalar(sql: str, params: list) -> int:
    """One integer (0 for NULL)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.fetchone()[0] or 0)


def copy_rows(table: str, columns: list[str], values: list[tuple]) -> None:
    """Append rows to a (staging) table: COPY on PostgreSQL, one executemany on SQLite."""
    if not values:
        return
    names = ", ".join(columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", values)

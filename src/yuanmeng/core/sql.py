"""Raw SQL for the set-based work (rounds, moves, imports): one statement, its row count or its rows; a child's rows
read as JSON in their parent's query."""

import datetime
import json
from decimal import Decimal
from typing import Any

from django.db import NotSupportedError, connection
from django.db.models import Aggregate, Expression, JSONField, OuterRef, QuerySet, Subquery, TextField
from django.db.models.functions import JSONObject


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


class JSONArrayAgg(Aggregate):
    """The aggregated values as one JSON array (PostgreSQL's ``JSONB_AGG``, SQLite's ``JSON_GROUP_ARRAY``): the rows
    of a correlated subquery read with their parent row, in the parent's query (``json_rows``)."""

    function = "JSON_GROUP_ARRAY"
    output_field = JSONField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="JSONB_AGG", **extra_context)


def json_rows(queryset: QuerySet, link: str, outer: str = "pk", **fields) -> Subquery:
    """The rows of ``queryset`` whose ``link`` is the outer row's ``outer`` (its id), as a JSON array of objects of
    ``fields`` (NULL when there are none). Unordered: order them once read. A datetime comes back as ISO text
    (``json_moment``)."""
    return Subquery(queryset.filter(**{link: OuterRef(outer)}).order_by().values(link)
                    .annotate(rows=JSONArrayAgg(JSONObject(**fields))).values("rows"), output_field=JSONField())


def json_moment(text: str) -> datetime.datetime:
    """A timestamp read from JSON: PostgreSQL writes its offset, SQLite none (its stored times are UTC)."""
    moment = datetime.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


# One value as pydantic's core writes it in an answer (compact JSON, UTF-8, a moment in UTC with ``Z`` and its
# microseconds when it has any), by its kind: ``JSONText`` has PostgreSQL write an answer's rows itself.
_JSON_VALUE = {
    "scalar": "COALESCE(CAST({value} AS text), 'null')",  # a number, or true / false
    "text": "COALESCE(CAST(TO_JSON({value}) AS text), 'null')",  # text, or a date (ISO 8601)
    # ".000000" is cut off by REPLACE, which finds it only as the fraction: half the time of a regular expression
    "moment": ("COALESCE('\"' || REPLACE(TO_CHAR({value} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), "
               "'.000000', '') || 'Z\"', 'null')"),
}


class JSONText(Expression):
    """A JSON object written by PostgreSQL, byte for byte as pydantic's core writes it: ``fields`` are (key, kind,
    expression), in the order of the answer's fields; a kind is a key of ``_JSON_VALUE``, or ``members`` for an
    expression that writes several members at once (``JSONMembers``, in a subquery on a related row), whose key is the
    tuple of their keys and which, NULL (no such row), writes each of them as null. PostgreSQL's own
    ``json_build_object`` puts spaces around its colons and commas."""

    output_field = TextField()
    opening, closing = "{", "}"

    def __init__(self, fields: list[tuple[str | tuple[str, ...], str, Any]]):
        super().__init__()
        unknown = {kind for _key, kind, _expression in fields} - _JSON_VALUE.keys() - {"members"}
        if unknown:
            raise ValueError(f"JSONText writes no value of kind {sorted(unknown)}")
        if any((kind == "members") != isinstance(key, tuple) for key, kind, _expression in fields):
            raise ValueError("JSONText takes the keys of members as a tuple, and only theirs")
        keys = [key for entry, _kind, _expression in fields for key in (entry if isinstance(entry, tuple) else [entry])]
        odd = [key for key in keys if not key.isidentifier()]
        if odd:  # a key goes into the SQL as it is: a quote or a % would break it
            raise ValueError(f"JSONText takes keys that are names, not {odd}")
        self.fields = fields

    def get_source_expressions(self):
        return [expression for _key, _kind, expression in self.fields]

    def set_source_expressions(self, expressions):
        self.fields = [(key, kind, expression) for (key, kind, _old), expression in zip(self.fields, expressions,
                                                                                        strict=True)]

    def as_sql(self, compiler, connection):
        if connection.vendor != "postgresql":
            raise NotSupportedError("JSONText is written by PostgreSQL")
        parts, params, text = [], [], self.opening  # ``text``: what goes before the next value, as one literal
        for index, (key, kind, expression) in enumerate(self.fields):
            sql, expression_params = compiler.compile(expression)
            text += "," if index else ""
            if kind == "members":
                nulls = ",".join(f"{_json_key(name)}:null" for name in key)
                value = f"COALESCE({sql}, '{nulls}')"
            else:
                text += f"{_json_key(key)}:"
                value = _JSON_VALUE[kind].format(value=sql)
            parts += [f"'{text}'", value] if text else [value]
            params.extend(expression_params)
            text = ""
        text += self.closing
        return " || ".join([*parts, f"'{text}'"] if text or not parts else parts), params


def _json_key(name: str) -> str:
    return json.dumps(name, ensure_ascii=False)  # as pydantic writes it: UTF-8, not ``\u`` escapes


class JSONMembers(JSONText):
    """The members of a JSON object as ``JSONText`` writes them, without its braces (``"a":1,"b":"x"``): several of an
    answer's fields written by one subquery on the row they are read from, for the object around them."""

    opening, closing = "", ""

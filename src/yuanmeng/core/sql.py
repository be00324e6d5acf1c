"""Raw SQL for the set-based work (rounds, moves, imports): one statement, its row count or its rows; a child's rows
read as JSON in their parent's query."""

import datetime
import json
from decimal import Decimal
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import NotSupportedError, connection
from django.db.models import Aggregate, Expression, JSONField, OuterRef, QuerySet, Subquery, TextField
from django.db.models.functions import JSONObject
from django.db.models.sql.datastructures import BaseTable


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
    expression), in the order of the answer's fields; a kind is a key of ``_JSON_VALUE``. PostgreSQL's own
    ``json_build_object`` puts spaces around its colons and commas."""

    output_field = TextField()

    def __init__(self, fields: list[tuple[str, str, Any]]):
        super().__init__()
        unknown = {kind for _key, kind, _expression in fields} - _JSON_VALUE.keys()
        if unknown:
            raise ValueError(f"JSONText writes no value of kind {sorted(unknown)}")
        odd = [key for key, _kind, _expression in fields if not key.isidentifier()]
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
        parts, params = [], []
        for index, (key, kind, expression) in enumerate(self.fields):
            sql, expression_params = compiler.compile(expression)
            parts += [f"'{',' if index else '{'}{_json_key(key)}:'", _JSON_VALUE[kind].format(value=sql)]
            params.extend(expression_params)
        return " || ".join([*parts, "'}'"] if parts else ["'{}'"]), params


def _json_key(name: str) -> str:
    return json.dumps(name, ensure_ascii=False)  # as pydantic writes it: UTF-8, not ``\u`` escapes


class _PageTable(BaseTable):
    """The FROM of ``rows_of_page``: a page's query as a table named as its model's, so that each column the outer
    query reads of the model's table is the page's."""

    def __init__(self, table: BaseTable, page):
        super().__init__(table.table_name, table.table_alias)
        self.page = page

    def as_sql(self, compiler, connection):
        sql, params = self.page.get_compiler(connection=connection).as_sql()
        return f"({sql}) {connection.ops.quote_name(self.table_alias)}", params

    def relabeled_clone(self, change_map):
        return _PageTable(super().relabeled_clone(change_map), self.page)


def rows_of_page(page: QuerySet) -> QuerySet:
    """The rows of ``page`` (a sliced query: ``rows[50:100]``) in its order, as a query of the same model whose FROM is
    the page: the joins an answer adds to it (``F("worker__name")``) are made for the page's rows alone, after its
    LIMIT. Its order must be the model's own columns."""
    model = page.model
    columns = [field.attname for field in model._meta.concrete_fields]
    column_of = {field.name: field.attname for field in model._meta.concrete_fields} | {"pk": model._meta.pk.attname}
    order = page.query.order_by or (model._meta.ordering if page.query.default_ordering else ())
    if (not page.query.is_sliced or page.query.combinator
            or not all(isinstance(name, str) and name.lstrip("-") in column_of for name in order)):
        raise ImproperlyConfigured(f"rows_of_page takes a slice of rows ordered by their own columns, not {order!r}")
    rows = QuerySet(model, using=page.db)
    alias = rows.query.get_initial_alias()
    rows.query.alias_map[alias] = _PageTable(rows.query.alias_map[alias], page.values(*columns).query)
    return rows.order_by(*(("-" if name.startswith("-") else "") + column_of[name.lstrip("-")] for name in order))

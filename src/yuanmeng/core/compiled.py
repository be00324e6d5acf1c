"""Queries the ORM builds and compiles once per process, then runs with each call's values.

Building a QuerySet and compiling it to SQL costs more Python than running it: the API token's look-up (a token, its
holder and the holder's roles over three joins) took 1.5 ms through the ORM against 0.4 ms for the same SQL sent
as it is, and every API call and logged-in page starts with such a look-up (decision 0021). ``CompiledOnce`` keeps
the ORM as the one source of the SQL — its joins, columns and the model instances it gives back — and pays for the
building once: the first call builds the query with stand-in values (markers), compiles it, and notes where each
marker landed among the parameters; every later call sends the same SQL with its own values in those places, and
turns the rows into instances or dicts as the QuerySet would.

A value may only be a plain parameter of the query (``filter(digest=…)``, ``filter(pk=…)``) or the prefix of a
``startswith`` (``Prefix``): a marker that the ORM changed on the way, used inside another pattern or not used at
all is refused when the query is first compiled, as is a query with ``prefetch_related`` (run by the QuerySet, not
by its iterable); so a query that cannot be run this way fails its first test, never returns the wrong rows.
Ints stand in for keys and other signed columns of 32 bits or more; a value may not be None (the ORM writes
``IS NULL`` for it) and a moment must carry its time zone.

On PostgreSQL a compiled query binds its values on the server, so that psycopg prepares it once it has run
``prepare_threshold`` times on a connection (settings.py; decision 0022): planning the application's read took longer
than running it. A query with a ``Prefix`` binds its values only if it picks a row by its key (``by_key``); any other
is prepared with its texts written in and its keys bound, one statement per subtree and texts (see ``_compile``;
decision 0024). The SQL is the ORM's, written for values bound on the client: a query that PostgreSQL cannot type
with its values bound apart ("could not determine data type of parameter", a value inside a GROUP BY expression)
fails its first test on PostgreSQL.
"""

import copy
import datetime
import functools
import re
from collections.abc import Callable

from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.db import connections, router, transaction
from django.db.backends.postgresql.base import TIMESTAMPTZ_OID, ServerBindingCursor
from django.db.backends.postgresql.psycopg_any import register_tzloader
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper
from django.db.models import QuerySet, signals
from django.db.models.sql import InsertQuery
from psycopg import adapters
from psycopg.pq import Format
from psycopg.types.numeric import Int8


class Prefix(str):
    """A text a query takes as the start of a pattern (``path__startswith=…``: the parameter ``'<text>%'``), such as
    the root of a subtree in a scope's condition."""


# A marker of each kind of value, told apart by its position in the call: compared only with the parameters of the
# query it builds, at its compiling. An int marker fits a 32-bit column (the ORM refuses a value beyond a column).
_MARKERS = {
    int: lambda position: -2_147_000_000 - position,
    str: lambda position: f"\x1fcompiled-once-{position}\x1f",
    Prefix: lambda position: Prefix(f"\x1fcompiled-once-prefix-{position}\x1f"),
    datetime.datetime: lambda position: datetime.datetime(1901, 2, 3, 4, 5, 6, position + 1, tzinfo=datetime.UTC),
}


class CompiledOnce:
    """``build(**values) -> QuerySet``, compiled on its first call per database and run with each call's values.

    ``kinds`` names each value and its type (``CompiledOnce(build, digest=str)``): a call's value is converted to it
    (a session's user id comes as text) and, for a datetime, adapted for the database as the ORM would. ``by_key``:
    the query finds at most one row by its primary key and checks that row's one organisation against its
    ``Prefix``es, so it is prepared even with them (see ``_compile``; ``orgs.scoping._one_subtree`` says which scopes
    are so)."""

    def __init__(self, build: Callable[..., QuerySet], *, by_key: bool = False, **kinds: type):
        unknown = {name: kind for name, kind in kinds.items() if kind not in _MARKERS}
        if unknown:
            raise ImproperlyConfigured(f"CompiledOnce cannot stand in for {unknown}: only {list(_MARKERS)}")
        self.build = build
        self.by_key = by_key
        self.kinds = kinds
        self._compiled: dict[tuple[str, str], _Compiled] = {}

    def __call__(self, using: str = "default", **values) -> list:
        """The rows of ``build(**values)``: model instances, or dicts for a ``values()`` query."""
        if values.keys() != self.kinds.keys():
            raise TypeError(f"CompiledOnce takes {sorted(self.kinds)}, got {sorted(values)}")
        if any(value is None or isinstance(value, datetime.datetime) and value.tzinfo is None
               for value in values.values()):
            raise ValueError(f"CompiledOnce needs a value for each of {sorted(self.kinds)} (not None) and moments "
                             "with their time zone")
        typed = {name: value if type(value) is self.kinds[name] else self.kinds[name](value)  # an enum's value too
                 for name, value in values.items()}
        if any(type(value) is int and not -2**63 <= value < 2**63 for value in typed.values()):
            return list(self.build(**typed).using(using))  # the ORM finds no row for it rather than overflowing
        connection = connections[using]
        key = (using, connection.vendor)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = self._compile(using)
        return compiled.run(connection, {name: _adapt(connection, value) for name, value in typed.items()})

    def _compile(self, using: str) -> "_Compiled":
        connection = connections[using]
        markers = {name: _MARKERS[kind](position) for position, (name, kind) in enumerate(self.kinds.items())}
        queryset = self.build(**markers).using(using)
        if queryset.query.is_empty():  # none(): no SQL to send, ever
            return _Compiled(queryset, None, "", [], {}, prepares=False)
        if queryset._prefetch_related_lookups:
            raise ImproperlyConfigured("CompiledOnce runs a query's own rows: prefetch_related would be left out")
        compiler = queryset.query.get_compiler(using=using)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            raise ImproperlyConfigured("CompiledOnce: the ORM found a marker out of its column's range (an int "
                                       "stands in for a signed column of 32 bits or more)") from None
        places = _places(params, {name: _adapt(connection, marker) for name, marker in markers.items()})
        # A subtree's prefix is a LIKE pattern that only a plan for its value takes to the path index: PostgreSQL's
        # generic plan of a prepared statement would read every organisation, for a district as for the nation. A
        # row found by its key (``by_key``) has one organisation to check against the pattern. Any other query with
        # a prefix is prepared with its texts written in, the prefix among them (``_Compiled.run``), so that each
        # subtree (and each state, level… a list filters by) has a statement planned for it; its keys and moments
        # stay bound, so that a worker's own list or a row read by its key is not a statement of its own.
        prepares = _prepares(connection)
        bound = None
        if prepares and not self.by_key and Prefix in self.kinds.values():
            bound = {index for index, name in places.items() if self.kinds[name] in (int, datetime.datetime)}
        return _Compiled(queryset, compiler, sql, list(params), places, prepares=prepares, bound=bound)


def _places(params, markers: dict) -> dict[int, str]:
    """Where each marker (as the driver gets it) landed among a compiled query's parameters, by index; a marker
    used inside another parameter, or not at all, is refused."""
    places = {}
    for index, param in enumerate(params):
        for name, marker in markers.items():
            if param == (marker + "%" if isinstance(marker, Prefix) else marker):
                places[index] = name
            elif isinstance(param, str) and isinstance(marker, str) and marker in param:
                raise ImproperlyConfigured(f"CompiledOnce: {name!r} is used inside a parameter ({param!r}), "
                                           "not as one; only plain parameters can be replaced")
    missing = set(markers) - set(places.values())
    if missing:
        raise ImproperlyConfigured(f"CompiledOnce: {sorted(missing)} did not reach the query's parameters as "
                                   "they were given (a pattern other than a prefix, or a changed value)")
    return places


def _adapt(connection, value):
    """A value as the ORM hands it to the driver: a datetime as the database's field adapts it; a prefix escaped for a
    pattern, as ``startswith`` does before it adds the ``%`` (the marker's own ``%`` is found in ``_compile``)."""
    if isinstance(value, datetime.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, Prefix):
        return Prefix(connection.ops.prep_for_like_query(value))
    return value


_PLACEHOLDER = re.compile("%%|%s")


class _Compiled:
    """One database's compiled query: the SQL, its parameters with markers, where each value goes, and the compiler
    whose column map turns rows back into what the QuerySet gives."""

    def __init__(self, queryset: QuerySet, compiler, sql: str, params: list, places: dict[int, str], prepares: bool,
                 bound: set[int] | None = None):
        self.queryset, self.compiler, self.sql, self.params, self.places = queryset, compiler, sql, params, places
        self.prepares = prepares
        # ``bound``: the parameters (by index) that stay bound when the others are written into the SQL; None: all
        # are bound. The SQL is composed once for each set of written values (a list's subtrees and filters).
        self.bound = bound
        self.written = functools.lru_cache(maxsize=256)(self._write) if bound is not None else None
        # What turns each column's value into Python (a moment from SQLite's text, a JSON document): fixed by the
        # columns, so found once (Django looks them up on every run: 0.5 ms for an application's ~40 columns).
        self.converters = compiler.get_converters([column for column, *_ in compiler.select[:compiler.col_count]]
                                                  ) if compiler else {}

    def run(self, connection, values: dict) -> list:
        if self.compiler is None:
            return []
        params = list(self.params)
        for index, name in self.places.items():
            value = values[name]
            params[index] = value + "%" if isinstance(value, Prefix) else value
        sql, converters = self.sql, self.converters
        if self.written:
            sql = self.written(connection.alias, tuple(p for i, p in enumerate(params) if i not in self.bound))
            # None: nothing left to bind, and psycopg need not read the SQL for placeholders (a queue page's 5,500
            # characters, on every call: it keeps what it read only of statements up to 4,096)
            params = tuple(p for i, p in enumerate(params) if i in self.bound) if self.bound else None
        else:
            params = tuple(params)
        compiler = copy.copy(self.compiler)
        compiler.connection = _Preparing(connection) if self.prepares else connection
        compiler.as_sql = lambda *args, **kwargs: (sql, params)
        compiler.get_converters = lambda expressions: converters
        return list(self.queryset._iterable_class(_Run(self.queryset, compiler)))

    def _write(self, using: str, written: tuple) -> str:
        """The SQL with the values of ``written`` (every parameter but the bound, in order) written in as psycopg
        quotes them for Django (``compose_sql``), and ``%s`` left for the bound: a statement of its own, prepared
        after its ``prepare_threshold`` runs and planned for these values. A ``%`` written in is doubled, as the
        driver reads the SQL for its placeholders (``%%``, ``%s``: psycopg's rule, whatever the quotes)."""
        operations = connections[using].ops
        if not self.bound:  # sent without values: the SQL as the driver would have written it
            return operations.compose_sql(self.sql, written)
        values, index = iter(written), iter(range(len(self.params)))

        def put(placeholder: re.Match) -> str:
            if placeholder.group() == "%%" or next(index) in self.bound:
                return placeholder.group()
            return operations.compose_sql("%s", [next(values)]).replace("%", "%%")

        return _PLACEHOLDER.sub(put, self.sql)


class _Run:
    """What a QuerySet's iterable reads of its QuerySet, with the compiler already made."""

    def __init__(self, queryset: QuerySet, compiler):
        self.db, self.model = queryset.db, queryset.model
        self._known_related_objects = queryset._known_related_objects
        self._fields = queryset._fields
        self.query = _QueryCompiled(queryset.query, compiler)


class _QueryCompiled:
    def __init__(self, query, compiler):
        self._query, self._compiler = query, compiler

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        return self._compiler

    def __getattr__(self, name):
        return getattr(self._query, name)


def _prepares(connection) -> bool:
    """Whether the database keeps prepared statements for this connection (PostgreSQL, ``prepare_threshold`` set in
    its OPTIONS: settings.py)."""
    options = connection.settings_dict["OPTIONS"]
    return connection.vendor == "postgresql" and options.get("prepare_threshold") is not None


class _PreparingCursor(ServerBindingCursor):
    """Binds the values on the server, so that psycopg prepares the statement once it has run ``prepare_threshold``
    times on the connection. Every int goes as a bigint: psycopg types an int by its size, and keys its prepared
    statements by the SQL and those types (a key of 5 and one of 40,000 would be two statements)."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        if params:
            params = [Int8(value) if type(value) is int else value for value in params]
        return super().execute(query, params, prepare=prepare, binary=binary)


class _PreparingDebugCursor(CursorDebugWrapper):
    """Logs a run with its values written in, as Django logs others: a cursor that binds on the server keeps no
    text with the values for ``last_executed_query`` (Django composes it so under ``server_side_binding`` too)."""

    def execute(self, sql, params=None):
        with self.debug_sql(self.db.ops.compose_sql(sql, params), params):
            return CursorWrapper.execute(self, sql, params)


# psycopg's own loader of a moment, written in C: Django's (``register_tzloader``) calls Python for each moment to put
# the connection's time zone on it, 0.59 ms for a page's 100 moments against 0.16 ms.
_PSYCOPG_MOMENTS = adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)


def _load_moments(connection, cursor) -> None:
    """Moments read in UTC, as Django reads them: by psycopg's own loader when the session's time zone is UTC (which
    it then puts on each moment), otherwise by Django's, if the connection's differs from the cursor's zone."""
    if connection.timezone is datetime.UTC and connection.connection.info.parameter_status("TimeZone") == "UTC":
        cursor.adapters.register_loader(TIMESTAMPTZ_OID, _PSYCOPG_MOMENTS)
    elif cursor.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT).timezone != connection.timezone:
        register_tzloader(connection.timezone, cursor)


class _Preparing:
    """A PostgreSQL connection as a compiled query's compiler sees it: its cursor binds the values on the server
    (``_PreparingCursor``), so that a hot query skips parsing, and planning once PostgreSQL settles on a generic plan.
    Made as ``BaseDatabaseWrapper._cursor`` and the backend's ``create_cursor`` make Django's own (Django 5.2)."""

    def __init__(self, connection):
        self._connection = connection

    def cursor(self):
        connection = self._connection
        connection.close_if_health_check_failed()
        connection.ensure_connection()
        with connection.wrap_database_errors:
            connection.validate_thread_sharing()
            cursor = _PreparingCursor(connection.connection)
            _load_moments(connection, cursor)
            return (_PreparingDebugCursor if connection.queries_logged else CursorWrapper)(cursor, connection)

    def __getattr__(self, name):
        return getattr(self._connection, name)


class CompiledInsert:
    """The INSERT of one new row of ``model``, compiled by the ORM once per database and run with each row's values.

    ``Model.save()`` compiles its INSERT anew for every row: for a new worker's 30 columns that took longer than the
    round trip. The values are the ORM's own (each field's ``pre_save``, then ``get_db_prep_save``: an encrypted field
    encrypts, an ``auto_now`` moment is set on the instance), and on PostgreSQL the statement is prepared as a compiled
    query is (``_Preparing``). The key the database gives is set on the instance, which is then saved (``_state``) as
    after ``save()``; every other column is the instance's own value. Refused: a model whose key is not an auto field,
    or with a parent, an order kept by Django or a generated column (``save()`` does more for those); a row with its
    key already; a value the ORM would write as SQL (an expression, a database default); and a model with receivers
    of the save signals, which this does not send. A model's own ``save()`` is not called."""

    def __init__(self, model):
        meta = model._meta
        if (meta.pk is not meta.auto_field or meta.parents or meta.order_with_respect_to
                or any(field.generated for field in meta.local_concrete_fields)):
            raise ImproperlyConfigured(f"CompiledInsert inserts rows keyed by the database alone: not {meta.label}'s")
        self.model = model
        self.fields = [field for field in meta.local_concrete_fields if field is not meta.auto_field]
        self._sql: dict[tuple[str, str], str] = {}

    def __call__(self, instance, using: str | None = None, *, before: tuple[str, tuple] = ("", ())) -> None:
        """Insert ``instance`` (in the database the routers give it to write, unless ``using``); ``before``: SQL and
        its values that the statement starts with, such as a ``WITH`` that changes another row in the same round
        trip."""
        label = self.model._meta.label
        if signals.pre_save.has_listeners(self.model) or signals.post_save.has_listeners(self.model):
            raise ImproperlyConfigured(f"CompiledInsert sends no save signals, and {label} has receivers: save it with "
                                       "save()")
        if instance.pk is not None:
            raise ValueError(f"CompiledInsert inserts new rows: this {label} has its key already")
        using = using or router.db_for_write(self.model, instance=instance)
        connection = connections[using]
        with transaction.mark_for_rollback_on_error(using):  # as save() marks it, whatever fails
            instance._prepare_related_fields_for_save(operation_name="save")
            values = self._values(instance, connection)
            sql = before[0] + self._insert_sql(connection, instance)
            with (_Preparing(connection) if _prepares(connection) else connection).cursor() as cursor:
                cursor.execute(sql, (*before[1], *values))
                [instance.pk] = cursor.fetchone()
        instance._state.adding, instance._state.db = False, using

    def _values(self, instance, connection) -> list:
        values = [field.get_db_prep_save(field.pre_save(instance, True), connection) for field in self.fields]
        for field, value in zip(self.fields, values, strict=True):
            if hasattr(value, "resolve_expression"):
                raise TypeError(f"CompiledInsert takes values, not SQL: {field.name} is {value!r}")
        return values

    def _insert_sql(self, connection, instance) -> str:
        """The ORM's INSERT, a placeholder for each value and ``RETURNING`` the key (compiled for a copy of
        ``instance``, whose values are checked to be plain, so that its own ``pre_save`` runs once)."""
        key = (connection.alias, connection.vendor)
        if key not in self._sql:
            if not connection.features.can_return_columns_from_insert:
                raise ImproperlyConfigured("CompiledInsert needs a database that returns an INSERT's columns "
                                           f"({connection.display_name} here does not)")
            query = InsertQuery(self.model)
            query.insert_values(self.fields, [copy.copy(instance)])
            compiler = query.get_compiler(connection=connection)
            compiler.returning_fields = [self.model._meta.pk]
            [(self._sql[key], _params)] = compiler.as_sql()
        return self._sql[key]

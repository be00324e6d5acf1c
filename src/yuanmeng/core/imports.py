"""Bulk imports from spreadsheets, the same way for every kind (workers, applications, rosters…).

``run_import`` takes these steps:

1. Open the first sheet (streamed, see ``core.spreadsheets``) and find the header row — the first of the top
   rows that holds every required column, so a title row above it does no harm — and each column by name.
2. Check each row with the kind's ``check_row`` (the rules of the single-record path) and either stage it —
   a batch of ``CHUNK`` rows at a time into a temporary table (COPY on PostgreSQL) — or record it as an
   error. Only one batch is held in memory, so memory stays flat however long the file.
3. Set-based checks over the staged rows: the same person (or certificate…) twice in the file, and the
   kind's own (someone registered at an enterprise outside the importer's scope…). Their rows become errors
   and leave the stage.
4. With errors and "all or nothing", nothing is written. Otherwise the kind's ``write`` moves the staged rows
   into the real tables with a few set-based statements, in one transaction with its audit record. Rows
   already there are updated (or counted unchanged), never added twice: the same file uploaded again
   changes nothing.
5. The rows in error, with their cells as given and an error column naming each column and its problem (every
   problem of the row, one a line), go to an annotated xlsx that can be fixed and uploaded again as it is. The
   report shows the first ``SHOWN_ERRORS`` problems (not rows).

``import_whole`` is the same for a service that answers at once: all rows or none, the rows' problems in
its refusal.
"""

import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from itertools import islice
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from yuanmeng.core.batch_processes import BatchProcesses
from yuanmeng.core.exports import Column, write_xlsx
from yuanmeng.core.spreadsheets import ColumnMatch, Sheet, header_key, match_columns, open_sheet, to_text
from yuanmeng.core.sql import copy_rows, execute, scalar
from yuanmeng.core.storage import private_file

CHUNK = 2000
PARALLEL_ROWS = 20_000  # longer files of kinds whose checks need no database are checked on every core
HEADER_SEARCH_ROWS = 5
SHOWN_ERRORS = 100  # problems (a row may have several), not rows
PROBLEM_SEPARATOR = "\n"  # between the problems of one row, in the error table and the file's problem cell
STAGE, ERRORS = "ym_import_stage", "ym_import_errors"


@dataclass
class ImportContext:
    by: object
    present: set[str]  # the optional columns the file has
    params: dict
    extra: dict = field(default_factory=dict)  # what the kind looked up once for every row

    @property
    def reference(self) -> str:
        """What the import's audit entry names it by: its task, or (run directly) the time it ran."""
        return str(self.params.get("job", "")) or timezone.now().strftime("%Y%m%d%H%M%S")


class ImportKind:
    """One kind of import. Subclasses set the class attributes and implement the four methods."""

    key: str
    label: Promise
    capability: str
    columns: dict[str, tuple[str, ...]]  # field → header names (the first is the template's)
    optional: dict[str, tuple[str, ...]] = {}
    example: dict[str, str]  # field → the template's example value
    stage: tuple[tuple[str, str], ...]  # staged columns and their SQL types (besides row_no and raw)
    key_column: str  # a row's identity in the file: the same value twice is an error
    key_header: str  # the header that names it
    checks_without_database = False  # then a long file is checked by several processes (see ``_checked``)

    def allowed(self, by, params: dict) -> bool:
        raise NotImplementedError

    def prepare(self, context: ImportContext) -> None:
        """Look up, once, what every row needs (the importer's enterprises…) into ``context.extra``."""

    def check_row(self, values: dict, context: ImportContext) -> tuple:
        """The staged values of one row, in ``stage`` order; ``ValidationError`` messages name the column."""
        raise NotImplementedError

    def stage_errors(self, context: ImportContext) -> list[tuple[str, list]]:
        """``SELECT row_no, raw, message FROM stage …`` statements for problems found across rows."""
        return []

    def write(self, context: ImportContext) -> dict[str, int]:
        """Move the staged rows into place (inside the caller's transaction); counts of created/updated/…"""
        raise NotImplementedError

    def headers(self) -> dict[str, str]:
        return {name: names[0] for name, names in {**self.columns, **self.optional}.items()}

    def template_columns(self) -> list[Column]:
        return [Column(header, lambda example, name=name: example.get(name, ""), 20)
                for name, header in self.headers().items()]


def choice_words(choices, extra: dict | None = None) -> dict[str, str]:
    """How a cell may name a choice → its value: the value itself, its Chinese and English labels, and the usual
    words for it (``extra``), compared as ``header_key`` compares them."""
    names = {}
    for language in ("en", settings.LANGUAGE_CODE):
        with translation.override(language):
            names.update({header_key(label): value for value, label in choices.choices})
    return {**names, **{header_key(word): value for word, value in (extra or {}).items()},
            **{value: value for value in choices.values}}


IMPORT_KINDS: dict[str, ImportKind] = {}


def register(kind: ImportKind) -> ImportKind:
    IMPORT_KINDS[kind.key] = kind
    return kind


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: int = 0  # rows in error
    problems: int = 0  # their problems: every column of a row is checked, and each problem reported
    written: bool = False
    all_or_nothing: bool = True
    ignored_columns: list[str] = field(default_factory=list)
    first_errors: list[tuple[int, str]] = field(default_factory=list)
    error_file: str = ""  # relative to MEDIA_ROOT

    def as_dict(self) -> dict:
        return asdict(self)

    def discard_error_file(self) -> None:
        """For callers that answer with the errors themselves: nobody would fetch the copy of the rows to fix,
        and a file no task refers to would never be pruned."""
        if self.error_file:
            (Path(settings.MEDIA_ROOT) / self.error_file).unlink(missing_ok=True)
            self.error_file = ""


def _find_header(sheet: Sheet, kind: ImportKind) -> ColumnMatch:
    """Match the header row, skipping up to a few title rows above it."""
    try:
        return match_columns(sheet.headers, kind.columns, kind.optional)
    except ValidationError as first_problem:
        for _tries, (_number, row) in zip(range(HEADER_SEARCH_ROWS - 1), sheet.rows, strict=False):
            try:
                return match_columns(row, kind.columns, kind.optional)
            except ValidationError:
                continue
        raise first_problem from None


def check_file(kind: ImportKind, source) -> int:
    """Before anything is queued: can the file be read, does it have the columns? Its estimated row count."""
    with open_sheet(source) as sheet:
        _find_header(sheet, kind)
        return sheet.estimated_rows


def _raw(values: dict, fields: list[str]) -> str:
    """The row's cells as text (kept for the file of rows to fix), cheaply for the usual cells that are text."""
    def text(value):
        if isinstance(value, str):
            return value
        try:
            return to_text(value)
        except ValidationError:
            return str(value)
    return json.dumps([text(values.get(name, "")) for name in fields], ensure_ascii=False)


MAX_MERGED_ROWS = 100_000


def _merged_rows(merged: list[str]) -> dict[int, str]:
    """Rows inside a merged range (below its first row, which holds the value) → the range's name."""
    covered = {}
    for name in merged:
        start, end = name.split(":")
        first, last = int("".join(c for c in start if c.isdigit())), int("".join(c for c in end if c.isdigit()))
        for row in range(first + 1, last + 1):
            covered.setdefault(row, name)
            if len(covered) > MAX_MERGED_ROWS:
                raise ValidationError(_("The sheet has merged cells over more than %(n)d rows: unmerge them and "
                                        "fill in every cell.") % {"n": MAX_MERGED_ROWS})
    return covered


class _Staging:
    """The temporary tables of one import; rows reach them in batches."""

    def __init__(self, kind: ImportKind):
        self.kind = kind
        self.columns = ["row_no", "raw", *(name for name, _type in kind.stage)]
        self.rows: list[tuple] = []
        self.errors: list[tuple] = []

    def __enter__(self):
        types = ", ".join(f"{name} {sql_type}" for name, sql_type in self.kind.stage)
        self._drop()
        execute(f"CREATE TEMPORARY TABLE {STAGE} (row_no INTEGER NOT NULL, raw TEXT NOT NULL, {types})", [])
        execute(f"CREATE TEMPORARY TABLE {ERRORS} (row_no INTEGER NOT NULL, raw TEXT NOT NULL, message TEXT NOT NULL)",
                [])
        return self

    def __exit__(self, *exc):
        self._drop()

    def _drop(self) -> None:
        for table in (STAGE, ERRORS):
            execute(f"DROP TABLE IF EXISTS {table}", [])

    def add(self, row: tuple) -> None:
        self.rows.append(row)
        if len(self.rows) >= CHUNK:
            self.flush()

    def error(self, row_no: int, raw: str, message: str) -> None:
        self.errors.append((row_no, raw, message))
        if len(self.errors) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        copy_rows(STAGE, self.columns, self.rows)
        copy_rows(ERRORS, ["row_no", "raw", "message"], self.errors)
        self.rows, self.errors = [], []

    def index(self) -> None:
        execute(f"CREATE INDEX {STAGE}_key ON {STAGE} ({self.kind.key_column})", [])
        execute(f"CREATE INDEX {STAGE}_row ON {STAGE} (row_no)", [])
        if connection.vendor == "postgresql":
            execute(f"ANALYZE {STAGE}", [])


def _rows(sheet: Sheet, match: ColumnMatch) -> Iterator[tuple[int, dict]]:
    """The non-empty rows, as {field: cell}."""
    for number, row in sheet.rows:
        values = {name: row[i] if i < len(row) else None for name, i in match.positions.items()}
        if any(value is not None and str(value).strip() for value in values.values()):
            yield number, values


def _check(number: int, values: dict, rules: tuple) -> tuple[bool, tuple]:
    """One row: (True, its staged values) or (False, (row, raw, the problem))."""
    kind, context, fields, merged = rules
    raw = _raw(values, fields)
    if number in merged:
        return False, (number, raw, _("Merged cells %(range)s: unmerge them and fill in every cell.")
                       % {"range": merged[number]})
    try:
        return True, (number, raw, *kind.check_row(values, context))
    except ValidationError as exc:
        return False, (number, raw, PROBLEM_SEPARATOR.join(exc.messages))


def _check_batch(batch: list[tuple[int, dict]], rules: tuple) -> list[tuple[bool, tuple]]:
    return [_check(number, values, rules) for number, values in batch]


def _checked(rows: Iterator[tuple[int, dict]], rules: tuple, estimated_rows: int) -> Iterator[tuple[bool, tuple]]:
    """Each row checked, in file order. A long file of a kind whose checks need no database is checked by one
    process per core (``core.batch_processes``: given the lookups once, two batches in flight on each, every wait
    bounded by ``JOB_STALL_SECONDS``), so memory stays flat; the rows are read and staged here meanwhile."""
    processes = os.cpu_count() or 1
    if not rules[0].checks_without_database or estimated_rows < PARALLEL_ROWS or processes < 2:
        for number, values in rows:
            yield _check(number, values, rules)
        return
    with BatchProcesses(_check_batch, rules, processes, timeout=settings.JOB_STALL_SECONDS) as checkers:
        for checked in checkers.map(_batches(rows, CHUNK)):
            yield from checked


def _batches(rows: Iterator, size: int) -> Iterator[list]:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _stage_rows(sheet: Sheet, match: ColumnMatch, kind: ImportKind, context: ImportContext, staging: _Staging,
                report: ImportReport, progress) -> None:
    rules = (kind, context, list(match.positions), _merged_rows(sheet.merged))
    for ok, row in _checked(_rows(sheet, match), rules, sheet.estimated_rows):
        report.rows += 1
        if ok:
            staging.add(row)
        else:
            staging.error(*row)
            report.errors += 1
        if report.rows % CHUNK == 0 and progress:
            progress(report.rows, total=max(sheet.estimated_rows, report.rows), errors=report.errors,
                     phase=_("checking rows"))
    staging.flush()


def _cross_row_errors(kind: ImportKind, context: ImportContext) -> int:
    """Rows that are fine alone but not together (or not against the database): moved from stage to errors."""
    same = _("%(column)s: the same as row ") % {"column": kind.key_header}
    moved = execute(f"""
        INSERT INTO {ERRORS} (row_no, raw, message)
        SELECT s.row_no, s.raw, %s || CAST(f.first_row AS TEXT) || %s
        FROM {STAGE} s JOIN (SELECT {kind.key_column} AS k, MIN(row_no) AS first_row FROM {STAGE}
                             GROUP BY {kind.key_column} HAVING COUNT(*) > 1) f ON f.k = s.{kind.key_column}
        WHERE s.row_no > f.first_row""", [same, _(" of this file.")])
    for sql, params in kind.stage_errors(context):  # a row already in error is reported once
        moved += execute(f"""INSERT INTO {ERRORS} (row_no, raw, message)
                             SELECT * FROM ({sql}) e WHERE e.row_no NOT IN (SELECT row_no FROM {ERRORS})""",
                         params)
    if moved:
        execute(f"DELETE FROM {STAGE} WHERE row_no IN (SELECT row_no FROM {ERRORS})", [])
    return moved


def _error_rows(page: int = 5000):
    last = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT row_no, raw, message FROM {ERRORS} WHERE row_no > %s ORDER BY row_no LIMIT %s",
                           [last, page])
            batch = cursor.fetchall()
        if not batch:
            return
        for row_no, raw, message in batch:
            yield row_no, json.loads(raw), message
        last = batch[-1][0]


def _problems() -> Iterator[tuple[int, str]]:
    """(row, problem), one a problem, in row order."""
    for row_no, _raw, message in _error_rows(SHOWN_ERRORS):
        for problem in message.split(PROBLEM_SEPARATOR):
            yield row_no, problem


def _problem_count() -> int:
    return scalar(f"SELECT SUM(LENGTH(message) - LENGTH(REPLACE(message, %s, '')) + 1) FROM {ERRORS}",
                  [PROBLEM_SEPARATOR])


def _error_file(by, kind: ImportKind, fields: list[str]) -> str:
    """The rows to fix, cells as given plus the problem, to correct and upload again as it is."""
    relative = f"import-reports/{by.pk}/{uuid.uuid4().hex}.xlsx"
    path = private_file(relative)
    headers = kind.headers()
    columns = [Column(headers[name], lambda row, i=i: row[1][i], 20) for i, name in enumerate(fields)]
    write_xlsx(path, sheet_name=_("Rows to fix"), rows=_error_rows(), columns=[
        *columns, Column(_("Problem"), lambda row: row[2], 60), Column(_("Row"), lambda row: row[0], 8)])
    return relative


def run_import(kind: ImportKind, *, by, source, all_or_nothing: bool = True, params: dict | None = None,
               progress=None) -> ImportReport:
    """Import ``source`` (a path or a file) as ``kind`` for ``by``; see the module's docstring for the steps."""
    params = params or {}
    if not kind.allowed(by, params):
        raise ValidationError(_("You may not import this kind of file here."))
    report = ImportReport(all_or_nothing=all_or_nothing)
    with open_sheet(source) as sheet:
        match = _find_header(sheet, kind)
        report.ignored_columns = match.ignored
        context = ImportContext(by=by, present=set(match.positions) & set(kind.optional), params=params)
        kind.prepare(context)
        with _Staging(kind) as staging:
            _stage_rows(sheet, match, kind, context, staging, report, progress)
            if not report.rows:
                raise ValidationError(_("The file has no rows below the column names: there is nothing to import."))
            if progress:
                progress(report.rows, total=report.rows, errors=report.errors, phase=_("checking across rows"),
                         force=True)
            staging.index()
            report.errors += _cross_row_errors(kind, context)
            if not (report.errors and all_or_nothing):
                if progress:
                    progress(report.rows, errors=report.errors, phase=_("writing"), force=True)
                counts = _write(kind, context)
                report.written = True
                report.created, report.updated = counts.get("created", 0), counts.get("updated", 0)
                report.unchanged = counts.get("unchanged", 0)
            if report.errors:
                report.problems = _problem_count()
                report.first_errors = list(islice(_problems(), SHOWN_ERRORS))
                report.error_file = _error_file(by, kind, list(match.positions))
    return report


def import_whole(key: str, *, by, source, params: dict) -> ImportReport:
    """Import ``source`` as the registered kind ``key``, all rows or none, in this request: for the callers that
    answer at once (the API, the command line, the demo). Any problem is a ``ValidationError`` on ``file``;
    each row's names its row and column. The kind is looked up in the registry, so a service below the app that
    defines it (or one its writing builds on) can call it without an import cycle."""
    try:
        report = run_import(IMPORT_KINDS[key], by=by, source=source, all_or_nothing=True, params=params)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    if report.errors:
        report.discard_error_file()  # the problems go back in the refusal
        problems = [_("row %(row)d: %(problem)s") % {"row": row, "problem": message}
                    for row, message in report.first_errors]
        if report.problems > len(problems):
            problems.append(_("… and %(n)d more problems.") % {"n": report.problems - len(problems)})
        raise ValidationError({"file": problems})
    return report


def _write(kind: ImportKind, context: ImportContext) -> dict[str, int]:
    try:
        with transaction.atomic():
            return kind.write(context)
    except IntegrityError:  # someone registered the same person (applied, listed…) since the rows were checked
        raise ValidationError(_("Some of these records were changed by someone else while the file was being "
                                "imported; nothing was written. Import the file again.")) from None


def staged_count() -> int:
    return scalar(f"SELECT COUNT(*) FROM {STAGE}", [])

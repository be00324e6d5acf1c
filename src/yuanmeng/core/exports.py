"""Lists to xlsx: streamed row by row with constant memory, cells a spreadsheet would run neutralised.

``Column`` says how to read one cell from a row object; the caller decides what a row may show (for
instance masked personal numbers). The workbook is written to a temporary file and handed out from there,
so memory stays flat however long the list is.

Every list page and API list registers a ``ListExport`` here (from its app's ``exports.py``); pages, the API and
the background worker all go through ``export_count`` and ``export_write``. ``export_start`` writes a short list at
once and hands a long one to the background worker, which ``jobs`` plugs in here in its ``ready()``.
"""

import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

import xlsxwriter
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from django.http import FileResponse, Http404
from django.utils import timezone

from yuanmeng.core.access import has_capability

# A cell starting with one of these is taken for a formula by Excel, LibreOffice or a CSV re-import (OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
CHUNK = 2000


def neutralise(text: str) -> str:
    """A text cell that a spreadsheet would run as a formula gets a leading apostrophe (shown as text)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[object], object]
    width: int = 14


def _write_cell(sheet, row: int, col: int, value) -> None:
    if value is None or value == "":
        return
    if isinstance(value, bool):
        sheet.write_string(row, col, "是" if value else "否")
    elif isinstance(value, int | float | Decimal):
        sheet.write_number(row, col, value)
    else:
        sheet.write_string(row, col, neutralise(str(value)))


def write_xlsx(out, *, sheet_name: str, columns: list[Column], rows: Iterable) -> int:
    """Write the rows to ``out`` (a path or a binary file); returns how many rows were written."""
    workbook = xlsxwriter.Workbook(out, {"constant_memory": True, "strings_to_formulas": False,
                                         "strings_to_urls": False, "strings_to_numbers": False})
    sheet = workbook.add_worksheet(sheet_name[:31])
    bold = workbook.add_format({"bold": True})
    for col, column in enumerate(columns):
        sheet.set_column(col, col, column.width)
        sheet.write_string(0, col, str(column.header), bold)
    count = 0
    for count, item in enumerate(rows, start=1):
        for col, column in enumerate(columns):
            _write_cell(sheet, count, col, column.value(item))
    sheet.freeze_panes(1, 0)
    workbook.close()
    return count


def xlsx_response(*, filename: str, sheet_name: str, columns: list[Column], rows: Iterable) -> FileResponse:
    spool = tempfile.TemporaryFile()
    write_xlsx(spool, sheet_name=sheet_name, columns=columns, rows=rows)
    spool.seek(0)
    return _download(spool, filename)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(spool, filename: str) -> FileResponse:
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=XLSX)


# ---- the registry: every list that can be exported, by name ---------------------------------------

Params = dict[str, str]


@dataclass(frozen=True)
class ListExport:
    """One list as a spreadsheet.

    ``rows(user, params)`` is the list's own selector with the list's own filters (``params`` is the page's or
    the API's query string as a plain dict), so an export holds exactly what the list shows; it may raise
    ``Http404`` for a filter that names something outside the user's scope. ``columns(user)`` decides what a
    cell shows this user (masked personal numbers). ``capability``: what the list's page asks of the user
    ("" for pages every signed-in user may open, whose rows the scoping alone restricts).
    """

    name: str
    title: str
    filename: str
    columns: Callable[[object], list[Column]]
    rows: Callable[[object, Params], Iterable]
    capability: str = ""


EXPORTS: dict[str, ListExport] = {}


def register(export: ListExport) -> ListExport:
    EXPORTS[export.name] = export
    return export


def export_get(*, name: str, by) -> ListExport:
    """The export if it exists and the user may read its list; ``Http404`` otherwise (never a 403 that tells)."""
    export = EXPORTS.get(name)
    if export is None or not getattr(by, "is_authenticated", False):
        raise Http404
    if export.capability and not has_capability(by, export.capability):
        raise Http404
    return export


def _rows(export: ListExport, by, params: Params):
    return export.rows(by, {str(k): str(v) for k, v in params.items()})


def export_count(*, name: str, by, params: Params) -> int:
    """How many rows the export would have (one COUNT query)."""
    rows = _rows(export_get(name=name, by=by), by, params)
    return rows.count() if isinstance(rows, QuerySet) else sum(1 for _row in rows)


def export_write(*, name: str, by, params: Params, out, progress: Callable[[int], None] | None = None) -> int:
    """Write the list to ``out`` (a path or a binary file) with constant memory: the rows are read from the
    database 2,000 at a time and written straight to the sheet. ``progress(rows_done)`` is called every 2,000
    rows and once at the end. Returns how many rows were written."""
    export = export_get(name=name, by=by)
    rows = _rows(export, by, params)
    if isinstance(rows, QuerySet):
        rows = rows.iterator(chunk_size=CHUNK)

    def reported(items):
        done = 0
        for done, item in enumerate(items, start=1):
            yield item
            if progress is not None and done % CHUNK == 0:
                progress(done)

    count = write_xlsx(out, sheet_name=str(export.title), columns=export.columns(by), rows=reported(rows))
    if progress is not None:
        progress(count)
    return count


def export_filename(export: ListExport) -> str:
    return f"{export.filename}-{timezone.localdate().isoformat()}.xlsx"


def export_response(*, name: str, by, params: Params) -> FileResponse:
    """The workbook now, as a download (for lists small enough to write inside the request)."""
    export = export_get(name=name, by=by)
    spool = tempfile.TemporaryFile()
    export_write(name=name, by=by, params=params, out=spool)
    spool.seek(0)
    return _download(spool, export_filename(export))


@dataclass(frozen=True)
class Queued:
    """A file being written by a background task: the task's id and its page (progress, then the download)."""

    task: int
    url: str


# How a long export is handed to the background worker: ``start(export=, by=, params=, total=) -> Queued``,
# registered by jobs (which sits above core) in its ready().
_background: list[Callable[..., Queued]] = []


def export_background_register(start: Callable[..., Queued]) -> None:
    _background[:] = [start]


def export_start(*, name: str, by, params: Params) -> FileResponse | Queued:
    """The workbook now when the list has at most ``EXPORT_INLINE_ROWS`` rows, else the background task writing
    it (``Http404`` if the user may not read the list)."""
    export = export_get(name=name, by=by)
    count = export_count(name=name, by=by, params=params)
    if count <= settings.EXPORT_INLINE_ROWS:
        return export_response(name=name, by=by, params=params)
    if not _background:
        raise ImproperlyConfigured("no background worker for long exports: yuanmeng.jobs registers it in its ready()")
    return _background[0](export=export, by=by, params=params, total=count)


def query_params(query) -> Params:
    """A request's query string as export parameters: the last value of each key, without page and format."""
    return {key: query.get(key, "") for key in query if key not in ("page", "format")}


def param_int(params: Params, key: str) -> int | None:
    """A positive id or year from the parameters, or None when missing or malformed."""
    value = params.get(key, "")
    return int(value) if value.isascii() and value.isdigit() and 0 < len(value) < 12 and int(value) else None


def param_choice(params: Params, key: str, choices) -> str:
    """The parameter if it is one of ``choices`` (a TextChoices class or a list of values), else ""."""
    value = params.get(key, "")
    return value if value in getattr(choices, "values", choices) else ""


def yuan(fen: int | None) -> Decimal | None:
    """Money cells are yuan (exactly, from integer fen: never through a float), so a spreadsheet can sum them."""
    return None if fen is None else Decimal(fen) / 100

"""Lists to xlsx: streamed row by row with constant memory, cells a spreadsheet would run neutralised.

``Column`` says how to read one cell from a row object; the caller decides what a row may show (for
instance masked personal numbers). The workbook is written to a temporary file and handed out from there,
so memory stays flat however long the list is.
"""

import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import xlsxwriter
from django.http import FileResponse

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
    elif isinstance(value, int | float):
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
    response = FileResponse(spool, as_attachment=True, filename=filename,
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Cache-Control"] = "private, no-store"
    return response

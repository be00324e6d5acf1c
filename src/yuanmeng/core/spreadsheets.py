"""Reading the spreadsheets union offices send, a row at a time, so memory stays flat however long the file.

The format is told by the file's first bytes, not its name: xlsx streams through ``core.xlsx_rows`` (lxml,
one row element at a time), csv through the csv module (UTF-8 or GBK, found by trying UTF-8 over the whole
file first), and the old binary xls and ods through calamine (xls holds at most 65,536 rows). An xlsx is a
zip: before opening one we check what it would expand to, so a zip bomb is refused instead of filling the
memory. Headers are matched by name (Chinese or English aliases, full-width or half-width), never by position.
"""

import codecs
import csv
import datetime
import io
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

from yuanmeng.core.exports import FORMULA_STARTS
from yuanmeng.core.validators import normalise_text
from yuanmeng.core.xlsx_rows import dimension_rows, first_sheet_path, sheet_rows

MAX_EXPANDED_BYTES = 3 * 1024**3  # sheet XML of about seven million rows
MAX_RATIO = 200  # ordinary sheets compress 5 to 20 times; bombs thousands of times
READ_CHUNK = 1 << 20
MAX_CELL_CHARS = 32_767  # what a spreadsheet cell holds at most (Excel, WPS)
CSV_FIELD_LIMIT = 1 << 20  # the csv module's limit (128 KB by default) for the whole process: past it, a quote was
csv.field_size_limit(max(csv.field_size_limit(), CSV_FIELD_LIMIT))  # left open; below it we name the column
BYTES_PER_ROW_AT_LEAST = 60  # the XML of a row of a few short cells
NOT_SHEETS = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"{\\rtf")  # PDF, PNG, GIF, JPEG, RTF


def _not_a_spreadsheet() -> ValidationError:
    return ValidationError(_("This is not a spreadsheet that can be read (xlsx, xls, ods or csv)."))


@dataclass
class Sheet:
    headers: list[str]  # the first row, as written
    rows: Iterator[tuple[int, list]]  # (row number as the spreadsheet shows it, cells) for the rows below
    estimated_rows: int = 0  # for progress; 0 when the file does not say
    merged: list[str] = field(default_factory=list)  # merged ranges such as "B3:B5"


@contextmanager
def open_sheet(source) -> Iterator[Sheet]:
    """The first sheet of ``source`` (a binary file, a path, or a Django upload), streamed."""
    if isinstance(source, str | bytes) or hasattr(source, "__fspath__"):
        with open(source, "rb") as file:
            with open_sheet(file) as sheet:
                yield sheet
        return
    source = getattr(source, "file", source)
    source.seek(0)
    head = source.read(8)
    source.seek(0)
    if not head:
        raise ValidationError(_("The file is empty."))
    if head.startswith(NOT_SHEETS):
        raise _not_a_spreadsheet()
    if head.startswith(b"PK\x03\x04"):
        opener = _open_zip
    elif head.startswith(b"\xd0\xcf\x11\xe0"):
        opener = _open_calamine
    else:
        opener = _open_csv
    with opener(source) as sheet:
        yield sheet


def _check_expansion(archive: zipfile.ZipFile) -> None:
    expanded = sum(info.file_size for info in archive.infolist())
    packed = sum(info.compress_size for info in archive.infolist()) or 1
    if expanded > MAX_EXPANDED_BYTES or (expanded > 50 * 1024**2 and expanded / packed > MAX_RATIO):
        raise ValidationError(_("The file would expand to %(size)d MB when opened, far more than any real list of "
                                "rows; it was refused. Save the sheet again from Excel or WPS and upload that copy.")
                              % {"size": expanded // 1024**2})


@contextmanager
def _open_zip(source) -> Iterator[Sheet]:
    try:
        archive = zipfile.ZipFile(source)
        names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _not_a_spreadsheet() from None
    _check_expansion(archive)
    if "xl/workbook.xml" not in names:
        if "content.xml" in names:  # OpenDocument
            source.seek(0)
            with _open_calamine(source) as sheet:
                yield sheet
            return
        raise _not_a_spreadsheet()
    try:
        member = first_sheet_path(archive)
        merged, last_row = _merged_ranges(archive, member), dimension_rows(archive, member)
        rows = sheet_rows(archive, member)
        header_row, headers = next(rows, (1, []))
    except Exception as exc:  # noqa: BLE001 - zipfile and the XML parser raise many types for a damaged workbook
        raise _not_a_spreadsheet() from exc
    if last_row <= header_row:  # no <dimension> (write-only generators): guess from the sheet's size, generously
        last_row = header_row + archive.getinfo(member).file_size // BYTES_PER_ROW_AT_LEAST
    yield Sheet(headers=headers, rows=_intact(rows, header_row), estimated_rows=max(last_row - header_row, 0),
                merged=merged)


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell ref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"')


def _merged_ranges(archive: zipfile.ZipFile, member: str) -> list[str]:
    """Merged ranges, from the sheet's XML: they come after the rows there, and are needed before them."""
    found, tail = [], b""
    with archive.open(member) as xml:
        while chunk := xml.read(READ_CHUNK):
            text = tail + chunk
            found.extend(m.group(1).decode() for m in _MERGE.finditer(text))
            tail = text[-200:]  # a range cut by the chunk's end is found whole next time (set() drops repeats)
    return sorted(set(found))


def _intact(rows: Iterator[tuple[int, list]], number: int) -> Iterator[tuple[int, list]]:
    """The rows of a workbook, until its sheet turns out damaged (cut short, a bad checksum): then an error
    naming the last row read, not the XML parser's."""
    try:
        for number, row in rows:
            yield number, row
    except Exception as exc:  # noqa: BLE001 - the XML parser and zipfile raise many types
        raise ValidationError(_("The file is damaged after row %(row)d (cut short while it was copied or "
                                "downloaded?): save it again from Excel or WPS and upload that copy.")
                              % {"row": number}) from exc


def _numbered(rows) -> Iterator[tuple[int, list]]:
    for number, row in enumerate(rows, start=2):
        yield number, list(row)


@contextmanager
def _open_calamine(source) -> Iterator[Sheet]:
    try:
        sheet = CalamineWorkbook.from_filelike(source).get_sheet_by_index(0)
        merged = sheet.merged_cell_ranges or []
        rows = sheet.to_python(skip_empty_area=False)
    except Exception as exc:  # noqa: BLE001 - calamine raises its own types for every kind of damage
        raise _not_a_spreadsheet() from exc
    if not rows:
        raise ValidationError(_("The file is empty."))
    yield Sheet(headers=list(rows[0]), rows=_numbered(rows[1:]), estimated_rows=len(rows) - 1,
                merged=[_range_name(*span) for span in merged])


def _column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _range_name(start: tuple[int, int], end: tuple[int, int]) -> str:
    return f"{_column_letters(start[1])}{start[0] + 1}:{_column_letters(end[1])}{end[0] + 1}"


def _text_encoding(source) -> tuple[str, int]:
    """UTF-8 (with or without BOM) if the whole file decodes as such, else GBK (as gb18030); and the line count."""
    for encoding in ("utf-8-sig", "gb18030"):
        decoder, lines = codecs.getincrementaldecoder(encoding)(), 0
        source.seek(0)
        try:
            while chunk := source.read(READ_CHUNK):
                if b"\x00" in chunk:
                    raise _not_a_spreadsheet()
                decoder.decode(chunk)
                lines += chunk.count(b"\n")
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding, lines
    raise ValidationError(_("The file is neither UTF-8 nor GBK text."))


@contextmanager
def _open_csv(source) -> Iterator[Sheet]:
    encoding, lines = _text_encoding(source)
    source.seek(0)
    text = io.TextIOWrapper(source, encoding=encoding, newline="")
    try:
        reader = csv.reader(text)
        headers = next(_csv_rows(reader, [], first=1), (1, []))[1]
        yield Sheet(headers=headers, rows=_csv_rows(reader, headers, first=2), estimated_rows=max(lines - 1, 0))
    finally:
        text.detach()  # leave the caller's file open


def _csv_rows(reader, headers: list, *, first: int) -> Iterator[tuple[int, list]]:
    """The records, numbered from ``first``; a cell longer than a spreadsheet's is refused naming its row and
    column (the csv module's own limit, raised to ``CSV_FIELD_LIMIT``, only stops a quote left open for good)."""
    number = first - 1
    try:
        for number, row in enumerate(reader, start=first):
            if max(map(len, row), default=0) > MAX_CELL_CHARS:
                raise _cell_too_long(number, row, headers)
            yield number, row
    except csv.Error as exc:
        if "field limit" in str(exc):
            raise ValidationError(_("Row %(row)d: a cell is longer than %(max)d characters, so a quotation mark was "
                                    "probably left open. Close it, or save the file again from Excel or WPS.")
                                  % {"row": number + 1, "max": CSV_FIELD_LIMIT}) from None
        raise ValidationError(_("The CSV file cannot be read at row %(row)d: %(error)s.")
                              % {"row": number + 1, "error": exc}) from None


def _cell_too_long(number: int, row: list, headers: list) -> ValidationError:
    column = next(i for i, cell in enumerate(row) if len(cell) > MAX_CELL_CHARS)
    name = _column_letters(column) + (f" ({headers[column]})" if column < len(headers) and headers[column] else "")
    return ValidationError(_("Row %(row)d, column %(column)s: the cell holds %(n)d characters, more than a spreadsheet "
                             "cell can (%(max)d). Was a quotation mark left open?")
                           % {"row": number, "column": name, "n": len(row[column]), "max": MAX_CELL_CHARS})


def header_key(text) -> str:
    return normalise_text(str(text if text is not None else "")).lower()


@dataclass
class ColumnMatch:
    positions: dict[str, int]  # field → index in the row
    ignored: list[str]  # headers that are not columns of this import


def match_columns(headers: list, columns: dict[str, tuple[str, ...]],
                  optional: dict[str, tuple[str, ...]] | None = None) -> ColumnMatch:
    """Find each field's column by its header names; a missing required column or a column given twice is an
    error naming it, an unknown column is only reported (it is left alone)."""
    keys = [header_key(h) for h in headers]
    if not any(keys):
        raise ValidationError(_("The first row must hold the column names (download the template to see them)."))
    positions, missing, twice, known = {}, [], [], set()
    for name, aliases in {**columns, **(optional or {})}.items():
        wanted = {header_key(a) for a in aliases}
        known |= wanted
        found = [i for i, key in enumerate(keys) if key in wanted]
        if len(found) > 1:
            twice.append(aliases[0])
        if found:
            positions[name] = found[0]
        elif name in columns:
            missing.append(aliases[0])
    if missing:
        raise ValidationError(_("Missing columns: %(list)s (download the template to see them).")
                              % {"list": "、".join(missing)})
    if twice:
        raise ValidationError(_("These columns appear more than once: %(list)s.") % {"list": "、".join(twice)})
    ignored = [str(h).strip() for h, key in zip(headers, keys, strict=True) if key and key not in known]
    return ColumnMatch(positions, ignored)


_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[T ]\d{1,2}:\d{2}(?::\d{2})?)?$")
EXCEL_EPOCH = datetime.date(1899, 12, 30)
LAST_SERIAL = 2958465  # 9999-12-31


def to_date(value) -> datetime.date:
    """A date cell, a date written as text (2024-06-30, 2024/6/30, 2024年6月30日, 20240630) or an Excel serial
    number (45473) as a date."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value <= LAST_SERIAL:
        return EXCEL_EPOCH + datetime.timedelta(days=int(value))
    text = normalise_text(str(value if value is not None else ""))
    if re.fullmatch(r"\d{8}", text):
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    elif re.fullmatch(r"\d{5}(\.0+)?", text):
        return to_date(float(text))
    match = _DATE.match(text.replace("T", " ")) or _DATE.match(str(value or "").strip())
    if not match:
        raise ValidationError(_("“%(value)s” is not a date (use 2024-06-30).") % {"value": value})
    try:
        return datetime.date(*(int(part) for part in match.groups()))
    except ValueError:
        raise ValidationError(_("“%(value)s” is not a real date.") % {"value": value}) from None


# Spreadsheets store numbers as doubles: beyond 15 digits the last ones are already lost.
EXACT_DIGITS = 15
_EXPONENT = re.compile(r"[+-]?\d+(?:\.\d*)?e[+-]?\d+", re.IGNORECASE)


def _lost_digits(value) -> ValidationError:
    return ValidationError(_("“%(value)s” was stored as a number and has lost its last digits: format the column as "
                             "text in the spreadsheet and type it again.") % {"value": value})


def to_text(value) -> str:
    """A cell as clean text: numbers without a trailing .0, dates as 2024-06-30, spaces collapsed."""
    if type(value) is str:  # most cells (all of a CSV's): straight to the cleaning
        return _clean(value)
    if isinstance(value, float):
        if abs(value) >= 10**EXACT_DIGITS:
            raise _lost_digits(value)
        if value.is_integer():
            value = int(value)
    elif isinstance(value, datetime.datetime):
        value = value.date() if not (value.hour or value.minute or value.second) else value
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value.isoformat()
    return _clean(str(value if value is not None else ""))


def to_number_text(value) -> str:
    """A cell that holds a long number (identity number, bank account) as its exact text, refused when it shows
    that the number went through a double on its way and lost digits: a float of 16 digits or more (``to_text``),
    exponent form (``1.10105E+17``: what Excel shows, and saves to csv, for such a number), or a number cell with
    zeros in every place past the 15th digit (``110105198501011000``, a double written out in full). A rounded
    number must never be read as another person's, or as an account that pays a stranger."""
    text = to_text(value)
    if type(value) is int and len(text) > EXACT_DIGITS and not text[EXACT_DIGITS:].strip("0"):
        raise _lost_digits(text)
    if not text.isdigit() and _EXPONENT.fullmatch(normalise_text(text)):  # plain digits, most cells: no regex
        raise _lost_digits(text)
    return text


def _clean(text: str) -> str:
    if text[:1] == "'" and text.startswith(FORMULA_STARTS, 1):  # our rows-to-fix file, uploaded again as it is:
        text = text[1:]  # the apostrophe an export put before a cell a spreadsheet would run (before the spaces go)
    return " ".join(text.replace("\x00", "").split())

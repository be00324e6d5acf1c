"""The rows of an xlsx workbook's first sheet, one at a time, in memory that does not grow with the sheet.

openpyxl's read-only reader keeps every row element it has parsed (cleared, but still hanging off the
sheet), so its memory grows by about a hundred bytes a row; calamine loads the whole sheet. Here lxml's
``iterparse`` hands over one ``<row>`` at a time and the row is dropped once read. Two things still grow
with the file and are kept small: the shared-string table (every distinct text of the workbook, which Excel
and WPS store apart from the cells) is kept in a list while short and spooled to a temporary file beyond
``SPOOL_STRINGS`` strings, 8 bytes an entry in memory; and nothing else is kept.

Values come back as openpyxl would give them: text, int or float, bool, and ``datetime`` for numbers in a
cell whose number format is a date (Excel's built-in date formats and any custom one with y/m/d/h/s
outside quotes). A whole number is read from its text, exactly, however long (as openpyxl does).
"""

import array
import datetime
import posixpath
import re
import tempfile
import zipfile
from collections.abc import Iterator

from lxml import etree

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
DOC_RELS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
SPOOL_STRINGS = 200_000
MAX_COLUMNS = 16_384  # XFD, Excel's last column: a cell beyond it is damage (or a trap), not data
BUILTIN_DATE_FORMATS = set(range(14, 23)) | {27, 30, 36, 45, 46, 47, 50, 57}
EXCEL_EPOCH = datetime.datetime(1899, 12, 30)
_DATE_CODE = re.compile(r"[dmyhs]", re.IGNORECASE)
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')
_INTEGER = re.compile(r"-?[0-9]+")
MAX_INTEGER_CHARACTERS = 40  # bank accounts have up to 30 digits; longer is no number anyone typed


def _parse(archive: zipfile.ZipFile, member: str, tag: str) -> Iterator:
    """Each ``tag`` element of ``member``, removed from the tree once the caller has read it."""
    with archive.open(member) as stream:
        for _event, element in etree.iterparse(stream, events=("end",), tag=tag, huge_tree=True):
            yield element
            element.clear()
            parent = element.getparent()
            while parent is not None and element.getprevious() is not None:
                del parent[0]


def first_sheet_path(archive: zipfile.ZipFile) -> str:
    workbook = etree.fromstring(archive.read("xl/workbook.xml"))
    sheet = workbook.find(f"{MAIN}sheets/{MAIN}sheet")
    if sheet is None:
        raise ValueError("the workbook has no sheet")
    rel_id = sheet.get(f"{DOC_RELS}id")
    rels = etree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    for rel in rels.iter(f"{RELS}Relationship"):
        if rel.get("Id") == rel_id:
            target = rel.get("Target")
            return target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
    raise ValueError("the workbook's first sheet cannot be found")


class SharedStrings:
    """The workbook's shared strings, by position; spooled to disk when there are many."""

    def __init__(self, archive: zipfile.ZipFile):
        self.short: list[str] = []
        self.offsets = array.array("q")
        self.spool = None
        if "xl/sharedStrings.xml" in archive.namelist():
            for item in _parse(archive, "xl/sharedStrings.xml", f"{MAIN}si"):
                self._add("".join(t.text or "" for t in item.iter(f"{MAIN}t")
                                  if t.getparent().tag != f"{MAIN}rPh"))  # not the phonetic guide

    def _add(self, text: str) -> None:
        if self.spool is None and len(self.short) < SPOOL_STRINGS:
            self.short.append(text)
            return
        if self.spool is None:
            self.spool = tempfile.TemporaryFile()
            for earlier in self.short:
                self._write(earlier)
            self.short = []
        self._write(text)

    def _write(self, text: str) -> None:
        self.offsets.append(self.spool.tell())
        self.spool.write(text.encode())

    def __getitem__(self, index: int) -> str:
        if self.spool is None:
            return self.short[index]
        start = self.offsets[index]
        end = self.offsets[index + 1] if index + 1 < len(self.offsets) else None
        self.spool.seek(start)
        data = self.spool.read(end - start) if end is not None else self.spool.read()
        self.spool.seek(0, 2)
        return data.decode()

    def close(self) -> None:
        if self.spool is not None:
            self.spool.close()


def date_styles(archive: zipfile.ZipFile) -> set[int]:
    """The cell style indexes whose number format shows a date or a time."""
    if "xl/styles.xml" not in archive.namelist():
        return set()
    styles = etree.fromstring(archive.read("xl/styles.xml"))
    custom = {int(f.get("numFmtId")): f.get("formatCode", "") for f in styles.iter(f"{MAIN}numFmt")}
    dated = {fmt_id for fmt_id, code in custom.items() if _DATE_CODE.search(_QUOTED.sub("", code))}
    cell_xfs = styles.find(f"{MAIN}cellXfs")
    xfs = [] if cell_xfs is None else cell_xfs.findall(f"{MAIN}xf")
    return {i for i, xf in enumerate(xfs)
            if (int(xf.get("numFmtId", "0")) in BUILTIN_DATE_FORMATS | dated)}


def _column(ref: str) -> int:
    index = 0
    for char in ref:
        if not char.isalpha():
            break
        index = index * 26 + ord(char.upper()) - 64
    return index - 1


def _number(text: str):
    """A number cell's value. Written as a whole number, it is read exactly, however long: tools other than Excel
    write an 18-digit identity number or a bank account that way, and a double would keep only its first 15 to 17
    digits (``110105198501011496`` → ``…488``). Anything else is the double Excel holds."""
    if len(text) <= MAX_INTEGER_CHARACTERS and _INTEGER.fullmatch(text):
        return int(text)
    return float(text)


def _cell_value(cell, strings: SharedStrings, dates: set[int]):
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        return "".join(t.text or "" for t in cell.iter(f"{MAIN}t"))
    value = cell.findtext(f"{MAIN}v")
    if not value:
        return None
    if kind == "s":
        return strings[int(value)]
    if kind == "b":
        return value == "1"
    if kind in ("str", "e"):
        return value
    number = _number(value)
    if int(cell.get("s", "0")) in dates:
        try:
            # to the millisecond, as Excel shows times (the serial's last bits are rounding noise)
            return EXCEL_EPOCH + datetime.timedelta(milliseconds=round(float(number) * 86_400_000))
        except OverflowError:
            return number
    return number


def dimension_rows(archive: zipfile.ZipFile, member: str) -> int:
    """The last row the sheet says it uses (from ``<dimension ref="A1:H1001">`` at its top), or 0."""
    with archive.open(member) as stream:
        head = stream.read(4096).decode("utf-8", "ignore")
    match = re.search(r'<(?:\w+:)?dimension ref="[A-Z]+\d+:[A-Z]+(\d+)"', head)
    return int(match.group(1)) if match else 0


def sheet_rows(archive: zipfile.ZipFile, member: str) -> Iterator[tuple[int, list]]:
    """(row number, values) for each row the sheet holds, values placed by their column letters."""
    strings, dates, number = SharedStrings(archive), date_styles(archive), 0
    try:
        for row in _parse(archive, member, f"{MAIN}row"):
            number = int(row.get("r") or number + 1)
            values: list = []
            for cell in row.iterchildren(f"{MAIN}c"):
                ref = cell.get("r")
                column = _column(ref) if ref else len(values)
                if column >= MAX_COLUMNS:
                    raise ValueError(f"cell {ref} is beyond the last column a sheet can have")
                if column >= len(values):
                    values.extend([None] * (column + 1 - len(values)))
                values[column] = _cell_value(cell, strings, dates)
            yield number, values
    finally:
        strings.close()

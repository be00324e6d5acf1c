"""Reading the spreadsheets union offices send: xlsx/xls/ods through calamine, csv in UTF-8 or GBK.

Headers are matched by name (Chinese or English aliases), never by position; values come back as
clean strings or dates, with the spreadsheet row number for error messages.
"""

import csv
import datetime
import io
import re
from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

from yuanmeng.core.validators import normalise_text


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError(_("The file is neither UTF-8 nor GBK text."))


def _raw_rows(upload) -> list[list]:
    upload.seek(0)
    data = upload.read()
    if upload.name.lower().endswith(".csv"):
        try:
            return list(csv.reader(io.StringIO(_decode(data))))
        except csv.Error as exc:
            raise ValidationError(_("The CSV file cannot be read: %(error)s.") % {"error": exc}) from None
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        return workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # noqa: BLE001 - calamine raises its own types for every kind of damage
        raise ValidationError(_("This is not a spreadsheet that can be read (xlsx, xls, ods or csv).")) from exc


def read_table(upload, columns: dict[str, tuple[str, ...]],
               optional: dict[str, tuple[str, ...]] | None = None) -> Iterator[tuple[int, dict]]:
    """Yield (row number, {field: value}) for each non-empty row. ``columns`` maps a field to its header names;
    ``optional`` columns may be absent (their fields are then left out of the rows)."""
    rows = _raw_rows(upload)
    if not rows:
        raise ValidationError(_("The file is empty."))
    headers = [normalise_text(str(h)).lower() for h in rows[0]]
    positions, missing = {}, []
    for field, names in {**(optional or {}), **columns}.items():
        found = [i for i, header in enumerate(headers) if header in {normalise_text(n).lower() for n in names}]
        if found:
            positions[field] = found[0]
        elif field in columns:
            missing.append(names[0])
    if missing:
        raise ValidationError(_("Missing columns: %(list)s.") % {"list": ", ".join(missing)})
    for number, row in enumerate(rows[1:], start=2):
        values = {field: row[i] if i < len(row) else "" for field, i in positions.items()}
        if any(str(v).strip() for v in values.values()):
            yield number, values


_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


def to_date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = normalise_text(str(value))
    if re.fullmatch(r"\d{8}", text):
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    match = _DATE.match(text)
    if not match:
        raise ValidationError(_("“%(value)s” is not a date (use 2024-06-30).") % {"value": value})
    try:
        return datetime.date(*(int(part) for part in match.groups()))
    except ValueError:
        raise ValidationError(_("“%(value)s” is not a real date.") % {"value": value}) from None


# Spreadsheets store numbers as doubles: beyond 15 digits the last ones are already lost.
EXACT_DIGITS = 15


def to_text(value) -> str:
    if isinstance(value, float):
        if abs(value) >= 10**EXACT_DIGITS:
            raise ValidationError(_("“%(value)s” was stored as a number and has lost its last digits: format the "
                                    "column as text in the spreadsheet and type it again.") % {"value": value})
        if value.is_integer():
            value = int(value)
    return " ".join(str(value if value is not None else "").replace("\x00", "").split())

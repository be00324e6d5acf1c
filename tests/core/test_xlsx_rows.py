"""The streaming xlsx reader gives what openpyxl gives, cell for cell, whatever wrote the workbook."""

import datetime
import io
import zipfile

import openpyxl
import pytest
import xlsxwriter
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from tests.builders import rewrite_sheet
from yuanmeng.core import xlsx_rows
from yuanmeng.core.xlsx_rows import first_sheet_path, sheet_rows

ROWS = [
    ["姓名", "身份证号", "入会日期", "时间", "金额", "在职", "备注"],
    ["李明", "44010619900307001X", datetime.datetime(2022, 3, 1), datetime.datetime(2022, 3, 1, 8, 30), 1234.5,
     True, None],
    ["王芳", "440106199003070021", datetime.datetime(1999, 12, 31), None, 7, False, "=1+1"],
    [None, None, None, None, None, None, None],
    ["赵六", "440106199003070048", "2022/3/1", None, -3, None, "末尾"],
]


def openpyxl_book(rows, **options):
    book = openpyxl.Workbook(**options)
    sheet = book.create_sheet() if options.get("write_only") else book.active
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    return data


def xlsxwriter_book(rows, **options):
    data = io.BytesIO()
    book = xlsxwriter.Workbook(data, options)
    sheet = book.add_worksheet("第一页")
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, datetime.datetime):
                sheet.write_datetime(r, c, value, dates)
            elif value is not None:
                sheet.write(r, c, value)
    book.add_worksheet("第二页").write(0, 0, "not this one")
    book.close()
    return data


def ours(data) -> dict[int, list]:
    archive = zipfile.ZipFile(data)
    return {number: values for number, values in sheet_rows(archive, first_sheet_path(archive))}


def theirs(data) -> dict[int, list]:
    sheet = openpyxl.load_workbook(data, read_only=True, data_only=True).worksheets[0]
    return {row[0].row: [cell.value for cell in row] for row in sheet.iter_rows() if row and
            any(cell.value is not None for cell in row)}


def trimmed(rows: dict[int, list]) -> dict[int, list]:
    def trim(values):
        while values and values[-1] is None:
            values = values[:-1]
        return values
    return {number: trim(values) for number, values in rows.items() if any(v is not None for v in values)}


@pytest.mark.parametrize("make", [
    lambda: openpyxl_book(ROWS), lambda: openpyxl_book(ROWS, write_only=True),
    lambda: xlsxwriter_book(ROWS), lambda: xlsxwriter_book(ROWS, constant_memory=True),
], ids=["openpyxl", "openpyxl-write-only", "xlsxwriter-shared-strings", "xlsxwriter-inline-strings"])
def test_the_same_cells_as_openpyxl(make):
    data = make()
    assert trimmed(ours(data)) == trimmed(theirs(data))
    assert trimmed(ours(data))[2][2] == datetime.datetime(2022, 3, 1)


def test_rich_text_and_gaps_between_cells_and_rows():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"] = CellRichText(["李", TextBlock(InlineFont(b=True), "明")])
    sheet["C1"] = "隔一列"
    sheet["B5"] = 42
    data = io.BytesIO()
    book.save(data)
    assert ours(data) == {1: ["李明", None, "隔一列"], 5: [None, 42]}


def test_many_shared_strings_are_spooled_to_disk_and_read_back(monkeypatch):
    monkeypatch.setattr(xlsx_rows, "SPOOL_STRINGS", 3)
    rows = [[f"名字{i}", f"备注{i}"] for i in range(20)]
    got = ours(xlsxwriter_book(rows))
    assert [got[i + 1] for i in range(20)] == rows



def test_a_cell_beyond_the_last_column_is_damage_not_a_huge_row():
    out = rewrite_sheet(xlsxwriter_book([["姓名"]]), lambda body: body.replace(
        b"</row>", b'<c r="AAAAAA1" t="inlineStr"><is><t>x</t></is></c></row>', 1))
    with pytest.raises(ValueError, match="last column"):
        ours(out)


def test_a_long_whole_number_is_read_exactly_and_a_double_as_a_double():
    out = rewrite_sheet(openpyxl_book([["号码"], ["placeholder"]]), lambda body: body.replace(
        b'<c r="A2" t="inlineStr"><is><t>placeholder</t></is></c>',
        b'<c r="A2"><v>110105198501011496</v></c><c r="B2"><v>-6222020200112233445</v></c>'
        b'<c r="C2"><v>1.10105198501011E+17</v></c><c r="D2"><v>12.0</v></c>'))
    assert ours(out)[2] == [110105198501011496, -6222020200112233445, 1.10105198501011e17, 12.0]
    assert theirs(out)[2][0] == 110105198501011496  # openpyxl, too (its reader stops at the sheet's dimension, A2)

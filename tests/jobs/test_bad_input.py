"""Every kind of bad file a union office uploads gets a clear report naming the column, the row or the
problem — never a server error — and in all-or-nothing mode nothing at all is written.

Each row-level case sits among good rows, so "nothing written" means the good rows were held back too."""

import datetime
import io
import random
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.html import escape

from tests.builders import bank_card, id_number, workbook
from yuanmeng.audit.models import AuditEntry
from yuanmeng.core.imports import run_import
from yuanmeng.core.spreadsheets import _not_a_spreadsheet
from yuanmeng.jobs.import_job import import_submit
from yuanmeng.jobs.models import Job, JobState
from yuanmeng.orgs.roles import Role
from yuanmeng.people.imports import WORKERS
from yuanmeng.people.models import Worker

pytestmark = pytest.mark.django_db
HEADER = ["姓名", "身份证号", "手机号", "单位统一社会信用代码", "岗位类别", "入会日期", "农民工", "银行账号"]
ID, MOBILE, CODE, SINCE = 1, 2, 3, 5  # positions in HEADER
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


# ---- building files -------------------------------------------------------------------------------------

def xlsx(rows, header=HEADER, *, empty_first_row=False, merge=None) -> io.BytesIO:
    return workbook(header, rows, empty_first_row=empty_first_row, merge=merge)


def csv_bytes(rows, header=HEADER, encoding="utf-8") -> io.BytesIO:
    text = "\r\n".join(",".join(str(cell) for cell in row) for row in [header, *rows]) + "\r\n"
    return io.BytesIO(text.encode(encoding))


def named(data: bytes | io.BytesIO, name: str) -> io.BytesIO:
    data = io.BytesIO(data) if isinstance(data, bytes) else data
    data.name = name
    return data


def pdf() -> bytes:
    """A PDF as office software writes one: a binary comment line and a compressed content stream."""
    import zlib

    stream = zlib.compress(b"BT /F1 12 Tf 72 712 Td (workers) Tj ET" * 20)
    return (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
            + b"4 0 obj\n<< /Length " + str(len(stream)).encode() + b" /Filter /FlateDecode >>\nstream\n"
            + stream + b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")


def png() -> bytes:
    import struct
    import zlib

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def docx() -> bytes:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.'
                                                'org/package/2006/content-types"/>')
        archive.writestr("word/document.xml", "<w:document><w:body><w:p>职工名单</w:p></w:body></w:document>")
    return data.getvalue()


def damaged_sheet(rows) -> bytes:
    """A good workbook whose sheet XML has been cut off two thirds of the way (the zip itself is intact)."""
    good = zipfile.ZipFile(xlsx(rows))
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in good.infolist():
            content = good.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = content[:len(content) * 2 // 3]
            archive.writestr(info.filename, content)
    return data.getvalue()


def corrupted_sheet(rows) -> bytes:
    """A good workbook with bytes in the middle of its compressed sheet overwritten (a bad disk, a bad copy)."""
    data = bytearray(xlsx(rows).getvalue())
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    middle = start + info.compress_size // 2
    data[middle:middle + 64] = b"\x00" * 64
    return bytes(data)


def zip_bomb(path: Path, megabytes: int = 64) -> Path:
    """An xlsx-shaped zip whose sheet expands to ``megabytes`` of the same byte: a ratio near 1000:1."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook><sheets><sheet name="Sheet1" '
                                            'sheetId="1" r:id="rId1"/></sheets></workbook>')
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b'<?xml version="1.0"?><worksheet><sheetData>')
            block = b"0" * (1 << 20)
            for _megabyte in range(megabytes):
                sheet.write(block)
            sheet.write(b"</sheetData></worksheet>")
    return path


# ---- running -----------------------------------------------------------------------------------------------

@pytest.fixture
def officer(tree):
    return tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe)


def good_rows(tree, n=3, first=700):
    code = tree.tianhe_firm.credit_code
    return [[f"工人{i}", id_number(serial=first + i), f"1370000{i:04d}", code, "一线生产", "2022-03-01", "是",
             bank_card(i, prefix="62220202001")] for i in range(n)]


def run(by, source, **options):
    return run_import(WORKERS, by=by, source=source, **options)


def refused(by, source) -> str:
    """The whole file is refused: the message the user reads; and not one worker was written."""
    before = Worker.objects.count()
    with pytest.raises(ValidationError) as error:
        run(by, source)
    assert Worker.objects.count() == before
    return " ".join(error.value.messages)


def held_back(by, source, errors: int = 1) -> dict[int, str]:
    """Some rows are wrong: all or nothing writes none of the file; row number → its message."""
    before = Worker.objects.count()
    report = run(by, source)
    assert report.errors == errors and not report.written and report.created == 0
    assert Worker.objects.count() == before
    assert report.error_file and (Path(settings.MEDIA_ROOT) / report.error_file).is_file()
    return dict(report.first_errors)


def not_a_spreadsheet() -> str:
    return _not_a_spreadsheet().messages[0]


# ---- files that are not spreadsheets ------------------------------------------------------------------------

@pytest.mark.parametrize("make, name", [
    (pdf, "workers.pdf"),
    (png, "workers.png"),
    (lambda: random.Random(7).randbytes(8192), "workers.xlsx"),
    (docx, "workers.docx"),
    (lambda: xlsx([["工人", "x"]] * 50).getvalue()[:3000], "truncated.xlsx"),
], ids=["pdf", "png", "random-bytes-named-xlsx", "docx", "truncated-xlsx"])
def test_a_file_that_is_not_a_spreadsheet_is_refused_as_such(tree, officer, make, name):
    assert refused(officer, named(make(), name)) == not_a_spreadsheet()


def test_a_workbook_whose_sheet_is_cut_off_names_the_last_row_read(tree, officer):
    message = refused(officer, io.BytesIO(damaged_sheet(good_rows(tree, 300))))
    last = int(re.search(r"(\d+)", message).group(1))
    assert 150 < last < 300 and ("damaged" in message or "损坏" in message)


def test_a_workbook_with_damaged_bytes_is_refused_not_a_server_error(tree, officer):
    assert refused(officer, io.BytesIO(corrupted_sheet(good_rows(tree, 300)))) == not_a_spreadsheet()


def test_a_zip_bomb_is_refused_before_it_is_opened(tree, officer, tmp_path):
    bomb = zip_bomb(tmp_path / "bomb.xlsx")
    assert bomb.stat().st_size < 1024**2  # 64 MB inside
    message = refused(officer, bomb)
    assert "64 MB" in message


# ---- empty files, empty sheets ----------------------------------------------------------------------------

def test_an_empty_file_is_refused(tree, officer):
    message = refused(officer, named(b"", "workers.xlsx"))
    assert "empty" in message or "为空" in message


def test_a_sheet_with_no_cells_asks_for_the_column_names(tree, officer):
    message = refused(officer, xlsx([], header=None))
    assert "template" in message or "模板" in message


@pytest.mark.parametrize("source", [lambda: xlsx([]), lambda: csv_bytes([]), lambda: xlsx([["", " ", None]])],
                         ids=["xlsx", "csv", "blank-rows"])
def test_a_file_with_the_headers_only_is_refused_and_audits_nothing(tree, officer, source):
    message = refused(officer, source())
    assert "nothing to import" in message or "没有" in message
    assert not AuditEntry.objects.filter(action="worker.import").exists()


def test_an_empty_first_row_is_skipped_and_rows_keep_their_numbers(tree, officer):
    rows = good_rows(tree, 3)
    rows[1][MOBILE] = "12345"
    messages = held_back(officer, xlsx(rows, empty_first_row=True))
    assert list(messages) == [4] and "手机号" in messages[4]  # row 1 empty, 2 headers, 3 and 4 data
    rows[1][MOBILE] = "13900001111"
    assert run(officer, xlsx(rows, empty_first_row=True)).created == 3


# ---- columns ----------------------------------------------------------------------------------------------

def test_missing_required_columns_are_named(tree, officer):
    header = ["姓名", "手机号", "岗位类别"]
    message = refused(officer, xlsx([["工人甲", "13700000001", "一线生产"]], header=header))
    assert "身份证号" in message and "单位统一社会信用代码" in message
    assert "姓名" not in message and "岗位类别" not in message


def test_extra_columns_are_left_alone_and_named(tree, officer):
    rows = [[*row, "备注甲", "x"] for row in good_rows(tree, 2)]
    report = run(officer, xlsx(rows, header=[*HEADER, "备注", "工号 "]))
    assert report.written and report.created == 2 and report.errors == 0
    assert report.ignored_columns == ["备注", "工号"]


@pytest.mark.parametrize("twice", [["姓名", "姓名"], ["身份证号", "身份证号码"]], ids=["same-name", "alias"])
def test_the_same_column_twice_is_named(tree, officer, twice):
    header = [*HEADER, twice[1]]
    rows = [[*row, row[HEADER.index(twice[0])]] for row in good_rows(tree, 2)]
    message = refused(officer, xlsx(rows, header=header))
    assert twice[0] in message and ("more than once" in message or "不止一次" in message)


# ---- merged cells -----------------------------------------------------------------------------------------

def test_merged_cells_over_data_rows_are_errors_naming_the_range(tree, officer):
    rows = good_rows(tree, 5)  # rows 2 to 6
    messages = held_back(officer, xlsx(rows, merge="D3:D5"), errors=2)
    assert set(messages) == {4, 5} and all("D3:D5" in message for message in messages.values())


# ---- dates ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["2022/3/1", "2022年3月1日", "20220301", 44621, datetime.date(2022, 3, 1),
                                   datetime.datetime(2022, 3, 1, 0, 0), " 2022-03-01 "],
                         ids=["slashes", "chinese", "digits", "excel-serial", "date-cell", "datetime-cell",
                              "spaces"])
def test_union_member_since_is_read_however_it_was_written(tree, officer, value):
    rows = good_rows(tree, 2)
    rows[0][SINCE] = value
    report = run(officer, xlsx(rows))
    assert report.created == 2 and report.errors == 0
    assert Worker.objects.get(name="工人0").union_member_since == datetime.date(2022, 3, 1)


def test_dates_in_a_csv_as_text_and_as_serial_numbers(tree, officer):
    rows = good_rows(tree, 3)
    rows[0][SINCE], rows[1][SINCE], rows[2][SINCE] = "2022年3月1日", "44621", "20220301"
    assert run(officer, csv_bytes(rows)).created == 3
    assert set(Worker.objects.values_list("union_member_since", flat=True)) == {datetime.date(2022, 3, 1)}


@pytest.mark.parametrize("value", ["2022-02-30", "2022年13月1日", "三月一日"], ids=["feb-30", "month-13", "words"])
def test_an_impossible_date_is_a_row_error_naming_the_column(tree, officer, value):
    rows = good_rows(tree, 3)
    rows[1][SINCE] = value
    messages = held_back(officer, xlsx(rows))
    assert list(messages) == [3] and "入会日期" in messages[3] and value in messages[3]


# ---- identity numbers, mobiles, spaces ----------------------------------------------------------------------

def test_full_width_digits_are_read_as_digits(tree, officer):
    rows = good_rows(tree, 2)
    number, mobile = rows[0][ID], rows[0][MOBILE]
    rows[0][ID], rows[0][MOBILE] = number.translate(FULL_WIDTH), mobile.translate(FULL_WIDTH)
    assert rows[0][ID] != number
    assert run(officer, xlsx(rows)).created == 2
    worker = Worker.objects.get(name="工人0")
    assert (worker.id_number, worker.mobile) == (number, mobile)


def test_leading_and_trailing_spaces_are_trimmed(tree, officer):
    rows = good_rows(tree, 2)
    expected = list(rows[0])
    rows[0] = [f"  {cell} " for cell in rows[0]]
    assert run(officer, xlsx(rows)).created == 2
    worker = Worker.objects.get(id_number_masked__startswith=expected[ID][:3], name="工人0")
    assert (worker.name, worker.id_number, worker.mobile, worker.bank_account) == (
        expected[0], expected[ID], expected[MOBILE], expected[7])
    assert worker.employer == tree.tianhe_firm


def test_a_lower_case_x_check_character_is_accepted(tree, officer):
    number = next(n for n in (id_number(serial=s) for s in range(1, 1000)) if n.endswith("X"))
    rows = good_rows(tree, 2)
    rows[0][ID] = number.lower()
    assert run(officer, xlsx(rows)).created == 2
    assert Worker.objects.get(name="工人0").id_number == number


def test_an_identity_number_stored_as_a_number_is_an_error_naming_the_column(tree, officer):
    rows = good_rows(tree, 3)
    rows[1][ID] = float(rows[1][ID])  # what Excel keeps of 18 digits typed in a number cell
    messages = held_back(officer, xlsx(rows))
    assert list(messages) == [3] and "身份证号" in messages[3]
    assert "number" in messages[3] or "数字" in messages[3]


def test_an_identity_number_with_a_wrong_check_digit_is_named(tree, officer):
    rows = good_rows(tree, 3)
    rows[2][ID] = rows[2][ID][:-1] + ("1" if rows[2][ID][-1] == "0" else "0")
    messages = held_back(officer, xlsx(rows))
    assert list(messages) == [4] and "身份证号" in messages[4]


# ---- CSV encodings -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig", "utf-8"])
def test_a_csv_in_gbk_or_utf8_with_or_without_bom(tree, officer, encoding):
    report = run(officer, csv_bytes(good_rows(tree, 3), encoding=encoding))
    assert report.created == 3 and report.errors == 0
    assert set(Worker.objects.values_list("name", flat=True)) == {"工人0", "工人1", "工人2"}


def test_a_csv_that_is_neither_utf8_nor_gbk_is_refused(tree, officer):
    data = csv_bytes(good_rows(tree, 3)).getvalue().replace("工人1".encode(), b"\xff\xfe\xff")
    message = refused(officer, named(data, "workers.csv"))
    assert "UTF-8" in message and "GBK" in message


def test_a_csv_with_a_broken_row_names_the_row(tree, officer):
    rows = good_rows(tree, 3)
    rows[1][0] = '"' + "长" * 200_000  # an unclosed quote swallowing the rest of the file
    message = refused(officer, csv_bytes(rows))
    assert message.startswith("第 3 行 A (姓名) 列：") and "引号" in message  # not the csv module's English


# ---- scale, and rows outside the importer's enterprise -------------------------------------------------------

def test_200000_rows_from_an_enterprise_officer_naming_another_enterprise(tree, tmp_path):
    officer = tree.staff(Role.ENTERPRISE_OFFICER, tree.tianhe_firm.organisation)
    other = tree.haizhu_firm.credit_code
    total = 200_000
    path = tmp_path / "workers.csv"
    header = HEADER[:5]  # the required columns only: the annotated file is written in half the time
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write(",".join(header) + "\r\n")
        out.writelines(f"工人{i},{id_number(serial=i)},139{i:08d},{other},一线生产\r\n" for i in range(total))
    report = run(officer, path)
    assert (report.rows, report.errors, report.created, report.written) == (total, total, 0, False)
    assert Worker.objects.count() == 0
    assert len(report.first_errors) == 100 and all("单位统一社会信用代码" in m for _row, m in report.first_errors)
    assert report.first_errors[0][0] == 2
    annotated = Path(settings.MEDIA_ROOT) / report.error_file
    assert _count_rows(annotated) == total + 1
    book = openpyxl.load_workbook(annotated, read_only=True)
    titles, first = list(book.active.iter_rows(min_row=1, max_row=2, values_only=True))
    book.close()
    assert titles[:5] == tuple(header) and first[0] == "工人0" and "单位统一社会信用代码" in first[-2]


def _count_rows(path: Path) -> int:
    """The rows in the workbook's first sheet, counted from its XML as it is unpacked."""
    count, tail = 0, b""
    with zipfile.ZipFile(path) as archive, archive.open("xl/worksheets/sheet1.xml") as xml:
        while chunk := xml.read(1 << 22):
            text = tail + chunk
            count += text.count(b"<row ")
            tail = text[-4:] if not text.endswith(b"<row ") else b""
    return count


# ---- through the web page --------------------------------------------------------------------------------------

def _upload_shows_the_refusal(client, data, expected: str):
    response = client.post("/imports/workers/", {"file": data, "mode": "all"})
    assert response.status_code == 200 and not Job.objects.exists()  # refused on the page, nothing queued
    assert escape(expected) in response.content.decode()
    assert Worker.objects.count() == 0


def test_a_pdf_uploaded_on_the_page_is_refused_with_the_reason(tree, officer, login):
    _upload_shows_the_refusal(login(officer), named(pdf(), "workers.pdf"), not_a_spreadsheet())


def test_a_zip_bomb_uploaded_on_the_page_is_refused_with_the_reason(tree, officer, login, tmp_path):
    bomb = zip_bomb(tmp_path / "bomb.xlsx")
    with open(bomb, "rb") as data:
        _upload_shows_the_refusal(login(officer), data, "64 MB")


def test_a_workbook_cut_off_is_refused_by_its_import_on_the_task_page(tree, officer, login):
    """The zip is whole and its rows can be counted: the file is taken, and the import finds the damage."""
    client = login(officer)
    data = named(damaged_sheet(good_rows(tree, 300)), "workers.xlsx")
    response = client.post("/imports/workers/", {"file": data, "mode": "all"})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/tasks/{job.pk}/"
    assert job.state == JobState.FAILED and ("damaged" in job.error or "损坏" in job.error)
    assert escape(job.error) in client.get(response["Location"]).content.decode()
    assert Worker.objects.count() == 0


def test_a_workbook_with_damaged_bytes_is_refused_on_the_page(tree, officer, login):
    """Its compressed sheet cannot be read through when the rows are counted: refused before any task."""
    _upload_shows_the_refusal(login(officer), named(corrupted_sheet(good_rows(tree, 300)), "workers.xlsx"),
                              not_a_spreadsheet())


def test_the_task_page_of_a_failed_import_shows_why(tree, officer, login):
    rows = good_rows(tree, 3)
    rows[1][0] = '"' + "长" * 200_000
    job = import_submit(by=officer, kind="workers", source=csv_bytes(rows), file_name="workers.csv",
                        all_or_nothing=True, inline=True)
    assert job.state == JobState.FAILED and "第 3 行" in job.error
    page = login(officer).get(f"/tasks/{job.pk}/")
    assert page.status_code == 200 and escape(job.error) in page.content.decode()
    assert Worker.objects.count() == 0

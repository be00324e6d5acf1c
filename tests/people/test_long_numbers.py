"""An identity number or a bank account that a spreadsheet holds as a number is read exactly, or refused with a
row error saying to format the column as text: never stored as another person's number or another account."""

import io
import re
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from tests.builders import rewrite_sheet, workbook
from yuanmeng.applications.imports import GRADUATE_ROSTER
from yuanmeng.core.imports import run_import
from yuanmeng.core.spreadsheets import to_number_text
from yuanmeng.orgs.roles import Role
from yuanmeng.people.imports import WORKERS
from yuanmeng.people.models import Worker

pytestmark = pytest.mark.django_db
HEADER = ["姓名", "身份证号", "手机号", "单位统一社会信用代码", "岗位类别", "银行账号"]
NUMBER = "110105198501011496"  # through a double: 110105198501011488
ACCOUNT = "6222020200112233446"  # through a double: 6222020200112233472
FORMAT_AS_TEXT = "设为文本格式"


def as_number_cells(book: io.BytesIO, texts: dict[str, str]) -> io.BytesIO:
    """The workbook with each text cell holding a key of ``texts`` turned into a number cell ``<v>value</v>``, the
    way tools other than Excel write long numbers."""
    def edit(body: bytes) -> bytes:
        for text, value in texts.items():
            body, count = re.subn(rf'<c r="([A-Z]+\d+)"[^>]*t="inlineStr"><is><t>{re.escape(text)}</t></is></c>'
                                  .encode(), rf'<c r="\1" t="n"><v>{value}</v></c>'.encode(), body)
            assert count == 1, text
        return body
    return rewrite_sheet(book, edit)


@pytest.fixture
def officer(tree):
    return tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe)


def row(tree, number=NUMBER, account=ACCOUNT, name="李明"):
    return [name, number, "13900000001", tree.tianhe_firm.credit_code, "一线生产", account]


def test_an_exact_whole_number_in_a_number_cell_is_read_digit_for_digit(tree, officer):
    book = as_number_cells(workbook(HEADER, [row(tree)]), {NUMBER: NUMBER, ACCOUNT: ACCOUNT})
    report = run_import(WORKERS, by=officer, source=book)
    assert (report.created, report.errors) == (1, 0), report.first_errors
    worker = Worker.objects.get()
    assert (worker.id_number, worker.bank_account) == (NUMBER, ACCOUNT)


@pytest.mark.parametrize(("number", "account", "column"), [
    ("1.10105198501011E+17", ACCOUNT, "身份证号"),  # how Excel writes a double
    ("110105198501011000", ACCOUNT, "身份证号"),  # a double written out in full
    (NUMBER, "6.22202020011223E+18", "银行账号"),
    (NUMBER, "6222020200112230000", "银行账号"),  # would be a valid-looking account: a stranger's
], ids=["identity-exponent", "identity-zeros", "account-exponent", "account-zeros"])
def test_a_number_cell_that_lost_digits_is_a_row_error_saying_to_format_as_text(tree, officer, number, account,
                                                                               column):
    book = as_number_cells(workbook(HEADER, [row(tree, "ID", "ACCOUNT")]), {"ID": number, "ACCOUNT": account})
    report = run_import(WORKERS, by=officer, source=book)
    assert report.errors == 1 and Worker.objects.count() == 0
    (line, message), = report.first_errors
    assert line == 2 and message.startswith(column) and FORMAT_AS_TEXT in message


def test_a_csv_saved_from_a_number_column_is_refused_the_same_way(tree, officer):
    rows = [row(tree, "1.10105E+17", ACCOUNT, "李明"), row(tree, "440106197501010010", "6.22202E+18", "王芳")]
    text = "\n".join(",".join(cells) for cells in [HEADER, *rows]).encode()
    report = run_import(WORKERS, by=officer, source=io.BytesIO(text))
    assert report.errors == 2 and Worker.objects.count() == 0
    messages = dict(report.first_errors)
    assert messages[2].startswith("身份证号") and FORMAT_AS_TEXT in messages[2]
    assert messages[3].startswith("银行账号") and FORMAT_AS_TEXT in messages[3]


def test_text_is_taken_as_written_even_with_zeros_at_the_end(tree, officer):
    account = "6222020200600000000"  # typed as text: exact, whatever its digits
    report = run_import(WORKERS, by=officer, source=workbook(HEADER, [row(tree, account=account)]))
    assert report.created == 1 and Worker.objects.get().bank_account == account


MANIFEST = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
            'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
            '<manifest:file-entry manifest:full-path="/" '
            'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            '</manifest:manifest>')


def ods(cells: list[tuple[str, str]]) -> io.BytesIO:
    """An OpenDocument sheet of one header row and one row of cells (value type, value), as LibreOffice writes."""
    def cell(kind, value):
        if kind == "string":
            return f'<table:table-cell office:value-type="string"><text:p>{value}</text:p></table:table-cell>'
        return f'<table:table-cell office:value-type="float" office:value="{value}"><text:p>{value}</text:p>' \
               '</table:table-cell>'
    header = "".join(cell("string", h) for h in HEADER)
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body>'
               f'<office:spreadsheet><table:table table:name="S"><table:table-row>{header}</table:table-row>'
               f'<table:table-row>{"".join(cell(*c) for c in cells)}</table:table-row></table:table>'
               '</office:spreadsheet></office:body></office:document-content>')
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
        archive.writestr("META-INF/manifest.xml", MANIFEST)
    data.seek(0)
    return data


def test_an_ods_number_cell_read_through_calamine_is_refused_not_rounded(tree, officer):
    cells = [("string", "李明"), ("float", NUMBER), ("string", "13900000001"),
             ("string", tree.tianhe_firm.credit_code), ("string", "一线生产"), ("float", ACCOUNT)]
    report = run_import(WORKERS, by=officer, source=ods(cells))
    assert report.errors == 1 and Worker.objects.count() == 0
    message = "\n".join(problem for _row, problem in report.first_errors)  # one entry a problem
    assert "身份证号" in message and "银行账号" in message and FORMAT_AS_TEXT in message


@pytest.mark.parametrize("value", [110105198501011000, 1.1010519850101149e17, "1.10105E+17", "１.10105E+17",
                                   "6.22202e18"])
def test_to_number_text_refuses_what_shows_lost_digits(value):
    with translation.override("en"), pytest.raises(ValidationError) as error:
        to_number_text(value)
    assert "format the column as text" in error.value.messages[0]


@pytest.mark.parametrize(("value", "text"), [(110105198501011496, NUMBER), (NUMBER, NUMBER),
                                             ("6222020200100000000", "6222020200100000000"),
                                             (622202020011223, "622202020011223"), ("", "")])
def test_to_number_text_keeps_exact_numbers(value, text):
    assert to_number_text(value) == text


def test_a_school_roster_refuses_an_identity_number_that_lost_digits_the_same_way(tree):
    school_staff = tree.staff(Role.SCHOOL_STAFF, tree.school)
    header = ["证书编号", "身份证号", "姓名", "层次", "专业", "毕业日期"]
    text = "\n".join(",".join(cells) for cells in [header, ["511617202606000001", "1.10105E+17", "李明", "专科", "机电",
                                                              "2026-06-30"]]).encode()
    report = run_import(GRADUATE_ROSTER, by=school_staff, source=io.BytesIO(text),
                        params={"school": tree.school_profile.pk, "file_name": "毕业名册.csv"})
    (_row, message), = report.first_errors
    assert report.errors == 1 and "身份证号" in message and FORMAT_AS_TEXT in message

"""Registering workers from a spreadsheet: the same rules row by row, all or nothing or the valid rows,
an annotated file of what to fix, and no duplicates when the same file comes twice."""

import io

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.builders import id_number
from yuanmeng.orgs.roles import Role
from yuanmeng.people.imports import workers_import
from yuanmeng.people.models import Worker

pytestmark = pytest.mark.django_db
HEADER = ["姓名", "身份证号", "手机号", "单位统一社会信用代码", "岗位类别", "入会日期", "农民工", "银行账号"]


def xlsx(rows, header=HEADER):
    book = openpyxl.Workbook()
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    data = io.BytesIO()
    book.save(data)
    return SimpleUploadedFile("workers.xlsx", data.getvalue())


@pytest.fixture
def officer(tree):
    return tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe)


def good_rows(tree, n=3):
    code = tree.tianhe_firm.credit_code
    return [[f"工人{i}", id_number(serial=700 + i), f"1370000{i:04d}", code, "一线生产", "2022-03-01", "是",
             f"62220202001{i:08d}"] for i in range(n)]


def test_a_good_file_registers_everyone_and_a_second_upload_nobody(tree, officer):
    rows = good_rows(tree)
    report = workers_import(by=officer, upload=xlsx(rows))
    assert (report.created, report.errors, report.written) == (3, [], True)
    assert Worker.objects.get(name="工人0").is_migrant_worker
    again = workers_import(by=officer, upload=xlsx(rows))
    assert (again.created, again.already_registered) == (0, 3) and Worker.objects.count() == 3


def test_bad_rows_are_named_and_all_or_nothing_writes_nothing(tree, officer):
    rows = good_rows(tree)
    rows[1][1] = rows[1][1][:-1] + ("0" if rows[1][1][-1] != "0" else "1")  # wrong check digit
    rows[2][3] = tree.haizhu_firm.credit_code  # another district's enterprise
    rows.append(list(rows[0]))  # the same person twice
    report = workers_import(by=officer, upload=xlsx(rows))
    assert not report.written and Worker.objects.count() == 0
    messages = {error.row: error.message for error in report.errors}
    assert set(messages) == {3, 4, 5}
    assert "身份证号" in messages[3] and "单位统一社会信用代码" in messages[4] and "row 2" in messages[5].lower() or \
        "第" in messages[5] or "2" in messages[5]
    annotated = openpyxl.load_workbook(f"{tree_media(report)}").active
    assert annotated.max_row == 4 and annotated.cell(1, annotated.max_column).value in ("Error", "错误")


def tree_media(report):
    import glob


    return glob.glob(f"{settings.MEDIA_ROOT}/import-reports/*/{report.error_file}")[0]


def test_valid_rows_mode_imports_the_good_ones(tree, officer):
    rows = good_rows(tree)
    rows[0][4] = "宇航员"
    report = workers_import(by=officer, upload=xlsx(rows), all_or_nothing=False)
    assert report.created == 2 and len(report.errors) == 1 and "岗位类别" in report.errors[0].message


def test_full_width_digits_spaces_and_missing_optional_columns_are_fine(tree, officer):
    row = good_rows(tree, 1)[0][:5]
    row[1] = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in row[1]) + "  "
    assert workers_import(by=officer, upload=xlsx([row], header=HEADER[:5])).created == 1


@pytest.mark.parametrize(("content", "name"), [(b"", "empty.xlsx"), (b"not a spreadsheet", "x.xlsx")])
def test_garbage_is_a_file_error(officer, content, name):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        workers_import(by=officer, upload=SimpleUploadedFile(name, content))
    assert "file" in error.value.message_dict


def test_missing_columns_are_named(tree, officer):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        workers_import(by=officer, upload=xlsx([["甲"]], header=["姓名"]))
    assert "身份证号" in " ".join(error.value.message_dict["file"])


def test_the_page_template_and_report(tree, officer, login):
    client = login(officer)
    template = client.get("/workers/import/template/")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(template.streaming_content))).active
    assert sheet.cell(1, 1).value == "姓名" and sheet.cell(2, 2).value == "44010619900307001X"
    rows = good_rows(tree, 2)
    rows[1][2] = "12345"
    response = client.post("/workers/import/", {"file": xlsx(rows), "mode": "all"})
    report = response.context["report"]
    assert report.errors and not report.written
    assert client.get(f"/workers/import/errors/{report.error_file}/").status_code == 200
    other = login(tree.staff(Role.DISTRICT_REVIEWER, tree.haizhu))
    assert other.get(f"/workers/import/errors/{report.error_file}/").status_code == 404

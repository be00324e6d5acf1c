"""Registering workers from a spreadsheet: the same rules row by row, all or nothing or the valid rows,
an annotated file of what to fix, and no duplicates when the same file comes twice."""

import io
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from tests.builders import bank_card, id_number, workbook
from yuanmeng.audit.models import AuditEntry
from yuanmeng.core.imports import run_import
from yuanmeng.orgs.roles import Role
from yuanmeng.people.imports import WORKERS
from yuanmeng.people.models import Worker

pytestmark = pytest.mark.django_db
HEADER = ["姓名", "身份证号", "手机号", "单位统一社会信用代码", "岗位类别", "入会日期", "农民工", "银行账号"]


def xlsx(rows, header=HEADER, title=None):
    return workbook(header, rows, title=title)


def run(by, source, **options):
    return run_import(WORKERS, by=by, source=source, **options)


@pytest.fixture
def officer(tree):
    return tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe)


def good_rows(tree, n=3):
    code = tree.tianhe_firm.credit_code
    return [[f"工人{i}", id_number(serial=700 + i), f"1370000{i:04d}", code, "一线生产", "2022-03-01", "是",
             bank_card(i, prefix="62220202001")] for i in range(n)]


def annotated(report) -> list[tuple]:
    book = openpyxl.load_workbook(Path(settings.MEDIA_ROOT) / report.error_file, read_only=True)
    return list(book.active.iter_rows(values_only=True))


def test_a_good_file_registers_everyone_and_a_second_upload_nobody(tree, officer):
    rows = good_rows(tree)
    report = run(officer, xlsx(rows))
    assert (report.rows, report.created, report.errors, report.written) == (3, 3, 0, True)
    worker = Worker.objects.get(name="工人0")
    assert worker.is_migrant_worker and worker.id_number == rows[0][1] and worker.bank_account == rows[0][7]
    assert worker.id_number_masked.startswith(rows[0][1][:3]) and worker.birth_date.year == 1990
    again = run(officer, xlsx(rows))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3) and Worker.objects.count() == 3
    assert AuditEntry.objects.filter(action="worker.import").count() == 2


def test_a_second_file_updates_the_changed_rows_only(tree, officer):
    rows = good_rows(tree)
    run(officer, xlsx(rows))
    rows[0][2], rows[1][7] = "13900001111", "6222020200199999992"
    report = run(officer, xlsx(rows))
    assert (report.created, report.updated, report.unchanged) == (0, 2, 1)
    assert Worker.objects.get(name="工人0").mobile == "13900001111"
    assert Worker.objects.get(name="工人1").bank_account == "6222020200199999992"


def test_bad_rows_are_named_and_all_or_nothing_writes_nothing(tree, officer):
    rows = good_rows(tree)
    rows[1][1] = rows[1][1][:-1] + ("0" if rows[1][1][-1] != "0" else "1")  # wrong check digit
    rows[2][3] = tree.haizhu_firm.credit_code  # another district's enterprise
    rows.append(list(rows[0]))  # the same person twice
    report = run(officer, xlsx(rows))
    assert not report.written and Worker.objects.count() == 0 and report.errors == 3
    messages = dict(report.first_errors)
    assert set(messages) == {3, 4, 5}
    assert "身份证号" in messages[3] and "单位统一社会信用代码" in messages[4] and "2" in messages[5]
    lines = annotated(report)
    assert len(lines) == 4 and lines[0][-2] in ("Problem", "问题") and lines[1][1] == rows[1][1]


def test_valid_rows_mode_imports_the_good_ones(tree, officer):
    rows = good_rows(tree)
    rows[0][4] = "宇航员"
    report = run(officer, xlsx(rows), all_or_nothing=False)
    assert report.created == 2 and report.errors == 1 and "岗位类别" in report.first_errors[0][1]
    assert report.written and Worker.objects.count() == 2


def test_someone_registered_elsewhere_is_not_updated_by_another_district(tree, officer):
    rows = good_rows(tree, 1)
    rows[0][3] = tree.haizhu_firm.credit_code
    run(tree.staff(Role.DISTRICT_REVIEWER, tree.haizhu), xlsx(rows))
    mine = good_rows(tree, 1)
    report = run(officer, xlsx(mine))
    assert report.errors == 1 and "组织范围以外" in report.first_errors[0][1]
    assert Worker.objects.get().employer == tree.haizhu_firm


def test_a_title_row_above_the_headers_and_a_csv_in_gbk(tree, officer):
    assert run(officer, xlsx(good_rows(tree, 2), title="2026年职工名册")).created == 2
    rows = good_rows(tree, 4)[2:]
    text = "\n".join(",".join(row) for row in [HEADER, *rows]).encode("gbk")
    assert run(officer, io.BytesIO(text)).created == 2


def test_missing_columns_are_named(tree, officer):
    with pytest.raises(ValidationError) as error:
        run(officer, xlsx([["甲"]], header=["姓名"]))
    assert "身份证号" in " ".join(error.value.messages)


def test_a_role_without_registration_cannot_import(tree):
    with pytest.raises(ValidationError):
        run(tree.staff(Role.AUDITOR, tree.city), xlsx(good_rows(tree)))


def test_a_row_wrong_twice_over_is_one_row_to_fix(tree, officer):
    elsewhere = tree.worker(employer=tree.haizhu_firm)
    row = ["某人", elsewhere.id_number, "13700001111", tree.tianhe_firm.credit_code, "一线生产", "2022-03-01", "是",
           "6222020200100000005"]
    report = run(officer, xlsx([row, list(row)]))  # row 3: the same as row 2, and outside the scope too
    assert (report.rows, report.errors) == (2, 2) and len(annotated(report)) == 3


def test_blank_optional_cells_leave_a_registered_worker_as_they_are(tree, officer):
    rows = good_rows(tree, 1)
    run(officer, xlsx(rows))
    rows[0][5:8] = ["", "", ""]  # 入会日期, 农民工, 银行账号 left blank
    rows[0][2] = "13911112222"
    report = run(officer, xlsx(rows))
    worker = Worker.objects.get()
    assert (report.updated, worker.mobile, worker.is_migrant_worker) == (1, "13911112222", True)
    assert worker.bank_account == good_rows(tree, 1)[0][7] and worker.union_member_since is not None


def test_the_rows_to_fix_file_uploaded_again_as_it_is_reads_the_same(tree, officer):
    rows = good_rows(tree, 2)
    rows[0][0], rows[0][2] = "-李明", "12345"  # the name is neutralised in the rows-to-fix file ('-李明) …
    rows[1][2] = "12345"
    report = run(officer, xlsx(rows))
    fixed = [list(line[:-2]) for line in annotated(report)[1:]]
    assert fixed[0][0] == "'-李明"
    fixed[0][2], fixed[1][2] = "13912345678", "13912345679"
    again = run(officer, xlsx(fixed))  # … and read back without the apostrophe
    assert again.created == 2 and Worker.objects.filter(name="-李明").exists()


@pytest.mark.django_db(transaction=True)
def test_a_long_file_checked_by_several_processes_gives_the_same_report(tree, officer, monkeypatch):
    from yuanmeng.core import imports

    rows = good_rows(tree, 60)
    rows[7][1] = rows[7][1][:-1] + ("0" if rows[7][1][-1] != "0" else "1")
    rows[41][4] = "宇航员"
    monkeypatch.setattr(imports, "CHUNK", 7)  # several batches in flight
    serial = run(officer, xlsx(rows), all_or_nothing=True)
    monkeypatch.setattr(imports, "PARALLEL_ROWS", 10)
    forked = run(officer, xlsx(rows), all_or_nothing=False)
    assert serial.first_errors == forked.first_errors == [(9, serial.first_errors[0][1]),
                                                          (43, serial.first_errors[1][1])]
    assert forked.created == 58 and Worker.objects.count() == 58


def test_a_cell_with_spaces_before_a_formula_comes_back_from_the_rows_to_fix_file_as_written(tree, officer):
    rows = good_rows(tree, 1)
    rows[0][0], rows[0][2] = "\t=5+5", "12345"  # neutralised as '\t=5+5 in the rows-to-fix file
    fixed = [list(line[:-2]) for line in annotated(run(officer, xlsx(rows)))[1:]]
    assert fixed[0][0] == "'\t=5+5"
    fixed[0][2] = "13912345678"
    assert run(officer, xlsx(fixed)).created == 1
    assert Worker.objects.get().name == "=5+5"  # as the cell was cleaned the first time, without the apostrophe


def test_a_csv_cell_longer_than_a_spreadsheet_cell_is_named_by_row_and_column(tree, officer):
    row = good_rows(tree, 1)[0]
    row[0] = "长" * 200_000
    text = "\n".join(",".join(cells) for cells in [HEADER, good_rows(tree, 2)[1], row]).encode()
    with pytest.raises(ValidationError) as error:
        run(officer, io.BytesIO(text))
    assert error.value.messages == [
        "第 3 行 A (姓名) 列：单元格有 200000 个字符，超过表格单元格的上限（32767）。是否有引号没有闭合？"]


def test_a_quote_left_open_in_a_csv_is_named_by_its_row(tree, officer):
    rows = good_rows(tree, 2)
    rows[1][0] = '"王' + "五" * (1 << 20)
    text = "\n".join(",".join(cells) for cells in [HEADER, *rows]).encode()
    with pytest.raises(ValidationError) as error:
        run(officer, io.BytesIO(text))
    assert error.value.messages[0].startswith("第 3 行：有单元格超过 1048576 个字符，可能是引号没有闭合。")

"""The bank's result file as an import kind: rows checked by the same rules as ``result_import``, all or
nothing or the valid rows, an annotated file naming the column of each problem, money posted once, and the
same file again changing nothing."""

import io
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import translation

from tests.payouts.scale import verified_applications
from tests.payouts.test_results import YUAN, approved_batch, row, snapshot, totals, yuan
from yuanmeng.core.crypto import file_sha256
from yuanmeng.core.imports import run_import
from yuanmeng.core.spreadsheets import open_sheet
from yuanmeng.funds.models import EntryKind, LedgerEntry
from yuanmeng.funds.services import funds_verify
from yuanmeng.jobs.import_job import import_submit
from yuanmeng.jobs.models import Job, JobState
from yuanmeng.orgs.roles import Role
from yuanmeng.payouts.imports import BANK_RESULTS
from yuanmeng.payouts.models import Batch, BatchStatus, LineStatus, PaymentLine, ResultImport
from yuanmeng.payouts.services import round_commit

pytestmark = pytest.mark.django_db
HEADER = ["业务参考号", "状态", "失败原因", "金额"]


@pytest.fixture
def setup(tree):
    """An approved batch of five lines, three of them funded at three levels (see tests/payouts/test_results)."""
    return approved_batch(tree)


@pytest.fixture(autouse=True)
def _operator_speaks_english():
    with translation.override("en"):
        yield


def xlsx(rows, header=HEADER, name="回单.xlsx") -> io.BytesIO:
    book = openpyxl.Workbook()
    book.active.append(header)
    for cells in rows:
        book.active.append(list(cells))
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    data.name = name
    return data


def run(setup, source, *, by=None, valid_rows=False, **params):
    return run_import(BANK_RESULTS, by=by or setup.finance, source=source, all_or_nothing=not valid_rows,
                      params={"batch": setup.batch.pk, **params})


def annotated(report) -> list[tuple]:
    book = openpyxl.load_workbook(Path(settings.MEDIA_ROOT) / report.error_file, read_only=True)
    return list(book.active.iter_rows(values_only=True))


def statuses(setup) -> list[str]:
    found = dict(PaymentLine.objects.filter(batch=setup.batch).values_list("pk", "status"))
    return [found[line.pk] for line in setup.lines]


def test_a_good_file_settles_the_lines_and_posts_the_money_once(setup):
    one, two, three, four, five = setup.lines
    rows = [row(one), row(two, "失败", "账户不存在"), row(three), row(four, "fail", "户名不符"), row(five, "paid")]
    report = run(setup, xlsx(rows))
    assert (report.rows, report.updated, report.unchanged, report.errors, report.written) == (5, 5, 0, 0, True)
    assert statuses(setup) == [LineStatus.PAID, LineStatus.FAILED, LineStatus.PAID, LineStatus.FAILED,
                               LineStatus.PAID]
    assert Batch.objects.get(pk=setup.batch.pk).status == BatchStatus.RESULTS_IMPORTED
    assert totals(setup.city) == (0, 4_500 * YUAN) and totals(setup.district) == (0, 500 * YUAN)
    assert totals(setup.enterprise) == (0, 600 * YUAN) and funds_verify().ok
    entries = LedgerEntry.objects.filter(reference="results:R1-1")
    assert entries.filter(kind=EntryKind.PAY).count() == 3 and entries.filter(kind=EntryKind.RELEASE).count() == 3
    imported = ResultImport.objects.get()
    assert (imported.paid, imported.failed, imported.unchanged, imported.file_name) == (3, 2, 0, "")
    assert PaymentLine.objects.get(pk=two.pk).failure_reason == "账户不存在"
    assert PaymentLine.objects.get(pk=one.pk).failure_reason == ""


def test_bad_rows_are_named_by_column_in_the_annotated_file(setup):
    one, two, three, four, five = setup.lines
    rows = [row(one), ("YM99999-1", "成功", "", "1500.00"), row(three, amount="1.00"), row(four, "处理中"),
            row(one, "成功"), row(five)]
    report = run(setup, xlsx(rows))
    assert (report.rows, report.errors, report.written) == (6, 4, False)
    problems = dict(report.first_errors)
    assert problems[3].startswith("reference: “YM99999-1” is not a payment line of batch R1-1")
    assert problems[4] == f"amount: 1.00 yuan in the file, {three.total_fen / 100:,.2f} yuan on the line"
    assert problems[5].startswith("status: “处理中”")
    assert problems[6] == "reference: the same as row 2 of this file."
    sheet = annotated(report)
    assert sheet[0] == ("业务参考号", "状态", "失败原因", "金额", "Problem", "Row")
    assert [(cells[0], cells[1], cells[3], cells[5]) for cells in sheet[1:]] == [
        ("YM99999-1", "成功", "1500.00", 3), (three.reference, "成功", "1.00", 4),
        (four.reference, "处理中", yuan(four.total_fen), 5), (one.reference, "成功", yuan(one.total_fen), 6)]
    assert sheet[2][4].startswith("amount")


def test_all_or_nothing_writes_nothing(setup):
    one, two, *_rest = setup.lines
    before = snapshot()
    report = run(setup, xlsx([row(one), row(two, "失败", "冻结"), row(setup.lines[2], amount="9.99")]))
    assert (report.errors, report.written) == (1, False)
    assert snapshot() == before


def test_valid_rows_apply_the_good_ones_only_and_the_fixed_rows_later(setup):
    one, two, three, four, five = setup.lines
    rows = [row(one), row(two, "失败", "账户不存在"), row(three, amount="1.00"), row(four, "处理中"), row(five),
            row(one)]  # row 7 repeats row 2: the line is paid once
    report = run(setup, xlsx(rows), valid_rows=True)
    assert (report.rows, report.updated, report.errors, report.written) == (6, 3, 3, True)
    assert statuses(setup) == [LineStatus.PAID, LineStatus.FAILED, LineStatus.PENDING, LineStatus.PENDING,
                               LineStatus.PAID]
    assert Batch.objects.get(pk=setup.batch.pk).status == BatchStatus.APPROVED  # two lines still pending
    # City: one and five paid (1,500 each), two released; three and four still reserved.
    assert totals(setup.city) == (3_000 * YUAN, 3_000 * YUAN)
    assert totals(setup.district) == (0, 500 * YUAN)  # one paid its 500 from it, two's 500 released
    assert totals(setup.enterprise) == (300 * YUAN, 300 * YUAN)
    assert funds_verify().ok
    assert (ResultImport.objects.get().paid, ResultImport.objects.get().failed) == (2, 1)

    # The rows to fix, corrected in the annotated file itself, uploaded again as it is.
    book = openpyxl.load_workbook(Path(settings.MEDIA_ROOT) / report.error_file)
    sheet = book.active
    for cells in sheet.iter_rows(min_row=2):
        if cells[0].value == three.reference:
            cells[3].value = yuan(three.total_fen)
        if cells[0].value == four.reference:
            cells[1].value = "失败"
    fixed = io.BytesIO()
    book.save(fixed)
    fixed.seek(0)
    again = run(setup, fixed, valid_rows=True)
    assert (again.updated, again.unchanged, again.errors, again.ignored_columns) == (2, 1, 0, ["Problem", "Row"])
    assert statuses(setup) == [LineStatus.PAID, LineStatus.FAILED, LineStatus.PAID, LineStatus.FAILED,
                               LineStatus.PAID]
    assert Batch.objects.get(pk=setup.batch.pk).status == BatchStatus.RESULTS_IMPORTED
    assert totals(setup.city) == (0, 4_500 * YUAN) and totals(setup.district) == (0, 500 * YUAN)
    assert totals(setup.enterprise) == (0, 600 * YUAN) and funds_verify().ok
    paid = LedgerEntry.objects.filter(reference="results:R1-1", kind=EntryKind.PAY)
    assert sum(paid.values_list("amount_fen", flat=True)) == 5_600 * YUAN


def test_the_same_file_twice_changes_nothing(setup):
    rows = [row(line, "失败" if n == 1 else "成功", "冻结" if n == 1 else "") for n, line in enumerate(setup.lines)]
    data = xlsx(rows).getvalue()
    sha256 = file_sha256(io.BytesIO(data))
    first = run(setup, io.BytesIO(data), sha256=sha256)
    assert first.updated == 5
    before = snapshot()
    again = run(setup, io.BytesIO(data), sha256=sha256)
    assert (again.updated, again.unchanged, again.written) == (0, 5, True)
    assert snapshot() == before  # not even a second import record or audit entry
    # Another file with the same rows: its lines are found settled, nothing moves (only the upload is recorded).
    other = run(setup, xlsx(rows, name="copy.xlsx"))
    assert (other.updated, other.unchanged) == (0, 5)
    after = snapshot()
    assert (after[0], after[1], after[2], after[3], after[5]) == (before[0], before[1], before[2], before[3],
                                                                  before[5])


def test_only_those_who_approve_payouts_over_the_union_may_import(setup, tree):
    outsider = tree.staff(Role.FINANCE_OFFICER, tree.haizhu)  # a district below the policy's city union
    before = snapshot()
    for user in (setup.admin, outsider):
        with pytest.raises(ValidationError, match="may not import"):
            run(setup, xlsx([row(setup.lines[0])]), by=user)
        with pytest.raises(ValidationError, match="may not import"):
            import_submit(by=user, kind="bank_results", source=xlsx([row(setup.lines[0])]), file_name="r.xlsx",
                          all_or_nothing=True, params={"batch": setup.batch.pk})
    assert snapshot() == before and not Job.objects.exists()
    assert not BANK_RESULTS.allowed(setup.finance, {}) and not BANK_RESULTS.allowed(setup.finance, {"batch": "x"})


def test_a_batch_not_approved_is_refused_clearly(setup, tree):
    verified_applications(tree, setup.policy, 1, start=200)
    round_ = round_commit(by=setup.admin, policy=setup.policy, budget=setup.city, limit_fen=10_000 * YUAN, code="R2")
    batch = Batch.objects.get(round=round_)
    line = PaymentLine.objects.get(batch=batch)
    before = snapshot()
    with pytest.raises(ValidationError, match="The batch is not approved"):
        run_import(BANK_RESULTS, by=setup.finance, source=xlsx([row(line)]), params={"batch": batch.pk})
    job = import_submit(by=setup.finance, kind="bank_results", source=xlsx([row(line)]), file_name="r.xlsx",
                        all_or_nothing=True, params={"batch": batch.pk})
    assert job.state == JobState.FAILED and "not approved" in job.error
    assert snapshot() == before


def test_the_command_line_import_takes_the_batch_as_a_parameter(setup, tmp_path, capsys):
    path = tmp_path / "回单.xlsx"
    path.write_bytes(xlsx([row(line) for line in setup.lines]).getvalue())
    call_command("import", "bank_results", str(path), "--as", setup.finance.username,
                 "--param", f"batch={setup.batch.pk}")
    assert "5 updated" in capsys.readouterr().out
    imported = ResultImport.objects.get()
    assert imported.file_name == "回单.xlsx" and imported.sha256 == file_sha256(io.BytesIO(path.read_bytes()))
    call_command("import", "bank_results", str(path), "--as", setup.finance.username,
                 "--param", f"batch={setup.batch.pk}")  # the same file: recognised by its hash
    assert "5 unchanged" in capsys.readouterr().out and ResultImport.objects.count() == 1


def test_the_page_imports_a_clean_file_and_sends_a_bad_one_to_its_report(setup, login):
    client = login(setup.finance)
    page = client.get(f"/payouts/batches/{setup.batch.pk}/").content.decode()
    assert "/payouts/results/template/" in page and 'name="mode"' in page
    one, two, three, *_rest = setup.lines
    response = client.post(f"/payouts/batches/{setup.batch.pk}/results/",
                           {"file": xlsx([row(one), row(two, amount="1.00"), row(three)]), "mode": "valid"})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/tasks/{job.pk}/"
    assert job.state == JobState.DONE and job.result["updated"] == 2 and job.errors == 1
    report = client.get(f"/tasks/{job.pk}/").content.decode()
    assert "金额" in report and f"/tasks/{job.pk}/download/" in report
    assert statuses(setup)[:3] == [LineStatus.PAID, LineStatus.PENDING, LineStatus.PAID]

    clean = xlsx([row(two)])
    response = client.post(f"/payouts/batches/{setup.batch.pk}/results/", {"file": clean})
    assert response.status_code == 302 and response["Location"] == f"/payouts/batches/{setup.batch.pk}/"
    assert [message.level_tag for message in client.get(response["Location"]).context["messages"]] == ["success"]
    clean.seek(0)
    response = client.post(f"/payouts/batches/{setup.batch.pk}/results/", {"file": clean})
    assert [message.level_tag for message in client.get(response["Location"]).context["messages"]] == ["info"]
    assert ResultImport.objects.count() == 2 and LedgerEntry.objects.filter(kind=EntryKind.PAY).count() == 6


def test_the_page_refuses_what_the_user_may_not_import(setup, login):
    response = login(setup.admin).post(f"/payouts/batches/{setup.batch.pk}/results/",
                                       {"file": xlsx([row(setup.lines[0])])})
    assert response.status_code == 403 and not Job.objects.exists()  # the city admin sees the batch


def test_the_template_has_the_chinese_headers_and_an_example(setup, login):
    response = login(setup.finance).get("/payouts/results/template/")
    assert response.status_code == 200
    with open_sheet(io.BytesIO(b"".join(response.streaming_content))) as sheet:
        assert sheet.headers == HEADER
        rows = [cells for _number, cells in sheet.rows]
    assert rows[0][:2] == ["YM00012-00000001", "成功"] and rows[1][1:3] == ["失败", "户名与账号不符"]
    assert login(setup.admin).get("/payouts/results/template/").status_code == 404


def test_the_api_refuses_a_bad_file_with_its_problems_then_takes_the_good_one(setup, login):
    client = login(setup.finance)
    one, two, *_rest = setup.lines
    url = f"/api/payouts/batches/{setup.batch.pk}/results"
    refused = client.post(url, {"file": xlsx([row(one), row(two, "处理中")])})
    assert refused.status_code == 422
    problems = refused.json()["errors"]["file"]
    assert len(problems) == 1 and "3" in problems[0] and "状态" in problems[0] and "处理中" in problems[0]
    assert statuses(setup)[:2] == [LineStatus.PENDING, LineStatus.PENDING]
    taken = client.post(url, {"file": xlsx([row(one), row(two, "失败", "冻结")])})
    assert taken.status_code == 200 and (taken.json()["paid"], taken.json()["failed"]) == (1, 1)
    assert login(setup.admin).post(url, {"file": xlsx([row(one)])}).status_code == 403  # not a finance role


def test_a_row_reports_its_reference_status_and_amount_at_once(setup):
    report = run(setup, xlsx([("YM99999-1", "处理中", "", "一千")]))
    assert (report.errors, report.problems) == (1, 3)
    assert [problem.split(":")[0] for _row, problem in report.first_errors] == ["reference", "status", "amount"]
    assert annotated(report)[1][4].count("\n") == 2

"""Importing the bank's result file: money settled per budget, failed payments back in the queue, all or nothing."""

import io
import json
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext

from tests.payouts.scale import verified_applications
from yuanmeng.applications.models import Application, ApplicationEvent
from yuanmeng.applications.workflow import State
from yuanmeng.audit.models import AuditEntry
from yuanmeng.core.errors import PermissionDenied
from yuanmeng.funds.models import Budget, EntryKind, FundSource, LedgerEntry
from yuanmeng.funds.services import budget_create, funds_verify
from yuanmeng.notify.models import Message
from yuanmeng.orgs.roles import Role
from yuanmeng.payouts.models import Batch, BatchStatus, LineStatus, PaymentLine, ResultImport
from yuanmeng.payouts.planning import simulate
from yuanmeng.payouts.results import NO_REASON
from yuanmeng.payouts.services import batch_approve, plan_input, result_import, round_commit
from yuanmeng.people.services import bank_account_change, bank_account_needed
from yuanmeng.policies.services import policy_create, policy_publish

pytestmark = pytest.mark.django_db
YUAN = 100
HEADER = ("业务参考号", "状态", "失败原因", "金额")


@pytest.fixture(autouse=True)
def _operator_speaks_english():
    """Errors are asserted in English; workers' messages are still written in settings.LANGUAGE_CODE."""
    with translation.override("en"):
        yield


@pytest.fixture
def setup(tree):
    return approved_batch(tree)


def approved_batch(tree) -> SimpleNamespace:
    """A city policy with district and enterprise matching; five workers: three in 天河 (three levels), two in 海珠."""
    admin = tree.staff(Role.CITY_ADMIN, tree.city)
    finance = tree.staff(Role.FINANCE_OFFICER, tree.city)
    policy = tree.policy()
    year = policy.year
    for org, code, amount in ((tree.tianhe, "TH-M", 500), (tree.tianhe_firm.organisation, "FIRM-M", 300)):
        matching = policy_create(by=tree.root_user, organisation=org, code=code, year=year, title=code,
                                 parent=policy, amount_college_fen=amount * YUAN, amount_bachelor_fen=amount * YUAN)
        policy_publish(by=tree.root_user, policy=matching)
    city = budget_create(by=admin, organisation=tree.city, year=year, source=FundSource.SPECIAL, name="市总专项",
                         amount_fen=1_000_000 * YUAN)
    district = budget_create(by=admin, organisation=tree.tianhe, year=year, source=FundSource.MATCHING,
                             name="天河配套", amount_fen=1_000 * YUAN)  # enough for two workers
    enterprise = budget_create(by=admin, organisation=tree.tianhe_firm.organisation, year=year,
                               source=FundSource.MATCHING, name="企业配套", amount_fen=100_000 * YUAN)
    applications = [*verified_applications(tree, policy, 3),
                    *verified_applications(tree, policy, 2, start=100, employer=tree.haizhu_firm)]
    round_ = round_commit(by=admin, policy=policy, budget=city, limit_fen=100_000 * YUAN, code="R1")
    batch = batch_approve(by=finance, batch=Batch.objects.get(round=round_))
    assert batch.status == BatchStatus.APPROVED
    lines = list(PaymentLine.objects.filter(batch=batch).order_by("rank"))
    return SimpleNamespace(tree=tree, admin=admin, finance=finance, policy=policy, round=round_, batch=batch,
                           lines=lines, applications=applications, city=city, district=district,
                           enterprise=enterprise)


def yuan(fen: int) -> str:
    return f"{Decimal(fen) / 100:.2f}"


def result_file(rows, header=HEADER, name="results.csv", encoding="utf-8") -> SimpleUploadedFile:
    text = "\n".join(",".join(str(cell) for cell in row) for row in [header, *rows]) + "\n"
    return SimpleUploadedFile(name, text.encode(encoding))


def row(line, status="成功", reason="", amount=None) -> tuple:
    return line.reference, status, reason, yuan(line.total_fen) if amount is None else amount


def snapshot() -> tuple:
    return (list(PaymentLine.objects.order_by("pk").values_list("status", "failure_reason", "settled_at")),
            list(Budget.objects.order_by("pk").values_list("allocated_fen", "reserved_fen", "paid_fen")),
            LedgerEntry.objects.count(), list(Application.objects.order_by("pk").values_list("state", flat=True)),
            ApplicationEvent.objects.count(), Message.objects.count(), ResultImport.objects.count(),
            AuditEntry.objects.count(), list(Batch.objects.order_by("pk").values_list("status", flat=True)))


def totals(budget) -> tuple[int, int]:
    budget.refresh_from_db()
    return budget.reserved_fen, budget.paid_fen


def test_the_lines_are_three_level(setup):
    assert [(line.city_fen, line.district_fen, line.enterprise_fen) for line in setup.lines] == [
        (1500 * YUAN, 500 * YUAN, 300 * YUAN), (1500 * YUAN, 500 * YUAN, 300 * YUAN), (1500 * YUAN, 0, 300 * YUAN),
        (1500 * YUAN, 0, 0), (1500 * YUAN, 0, 0)]
    assert totals(setup.city) == (7_500 * YUAN, 0)
    assert totals(setup.district) == (1_000 * YUAN, 0)
    assert totals(setup.enterprise) == (900 * YUAN, 0)


def test_a_mixed_file_settles_the_money_per_budget_and_requeues_the_failed(setup):
    one, two, three, four, five = setup.lines
    upload = result_file([row(one), row(two, "失败", "账户不存在"), row(three, "success"),
                          row(four, "FAILED", "户名不符"), row(five, "paid")])
    imported = result_import(by=setup.finance, batch=setup.batch, upload=upload)

    assert (imported.paid, imported.failed, imported.unchanged, imported.already_imported) == (3, 2, 0, False)
    assert imported.file_name == "results.csv" and imported.imported_by == setup.finance
    # Money: reserved down by everything settled, paid up by exactly the paid lines, the failed released.
    assert totals(setup.city) == (0, 4_500 * YUAN)
    assert totals(setup.district) == (0, 500 * YUAN)
    assert totals(setup.enterprise) == (0, 600 * YUAN)
    assert funds_verify().ok
    entries = LedgerEntry.objects.filter(reference="results:R1-1")
    assert sorted(entries.values_list("budget_id", "kind", "amount_fen")) == sorted([
        (setup.city.pk, EntryKind.PAY, 4_500 * YUAN), (setup.city.pk, EntryKind.RELEASE, 3_000 * YUAN),
        (setup.district.pk, EntryKind.PAY, 500 * YUAN), (setup.district.pk, EntryKind.RELEASE, 500 * YUAN),
        (setup.enterprise.pk, EntryKind.PAY, 600 * YUAN), (setup.enterprise.pk, EntryKind.RELEASE, 300 * YUAN)])
    # Lines: settled, the bank's reason kept; the control totals are what was sent to the bank.
    lines = {line.pk: line for line in PaymentLine.objects.filter(batch=setup.batch)}
    assert [lines[line.pk].status for line in setup.lines] == [
        LineStatus.PAID, LineStatus.FAILED, LineStatus.PAID, LineStatus.FAILED, LineStatus.PAID]
    assert lines[two.pk].failure_reason == "账户不存在" and lines[one.pk].failure_reason == ""
    assert all(line.settled_at for line in lines.values())
    batch = Batch.objects.get(pk=setup.batch.pk)
    assert (batch.status, batch.line_count, batch.total_fen) == (BatchStatus.RESULTS_IMPORTED, 5, 9_400 * YUAN)
    # Applications: paid, or back in the queue with the reason told to the worker.
    states = dict(Application.objects.values_list("pk", "state"))
    assert [states[line.application_id] for line in setup.lines] == [
        State.PAID, State.DIPLOMA_VERIFIED, State.PAID, State.DIPLOMA_VERIFIED, State.PAID]
    failed = Application.objects.select_related("worker").get(pk=two.application_id)
    message = Message.objects.filter(worker=failed.worker).latest("id")
    assert "账户不存在" in message.body and message.mobile == failed.worker.mobile
    assert Message.objects.filter(body__contains="户名不符").count() == 1
    event = ApplicationEvent.objects.filter(application=failed).latest("id")
    assert (event.from_state, event.to_state, event.reason) == (State.IN_BATCH, State.DIPLOMA_VERIFIED, "账户不存在")
    paid_event = ApplicationEvent.objects.filter(application_id=one.application_id).latest("id")
    assert (paid_event.from_state, paid_event.to_state) == (State.IN_BATCH, State.PAID)
    audit = AuditEntry.objects.filter(action="batch.results").get()
    assert audit.after["paid"] == 3 and audit.after["failed"] == 2 and audit.after["unchanged"] == 0
    assert audit.after["paid_fen"] == 5_600 * YUAN and audit.after["released_fen"] == 3_800 * YUAN


def test_the_same_file_twice_changes_nothing(setup):
    one, two, *_rest = setup.lines
    rows = [row(one), row(two, "失败", "账户冻结")]
    first = result_import(by=setup.finance, batch=setup.batch, upload=result_file(rows))
    before = snapshot()
    again = result_import(by=setup.finance, batch=setup.batch, upload=result_file(rows, name="again.csv"))
    assert again.pk == first.pk and again.already_imported
    assert snapshot() == before


def test_files_in_parts_count_the_repeated_lines_as_unchanged(setup):
    one, two, three, four, five = setup.lines
    first = result_import(by=setup.finance, batch=setup.batch,
                          upload=result_file([row(one), row(two, "失败", "账户冻结")]))
    assert (first.paid, first.failed, first.unchanged) == (1, 1, 0)
    assert Batch.objects.get(pk=setup.batch.pk).status == BatchStatus.APPROVED  # three lines still pending
    assert totals(setup.city) == (4_500 * YUAN, 1_500 * YUAN)

    second = result_import(by=setup.finance, batch=setup.batch, upload=result_file([
        row(one), row(two, "fail", "another wording"), row(three), row(four), row(five, "失败", "")]))
    assert (second.paid, second.failed, second.unchanged) == (2, 1, 2)
    assert Batch.objects.get(pk=setup.batch.pk).status == BatchStatus.RESULTS_IMPORTED
    assert PaymentLine.objects.get(pk=two.pk).failure_reason == "账户冻结"  # the first answer stands
    assert totals(setup.city) == (0, 4_500 * YUAN) and funds_verify().ok
    worker = Application.objects.get(pk=five.application_id).worker
    with translation.override(settings.LANGUAGE_CODE):
        no_reason = gettext(NO_REASON)
    assert no_reason in Message.objects.filter(worker=worker).latest("id").body
    assert LedgerEntry.objects.filter(budget=setup.city, kind=EntryKind.PAY).count() == 2  # one per import


def test_a_file_that_contradicts_a_settled_line_is_refused(setup):
    one, two, *_rest = setup.lines
    result_import(by=setup.finance, batch=setup.batch, upload=result_file([row(one), row(two, "失败", "冻结")]))
    before = snapshot()
    for rows, text in (([row(one, "失败", "退票")], "row 2: status: the line is already Paid"),
                       ([row(two, "成功")], "row 2: status: the line is already Failed")):
        with pytest.raises(ValidationError) as refused:
            result_import(by=setup.finance, batch=setup.batch, upload=result_file(rows))
        assert any(message.startswith(text) for message in refused.value.messages), refused.value.messages
    assert snapshot() == before


@pytest.mark.parametrize("case", ["unknown reference", "reference twice", "wrong amount", "amount not money",
                                  "unknown status", "no reference"])
def test_a_bad_row_refuses_the_whole_file_naming_the_row(setup, case):
    one, two, three, *_rest = setup.lines
    rows = [row(one), row(two, "失败", "账户不存在"), row(three)]
    expected = {
        "unknown reference": (("YM99999-1", "成功", "", "1500.00"), "row 5: reference: “YM99999-1”"),
        "reference twice": (row(one, "成功"), "row 5: reference: the same as row 2 of this file."),
        "wrong amount": (row(setup.lines[3], amount="1500.01"),
                         "row 5: amount: 1,500.01 yuan in the file, 1,500.00 yuan on the line"),
        "amount not money": (row(setup.lines[3], amount="1500.001"), "row 5: amount: "),
        "unknown status": (row(setup.lines[3], status="处理中"), "row 5: status: “处理中”"),
        "no reference": (("", "成功", "", ""), "row 5: reference: missing"),
    }
    bad, text = expected[case]
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        result_import(by=setup.finance, batch=setup.batch, upload=result_file([*rows, bad]))
    assert [message for message in refused.value.messages if message.startswith(text)], refused.value.messages
    assert snapshot() == before


@pytest.mark.parametrize("upload, text", [
    (SimpleUploadedFile("results.xlsx", b"PK\x03\x04 this is not a workbook"), "not a spreadsheet"),
    (SimpleUploadedFile("results.csv", b""), "The file is empty."),
    (SimpleUploadedFile("results.csv", "业务参考号,状态,失败原因,金额\n".encode()), "no rows below the column names"),
    (SimpleUploadedFile("results.csv", "业务参考号,失败原因,金额\nYM00001-1,,1500\n".encode()), "状态"),
    (SimpleUploadedFile("results.csv", "状态\n成功\n".encode()), "业务参考号"),
])
def test_a_file_that_cannot_be_read_is_refused(setup, upload, text):
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        result_import(by=setup.finance, batch=setup.batch, upload=upload)
    assert any(text in message for message in refused.value.messages), refused.value.messages
    assert snapshot() == before


def test_optional_columns_may_be_left_out_and_gbk_and_english_headers_are_read(setup):
    one, two, *_rest = setup.lines
    upload = result_file([(one.reference, "成功"), (two.reference, "失败")], header=("业务参考号", "状态"),
                         encoding="gbk")
    imported = result_import(by=setup.finance, batch=setup.batch, upload=upload)
    assert (imported.paid, imported.failed) == (1, 1)
    three = setup.lines[2]
    header = ("Reference", "Status", "Reason", "金额（元）")  # the payment file's own amount header
    with pytest.raises(ValidationError, match="amount: 1.00 yuan in the file"):
        result_import(by=setup.finance, batch=setup.batch, upload=result_file(
            [(three.reference, "Failed", "account closed", "1.00")], header=header))
    english = result_file([(three.reference, "Failed", "account closed", yuan(three.total_fen))], header=header)
    result_import(by=setup.finance, batch=setup.batch, upload=english)
    assert PaymentLine.objects.get(pk=three.pk).failure_reason == "account closed"


def test_an_xlsx_file_with_numeric_amounts(setup):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["业务参考号", "金额", "状态", "失败原因"])  # columns found by name, in any order
    for line in setup.lines:
        sheet.append([line.reference, line.total_fen / 100, "成功", None])
    data = io.BytesIO()
    workbook.save(data)
    imported = result_import(by=setup.finance, batch=setup.batch,
                             upload=SimpleUploadedFile("回单.xlsx", data.getvalue()))
    assert (imported.paid, imported.failed, imported.file_name) == (5, 0, "回单.xlsx")
    assert Batch.objects.get(pk=setup.batch.pk).status == BatchStatus.RESULTS_IMPORTED


def test_only_an_approved_batch_takes_results(setup, tree):
    applications = verified_applications(tree, setup.policy, 1, start=200)
    round_ = round_commit(by=setup.admin, policy=setup.policy, budget=setup.city, limit_fen=10_000 * YUAN, code="R2")
    batch = Batch.objects.get(round=round_)
    line = PaymentLine.objects.get(batch=batch)
    assert line.application_id == applications[0].pk
    before = snapshot()
    with pytest.raises(ValidationError, match="not approved"):
        result_import(by=setup.finance, batch=batch, upload=result_file([row(line)]))
    assert snapshot() == before


def test_only_those_who_approve_payouts_over_the_union_may_import(setup, tree):
    outsider = tree.staff(Role.FINANCE_OFFICER, tree.haizhu)  # a district's finance officer, below the policy's city
    before = snapshot()
    for user in (setup.admin, outsider):
        with pytest.raises(PermissionDenied):
            result_import(by=user, batch=setup.batch, upload=result_file([row(setup.lines[0])]))
    assert snapshot() == before


def test_a_reference_of_another_batch_is_not_guessed(setup, tree):
    verified_applications(tree, setup.policy, 1, start=300)
    round_ = round_commit(by=setup.admin, policy=setup.policy, budget=setup.city, limit_fen=10_000 * YUAN, code="R3")
    other = batch_approve(by=setup.finance, batch=Batch.objects.get(round=round_))
    stranger = PaymentLine.objects.get(batch=other)
    with pytest.raises(ValidationError) as refused:
        result_import(by=setup.finance, batch=setup.batch, upload=result_file([row(setup.lines[0]), row(stranger)]))
    assert refused.value.messages == [f"row 3: reference: “{stranger.reference}” is not a payment line "
                                      f"of batch R1-1"]


def test_the_failed_worker_is_funded_in_a_later_round_once_the_account_is_corrected(setup):
    one, two, three, four, five = setup.lines
    result_import(by=setup.finance, batch=setup.batch, upload=result_file(
        [row(one), row(two, "失败", "账户不存在"), row(three), row(four), row(five)]))
    worker = Application.objects.get(pk=two.application_id).worker
    assert worker.bank_account_refused_at is not None and bank_account_needed(worker)
    with pytest.raises(ValidationError):  # not before the correction: nothing else waits
        round_commit(by=setup.admin, policy=setup.policy, budget=setup.city, limit_fen=10_000 * YUAN, code="R3")
    assert simulate(plan_input(setup.policy, 10_000 * YUAN, None)).no_bank_account == 1
    bank_account_change(by=worker.user or setup.admin, worker=worker, bank_name="建设银行",
                        bank_account="6217000000000000004")
    later = round_commit(by=setup.admin, policy=setup.policy, budget=setup.city, limit_fen=10_000 * YUAN, code="R4")
    line = PaymentLine.objects.get(round=later)
    assert line.application_id == two.application_id and line.status == LineStatus.PENDING
    assert Application.objects.get(pk=two.application_id).state == State.IN_BATCH
    assert list(PaymentLine.objects.filter(application_id=two.application_id).order_by("pk")
                .values_list("status", flat=True)) == [LineStatus.FAILED, LineStatus.PENDING]
    batch = batch_approve(by=setup.finance, batch=Batch.objects.get(round=later))
    result_import(by=setup.finance, batch=batch, upload=result_file([row(line)]))
    assert Application.objects.get(pk=two.application_id).state == State.PAID
    assert totals(setup.city)[1] == 7_500 * YUAN and funds_verify().ok


def test_the_number_of_queries_does_not_grow_with_the_file(setup, tree):
    counts = []
    for code, size, start in (("RQ-small", 3, 400), ("RQ-large", 40, 500)):
        verified_applications(tree, setup.policy, size, start=start, employer=tree.haizhu_firm)
        round_ = round_commit(by=setup.admin, policy=setup.policy, budget=setup.city, limit_fen=100_000 * YUAN,
                              code=code)
        batch = batch_approve(by=setup.finance, batch=Batch.objects.get(round=round_))
        lines = PaymentLine.objects.filter(batch=batch).order_by("rank")
        upload = result_file([row(line, "失败" if n % 3 == 0 else "成功", "账户不存在")
                              for n, line in enumerate(lines)])
        with CaptureQueriesContext(connection) as queries:
            result_import(by=setup.finance, batch=batch, upload=upload)
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_the_command_imports_and_reports(setup, tmp_path):
    path = tmp_path / "results.csv"
    path.write_bytes(result_file([row(line) for line in setup.lines]).read())
    out = io.StringIO()
    call_command("payout", "results", "R1-1", str(path), "--as", setup.finance.username, "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert (result["paid"], result["batch_status"], result["already_imported"]) == (5, BatchStatus.RESULTS_IMPORTED,
                                                                                   False)
    out = io.StringIO()
    call_command("payout", "results", str(setup.batch.pk), str(path), "--as", setup.finance.username, stdout=out)
    assert "already imported" in out.getvalue() and "nothing changed" in out.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(result_file([("YM99999-1", "成功", "", ""), ("YM99999-2", "失败", "", "")]).read())
    for args, text in ((["R1-9", str(path), "--as", setup.finance.username], "no batch"),
                       (["R1-1", str(path), "--as", setup.admin.username], "cannot import"),
                       (["R1-1", str(tmp_path / "missing.csv"), "--as", setup.finance.username], "no file"),
                       (["R1-1", str(bad), "--as", setup.finance.username], "\nrow 2: .*\nrow 3: ")):
        with pytest.raises(CommandError, match=text):
            call_command("payout", "results", *args, stdout=io.StringIO())

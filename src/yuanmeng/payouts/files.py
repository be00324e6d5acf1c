"""Payment files of an approved batch: the bank's bulk-transfer spreadsheet and ISO 20022 pain.001.001.09.

Both stream the batch's live lines (pending or paid) in rank order from the database straight into the
file — xlsxwriter in constant-memory mode, lxml's incremental ``xmlfile`` — so memory stays flat however
large the batch. The control totals at the head of each file are the batch's stored ones (a streamed file
cannot go back and fill them in); the lines are counted and added up as they are written, and
``payouts.services.write_batch_file`` (the use case: who may have the file, the issue and its audit entry)
throws away a file whose lines do not come to those totals, never handing it out.
"""

import re
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from decimal import Decimal

import xlsxwriter
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from lxml import etree

from yuanmeng.core.exports import neutralise
from yuanmeng.payouts.models import LIVE_LINE, Batch, PaymentLine

PURPOSE = "求学圆梦补助"
CHUNK = 2000
PAIN001_NS = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"
CURRENCY = "CNY"
XLSX_HEADERS = ("序号", "收款人姓名", "收款账号", "开户银行", "金额（元）", "用途", "业务参考号")


def yuan(fen: int) -> Decimal:
    """Fen to yuan, exactly (never through a float)."""
    return Decimal(fen) / 100


def yuan_text(fen: int) -> str:
    return f"{yuan(fen):.2f}"


@dataclass
class Line:
    rank: int
    reference: str
    payee_name: str
    account: str
    bank_name: str
    total_fen: int


@dataclass
class Tally:
    count: int = 0
    total_fen: int = 0
    progress: Callable[[int], None] | None = None  # told the count every CHUNK lines


@dataclass(frozen=True)
class BatchFile:
    """What was written: the control totals as counted in the file and its fingerprint."""

    fmt: str
    lines: int
    total_fen: int
    sha256: str
    filename: str
    content_type: str


def _line_error(line: Line, message: str) -> ValidationError:
    return ValidationError(_("Line %(reference)s (rank %(rank)s): %(problem)s") % {
        "reference": line.reference, "rank": line.rank, "problem": message})


def _lines(batch: Batch, tally: Tally, *, max_account: int | None = None) -> Iterator[Line]:
    """The batch's live lines in rank order, checked and counted as they stream past.

    Close it (``contextlib.closing``) inside the transaction: on PostgreSQL it holds a server-side cursor,
    which a rolled-back savepoint destroys — closing it afterwards would abort the enclosing transaction.
    """
    rows = (PaymentLine.objects.filter(LIVE_LINE, batch=batch).order_by("rank")
            .values_list("rank", "reference", "payee_name", "account", "bank_name", "total_fen")
            .iterator(chunk_size=CHUNK))
    with closing(rows):
        yield from _checked(rows, tally, max_account)


def _checked(rows, tally: Tally, max_account: int | None) -> Iterator[Line]:
    for row in rows:
        line = Line(*row)
        if not line.payee_name:
            raise _line_error(line, _("the payee's name is missing."))
        if not line.account:
            raise _line_error(line, _("the bank account number is missing."))
        if max_account and len(line.account) > max_account:
            raise _line_error(line, _("the account number is longer than %(n)d characters.") % {"n": max_account})
        if not line.bank_name:
            raise _line_error(line, _("the bank name is missing."))
        if line.total_fen <= 0:
            raise _line_error(line, _("the amount must be more than zero."))
        tally.count += 1
        tally.total_fen += line.total_fen
        if tally.progress and tally.count % CHUNK == 0:
            tally.progress(tally.count)
        yield line


def _payer_name(batch: Batch) -> str:
    return batch.round.policy.organisation.name[:140]


# ---- the bank spreadsheet ------------------------------------------------------------------------

def write_xlsx(batch: Batch, path: str, progress=None) -> Tally:
    """The usual bulk-transfer (批量代发) layout: a header block with the control totals, then one row a line."""
    tally = Tally(progress=progress)
    workbook = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False,
                                          "strings_to_urls": False, "strings_to_numbers": False})
    sheet = workbook.add_worksheet("代发明细")
    bold = workbook.add_format({"bold": True})
    money = workbook.add_format({"num_format": "0.00"})
    money_bold = workbook.add_format({"num_format": "0.00", "bold": True})
    text = workbook.add_format({"num_format": "@"})
    for col, width in enumerate((8, 16, 24, 24, 14, 16, 22)):
        sheet.set_column(col, col, width, text if col in (1, 2, 3, 5, 6) else None)

    def label(row: int, caption: str, value: str) -> None:
        sheet.write_string(row, 0, caption, bold)
        sheet.write_string(row, 1, neutralise(value))

    label(0, "批次", str(batch))
    label(1, "付款单位", _payer_name(batch))
    label(2, "付款账号", settings.PAYER_ACCOUNT)
    label(3, "付款银行", settings.PAYER_BANK_NAME)
    sheet.write_string(4, 0, "总笔数", bold)
    sheet.write_number(4, 1, batch.line_count, bold)
    sheet.write_string(5, 0, "总金额（元）", bold)
    sheet.write_number(5, 1, yuan(batch.total_fen), money_bold)
    header_row = 7
    for col, caption in enumerate(XLSX_HEADERS):
        sheet.write_string(header_row, col, caption, bold)
    sheet.freeze_panes(header_row + 1, 0)

    row = header_row
    with closing(_lines(batch, tally)) as lines:
        for line in lines:
            row += 1
            sheet.write_number(row, 0, tally.count)
            sheet.write_string(row, 1, neutralise(line.payee_name))
            sheet.write_string(row, 2, neutralise(line.account), text)
            sheet.write_string(row, 3, neutralise(line.bank_name))
            sheet.write_number(row, 4, yuan(line.total_fen), money)
            sheet.write_string(row, 5, PURPOSE)
            sheet.write_string(row, 6, neutralise(line.reference))
    workbook.close()
    return tally


# ---- ISO 20022 pain.001.001.09 -------------------------------------------------------------------

def _q(tag: str) -> str:
    return f"{{{PAIN001_NS}}}{tag}"


def _leaf(xf, tag: str, value: str, attrib: dict | None = None) -> None:
    with xf.element(_q(tag), attrib):
        xf.write(value)


def _name(xf, tag: str, name: str) -> None:
    """<tag><Nm>name</Nm></tag> (a party)."""
    with xf.element(_q(tag)):
        _leaf(xf, "Nm", name)


def _agent(xf, tag: str, bank: str) -> None:
    with xf.element(_q(tag)), xf.element(_q("FinInstnId")):
        _leaf(xf, "Nm", bank[:140])


def _account(xf, tag: str, number: str, currency: str | None = None) -> None:
    """A domestic account: Chinese account numbers are not IBANs, so Id/Othr/Id."""
    with xf.element(_q(tag)):
        with xf.element(_q("Id")), xf.element(_q("Othr")):
            _leaf(xf, "Id", number)
        if currency:
            _leaf(xf, "Ccy", currency)


def message_id(batch: Batch) -> str:
    """Stable for the batch, so that a bank refuses the same batch sent twice (MsgId is Max35Text)."""
    return f"YM-BATCH-{batch.pk:010d}"


def write_pain001(batch: Batch, path: str, progress=None) -> Tally:
    """One PmtInf (the union's account pays), one CdtTrfTxInf a line; elements in the schema's order."""
    tally = Tally(progress=progress)
    control_sum = yuan_text(batch.total_fen)
    payer = _payer_name(batch)
    now = timezone.localtime().replace(microsecond=0)
    with etree.xmlfile(path, encoding="UTF-8") as xf:
        xf.write_declaration()
        with xf.element(_q("Document"), nsmap={None: PAIN001_NS}), xf.element(_q("CstmrCdtTrfInitn")):
            with xf.element(_q("GrpHdr")):
                _leaf(xf, "MsgId", message_id(batch))
                _leaf(xf, "CreDtTm", now.isoformat())
                _leaf(xf, "NbOfTxs", str(batch.line_count))
                _leaf(xf, "CtrlSum", control_sum)
                _name(xf, "InitgPty", payer)
            with xf.element(_q("PmtInf")):
                _leaf(xf, "PmtInfId", f"{message_id(batch)}-1")
                _leaf(xf, "PmtMtd", "TRF")
                _leaf(xf, "NbOfTxs", str(batch.line_count))
                _leaf(xf, "CtrlSum", control_sum)
                with xf.element(_q("ReqdExctnDt")):
                    _leaf(xf, "Dt", now.date().isoformat())
                _name(xf, "Dbtr", payer)
                _account(xf, "DbtrAcct", settings.PAYER_ACCOUNT, CURRENCY)
                _agent(xf, "DbtrAgt", settings.PAYER_BANK_NAME)
                with closing(_lines(batch, tally, max_account=34)) as lines:
                    for line in lines:
                        try:
                            _transaction(xf, line)
                        except ValueError as exc:  # text XML cannot hold (a control character)
                            raise _line_error(line, _("a name holds characters a payment file cannot carry.")) \
                                from exc
    return tally


def _transaction(xf, line: Line) -> None:
    with xf.element(_q("CdtTrfTxInf")):
        with xf.element(_q("PmtId")):
            _leaf(xf, "EndToEndId", line.reference)
        with xf.element(_q("Amt")):
            _leaf(xf, "InstdAmt", yuan_text(line.total_fen), {"Ccy": CURRENCY})
        _agent(xf, "CdtrAgt", line.bank_name)
        _name(xf, "Cdtr", line.payee_name[:140])
        _account(xf, "CdtrAcct", line.account)
        with xf.element(_q("RmtInf")):
            _leaf(xf, "Ustrd", f"{PURPOSE} {line.reference}"[:140])


# ---- the one entry point -------------------------------------------------------------------------

@dataclass(frozen=True)
class Format:
    label: str
    extension: str
    content_type: str
    write: Callable[..., Tally]


FORMATS = {
    "xlsx": Format(gettext_lazy("Bank spreadsheet (xlsx)"), ".xlsx",
                   "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", write_xlsx),
    "pain001": Format(gettext_lazy("ISO 20022 pain.001 (XML)"), ".pain001.xml", "application/xml", write_pain001),
}


def file_name(batch: Batch, fmt: str) -> str:
    return re.sub(r"[^\w.-]+", "_", str(batch)) + FORMATS[fmt].extension

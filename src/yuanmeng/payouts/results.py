"""Importing the bank's result file for an approved batch: which lines were paid, which came back.

The file goes through the import engine (``core.imports``) as the ``bank_results`` kind
(``payouts.imports``), whatever the way in — the page (all or nothing, or the valid rows, in the background
when the file is large), the API and ``yuanmeng payout results`` (all or nothing, at once, through
``payouts.services.result_import``). The rules live here, once, but for who may import, into which batch:

1. The importer needs APPROVE_PAYOUTS over the round's policy union (``payouts.services.may_import``); the
   batch must be approved, or partly or wholly reconciled by an earlier file (``refuse_unless_open`` there).
2. Every row is checked against the batch's lines, loaded once (``batch_lines``, ``check_result_row``): an
   unknown reference, an amount that differs from the line, an unknown status, a line the file contradicts
   (paid then failed, or the reverse), a line taken out by an objection — each problem named by its column.
   A reference twice in the file is the engine's check of the kind's key (the line).
3. ``apply_results``, with the batch locked, takes the engine's staged rows: rows for lines already settled
   the same way count as unchanged; the lines that change are copied into a staging table with one
   INSERT … SELECT, and everything else is set-based from there: one UPDATE of the lines (pending →
   paid/failed, only if still pending), one grouped query for the money per budget, then one ledger entry
   per budget — PAY for the paid lines, RELEASE for the failed ones — and a few INSERT … SELECT / UPDATE
   statements for the applications, their history and the workers' messages. A line is settled at most
   once, so its money moves once, whichever rows of the file are applied.
4. Paid lines' applications become PAID. Failed lines' applications go back to DIPLOMA_VERIFIED (the
   queue a later round draws from) and the worker is told the bank's reason and to correct their bank
   details. The batch's control totals are what was sent to the bank and stay as they are; the batch is
   reconciled once no line is pending. Once the bank has answered, the batch's payment file is no longer
   handed out, and its stored copies are deleted when the transaction commits.
5. The same file again (same SHA-256 for this batch) changes nothing: ``result_import`` returns the earlier
   ``ResultImport`` with ``already_imported = True``; a re-uploaded file of another hash finds its lines
   already settled and counts them unchanged.
"""

import os

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from yuanmeng.applications.transitions import move_selected
from yuanmeng.applications.workflow import BANK_RESULT_IMPORT, Action, State
from yuanmeng.audit.services import audit_record
from yuanmeng.core.money import fen_to_yuan, yuan_to_fen
from yuanmeng.core.spreadsheets import to_text
from yuanmeng.core.sql import execute as _execute
from yuanmeng.core.sql import scalar
from yuanmeng.funds.models import Budget, EntryKind
from yuanmeng.funds.services import post
from yuanmeng.notify.services import worker_text
from yuanmeng.payouts.jobs import payment_files_discard
from yuanmeng.payouts.models import Batch, BatchStatus, LineStatus, PaymentLine, ResultImport
from yuanmeng.people.services import bank_accounts_refused

REQUIRED = {
    "reference": ("业务参考号", "reference", "参考号"),
    "status": ("状态", "status", "交易状态"),
}
OPTIONAL = {
    "reason": ("失败原因", "reason"),
    "amount": ("金额", "amount", "交易金额", "金额(元)"),  # headers are compared after NFKC: （元） is (元)
}
FIELD_LABELS = {"reference": gettext_lazy("reference"), "status": gettext_lazy("status"),
                "reason": gettext_lazy("failure reason"), "amount": gettext_lazy("amount")}
STATUS_WORDS = {"成功": LineStatus.PAID, "success": LineStatus.PAID, "paid": LineStatus.PAID,
                "失败": LineStatus.FAILED, "failed": LineStatus.FAILED, "fail": LineStatus.FAILED}
STAGE = "payouts_result_stage"

PAID_MESSAGE = gettext_noop("Your study subsidy has been paid into your bank account.")
FAILED_MESSAGE = gettext_noop("Your study subsidy could not be paid into your bank account. The bank said: "
                              "%(reason)s. Please correct your bank details (bank, account number and name as "
                              "the bank holds them) on your home page; your application returns to the queue "
                              "for the next payout round once they are corrected.")
NO_REASON = gettext_noop("no reason given")


# ---- the rules of one row ----------------------------------------------------------------------------

def batch_lines(batch: Batch) -> dict[str, tuple[int, str, int]]:
    """The batch's lines by reference: (id, status, total fen), in one query (bounded by the batch)."""
    return {reference: (pk, status, total) for reference, pk, status, total in
            PaymentLine.objects.filter(batch=batch).values_list("reference", "pk", "status", "total_fen")}


def _text(values: dict, field: str, found: list) -> str:
    try:
        return to_text(values.get(field, ""))
    except ValidationError as exc:  # a long number stored as a double has lost its last digits
        found.append((field, " ".join(exc.messages)))
        return ""


def _check_row(line: tuple | None, reference: str, values: dict, found: list) -> str | None:
    """The row's status if the row is sound (problems are appended to ``found``)."""
    word = _text(values, "status", found)
    status = STATUS_WORDS.get(word.lower())
    if status is None:
        found.append(("status", _("“%(value)s” is not 成功/success/paid or 失败/failed/fail") % {"value": word}))
    amount = _text(values, "amount", found)
    if amount:  # read even when the reference is unknown, so that every problem of the row is reported at once
        try:
            fen = yuan_to_fen(amount)
        except ValidationError as exc:
            found.append(("amount", " ".join(exc.messages)))
        else:
            if line is not None and fen != line[2]:
                found.append(("amount", _("%(file)s yuan in the file, %(line)s yuan on the line") % {
                    "file": fen_to_yuan(fen), "line": fen_to_yuan(line[2])}))
    if line is None:
        return None
    if status is None or line[1] in (LineStatus.PENDING, status):
        return status
    if line[1] == LineStatus.WITHDRAWN:
        found.append(("reference", _("“%(ref)s” was taken out of the batch after an objection and was not sent "
                                     "to the bank") % {"ref": reference}))
    else:
        found.append(("status", _("the line is already %(was)s; the file says %(now)s") % {
            "was": LineStatus(line[1]).label, "now": LineStatus(status).label}))
    return None


def check_result_row(values: dict, lines: dict, batch: Batch) -> tuple[int, str, str]:
    """One row of the file against the batch's lines: (line id, status, the bank's reason for a failure), or
    a ``ValidationError`` with each problem as "column: problem"."""
    found = []
    reference = _text(values, "reference", found)
    line = lines.get(reference)
    if not reference:
        found.append(("reference", _("missing")))
    elif line is None:
        found.append(("reference", _("“%(ref)s” is not a payment line of batch %(batch)s") % {
            "ref": reference, "batch": batch}))
    status = _check_row(line, reference, values, found)
    reason = _text(values, "reason", found)[:200]
    if found:
        raise ValidationError([f"{FIELD_LABELS[field]}: {problem}" for field, problem in found])
    return line[0], status, reason if status == LineStatus.FAILED else ""


# ---- set-based application of the changes -----------------------------------------------------------

def _create_stage() -> None:
    columns = "line_id BIGINT PRIMARY KEY, status VARCHAR(10) NOT NULL, reason VARCHAR(200) NOT NULL"
    _execute(f"DROP TABLE IF EXISTS {STAGE}", [])
    _execute(f"CREATE TEMPORARY TABLE {STAGE} ({columns})", [])


def _settle_lines(now) -> None:
    settled = _execute(f"""
        UPDATE payouts_paymentline SET
            status = (SELECT s.status FROM {STAGE} s WHERE s.line_id = payouts_paymentline.id),
            failure_reason = (SELECT s.reason FROM {STAGE} s WHERE s.line_id = payouts_paymentline.id),
            settled_at = %s
        WHERE status = %s AND id IN (SELECT line_id FROM {STAGE})""", [now, LineStatus.PENDING])
    if settled != scalar(f"SELECT COUNT(*) FROM {STAGE}", []):  # the batch is locked: only a bug gets here
        raise ValidationError(_("Some lines of the batch changed while the file was read; import it again."))


def _money_by_budget() -> list[tuple[str, int, int]]:
    """(line status, budget id, fen) for the staged lines, each funding level from its own budget."""
    parts = " UNION ALL ".join(
        f"SELECT s.status AS status, l.{level}_budget_id AS budget_id, l.{level}_fen AS fen "
        f"FROM payouts_paymentline l JOIN {STAGE} s ON s.line_id = l.id"
        for level in ("city", "district", "enterprise"))
    with connection.cursor() as cursor:
        cursor.execute(f"""SELECT m.status, m.budget_id, SUM(m.fen) FROM ({parts}) m
                           WHERE m.budget_id IS NOT NULL AND m.fen > 0
                           GROUP BY m.status, m.budget_id ORDER BY m.status, m.budget_id""")
        return [(status, budget_id, int(fen)) for status, budget_id, fen in cursor.fetchall()]


def _post_money(batch: Batch, by) -> dict[str, int]:
    """One PAY per budget for the paid lines, one RELEASE per budget for the failed ones."""
    sums = _money_by_budget()
    budgets = Budget.objects.in_bulk({budget_id for _status, budget_id, _fen in sums})
    totals = {LineStatus.PAID: 0, LineStatus.FAILED: 0}
    for status, budget_id, fen in sums:
        kind = EntryKind.PAY if status == LineStatus.PAID else EntryKind.RELEASE
        post(budget=budgets[budget_id], kind=kind, amount_fen=fen, reference=f"results:{batch}", by=by)
        totals[status] += fen
    return totals


def _move_all(batch: Batch, by, now) -> None:
    subject, paid_body = worker_text(gettext_noop("Study subsidy")), worker_text(PAID_MESSAGE)
    marker = "\x1f"
    before, after = worker_text(FAILED_MESSAGE, reason=marker).split(marker)
    no_reason = worker_text(NO_REASON)
    staged = (f"FROM applications_application a JOIN payouts_paymentline l ON l.application_id = a.id "
              f"JOIN {STAGE} s ON s.line_id = l.id WHERE s.status = %s")
    move_selected(selection=staged, params=[LineStatus.PAID], from_state=State.IN_BATCH, action=Action.PAID,
                  service=BANK_RESULT_IMPORT, by=by, now=now, subject=subject, reason_params=[str(batch)],
                  body_params=[paid_body])
    bank_reason = "CASE WHEN s.reason = '' THEN %s ELSE s.reason END"
    move_selected(selection=staged, params=[LineStatus.FAILED], from_state=State.IN_BATCH,
                  action=Action.PAYMENT_FAILED, service=BANK_RESULT_IMPORT, by=by, now=now, subject=subject,
                  reason_sql=bank_reason, reason_params=[no_reason], body_sql=f"%s || {bank_reason} || %s",
                  body_params=[before, no_reason, after], detail_sql="s.reason",
                  message=worker_text(FAILED_MESSAGE, reason=gettext_lazy(NO_REASON)))
    # The workers wait until their account is corrected (people.services.bank_account_change) before a round
    # draws them again.
    bank_accounts_refused(selection=f"SELECT a.worker_id {staged}", params=[LineStatus.FAILED], at=now)


def apply_results(*, by, batch: Batch, checked: str, file_name: str, sha256: str,
                  audit: dict | None = None) -> tuple[ResultImport | None, dict[str, int]]:
    """Apply the rows of the table ``checked`` (line_id, status, reason — rows that passed
    ``check_result_row``, one per line) to the batch, which the caller has locked, inside its transaction.
    The ``ResultImport`` (None when there was no row to apply) and the counts updated/unchanged."""
    rows = scalar(f"SELECT COUNT(*) FROM {checked}", [])
    if not rows:
        return None, {}
    earlier = ResultImport.objects.filter(batch=batch, sha256=sha256).first()
    if earlier is not None:  # this very file was applied before
        return earlier, {"unchanged": rows}
    # Under the lock, the lines as they are now decide: pending ones change, those settled the same way stay.
    contradicted = scalar(f"""SELECT COUNT(*) FROM {checked} c JOIN payouts_paymentline l ON l.id = c.line_id
                              WHERE l.status <> %s AND l.status <> c.status""", [LineStatus.PENDING])
    if contradicted:
        raise ValidationError(_("Some lines of the batch changed while the file was read; import it again."))
    now = timezone.now()
    _create_stage()
    changed = _execute(f"""INSERT INTO {STAGE} (line_id, status, reason)
                           SELECT c.line_id, c.status, c.reason FROM {checked} c
                           JOIN payouts_paymentline l ON l.id = c.line_id
                           WHERE l.batch_id = %s AND l.status = %s""", [batch.pk, LineStatus.PENDING])
    paid = scalar(f"SELECT COUNT(*) FROM {STAGE} WHERE status = %s", [LineStatus.PAID])
    totals = {LineStatus.PAID: 0, LineStatus.FAILED: 0}
    if changed:
        if connection.vendor == "postgresql":
            _execute(f"ANALYZE {STAGE}", [])
        _settle_lines(now)
        totals = _post_money(batch, by)
        _move_all(batch, by, now)
    _execute(f"DROP TABLE {STAGE}", [])
    failed, unchanged = changed - paid, rows - changed
    before_status = batch.status
    if not PaymentLine.objects.filter(batch=batch, status=LineStatus.PENDING).exists():
        Batch.objects.filter(pk=batch.pk).update(status=BatchStatus.RESULTS_IMPORTED)
        batch.status = BatchStatus.RESULTS_IMPORTED
    imported = ResultImport.objects.create(batch=batch, file_name=to_text(os.path.basename(file_name))[:200],
                                           sha256=sha256, paid=paid, failed=failed, unchanged=unchanged,
                                           imported_by=by)
    transaction.on_commit(lambda: payment_files_discard(batch_id=batch.pk))  # the bank answered: nobody needs it
    audit_record(actor=by, action="batch.results", obj=batch, organisation=batch.round.policy.organisation,
                 before={"status": before_status},
                 after={"status": batch.status, "file": imported.file_name, "sha256": sha256, "paid": paid,
                        "failed": failed, "unchanged": unchanged, "paid_fen": totals[LineStatus.PAID],
                        "released_fen": totals[LineStatus.FAILED], "import": imported.pk, **(audit or {})})
    return imported, {"updated": changed, "unchanged": unchanged}

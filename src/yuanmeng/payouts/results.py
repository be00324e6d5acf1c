"""Importing the bank's result file for an approved batch: which lines were paid, which came back.

``result_import`` is one transaction, in these steps:

1. Lock the batch; the importer needs APPROVE_PAYOUTS over the round's policy union; the batch must be
   approved (or partly or wholly reconciled by an earlier file).
2. The same file again (same SHA-256 for this batch) changes nothing: the earlier ``ResultImport`` is
   returned with ``already_imported = True``, so a retried upload is harmless and says so.
3. Every row is checked against the batch's lines (loaded in one query): unknown reference, a reference
   twice, an amount that differs from the line, an unknown status, a line the file contradicts (paid
   then failed, or the reverse), a line taken out by an objection. Any problem refuses the whole file
   with every bad row named; nothing is written.
4. Rows for lines already settled the same way are counted as unchanged. The lines that change are
   copied into a temporary staging table (COPY on PostgreSQL), and everything else is set-based from
   there: one UPDATE of the lines (pending → paid/failed, only if still pending), one grouped query for
   the money per budget, then one ledger entry per budget — PAY for the paid lines, RELEASE for the
   failed ones — and a few INSERT … SELECT / UPDATE statements for the applications, their history and
   the workers' messages.
5. Paid lines' applications become PAID. Failed lines' applications go back to DIPLOMA_VERIFIED (the
   queue a later round draws from) and the worker is told the bank's reason and to correct their bank
   details. The batch's control totals are what was sent to the bank and stay as they are; the batch is
   reconciled once no line is pending.
"""

import hashlib
import os
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from yuanmeng.applications.workflow import State
from yuanmeng.audit.services import audit_record
from yuanmeng.core.errors import PermissionDenied
from yuanmeng.core.money import fen_to_yuan, yuan_to_fen
from yuanmeng.core.spreadsheets import read_table, to_text
from yuanmeng.core.sql import copy_rows
from yuanmeng.core.sql import execute as _execute
from yuanmeng.funds.models import Budget, EntryKind
from yuanmeng.funds.services import post
from yuanmeng.orgs.roles import Capability
from yuanmeng.orgs.scoping import has_capability
from yuanmeng.payouts.models import Batch, BatchStatus, LineStatus, PaymentLine, ResultImport
from yuanmeng.payouts.moves import move_applications

REQUIRED = {
    "reference": ("业务参考号", "reference", "参考号"),
    "status": ("状态", "status", "交易状态"),
}
OPTIONAL = {
    "reason": ("失败原因", "reason"),
    "amount": ("金额", "amount", "交易金额", "金额(元)"),  # headers are compared after NFKC: （元） is (元)
}
FIELD_LABELS = {
    "reference": "业务参考号 (reference)", "status": "状态 (status)", "reason": "失败原因 (reason)",
    "amount": "金额 (amount)",
}
STATUS_WORDS = {"成功": LineStatus.PAID, "success": LineStatus.PAID, "paid": LineStatus.PAID,
                "失败": LineStatus.FAILED, "failed": LineStatus.FAILED, "fail": LineStatus.FAILED}
MAX_ERRORS = 100
STAGE = "payouts_result_stage"

PAID_MESSAGE = gettext_noop("Your study subsidy has been paid into your bank account.")
FAILED_MESSAGE = gettext_noop("Your study subsidy could not be paid into your bank account. The bank said: "
                              "%(reason)s. Please correct your bank details (bank, account number and name as "
                              "the bank holds them); your application is back in the queue for the next payout "
                              "round.")
NO_REASON = gettext_noop("no reason given")


@dataclass
class _Row:
    line_id: int
    status: str
    reason: str


def _sha256(upload) -> str:
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: upload.read(1 << 20), b""):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _read(upload) -> list[tuple[int, dict]]:
    """The file's rows (row number, {field: value}); the optional columns only where the file has them."""
    return list(read_table(upload, REQUIRED, OPTIONAL))


def _problem(row: int, field: str, problem: str) -> str:
    return _("row %(row)d: %(field)s: %(problem)s") % {"row": row, "field": FIELD_LABELS[field], "problem": problem}


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
    if line is None:
        return None
    amount = _text(values, "amount", found)
    if amount:
        try:
            fen = yuan_to_fen(amount)
        except ValidationError as exc:
            found.append(("amount", " ".join(exc.messages)))
        else:
            if fen != line[2]:
                found.append(("amount", _("%(file)s yuan in the file, %(line)s yuan on the line") % {
                    "file": fen_to_yuan(fen), "line": fen_to_yuan(line[2])}))
    if status is None or line[1] in (LineStatus.PENDING, status):
        return status
    if line[1] == LineStatus.WITHDRAWN:
        found.append(("reference", _("“%(ref)s” was taken out of the batch after an objection and was not sent "
                                     "to the bank") % {"ref": reference}))
    else:
        found.append(("status", _("the line is already %(was)s; the file says %(now)s") % {
            "was": LineStatus(line[1]).label, "now": LineStatus(status).label}))
    return None


def _check(batch: Batch, rows: list[tuple[int, dict]]) -> tuple[list[_Row], int]:
    """Every row against the batch's lines: the changes to make and the count of unchanged rows, or refuse."""
    lines = {reference: (pk, status, total) for reference, pk, status, total in
             PaymentLine.objects.filter(batch=batch).values_list("reference", "pk", "status", "total_fen")}
    errors, changes, unchanged, seen = [], [], 0, {}
    for number, values in rows:
        found = []
        reference = _text(values, "reference", found)
        line = lines.get(reference)
        if reference in seen:
            found.append(("reference", _("“%(ref)s” appears twice in the file (also row %(other)d)") % {
                "ref": reference, "other": seen[reference]}))
            line = None
        elif not reference:
            found.append(("reference", _("missing")))
        elif line is None:
            found.append(("reference", _("“%(ref)s” is not a payment line of batch %(batch)s") % {
                "ref": reference, "batch": batch}))
        if reference:
            seen.setdefault(reference, number)
        status = _check_row(line, reference, values, found)
        reason = _text(values, "reason", found)[:200]
        if found:
            errors.extend(_problem(number, field, problem) for field, problem in found)
        elif line[1] == LineStatus.PENDING:
            changes.append(_Row(line[0], status, reason if status == LineStatus.FAILED else ""))
        else:
            unchanged += 1
    if not rows:
        errors.append(_("The file has no result rows."))
    if errors:
        more = len(errors) - MAX_ERRORS
        shown = errors[:MAX_ERRORS] + ([_("… and %(n)d more problems.") % {"n": more}] if more > 0 else [])
        raise ValidationError({"file": shown})
    return changes, unchanged


# ---- set-based application of the changes -----------------------------------------------------------

def _stage(changes: list[_Row]) -> None:
    """The changing lines in a temporary table: COPY on PostgreSQL, one executemany on SQLite."""
    columns = "line_id BIGINT PRIMARY KEY, status VARCHAR(10) NOT NULL, reason VARCHAR(200) NOT NULL"
    rows = [(row.line_id, row.status, row.reason) for row in changes]
    on_commit = " ON COMMIT DROP" if connection.vendor == "postgresql" else ""
    _execute(f"CREATE TEMPORARY TABLE {STAGE} ({columns}){on_commit}", [])
    copy_rows(STAGE, ["line_id", "status", "reason"], rows)
    if connection.vendor == "postgresql":
        _execute(f"ANALYZE {STAGE}", [])


def _settle_lines(now) -> None:
    settled = _execute(f"""
        UPDATE payouts_paymentline SET
            status = (SELECT s.status FROM {STAGE} s WHERE s.line_id = payouts_paymentline.id),
            failure_reason = (SELECT s.reason FROM {STAGE} s WHERE s.line_id = payouts_paymentline.id),
            settled_at = %s
        WHERE status = %s AND id IN (SELECT line_id FROM {STAGE})""", [now, LineStatus.PENDING])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {STAGE}")
        staged = cursor.fetchone()[0]
    if settled != staged:  # the batch is locked, so only a bug elsewhere gets here
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
    with translation.override(settings.LANGUAGE_CODE):  # the workers' language, not the operator's
        subject, paid_body = _("Study subsidy"), _(PAID_MESSAGE)
        marker = "\x1f"
        before, after = (_(FAILED_MESSAGE) % {"reason": marker}).split(marker)
        no_reason = _(NO_REASON)
    staged = (f"FROM applications_application a JOIN payouts_paymentline l ON l.application_id = a.id "
              f"JOIN {STAGE} s ON s.line_id = l.id WHERE s.status = %s")
    move_applications(source=staged, source_params=[LineStatus.PAID], from_state=State.IN_BATCH,
                      to_state=State.PAID, action="paid", by=by, now=now, subject=subject,
                      reason_params=[str(batch)], body_params=[paid_body])
    bank_reason = "CASE WHEN s.reason = '' THEN %s ELSE s.reason END"
    move_applications(source=staged, source_params=[LineStatus.FAILED], from_state=State.IN_BATCH,
                      to_state=State.DIPLOMA_VERIFIED, action="payment_failed", by=by, now=now, subject=subject,
                      reason_sql=bank_reason, reason_params=[no_reason],
                      body_sql=f"%s || {bank_reason} || %s", body_params=[before, no_reason, after])


# ---- the service ------------------------------------------------------------------------------------

@transaction.atomic
def result_import(*, by, batch: Batch, upload) -> ResultImport:
    """Apply the bank's result file to a batch: all rows or none; the same file twice changes nothing."""
    batch = (Batch.objects.select_for_update(of=("self",)).select_related("round__policy__organisation")
             .get(pk=batch.pk))
    organisation = batch.round.policy.organisation
    if not has_capability(by, Capability.APPROVE_PAYOUTS, organisation.path):
        raise PermissionDenied(_("Your role cannot import bank results for this policy's union."))
    sha256 = _sha256(upload)
    earlier = ResultImport.objects.filter(batch=batch, sha256=sha256).first()
    if earlier is not None:
        earlier.already_imported = True
        return earlier
    if batch.status == BatchStatus.AWAITING_APPROVAL:
        raise ValidationError(_("The batch is not approved: there can be no bank results for it yet."))
    try:
        rows = _read(upload)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    changes, unchanged = _check(batch, rows)
    now = timezone.now()
    totals = {LineStatus.PAID: 0, LineStatus.FAILED: 0}
    if changes:
        _stage(changes)
        _settle_lines(now)
        totals = _post_money(batch, by)
        _move_all(batch, by, now)
        _execute(f"DROP TABLE {STAGE}", [])
    paid = sum(1 for row in changes if row.status == LineStatus.PAID)
    failed = len(changes) - paid
    before_status = batch.status
    if not PaymentLine.objects.filter(batch=batch, status=LineStatus.PENDING).exists():
        Batch.objects.filter(pk=batch.pk).update(status=BatchStatus.RESULTS_IMPORTED)
        batch.status = BatchStatus.RESULTS_IMPORTED
    imported = ResultImport.objects.create(
        batch=batch, file_name=to_text(os.path.basename(upload.name or ""))[:200], sha256=sha256, paid=paid,
        failed=failed, unchanged=unchanged, imported_by=by)
    imported.already_imported = False
    audit_record(actor=by, action="batch.results", obj=batch, organisation=organisation,
                 before={"status": before_status},
                 after={"status": batch.status, "file": imported.file_name, "sha256": sha256, "paid": paid,
                        "failed": failed, "unchanged": unchanged, "paid_fen": totals[LineStatus.PAID],
                        "released_fen": totals[LineStatus.FAILED], "import": imported.pk})
    return imported

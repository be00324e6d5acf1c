"""Committing payout rounds, approving batches, issuing payment files, importing bank results, objections during
public notice, the lottery.

Each public function is one transaction (a payment file is written between two: see ``write_batch_file``): a
failure anywhere leaves no partial round, batch or ledger entry.
Bulk work is set-based — INSERT … SELECT and UPDATE … WHERE id IN (…) — so a round of a million lines is
a handful of statements.
"""

import dataclasses
import datetime
import math
import os
import shutil
import tempfile
from enum import StrEnum
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from yuanmeng.applications.transitions import move_selected
from yuanmeng.applications.workflow import OBJECTION_RAISE, ROUND_COMMIT, Action, State
from yuanmeng.audit.services import audit_record
from yuanmeng.core.crypto import file_sha256
from yuanmeng.core.errors import PermissionDenied
from yuanmeng.core.imports import import_whole
from yuanmeng.core.masking import masked_name_sql
from yuanmeng.core.money import fen_to_yuan
from yuanmeng.core.sql import execute as _execute
from yuanmeng.core.sql import scalar as _scalar
from yuanmeng.core.text import clean_text
from yuanmeng.funds.models import Budget, EntryKind, FundSource, LedgerEntry
from yuanmeng.funds.selectors import plan_budgets
from yuanmeng.funds.services import post
from yuanmeng.jobs.models import Job
from yuanmeng.jobs.services import job_submit
from yuanmeng.notify.services import worker_text
from yuanmeng.orgs.roles import Capability
from yuanmeng.orgs.scoping import has_capability
from yuanmeng.payouts.files import FORMATS, BatchFile, Format, Tally, file_name, yuan_text
from yuanmeng.payouts.lottery import list_digest, normalise_seed
from yuanmeng.payouts.models import (
    Batch,
    BatchApproval,
    BatchStatus,
    LineStatus,
    LotteryDraw,
    LotteryEntry,
    Objection,
    PaymentLine,
    ResultImport,
    Round,
    RoundStatus,
)
from yuanmeng.payouts.planning import (
    PlanInput,
    TopUp,
    amount_case,
    count_funded,
    ranked_sql,
    roomy_sorts,
    shortfall,
    top_up_params,
    top_up_sql,
)
from yuanmeng.people.selectors import no_usable_account_sql
from yuanmeng.policies.models import Policy, PolicyStatus, Selection
from yuanmeng.policies.selectors import matching_part, top_ups

NOTICE_MESSAGE = gettext_noop("Your study subsidy is on the list to be paid. The list is on public notice from "
                              "%(start)s to %(end)s; after that the money goes to your own bank account.")
SUBJECT = gettext_noop("Study subsidy")
OBJECTION_MESSAGE = gettext_noop(
    "An objection was raised during the public notice; your application is being reviewed again.")
PAYING_MESSAGE = gettext_noop("Your study subsidy is in a payout batch and will be paid to your own bank account.")


def _require(by, policy: Policy, capability: str = Capability.MANAGE_FUNDS) -> None:
    if not has_capability(by, capability, policy.organisation.path):
        raise PermissionDenied(_("Your role cannot do this for this policy's union."))


def plan_input(policy: Policy, limit_fen: int, quota: int | None) -> PlanInput:
    """Check a ranked round's terms (a lottery policy's rounds are drawn: see ``lottery_announce``)."""
    errors = {}
    if policy.status != PolicyStatus.PUBLISHED:
        errors["policy"] = [_("Payout rounds are planned for published policies only.")]
    if policy.parent_id:
        errors["policy"] = [_("Plan the round on the subsidy policy; matching amounts are added from it.")]
    if limit_fen is None or limit_fen <= 0:
        errors["limit_fen"] = [_("Give the money available for this round.")]
    if quota is not None and quota <= 0:
        errors["quota"] = [_("A quota is a positive number of workers.")]
    if policy.selection == Selection.LOTTERY:
        errors["policy"] = [_("This policy selects by lottery: announce a draw on the policy's page; its round is "
                              "committed when it is drawn.")]
    if errors:
        raise ValidationError(errors)
    matchings = list(top_ups(policy))
    budgets = plan_budgets(year=policy.year, special_of=policy.organisation_id,
                           matching_of=[m.organisation_id for m in matchings])
    special = budgets.get((policy.organisation_id, FundSource.SPECIAL))
    return PlanInput(policy=policy, limit_fen=limit_fen, quota=quota,
                     top_ups=tuple(_top_up(m, budgets.get((m.organisation_id, FundSource.MATCHING)))
                                   for m in matchings),
                     available_fen=special.available_fen if special is not None else None)


def _top_up(matching: Policy, budget: Budget | None) -> TopUp:
    return TopUp(part=matching_part(matching.organisation), path=matching.organisation.path,
                 amounts=matching.level_amounts(), budget_id=budget.pk if budget else None,
                 available_fen=budget.available_fen if budget else 0)


# ---- committing a round ---------------------------------------------------------------------------

def refresh_statistics(table: str) -> None:
    """After writing a million rows in this transaction, let PostgreSQL's planner know (else it plans for none)."""
    if connection.vendor == "postgresql":
        _execute(f"ANALYZE {table}", [])


REFERENCE_DIGITS = 8  # a line's rank in its reference: up to 99,999,999 lines a round


def _create_batches(round_: Round, lines: int) -> dict[int, int]:
    """The round's batches, before its lines: batch number → id."""
    batches = Batch.objects.bulk_create(
        [Batch(round=round_, number=n) for n in range(1, math.ceil(lines / round_.max_lines_per_batch) + 1)])
    return {batch.number: batch.pk for batch in batches}


def _insert_lines(round_: Round, plan: PlanInput, batch_ids: dict[int, int]) -> int:
    """One INSERT … SELECT: the funded candidates still waiting, each with its batch (numbered in rank order),
    its worker's snapshot and its city amount.

    The reference is the round's prefix and the rank in eight digits (``YM00001-00000042``), so that references
    grow in the order the lines are written: each goes at the right end of the unique index, not into pages all
    over it as ``-1``, ``-10``, ``-100``, ``-2`` would (dirtying and splitting pages across the whole index)."""
    sql, params = ranked_sql(plan)
    batches = " UNION ALL ".join(f"SELECT {int(number)} AS number, {int(pk)} AS id" for number, pk in batch_ids.items())
    return _execute(f"""
        INSERT INTO payouts_paymentline
            (round_id, batch_number, batch_id, rank, application_id, reference, payee_name, account, account_masked,
             bank_name, priority_group, level, area_id, city_fen, district_fen, enterprise_fen, total_fen,
             city_budget_id, status, failure_reason)
        SELECT %s, b.number, b.id, funded.rn, funded.id,
               %s || SUBSTR(CAST({10 ** REFERENCE_DIGITS} + funded.rn AS TEXT), 2), w.name, w.bank_account,
               w.bank_account_masked, w.bank_name, funded.priority_group, funded.level, funded.area_id,
               funded.city_fen, 0, 0, funded.city_fen, %s, %s, ''
        FROM (SELECT ranked.*, (ROW_NUMBER() OVER (ORDER BY ranked.rn) - 1) / %s + 1 AS batch_number
              FROM ({sql}) ranked WHERE ranked.funded = 1 AND ranked.waiting = 1) funded
        JOIN people_worker w ON w.id = funded.worker_id
        JOIN ({batches}) b ON b.number = funded.batch_number""",
                    [round_.pk, f"YM{round_.pk:05d}-", round_.budget_id, LineStatus.PENDING,
                     round_.max_lines_per_batch, *params])


def _add_matching(round_: Round, matching: Policy, by) -> int:
    """Give the lines under a matching policy's union its amounts, in rank order while its budget lasts."""
    budget = Budget.objects.filter(organisation=matching.organisation, year=round_.policy.year,
                                   source=FundSource.MATCHING).first()
    amounts = matching.level_amounts()
    if budget is None or not amounts or budget.available_fen <= 0:
        return 0
    column = matching_part(matching.organisation)
    given = (f"SELECT COALESCE(SUM({column}_fen), 0) FROM payouts_paymentline "
             f"WHERE round_id = %s AND {column}_budget_id = %s")
    before = _scalar(given, [round_.pk, budget.pk])  # a union may top up through more than one policy
    _execute(top_up_sql(table="payouts_paymentline", part=column, amounts=amounts, rank="rank", set_budget=True,
                        source="FROM payouts_paymentline l JOIN applications_application a ON a.id = l.application_id "
                               "JOIN orgs_organisation o ON o.id = a.organisation_id WHERE l.round_id = %s"),
             top_up_params(amounts, budget=[budget.pk], source=[round_.pk], path=matching.organisation.path,
                           available_fen=budget.available_fen))
    total = _scalar(given, [round_.pk, budget.pk]) - before
    if total:
        post(budget=budget, kind=EntryKind.RESERVE, amount_fen=total, reference=f"round:{round_.code}", by=by)
    return total


def _settle_totals(round_: Round) -> None:
    recount(round_)
    round_.refresh_from_db()


def _round_lines(round_: Round, status: str, line_id: int | None = None) -> tuple[str, list]:
    """FROM … WHERE selecting a round's lines in one status (one line, with ``line_id``) with their applications."""
    source = ("FROM applications_application a JOIN payouts_paymentline l ON l.application_id = a.id "
              "WHERE l.round_id = %s AND l.status = %s")
    params = [round_.pk, status]
    if line_id is not None:
        source += " AND l.id = %s"
        params.append(line_id)
    return source, params


@transaction.atomic
def round_commit(*, by, policy: Policy, budget: Budget, limit_fen: int, code: str, quota: int | None = None,
                 max_lines_per_batch: int = 2200) -> Round:
    """Fund the ranked applications, freeze them into batches, reserve the money. All or nothing."""
    _require(by, policy)
    policy = Policy.objects.select_for_update().select_related("organisation").get(pk=policy.pk)  # one at a time
    return _commit(by, plan_input(policy, limit_fen, quota), budget=budget, code=code,
                   max_lines_per_batch=max_lines_per_batch)


def _commit(by, plan: PlanInput, *, budget: Budget, code: str, max_lines_per_batch: int) -> Round:
    """Commit a round from its plan (ranked or drawn), inside the caller's transaction, the policy locked."""
    policy, limit_fen = plan.policy, plan.limit_fen
    roomy_sorts()
    budget.refresh_from_db()
    if (budget.organisation_id, budget.year, budget.source) != (policy.organisation_id, policy.year,
                                                               FundSource.SPECIAL):
        raise ValidationError({"budget": [_("Use the special fund of the policy's union for the policy's year.")]})
    refusal = shortfall(dataclasses.replace(plan, available_fen=budget.available_fen))
    if refusal:
        raise ValidationError({"limit_fen": [refusal]})
    if not 1 <= max_lines_per_batch <= 100_000:
        raise ValidationError({"max_lines_per_batch": [_("Between 1 and 100,000 lines a batch.")]})
    seed = plan.draw.seed if plan.draw is not None else ""
    try:
        with transaction.atomic():
            round_ = Round.objects.create(policy=policy, code=clean_text(code, max_length=40, required=True),
                                          budget=budget, limit_fen=limit_fen, quota=plan.quota,
                                          lottery_seed=seed, max_lines_per_batch=max_lines_per_batch,
                                          created_by=by)
    except IntegrityError:
        raise ValidationError({"code": [_("This round code is already in use.")]}) from None
    funded = count_funded(plan)
    if not funded:
        raise ValidationError(_("No verified application can be funded: nothing to commit."))
    lines = _insert_lines(round_, plan, _create_batches(round_, funded))
    if lines != funded:
        raise ValidationError(_("The queue changed while the round was being committed; nothing was committed. "
                                "Try again."))
    refresh_statistics("payouts_paymentline")
    city_total = _scalar("SELECT COALESCE(SUM(city_fen), 0) FROM payouts_paymentline WHERE round_id = %s",
                         [round_.pk])
    post(budget=budget, kind=EntryKind.RESERVE, amount_fen=city_total, reference=f"round:{round_.code}", by=by)
    for matching in top_ups(policy):
        _add_matching(round_, matching, by)
    _settle_totals(round_)
    _open_notice_or_release(round_, policy)
    source, params = _round_lines(round_, LineStatus.PENDING)
    moved = move_selected(selection=source, params=params, from_state=State.DIPLOMA_VERIFIED, action=Action.IN_BATCH,
                          service=ROUND_COMMIT, by=by, now=timezone.now(), subject=worker_text(SUBJECT),
                          reason_params=[round_.code], body_params=[_notice_body(round_)])
    if moved != lines:  # an application was withdrawn meanwhile: its line must not stand
        raise ValidationError(_("The queue changed while the round was being committed; nothing was committed. "
                                "Try again."))
    audit_record(actor=by, action="round.commit", obj=round_, organisation=policy.organisation,
                 after={"lines": round_.funded_count, "total_fen": round_.total_fen, "city_fen": city_total,
                        "batches": lines and round_.batches.count(), "seed": seed or None})
    return round_


def _open_notice_or_release(round_: Round, policy: Policy) -> None:
    if policy.notice_days:
        start = timezone.localdate()
        round_.status = RoundStatus.IN_NOTICE
        round_.notice_starts_on, round_.notice_ends_on = start, start + datetime.timedelta(days=policy.notice_days)
    else:
        round_.status = RoundStatus.RELEASED
    round_.save(update_fields=["status", "notice_starts_on", "notice_ends_on"])


def _notice_body(round_: Round) -> str:
    if round_.status == RoundStatus.IN_NOTICE:
        return worker_text(NOTICE_MESSAGE, start=round_.notice_starts_on, end=round_.notice_ends_on)
    return worker_text(PAYING_MESSAGE)


# ---- public notice, objections, release ------------------------------------------------------------

def _lock_round(round_: Round) -> Round:
    return Round.objects.select_for_update().select_related("policy__organisation", "budget").get(pk=round_.pk)


def _release_line_money(line: PaymentLine, by, reference: str) -> None:
    for budget_id, amount in ((line.city_budget_id, line.city_fen), (line.district_budget_id, line.district_fen),
                              (line.enterprise_budget_id, line.enterprise_fen)):
        if budget_id and amount:
            post(budget=Budget.objects.get(pk=budget_id), kind=EntryKind.RELEASE, amount_fen=amount,
                 reference=reference, by=by)


def recount(round_: Round) -> None:
    """Control totals of the round and its batches from their live lines: one grouped pass over the lines."""
    _execute("""UPDATE payouts_batch SET line_count = 0, total_fen = 0 WHERE round_id = %s""", [round_.pk])
    _execute("""UPDATE payouts_batch SET line_count = s.n, total_fen = s.total
                FROM (SELECT batch_id, COUNT(*) AS n, SUM(total_fen) AS total FROM payouts_paymentline
                      WHERE round_id = %s AND status IN ('pending', 'paid') GROUP BY batch_id) s
                WHERE payouts_batch.id = s.batch_id""", [round_.pk])
    _execute("""UPDATE payouts_round SET
                    funded_count = (SELECT COALESCE(SUM(line_count), 0) FROM payouts_batch b
                                    WHERE b.round_id = payouts_round.id),
                    total_fen = (SELECT COALESCE(SUM(total_fen), 0) FROM payouts_batch b
                                 WHERE b.round_id = payouts_round.id)
                WHERE id = %s""", [round_.pk])


@transaction.atomic
def objection_raise(*, by, line: PaymentLine, reason: str) -> PaymentLine:
    """During the public notice: the line leaves the round, its money is released, the application is reviewed again."""
    round_ = _lock_round(line.round)
    _require(by, round_.policy)
    reason = clean_text(reason, max_length=500, required=False)
    if not reason:
        raise ValidationError({"reason": [_("Say what the objection is.")]})
    if round_.status != RoundStatus.IN_NOTICE or timezone.localdate() > round_.notice_ends_on:
        raise ValidationError(_("Objections are taken only during the public notice period."))
    if not PaymentLine.objects.filter(pk=line.pk, status=LineStatus.PENDING).update(status=LineStatus.WITHDRAWN,
                                                                                     failure_reason=reason[:200]):
        raise ValidationError(_("This line is no longer pending."))
    Objection.objects.create(line=line, reason=reason, raised_by=by)
    _release_line_money(line, by, f"objection:{line.reference}")
    source, params = _round_lines(round_, LineStatus.WITHDRAWN, line.pk)
    move_selected(selection=source, params=params, from_state=State.IN_BATCH, action=Action.OBJECTION,
                  service=OBJECTION_RAISE, by=by, now=timezone.now(), subject=worker_text(SUBJECT),
                  reason_params=[reason], body_params=[worker_text(OBJECTION_MESSAGE)])
    recount(round_)
    audit_record(actor=by, action="round.objection", obj=line, organisation=round_.policy.organisation,
                 after={"application": line.application_id, "reason": reason})
    return line


@transaction.atomic
def round_release(*, by, round_: Round) -> Round:
    """After the notice period: the round's batches may be approved and paid."""
    round_ = _lock_round(round_)
    _require(by, round_.policy)
    if round_.status != RoundStatus.IN_NOTICE:
        raise ValidationError(_("Only a round in public notice is released."))
    if timezone.localdate() <= round_.notice_ends_on:
        raise ValidationError(_("The public notice runs until %(day)s.") % {"day": round_.notice_ends_on})
    Round.objects.filter(pk=round_.pk).update(status=RoundStatus.RELEASED)
    round_.status = RoundStatus.RELEASED
    audit_record(actor=by, action="round.release", obj=round_, organisation=round_.policy.organisation,
                 before={"status": RoundStatus.IN_NOTICE}, after={"status": RoundStatus.RELEASED})
    return round_


# ---- approving batches ---------------------------------------------------------------------------

def approvals_needed(batch: Batch) -> int:
    """Two approvers when the round (not the batch: batches can be cut small) is above the policy's amount."""
    threshold = batch.round.policy.dual_approval_above_fen
    return 2 if threshold is not None and batch.round.total_fen > threshold else 1


@transaction.atomic
def batch_approve(*, by, batch: Batch) -> Batch:
    """A finance officer's approval; not the round's creator's; two different people above the policy's amount."""
    batch = Batch.objects.select_for_update(of=("self",)).select_related("round__policy__organisation").get(
        pk=batch.pk)
    _require(by, batch.round.policy, Capability.APPROVE_PAYOUTS)
    if batch.round.status != RoundStatus.RELEASED:
        raise ValidationError(_("The round is not released for payment yet (public notice)."))
    if batch.status != BatchStatus.AWAITING_APPROVAL:
        raise ValidationError(_("This batch is not waiting for approval."))
    if batch.round.created_by_id == by.pk:
        raise ValidationError(_("The person who committed the round cannot approve its batches."))
    if BatchApproval.objects.filter(batch=batch, user=by).exists():
        raise ValidationError(_("You have already approved this batch; a second approver must be someone else."))
    BatchApproval.objects.create(batch=batch, user=by)
    approved = BatchApproval.objects.filter(batch=batch).count() >= approvals_needed(batch)
    if approved:
        Batch.objects.filter(pk=batch.pk).update(status=BatchStatus.APPROVED, approved_at=timezone.now())
        batch.status = BatchStatus.APPROVED
    audit_record(actor=by, action="batch.approve", obj=batch, organisation=batch.round.policy.organisation,
                 after={"approvals": BatchApproval.objects.filter(batch=batch).count(), "approved": approved,
                        "total_fen": batch.total_fen, "lines": batch.line_count})
    return batch


class FileAccess(StrEnum):
    """What handing out a batch's payment file does: the first issue, a new issue by a second officer (the bank
    did not receive the file), or another copy of the current issue for the officer who holds it."""

    ISSUE = "issue"
    REISSUE = "reissue"
    COPY = "copy"


def batch_file_allowed(by, batch: Batch, *, reissue: bool = False) -> str:
    """May ``by`` have the batch's payment file now, and as what (a ``FileAccess``)? Raises why not.

    The file is issued once, for an approved batch the bank has not answered yet, by a finance officer who did
    not commit the round (four eyes, as for approving). The officer who holds the issue may fetch it again, in
    either format (the xlsx and the pain.001 are two encodings of one file), until the bank answers. Issuing it
    again takes another finance officer, who then holds the issue. Never once the bank has answered for the
    batch: a resent file would pay the paid lines twice.
    """
    _require(by, batch.round.policy, Capability.APPROVE_PAYOUTS)
    if batch.round.created_by_id == by.pk:
        raise PermissionDenied(_("You committed this round: its payment files are issued by another finance "
                                 "officer."))
    if batch.status == BatchStatus.AWAITING_APPROVAL:
        raise ValidationError(_("The batch is not approved: its payment file cannot be downloaded."))
    if batch.status == BatchStatus.RESULTS_IMPORTED or batch.result_imports.exists():
        raise ValidationError(_("The bank has already answered for this batch: its payment file is not issued "
                                "again. Failed lines go back to the queue for a later round."))
    if not batch.file_issued_at:
        return FileAccess.ISSUE
    holds_issue = batch.file_issued_by_id == by.pk
    if reissue and holds_issue:
        raise ValidationError(_("Issuing the payment file again takes a finance officer other than the one who "
                                "issued it."))
    if reissue:
        return FileAccess.REISSUE
    if holds_issue:
        return FileAccess.COPY
    issued = timezone.localtime(batch.file_issued_at).strftime("%Y-%m-%d %H:%M")
    raise ValidationError(_("The payment file was issued on %(at)s. If the bank did not receive it, another "
                            "finance officer can issue it again.") % {"at": issued})


# ---- payment files (their layouts: payouts/files.py; large batches' task: payouts/jobs.py) --------------

PAYMENT_FILE_JOB = "payment_file"
FILE_AUDIT_ACTIONS = {FileAccess.ISSUE: "batch.file", FileAccess.REISSUE: "batch.file_reissue",
                      FileAccess.COPY: "batch.file_copy"}


def _file_format(fmt: str) -> Format:
    spec = FORMATS.get(fmt)
    if spec is None:
        raise ValidationError({"fmt": [_("Choose a format: %(formats)s.") % {"formats": ", ".join(FORMATS)}]})
    return spec


def _sha256(path: str) -> str:
    with open(path, "rb") as file:
        return file_sha256(file)


def _locked_allowed_batch(by, batch: Batch, reissue: bool) -> tuple[Batch, FileAccess]:
    batch = (Batch.objects.select_for_update(of=("self",)).select_related("round__policy__organisation")
             .get(pk=batch.pk))
    access = batch_file_allowed(by, batch, reissue=reissue)
    if not batch.line_count:
        raise ValidationError(_("The batch has no lines left to pay."))
    if not settings.PAYER_ACCOUNT:
        raise ValidationError(_("Set YUANMENG_PAYER_ACCOUNT: the account the payment file debits."))
    return batch, access


def _check_totals(batch: Batch, tally: Tally) -> None:
    if (tally.count, tally.total_fen) != (batch.line_count, batch.total_fen):
        raise ValidationError(
            _("The lines come to %(lines)d payments, %(yuan)s yuan, but the batch's control totals are "
              "%(batch_lines)d payments, %(batch_yuan)s yuan: no file was written.") % {
                "lines": tally.count, "yuan": yuan_text(tally.total_fen),
                "batch_lines": batch.line_count, "batch_yuan": yuan_text(batch.total_fen)})


def write_batch_file(*, by, batch: Batch, fmt: str, out, reissue: bool = False, progress=None) -> BatchFile:
    """Write the payment file of an approved batch to ``out`` (a path, or a binary file open for writing).

    Three steps: check (and lock briefly) that the file may be handed out; write it outside any transaction,
    so that ``progress(lines written)`` is seen by others and nothing is locked while a big file is written;
    then, locked again, check once more (somebody may have issued it meanwhile), compare its totals with the
    batch's control totals, mark a new issue and write the audit entry (``batch.file``, ``batch.file_reissue``
    or ``batch.file_copy``: format, totals, the file's SHA-256). Nothing reaches ``out`` otherwise.
    A file at a path is created readable by its owner only.
    """
    spec = _file_format(fmt)
    to_path = not hasattr(out, "write")
    if to_path and not Path(out).resolve().parent.is_dir():
        raise ValidationError({"out": [_("The folder for %(path)s does not exist.") % {"path": out}]})
    with transaction.atomic():
        batch, _access = _locked_allowed_batch(by, batch, reissue)
    fd, temp = tempfile.mkstemp(prefix=".payment-", suffix=spec.extension,
                                dir=Path(out).resolve().parent if to_path else None)
    os.close(fd)
    try:
        tally = spec.write(batch, temp, progress)
        with transaction.atomic():
            batch, access = _locked_allowed_batch(by, batch, reissue)
            _check_totals(batch, tally)
            result = BatchFile(fmt=fmt, lines=tally.count, total_fen=tally.total_fen, sha256=_sha256(temp),
                               filename=file_name(batch, fmt), content_type=spec.content_type)
            if access != FileAccess.COPY:
                Batch.objects.filter(pk=batch.pk).update(file_issued_at=timezone.now(), file_issued_by=by)
            audit_record(actor=by, action=FILE_AUDIT_ACTIONS[access], obj=batch,
                         organisation=batch.round.policy.organisation,
                         after={"format": fmt, "lines": result.lines, "total_fen": result.total_fen,
                                "sha256": result.sha256})
        if to_path:
            os.replace(temp, out)
        else:
            with open(temp, "rb") as f:
                shutil.copyfileobj(f, out, 1 << 20)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
    return result


@transaction.atomic
def payment_file_request(*, by, batch: Batch, fmt: str, reissue: bool = False) -> Job:
    """Queue the file (checked now, and again when it is written); the same file asked twice is one task."""
    _file_format(fmt)
    batch_file_allowed(by, batch, reissue=reissue)
    job = job_submit(by=by, kind=PAYMENT_FILE_JOB,
                     label=_("Payment file %(batch)s (%(format)s)") % {"batch": batch, "format": fmt},
                     params={"batch": batch.pk, "fmt": fmt, "reissue": reissue}, total=batch.line_count,
                     capability=Capability.APPROVE_PAYOUTS)
    if job.submitted_now:
        audit_record(actor=by, action="batch.file_request", obj=batch, organisation=batch.round.policy.organisation,
                     after={"format": fmt, "job": job.pk, "lines": batch.line_count})
    return job


# ---- the bank's results (the rules and their set-based application: payouts/results.py) ------------------

def may_import(by, batch: Batch) -> bool:
    """APPROVE_PAYOUTS over the union of the batch's policy."""
    return has_capability(by, Capability.APPROVE_PAYOUTS, batch.round.policy.organisation.path)


def refuse_unless_open(batch: Batch) -> None:
    if batch.status == BatchStatus.AWAITING_APPROVAL:
        raise ValidationError(_("The batch is not approved: there can be no bank results for it yet."))


def result_import(*, by, batch: Batch, upload) -> ResultImport:
    """Apply the bank's result file to a batch, all rows or none, at once (the API and the command line); the
    same file twice changes nothing. The page offers the valid rows too, through ``import_submit``. The import
    kind (``payouts.imports``) is taken from the registry: its writing builds on this module."""
    batch = Batch.objects.select_related("round__policy__organisation").get(pk=batch.pk)
    if not may_import(by, batch):
        raise PermissionDenied(_("Your role cannot import bank results for this policy's union."))
    sha256 = file_sha256(upload)
    earlier = ResultImport.objects.filter(batch=batch, sha256=sha256).first()
    if earlier is not None:
        earlier.already_imported = True
        return earlier
    refuse_unless_open(batch)
    started = timezone.now()
    import_whole("bank_results", by=by, source=upload, params={
        "batch": batch.pk, "sha256": sha256, "file_name": os.path.basename(upload.name or "")})
    imported = ResultImport.objects.get(batch=batch, sha256=sha256)
    imported.already_imported = imported.at < started  # applied by a twin upload in the meantime
    return imported


# ---- the lottery (RFC 3797's method, adapted: payouts/lottery.py) ----------------------------------------

def _reservation(draw: LotteryDraw) -> str:
    """The ledger reference of the money a draw holds from its announcement to its draw."""
    return f"lottery:{draw.code}"


def _release_reservation(draw: LotteryDraw, by) -> int:
    """Give back the money reserved at the announcement, for the round to reserve what its winners take.

    Draws announced before announcements reserved have nothing to give back."""
    reference = _reservation(draw)
    if not LedgerEntry.objects.filter(budget_id=draw.budget_id, kind=EntryKind.RESERVE, reference=reference).exists():
        return 0
    post(budget=draw.budget, kind=EntryKind.RELEASE, amount_fen=draw.limit_fen, reference=reference, by=by)
    return draw.limit_fen


def _lock_draw(draw: LotteryDraw) -> LotteryDraw:
    return LotteryDraw.objects.select_for_update(of=("self",)).select_related("policy__organisation", "budget").get(
        pk=draw.pk)


def _check_draw_terms(policy: Policy, budget: Budget, limit_fen: int, quota: int | None, code: str,
                      seed_date: datetime.date) -> dict:
    errors = {}
    if policy.selection != Selection.LOTTERY or policy.parent_id:
        errors["policy"] = [_("This policy does not select by lottery.")]
    elif policy.status != PolicyStatus.PUBLISHED:
        errors["policy"] = [_("Payout rounds are planned for published policies only.")]
    elif LotteryDraw.objects.filter(policy=policy, round=None).exists():
        errors["policy"] = [_("This policy has a draw that is not drawn yet; draw it first.")]
    if (budget.organisation_id, budget.year, budget.source) != (policy.organisation_id, policy.year,
                                                               FundSource.SPECIAL):
        errors["budget"] = [_("Use the special fund of the policy's union for the policy's year.")]
    if limit_fen is None or limit_fen <= 0:
        errors["limit_fen"] = [_("Give the money available for this round.")]
    elif limit_fen > budget.available_fen:
        errors["limit_fen"] = [_("The budget has only %(yuan)s yuan available.") % {
            "yuan": fen_to_yuan(budget.available_fen)}]
    if quota is not None and quota <= 0:
        errors["quota"] = [_("A quota is a positive number of workers.")]
    if Round.objects.filter(code=code).exists() or LotteryDraw.objects.filter(code=code).exists():
        errors["code"] = [_("This round code is already in use.")]
    if seed_date is None or seed_date <= timezone.localdate():
        errors["seed_date"] = [_("The public draw must be on a later date than today, so that nobody knows its "
                                 "numbers when the list is frozen.")]
    return errors


@transaction.atomic
def lottery_announce(*, by, policy: Policy, budget: Budget, code: str, limit_fen: int, seed_source: str,
                     seed_date: datetime.date, quota: int | None = None,
                     max_lines_per_batch: int = 2200) -> LotteryDraw:
    """Fix a lottery round's terms and name the public draw its seed will come from, before the list is frozen.

    The money and the quota are fixed here, before anyone can know the order: nobody can move the cut later
    to take someone in or leave someone out. The money is reserved in the budget until the draw, so that no
    change to the budget can block the draw or move its cut.
    """
    _require(by, policy)
    policy = Policy.objects.select_for_update().select_related("organisation").get(pk=policy.pk)
    code = clean_text(code, max_length=40, required=True)
    seed_source = clean_text(seed_source, max_length=200, required=True)
    errors = _check_draw_terms(policy, budget, limit_fen, quota, code, seed_date)
    if not 1 <= max_lines_per_batch <= 100_000:
        errors["max_lines_per_batch"] = [_("Between 1 and 100,000 lines a batch.")]
    if errors:
        raise ValidationError(errors)
    draw = LotteryDraw.objects.create(policy=policy, code=code, budget=budget, limit_fen=limit_fen, quota=quota,
                                      max_lines_per_batch=max_lines_per_batch, seed_source=seed_source,
                                      seed_date=seed_date, announced_by=by, announced_at=timezone.now())
    try:
        post(budget=budget, kind=EntryKind.RESERVE, amount_fen=limit_fen, reference=_reservation(draw), by=by)
    except ValidationError as exc:  # spent by someone else since the check above
        raise ValidationError({"limit_fen": exc.messages}) from None
    audit_record(actor=by, action="lottery.announce", obj=draw, organisation=policy.organisation,
                 after={"code": code, "seed_source": seed_source, "seed_date": seed_date.isoformat(),
                        "limit_fen": limit_fen, "quota": quota, "reserved_fen": limit_fen})
    return draw


def _insert_entries(draw: LotteryDraw) -> int:
    """One INSERT … SELECT: the policy's verified applications with a usable bank account (on file and not refused
    by the bank, as a round ranks them: ``no_usable_account_sql``), in published order (by application number,
    which is the reference), each with its amount and its name and number masked."""
    policy = draw.policy
    amounts = policy.level_amounts()
    return _execute(f"""
        INSERT INTO payouts_lotteryentry (draw_id, position, reference, application_id, level, amount_fen,
                                          name_masked, id_masked)
        SELECT %s, ROW_NUMBER() OVER (ORDER BY a.id), CAST(a.id AS VARCHAR(20)), a.id, a.level,
               {amount_case(amounts, "a.level")},
               {masked_name_sql("w.name")},
               w.id_number_masked
        FROM applications_application a JOIN people_worker w ON w.id = a.worker_id
        WHERE a.policy_id = %s AND a.state = %s AND NOT {no_usable_account_sql("w")}
          AND a.level IN ({", ".join(["%s"] * len(amounts))})""",
                    [draw.pk, *amounts, policy.pk, State.DIPLOMA_VERIFIED, *amounts])


@transaction.atomic
def lottery_freeze(*, by, draw: LotteryDraw) -> LotteryDraw:
    """Freeze the candidate list: its entries in published order and their SHA-256, before the seed exists."""
    draw = _lock_draw(draw)
    _require(by, draw.policy)
    if draw.frozen_at:
        raise ValidationError(_("The list was frozen on %(at)s and never changes.") % {
            "at": timezone.localtime(draw.frozen_at).strftime("%Y-%m-%d %H:%M")})
    if timezone.localdate() >= draw.seed_date:
        raise ValidationError(_("The public draw of %(day)s has taken place or takes place today: a list frozen "
                                "now could be chosen knowing its numbers. Announce a new draw on a later date.")
                              % {"day": draw.seed_date})
    roomy_sorts()
    count = _insert_entries(draw)
    if not count:
        raise ValidationError(_("No verified application with a bank account is waiting: nothing to freeze."))
    entries = LotteryEntry.objects.filter(draw=draw).order_by("position").values_list("reference", "amount_fen")
    draw.list_sha256 = list_digest(entries.iterator(chunk_size=20_000))
    draw.candidate_count, draw.frozen_by, draw.frozen_at = count, by, timezone.now()
    draw.save(update_fields=["list_sha256", "candidate_count", "frozen_by", "frozen_at"])
    audit_record(actor=by, action="lottery.freeze", obj=draw, organisation=draw.policy.organisation,
                 after={"candidates": count, "list_sha256": draw.list_sha256})
    return draw


def _check_seed_step(draw: LotteryDraw) -> None:
    if draw.seed_confirmed_at:
        raise ValidationError(_("The seed is confirmed and never changes."))
    if not draw.frozen_at:
        raise ValidationError(_("Freeze the candidate list first: the seed is entered only for a frozen list."))
    if timezone.localdate() < draw.seed_date:
        raise ValidationError({"values": [_("The announced draw is on %(day)s: its numbers are entered from that "
                                            "day on.") % {"day": draw.seed_date}]})


@transaction.atomic
def lottery_seed_enter(*, by, draw: LotteryDraw, values: str) -> LotteryDraw:
    """The first officer enters the announced draw's numbers (again, to correct them, until they are confirmed)."""
    draw = _lock_draw(draw)
    _require(by, draw.policy)
    _check_seed_step(draw)
    seed = normalise_seed(values)
    before = {"seed": draw.seed} if draw.seed else None
    draw.seed_values, draw.seed = clean_text(values, max_length=300, required=True), seed
    draw.seed_entered_by, draw.seed_entered_at = by, timezone.now()
    draw.save(update_fields=["seed_values", "seed", "seed_entered_by", "seed_entered_at"])
    audit_record(actor=by, action="lottery.seed_enter", obj=draw, organisation=draw.policy.organisation,
                 before=before, after={"values": draw.seed_values, "seed": seed})
    return draw


@transaction.atomic
def lottery_seed_confirm(*, by, draw: LotteryDraw, values: str) -> LotteryDraw:
    """A second officer types the numbers from the published result too; they must give the same seed."""
    draw = _lock_draw(draw)
    _require(by, draw.policy)
    _check_seed_step(draw)
    if not draw.seed:
        raise ValidationError(_("No numbers are entered yet: one officer enters them, a second confirms them."))
    if draw.seed_entered_by_id == by.pk:
        raise ValidationError(_("You entered these numbers: a second officer confirms them."))
    if normalise_seed(values) != draw.seed:
        raise ValidationError({"values": [_("These numbers differ from the ones entered. Check the published "
                                            "result; if the first entry is wrong, enter the right numbers and let "
                                            "another officer confirm them.")]})
    draw.seed_confirmed_by, draw.seed_confirmed_at = by, timezone.now()
    draw.save(update_fields=["seed_confirmed_by", "seed_confirmed_at"])
    audit_record(actor=by, action="lottery.seed_confirm", obj=draw, organisation=draw.policy.organisation,
                 after={"seed": draw.seed, "entered_by": draw.seed_entered_by_id})
    return draw


def _place_winners(plan: PlanInput) -> int:
    """Give each winner its place: the ranking's winners into a keyed temporary table, then one UPDATE … FROM it
    (straight from the window query, SQLite re-ran the query for every entry).

    The table is dropped on success only: on an error the caller's transaction rolls back, which undoes its
    creation on both databases (a DROP there would fail on PostgreSQL and hide the real error)."""
    sql, params = ranked_sql(plan)
    won = f"ym_won_{plan.draw.pk}"
    _execute(f"CREATE TEMPORARY TABLE {won} (application_id BIGINT PRIMARY KEY, rn BIGINT NOT NULL)", [])
    _execute(f"INSERT INTO {won} SELECT ranked.id, ranked.rn FROM ({sql}) ranked WHERE ranked.funded = 1", params)
    placed = _execute(f"""UPDATE payouts_lotteryentry SET place = {won}.rn FROM {won}
                          WHERE payouts_lotteryentry.draw_id = %s
                            AND payouts_lotteryentry.application_id = {won}.application_id""", [plan.draw.pk])
    _execute(f"DROP TABLE {won}", [])
    return placed


@transaction.atomic
def lottery_draw(*, by, draw: LotteryDraw) -> Round:
    """Draw: the frozen list in ascending SHA-256(seed ‖ reference), cut at the money and quota fixed when the
    draw was announced; the winners get their place, the round is committed with those still waiting. The money
    reserved at the announcement is released in the same transaction and the round reserves what it pays.

    A winner whose application left the queue since the freeze keeps the place and is not paid; the place is
    not passed on, so that taking an application out can never move anyone else in.
    """
    draw = _lock_draw(draw)
    _require(by, draw.policy)
    if draw.round_id:
        raise ValidationError(_("This lottery is already drawn."))
    if not draw.seed_confirmed_at:
        raise ValidationError(_("No draw before a second officer has confirmed the seed."))
    policy = Policy.objects.select_for_update().select_related("organisation").get(pk=draw.policy_id)
    plan = PlanInput(policy=policy, limit_fen=draw.limit_fen, quota=draw.quota, draw=draw)
    released = _release_reservation(draw, by)
    round_ = _commit(by, plan, budget=draw.budget, code=draw.code, max_lines_per_batch=draw.max_lines_per_batch)
    winners = _place_winners(plan)
    draw.round = round_
    draw.save(update_fields=["round"])
    audit_record(actor=by, action="lottery.draw", obj=draw, organisation=policy.organisation,
                 after={"round": round_.code, "winners": winners, "paid_lines": round_.funded_count,
                        "seed": draw.seed, "list_sha256": draw.list_sha256, "released_fen": released})
    return round_

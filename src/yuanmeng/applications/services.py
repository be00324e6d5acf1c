"""Every change to an application: submit, move through review, diplomas, documents.

Each public function is one transaction that checks the caller's role and scope, writes the
history row (``ApplicationEvent``), the audit entry and the worker's notification together.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from yuanmeng.applications.certificates import certificate_key, diploma_format_warning
from yuanmeng.applications.documents import CheckedUpload, check_upload
from yuanmeng.applications.eligibility import check_eligibility
from yuanmeng.applications.models import Application, CertificateClaim, Document, Roster, RosterEntry, StudyMode
from yuanmeng.applications.rosters import check_enrolments, match_against_roster
from yuanmeng.applications.transitions import (
    apply_move,
    may_act_for,
    move_selected,
    only_for,
    record_created,
    refusal_reason,
    role_for_move,
    staff_role,
    state_message,
)
from yuanmeng.applications.workflow import (
    APPLICANT,
    FIRST_STATE,
    NEEDS_REASON,
    PEOPLE,
    TRANSITIONS,
    Action,
    PersonAction,
    State,
)
from yuanmeng.audit.services import audit_record
from yuanmeng.core.errors import PermissionDenied, clean_each
from yuanmeng.core.imports import import_whole
from yuanmeng.core.spreadsheets import to_text
from yuanmeng.core.text import clean_text
from yuanmeng.orgs.models import School
from yuanmeng.orgs.roles import Capability
from yuanmeng.orgs.scoping import acting_organisation, has_capability
from yuanmeng.policies.groups import priority_of
from yuanmeng.policies.models import DocumentKind, Policy, ProgrammeType
from yuanmeng.policies.services import policy_applicants_take, policy_approval_take

# Which form field an eligibility failure belongs to.
DEDICATED_SERVICES = (Action.RESUBMIT, Action.SUBMIT_DIPLOMA)  # application_resubmit, application_submit_diploma
CHECK_FIELDS = {"window": "policy", "intake": "policy", "level": "level", "programme_type": "programme_type",
                "duplicate": "level", "first_diploma": "level"}
ENROLMENT_FIELDS = ("level", "programme_type", "school", "major", "study_mode", "enrolment_date",
                    "student_number")


@transaction.atomic
def application_transition(*, by, application: Application, action: str, reason: str = "",
                           seen_version: int | None = None, checked_by_hand: bool = False) -> Application:
    """One step of review (confirm, review, approve, return, reject, withdraw, verify diploma…).

    ``seen_version``: the version the deciding page showed; if the application changed since, nothing happens.
    ``checked_by_hand``: to verify a diploma the school's roster has not verified (it is not listed, or differs),
    the reviewer confirms they checked it themself, after a warning naming the differences; the history and the
    audit entry say so.
    """
    if seen_version is not None and seen_version != application.version:
        raise ValidationError(_("The application changed after you opened it; look at it again before deciding."))
    if action in DEDICATED_SERVICES:
        raise ValidationError(_("Use the form for this step (it needs more than a decision)."))
    move = TRANSITIONS.get((application.state, action))
    if move is None:
        raise ValidationError(_("“%(action)s” is not possible while the application is “%(state)s”.") % {
            "action": Action(action).label if action in Action.values else action,
            "state": State(application.state).label})
    role = role_for_move(by, application, move[0])
    reason = clean_text(reason, max_length=500)
    if action in NEEDS_REASON and not reason:
        raise ValidationError({"reason": [_("Give a reason: the worker will read it.")]})
    if action == Action.APPROVE:
        policy_approval_take(application.policy)
    if action == Action.VERIFY_DIPLOMA:
        reason = _verified_by_hand(application, checked_by_hand, reason)
    return apply_move(application, by=by, action=action, role=role, reason=reason)


def roster_warning(application: Application) -> str:
    """Why the school's roster has not verified this diploma: the differences it noted, or that it lists none."""
    return application.diploma_note or _("The school's graduate roster does not list this diploma.")


def _verified_by_hand(application: Application, checked_by_hand: bool, reason: str) -> str:
    """A diploma waiting for verification is one the roster did not verify (a match verifies it at once)."""
    warning = roster_warning(application)
    if not checked_by_hand:
        raise ValidationError({"checked_by_hand": [
            _("Not verified by the school's roster: %(warning)s Confirm that you checked the diploma yourself.")
            % {"warning": warning}]})
    return " ".join(part for part in (_("I checked the diploma myself."), warning, reason) if part)


@dataclass
class BulkResult:
    done: list[int]
    failed: dict[int, str]


# Decisions a reviewer may take on many applications at once (not the moves that need a form or the applicant).
BULK_EXCLUDED = (*DEDICATED_SERVICES, Action.WITHDRAW, Action.VERIFY_DIPLOMA)  # a diploma checked by hand: one by one
BULK_DECISION_MAX = 100_000  # applications one request may decide (the API's list, the queue's "all matching")


@transaction.atomic
def applications_bulk_transition(*, by, ids, action: str, reason: str = "",
                                 seen_versions: dict[int, int] | None = None) -> BulkResult:
    """The same decision for many applications, set-based: every check of ``application_transition`` on each row
    (the workflow table, scope and role, the version the page showed, the reason, the policy's approval limit),
    then, per starting state and role, one history INSERT, one messages INSERT, one UPDATE
    (``transitions.move_selected``) and one audit entry naming its applications. Each refused application is
    reported with its reason; the others move together, or none if the rows changed meanwhile."""
    reason = bulk_decision_checked(by, action, reason)
    chosen, failed = _bulk_checked(by, list(ids), action, seen_versions or {})
    if action == Action.APPROVE:
        _approval_places(chosen, failed)
    moved = _bulk_move(by, chosen, action, reason)
    for (from_state, role), group in moved.items():
        _bulk_audit(by, action=action, from_state=from_state, role=role, ids=group, reason=reason)
    return BulkResult(done=[pk for group in moved.values() for pk in group], failed=failed)


def _bulk_audit(by, *, action: str, from_state: str, role: str, ids: list[int], reason: str) -> None:
    """The audit entry of one group of a bulk decision: its own starting and next state, and the organisation
    the role acts for (a city officer rejecting both reviewed and approved applications gets two entries)."""
    audit_record(actor=by, action=f"application.{action}", object_type="applications", object_id=_first_ids(ids),
                 object_label=ngettext("%(n)d application", "%(n)d applications", len(ids)) % {"n": len(ids)},
                 organisation=acting_organisation(by, role), before={"state": from_state},
                 after={"state": TRANSITIONS[(from_state, action)][1], "count": len(ids), "applications": ids,
                        **({"reason": reason} if reason else {})})


def _first_ids(ids: list[int], width: int = 64) -> str:
    """The first ids that fit the audit entry's object id (the entry's change lists them all)."""
    text = ""
    for pk in ids:
        more = f"{text},{pk}" if text else str(pk)
        if len(more) > width:
            break
        text = more
    return text


def bulk_decision_checked(by, action: str, reason: str) -> str:
    """The request's own checks (a decision that may be taken in bulk, by a role that takes it somewhere, its
    reason when it needs one): the cleaned reason. Each application's own checks come in ``_bulk_checked``."""
    if action not in PersonAction.values or action in BULK_EXCLUDED:
        raise ValidationError({"action": [_("This decision cannot be taken on many applications at once.")]})
    deciders = frozenset().union(*(actors for (_state, a), (actors, _next) in TRANSITIONS.items() if a == action))
    staff = deciders & PEOPLE - {APPLICANT}
    if not any(has_capability(by, capability) for capability in staff):
        raise PermissionDenied(only_for(staff))
    reason = clean_text(reason, max_length=500)
    if action in NEEDS_REASON and not reason:
        raise ValidationError({"reason": [_("Give a reason: the worker will read it.")]})
    return reason


def _bulk_checked(by, ids: list[int], action: str, seen: dict[int, int]):
    """Read the rows once (locked on PostgreSQL, first come first served within priority) and sort them:
    ``chosen`` {(from state, role): [(id, policy id, role)]} and ``failed`` {id: reason}."""
    rows = Application.objects.restrict(by).filter(pk__in=ids).select_for_update(of=("self",)).order_by(
        "priority_rank", "submitted_at", "id").values_list("id", "state", "version", "policy_id", "organisation__path")
    chosen: dict[tuple[str, str], list[tuple[int, int, str]]] = {}
    failed: dict[int, str] = {}
    for pk, state, version, policy_id, path in rows:
        move = TRANSITIONS.get((state, action))
        role = staff_role(by, path, move[0]) if move else None
        if move is None:
            failed[pk] = _("“%(action)s” is not possible while the application is “%(state)s”.") % {
                "action": Action(action).label, "state": State(state).label}
        elif pk in seen and seen[pk] != version:
            failed[pk] = _("The application changed after you opened it; look at it again before deciding.")
        elif role is None:
            failed[pk] = refusal_reason(Application(state=state), move[0] & PEOPLE)
        else:
            chosen.setdefault((state, role), []).append((pk, policy_id, role))
    for pk in set(ids) - {pk for pk, *_rest in rows} - set(failed):
        failed[pk] = _("No such application in your scope.")
    return chosen, failed


def _approval_places(chosen: dict, failed: dict[int, str]) -> None:
    """Approve up to each policy's approval limit, in queue order; the rest are refused. One conditional UPDATE a
    policy takes the places (all or none: if another approval took one meanwhile, nothing is approved)."""
    wanted: dict[int, int] = {}
    for group in chosen.values():
        for _pk, policy_id, _role in group:
            wanted[policy_id] = wanted.get(policy_id, 0) + 1
    policies = Policy.objects.in_bulk(list(wanted))
    left = {pk: None if p.max_approvals is None else max(p.max_approvals - p.approval_count, 0)
            for pk, p in policies.items()}
    for key, group in chosen.items():
        kept = []
        for row in group:
            if left[row[1]] is None or left[row[1]] > 0:
                kept.append(row)
                left[row[1]] = None if left[row[1]] is None else left[row[1]] - 1
            else:
                failed[row[0]] = _("The policy has reached its approval limit.")
        chosen[key] = kept
    for policy_id, policy in policies.items():
        taken = sum(1 for group in chosen.values() for row in group if row[1] == policy_id)
        if taken:
            policy_approval_take(policy, taken)


def _bulk_move(by, chosen: dict, action: str, reason: str) -> dict[tuple[str, str], list[int]]:
    """One ``move_selected`` per starting state and role; refused whole if a row moved since it was read."""
    now, moved = timezone.now(), {}
    for (from_state, role), group in chosen.items():
        ids = [row[0] for row in group]
        if not ids:
            continue
        subject, body = state_message(TRANSITIONS[(from_state, action)][1], reason)
        selection = f"FROM applications_application a WHERE a.id IN ({', '.join(['%s'] * len(ids))})"
        count = move_selected(selection=selection, params=ids, from_state=from_state, action=action, service=role,
                              by=by, now=now, subject=subject, body_params=[body, reason], detail_sql="%s",
                              reason_params=[reason])
        if count != len(ids):
            raise ValidationError(_("Someone else has acted on these applications meanwhile; nothing was changed. "
                                    "Try again."))
        moved[(from_state, role)] = ids
    return moved


# ---- submitting --------------------------------------------------------------------------------

def clean_enrolment(fields: dict) -> dict:
    return clean_each({name: fields.get(name) for name in ENROLMENT_FIELDS}, _clean_enrolment_field)


def _clean_enrolment_field(name: str, value):
    if name in ("major", "student_number"):
        return clean_text(value, max_length=100 if name == "major" else 40, required=True)
    if value in (None, ""):
        raise ValidationError(_("This field is required."))
    if name == "programme_type" and value not in ProgrammeType.values:
        raise ValidationError(_("Choose from the listed options."))
    if name == "study_mode" and value not in StudyMode.values:
        raise ValidationError(_("Choose from the listed options."))
    if name == "school" and not isinstance(value, School):
        raise ValidationError(_("Choose the school."))
    if name == "enrolment_date":
        if not isinstance(value, datetime.date):
            raise ValidationError(_("Enter a date."))
        if value > timezone.localdate():
            raise ValidationError(_("The enrolment date cannot be in the future."))
    return value


def documents_at_submission(policy: Policy) -> list[str]:
    """The documents an application to ``policy`` must bring when it is submitted (the diploma comes later)."""
    return [kind for kind in policy.required_documents if kind != DocumentKind.DIPLOMA]


def _check_documents(policy: Policy, documents: dict[str, CheckedUpload]) -> None:
    missing = [DocumentKind(kind).label for kind in documents_at_submission(policy) if kind not in documents]
    if missing:
        raise ValidationError({"documents": [_("Upload: %(list)s.") % {"list": ", ".join(str(m) for m in missing)}]})


def _checked_documents(uploads: dict) -> dict[str, CheckedUpload]:
    checked, errors = {}, {}
    for kind, upload in (uploads or {}).items():
        if kind not in DocumentKind.values:
            raise ValidationError({"documents": [_("Unknown document kind “%(kind)s”.") % {"kind": kind}]})
        try:
            checked[kind] = check_upload(upload, field=f"document_{kind}")
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return checked


def _store_documents(application: Application, documents: dict[str, CheckedUpload], by) -> None:
    for kind, checked in documents.items():
        Document.objects.create(application=application, kind=kind, file=checked.upload,
                                original_name=clean_text(checked.upload.name, max_length=200),
                                content_type=checked.content_type, size=checked.upload.size,
                                sha256=checked.sha256, uploaded_by=by)


def eligibility_errors(eligibility) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for failure in eligibility.failures:
        errors.setdefault(CHECK_FIELDS.get(failure.code, "__all__"), []).append(failure.message)
    return errors


def area_below(union, enterprise) -> int | None:
    """The id of the union just below ``union`` on the enterprise's path (its district, industry union…)."""
    ids = enterprise.path_ids()
    return ids[union.depth + 1] if len(ids) > union.depth + 1 else None


@transaction.atomic
def application_submit(*, by, worker, policy: Policy, documents: dict | None = None, **fields) -> Application:
    """Pre-register an enrolment: the worker themself, or their enterprise union on their behalf."""
    if not may_act_for(by, worker):
        raise PermissionDenied(_("You may apply only for yourself or for workers of your enterprise."))
    if policy.is_matching:
        raise ValidationError({"policy": [_("Apply to the subsidy policy; matching funds are added to it.")]})
    cleaned = clean_enrolment(fields)
    eligibility = check_eligibility(worker=worker, policy=policy, level=cleaned["level"],
                                    programme_type=cleaned["programme_type"])
    if not eligibility.ok:
        raise ValidationError(eligibility_errors(eligibility))
    checked = _checked_documents(documents)
    _check_documents(policy, checked)
    policy_applicants_take(policy)
    now = timezone.now()
    group, rank = priority_of(worker, policy.priority_groups, timezone.localdate())
    enterprise = worker.employer.organisation
    application = Application(worker=worker, policy=policy, organisation=enterprise, area_id=area_below(
                              policy.organisation, enterprise), state=FIRST_STATE, submitted_at=now,
                              priority_group=group, priority_rank=rank, **cleaned)
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError:
        raise ValidationError({"level": [_("There is already a live application for this level (one per person).")]}) \
            from None
    _store_documents(application, checked, by)
    check_enrolments(Application.objects.filter(pk=application.pk))  # the school may have listed them already
    role = APPLICANT if worker.user_id == by.pk else Capability.CONFIRM_APPLICATIONS
    record_created(application, by=by, role=role)
    return application


@transaction.atomic
def application_resubmit(*, by, application: Application, documents: dict | None = None,
                         **fields) -> Application:
    """After a return for correction: apply the worker's corrections, check again, send back to review."""
    move = TRANSITIONS.get((application.state, Action.RESUBMIT))
    if move is None:
        raise ValidationError(_("Only a returned application can be resubmitted."))
    role = role_for_move(by, application, move[0])
    current = {name: getattr(application, name) for name in ENROLMENT_FIELDS}
    cleaned = clean_enrolment({**current, **fields})
    eligibility = check_eligibility(worker=application.worker, policy=application.policy, level=cleaned["level"],
                                    programme_type=cleaned["programme_type"], exclude_application=application.pk)
    failures = [f for f in eligibility.failures if f.code not in ("window", "intake")]  # already inside
    if failures:
        raise ValidationError(eligibility_errors(type(eligibility)(checks=failures)))
    checked = _checked_documents(documents)
    changed = {name: value for name, value in cleaned.items() if current[name] != value}
    apply_move(application, by=by, action=Action.RESUBMIT, role=role, **changed)
    _store_documents(application, checked, by)  # last: nothing after it can roll back and orphan the files
    return application


# ---- diplomas ----------------------------------------------------------------------------------

def _claim_certificate(number: str, application: Application) -> None:
    """A number belongs to the first person who claims it, for ever; the school's roster has the last word."""
    taken = CertificateClaim.objects.filter(number=number).exclude(worker_id=application.worker_id).exists()
    if taken:
        raise ValidationError({"certificate_number": [_("This certificate number has already been used.")]})
    listed_for_other = RosterEntry.objects.filter(certificate_number=number).exclude(
        id_number_index=application.worker.id_number_index).exists()
    if listed_for_other:
        raise ValidationError({"certificate_number": [
            _("The school's graduate roster gives this certificate number to someone else.")]})
    try:
        with transaction.atomic():
            CertificateClaim.objects.get_or_create(number=number, defaults={
                "worker_id": application.worker_id, "application": application})
    except IntegrityError:  # claimed by someone else a moment ago
        raise ValidationError({"certificate_number": [_("This certificate number has already been used.")]}) \
            from None


def diploma_scan_missing(application: Application) -> bool:
    """The policy asks for the diploma's scan and none is on file (a diploma returned for correction keeps it)."""
    return DocumentKind.DIPLOMA in application.policy.required_documents \
        and not application.documents.filter(kind=DocumentKind.DIPLOMA).exists()


@transaction.atomic
def application_submit_diploma(*, by, application: Application, certificate_number: str,
                               graduation_date: datetime.date, scan=None) -> Application:
    """The diploma: a number accepted once ever, its scan, and an immediate match against the school's roster."""
    move = TRANSITIONS.get((application.state, Action.SUBMIT_DIPLOMA))
    if move is None:
        raise ValidationError(_("A diploma can be submitted once the pre-registration is approved."))
    role = role_for_move(by, application, move[0])
    number = clean_each({"certificate_number": certificate_number},
                        lambda _name, value: certificate_key(value))["certificate_number"]
    if graduation_date is None or graduation_date > timezone.localdate():
        raise ValidationError({"graduation_date": [_("Enter the graduation date (not in the future).")]})
    if graduation_date < application.enrolment_date:
        raise ValidationError({"graduation_date": [_("The graduation date is before the enrolment date.")]})
    _claim_certificate(number, application)
    checked = _checked_documents({DocumentKind.DIPLOMA: scan} if scan else {})
    if not checked and diploma_scan_missing(application):
        raise ValidationError({"document_diploma": [_("Upload the scan of the diploma.")]})
    note = diploma_format_warning(number, level=application.level, school=application.school)
    apply_move(application, by=by, action=Action.SUBMIT_DIPLOMA, role=role, certificate_number=number,
               graduation_date=graduation_date, diploma_note=note)
    _store_documents(application, checked, by)
    match_against_roster(application, by=by)
    return application


def roster_upload(*, by, school, upload) -> Roster:
    """Load a graduate roster (all rows or none), in this request, and verify the diplomas it confirms.

    The API and the demo call this; the pages go through ``import_submit`` (background for large files, the
    valid-rows mode). Row problems come back as one error on ``file``, each naming its row and column
    (``core.imports.import_whole``, which takes the kind from the registry: ``applications.imports`` builds on
    this module).
    """
    if not has_capability(by, Capability.MANAGE_ROSTERS, school.organisation.path):
        raise PermissionDenied(_("You may upload rosters only for your own school."))
    params = {"school": school.pk, "file_name": to_text(getattr(upload, "name", ""))[:200]}
    import_whole("graduate_roster", by=by, source=upload, params=params)
    return Roster.objects.get(pk=params["roster"])

"""Registering and editing workers, and their logins. Every change is validated whole, then written with its audit
entry."""

import copy
import functools

from axes.utils import reset as axes_reset
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from yuanmeng.accounts.codes import code_send, code_use
from yuanmeng.accounts.models import CodePurpose
from yuanmeng.accounts.selectors import enterprise_invited
from yuanmeng.accounts.services import login_create
from yuanmeng.audit.services import audit_record, changes
from yuanmeng.core.compiled import CompiledInsert
from yuanmeng.core.crypto import blind_index
from yuanmeng.core.errors import PermissionDenied, clean_each
from yuanmeng.core.masking import mask_mobile, mask_number
from yuanmeng.core.sql import execute
from yuanmeng.core.text import clean_text
from yuanmeng.core.validators import (
    DocumentType,
    birth_date_and_sex,
    normalise_text,
    today,
    validate_bank_card,
    validate_credit_code,
    validate_id_number,
    validate_mobile,
)
from yuanmeng.notify.services import notify_worker, worker_text
from yuanmeng.orgs.models import Enterprise
from yuanmeng.people.models import HonourLevel, JobCategory, MembershipState, Worker
from yuanmeng.people.permissions import can_change_worker, can_register_worker_at

BOOLEAN_FIELDS = ("is_migrant_worker", "is_new_employment_form")
EDITABLE_FIELDS = (
    "name", "document_type", "id_number", "mobile", "employer", "union_member_since", "job_category",
    "is_migrant_worker", "is_new_employment_form", "model_worker_level", "labour_medal_level",
    "bank_name", "bank_account",
)
_VALIDATORS = {
    "mobile": validate_mobile,
    # A card number's check digit is tested wherever a number is entered: the worker's form, staff pages, the API
    # and the import (a mistyped digit would send the payment back).
    "bank_account": lambda v: validate_bank_card(v) if normalise_text(v) else "",
}
_CHOICES = {
    "document_type": DocumentType.values,
    "job_category": JobCategory.values,
    "model_worker_level": HonourLevel.values,
    "labour_medal_level": HonourLevel.values,
}


def clean_worker_fields(data: dict, worker: Worker | None = None) -> dict:
    """Normalise and check each given field; all problems are reported together, by field.

    The identity number is checked as a number of the document type given with it, else of the worker's
    (a new worker's is the resident identity card); a type given alone must fit the number the worker has.
    """
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable worker fields: {sorted(unknown)}")
    document_type = data.get("document_type") or getattr(worker, "document_type", DocumentType.RESIDENT_ID)
    cleaned = clean_each(data, functools.partial(
        _clean_one, document_type=document_type if document_type in DocumentType.values else None))
    if "document_type" in cleaned and "id_number" not in cleaned and worker is not None and worker.id_number:
        try:
            validate_id_number(worker.id_number, cleaned["document_type"])
        except ValidationError as exc:
            raise ValidationError({"document_type": exc.messages}) from None
    return cleaned


def _clean_one(name: str, value, document_type: str | None):
    if name == "id_number":
        return validate_id_number(value or "", document_type)
    if name in _VALIDATORS:
        return _VALIDATORS[name](value or "")
    if name == "name":
        value = clean_text(value, max_length=50, required=True)
        if len(value) < 2:
            raise ValidationError(_("A name has 2 to 50 characters."))
        return value
    if name in _CHOICES and value not in _CHOICES[name]:
        raise ValidationError(_("“%(value)s” is not one of the choices.") % {"value": value})
    if name == "union_member_since" and value and value > today():
        raise ValidationError(_("The union membership date cannot be in the future."))
    if name == "bank_name":
        return clean_text(value, max_length=60)
    if name in BOOLEAN_FIELDS and not isinstance(value, bool):
        raise ValidationError(_("Yes or no."))
    return value


def derived_worker_fields(cleaned: dict) -> dict:
    """The cleaned fields with the columns computed from them: blind index, masked copy, birth date and sex."""
    values = dict(cleaned)
    if "id_number" in cleaned:
        values["id_number_index"] = blind_index(cleaned["id_number"])
        values["id_number_masked"] = mask_number(cleaned["id_number"])
        values["birth_date"], values["sex"] = birth_date_and_sex(cleaned["id_number"])
    if "bank_account" in cleaned:
        values["bank_account_index"] = blind_index(cleaned["bank_account"]) if cleaned["bank_account"] else ""
        values["bank_account_masked"] = mask_number(cleaned["bank_account"])
    return values


def apply_worker_fields(worker: Worker, cleaned: dict) -> None:
    for name, value in derived_worker_fields(cleaned).items():
        setattr(worker, name, value)


# Editable field → the columns it writes.
DERIVED_COLUMNS = {
    "id_number": ("id_number", "id_number_index", "id_number_masked", "birth_date", "sex"),
    "bank_account": ("bank_account", "bank_account_index", "bank_account_masked"),
}


def _columns(fields) -> list[str]:
    return sorted({column for f in fields for column in DERIVED_COLUMNS.get(f, (f,))} | {"updated_at"})


def _comparable(worker: Worker) -> dict:
    """What decides whether something changed: personal numbers by their blind index, not their mask."""
    return {**worker_snapshot(worker), "id_number": worker.id_number_index, "mobile": worker.mobile,
            "bank_account": worker.bank_account_index}


def worker_snapshot(worker: Worker) -> dict:
    """What the audit trail keeps of a worker: personal numbers masked, never in clear."""
    return {
        "name": worker.name,
        "document_type": worker.document_type,
        "id_number": worker.id_number_masked,
        "mobile": mask_mobile(worker.mobile),
        "employer": worker.employer_id,
        "union_member_since": worker.union_member_since.isoformat() if worker.union_member_since else None,
        "job_category": worker.job_category,
        "is_migrant_worker": worker.is_migrant_worker,
        "is_new_employment_form": worker.is_new_employment_form,
        "model_worker_level": worker.model_worker_level,
        "labour_medal_level": worker.labour_medal_level,
        "bank_name": worker.bank_name,
        "bank_account": worker.bank_account_masked,
    }


REQUIRED_TO_REGISTER = ("name", "id_number", "mobile", "job_category", "employer")
DUPLICATE_ID_MESSAGE = gettext_lazy(
    "A worker with this identity number is already registered; one person has one record."
)


def _check_unique_id(worker: Worker) -> None:
    taken = Worker.objects.filter(id_number_index=worker.id_number_index).exclude(pk=worker.pk).exists()
    if taken:
        raise ValidationError({"id_number": [DUPLICATE_ID_MESSAGE]})


def _prepare(by, worker: Worker, fields: dict) -> Worker:
    """Validate ``fields`` against ``worker`` (new or existing) and apply them to it, unsaved.

    Raises ``ValidationError`` keyed by field, or ``PermissionDenied`` for an employer out of scope.
    """
    if worker.pk is None:
        missing = {f: [_("This field is required.")] for f in REQUIRED_TO_REGISTER if not fields.get(f)}
        if missing:
            raise ValidationError(missing)
    cleaned = clean_worker_fields(fields, worker)
    if "employer" in cleaned:
        allowed, reason = can_register_worker_at(by, cleaned["employer"])
        if not allowed:
            raise ValidationError({"employer": [reason]})
    apply_worker_fields(worker, cleaned)
    return worker


def worker_check(*, by, fields: dict, worker: Worker | None = None) -> None:
    """Everything ``worker_register``/``worker_update`` would refuse, without saving (for forms). They leave a taken
    identity number to their save, which the unique index refuses (``_save``): a round trip fewer a registration."""
    checked = _prepare(by, copy.copy(worker) if worker else Worker(), fields)
    if "id_number" in fields:
        _check_unique_id(checked)


# A new worker's INSERT, compiled once (every registration and sign-up).
_INSERT_WORKER = CompiledInsert(Worker)


def _save(worker: Worker, fields: list[str] | None = None) -> None:
    """Save inside the caller's transaction (every caller is a service in ``transaction.atomic``: a duplicate's
    refusal rolls back the service's own savepoint or transaction, so no savepoint of its own, two round trips fewer
    a registration)."""
    try:
        if worker._state.adding:
            _INSERT_WORKER(worker)
        else:
            worker.save(update_fields=fields)
    except IntegrityError as exc:
        if "id_number_index" not in str(exc):
            raise
        # a concurrent registration of the same person won the race
        raise ValidationError({"id_number": [DUPLICATE_ID_MESSAGE]}) from None


@transaction.atomic
def worker_register(*, by, **fields) -> Worker:
    """Create a worker at an enterprise in the caller's scope."""
    worker = _prepare(by, Worker(), fields)
    _save(worker)
    audit_record(actor=by, action="worker.register", obj=worker, organisation=worker.employer.organisation,
                 after=worker_snapshot(worker))
    return worker


@transaction.atomic
def worker_update(*, by, worker: Worker, **fields) -> Worker:
    """Change some of a worker's fields; only what actually changed is audited."""
    allowed, reason = can_change_worker(by, worker)
    if not allowed:
        raise PermissionDenied(reason)
    worker = Worker.objects.select_for_update(of=("self",)).select_related("employer__organisation").get(pk=worker.pk)
    before, before_shown = _comparable(worker), worker_snapshot(worker)
    _prepare(by, worker, fields)
    changed, _new = changes(before, _comparable(worker))
    if not changed:
        return worker
    columns = _columns(changed)
    if {"bank_name", "bank_account"} & set(changed):  # a corrected account: back in the payout queue
        worker.bank_account_refused_at = None
        columns.append("bank_account_refused_at")
    _save(worker, fields=columns)
    after_shown = worker_snapshot(worker)
    audit_record(actor=by, action="worker.update", obj=worker, organisation=worker.employer.organisation,
                 before={k: before_shown[k] for k in changed}, after={k: after_shown[k] for k in changed})
    return worker


@transaction.atomic
def worker_account_create(*, by, worker: Worker, password: str):
    """A login for a worker: their mobile number is the username."""
    allowed, reason = can_change_worker(by, worker)
    if not allowed:
        raise PermissionDenied(reason)
    if worker.user_id:
        raise ValidationError({"mobile": [_("This worker already has a login.")]})
    if get_user_model().objects.filter(Q(mobile=worker.mobile) | Q(username=f"w{worker.mobile}")).exists():
        raise ValidationError({"mobile": [_("This mobile number is already used by another login.")]})
    user = login_create(username=f"w{worker.mobile}", password=password, display_name=worker.name,
                        mobile=worker.mobile)
    worker.user = user
    worker.save(update_fields=["user"])
    audit_record(actor=by, action="worker.account_create", obj=worker, organisation=worker.employer.organisation,
                 after={"user": user.pk})
    return user


# ---- a worker's bank account ---------------------------------------------------------------------------------

BANK_ACCOUNT_SUBJECT = gettext_noop("Your bank account")
BANK_ACCOUNT_CHANGED = gettext_noop(
    "Your bank account for the study subsidy is now %(bank)s %(account)s, in your name. If you did not change it, "
    "tell your enterprise union at once.")


def may_change_bank_account(by, worker: Worker) -> tuple[bool, str]:
    """The worker themself, or staff who may change the worker's record."""
    if worker.user_id is not None and worker.user_id == getattr(by, "pk", None):
        return True, ""
    return can_change_worker(by, worker)


def bank_account_needed(worker: Worker) -> bool:
    """No account on file, or the bank refused a payment to it: nothing can be paid until it is entered."""
    return not worker.bank_account_masked or worker.bank_account_refused_at is not None


@transaction.atomic
def bank_account_change(*, by, worker: Worker, bank_name: str, bank_account: str) -> Worker:
    """Enter or correct the worker's own bank account (the holder is the worker: the bank checks the name on the
    next payment). A card number must pass its check digit (``validate_bank_card``). The correction is what puts
    a worker whose payment failed back in the queue: a round draws only workers whose account was not refused
    (``bank_account_refused_at``)."""
    allowed, reason = may_change_bank_account(by, worker)
    if not allowed:
        raise PermissionDenied(reason)
    cleaned = clean_each({"bank_name": bank_name, "bank_account": bank_account}, _clean_bank_field)
    worker = Worker.objects.select_for_update(of=("self",)).select_related("employer__organisation").get(pk=worker.pk)
    before = {"bank_name": worker.bank_name, "bank_account": worker.bank_account_masked,
              "refused": worker.bank_account_refused_at is not None}
    apply_worker_fields(worker, cleaned)
    worker.bank_account_refused_at = None
    worker.save(update_fields=[*_columns(cleaned), "bank_account_refused_at"])
    audit_record(actor=by, action="worker.bank_account", obj=worker,
                 organisation=worker.employer.organisation if worker.employer_id else None, before=before,
                 after={"bank_name": worker.bank_name, "bank_account": worker.bank_account_masked, "refused": False})
    notify_worker(worker=worker, subject=worker_text(BANK_ACCOUNT_SUBJECT), body=worker_text(
        BANK_ACCOUNT_CHANGED, bank=worker.bank_name, account=worker.bank_account_masked))
    return worker


def _clean_bank_field(name: str, value: str) -> str:
    if name == "bank_name":
        return clean_text(value, max_length=60, required=True)
    return validate_bank_card(value or "")


def bank_accounts_refused(*, selection: str, params: list, at) -> int:
    """Mark the accounts of the workers ``selection`` (a SELECT of worker ids) yields as refused by the bank, in one
    UPDATE, inside the caller's transaction (the bank's results, which record it in their own audit entry): it
    has no audit entry of its own, so it refuses to run outside one."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("bank_accounts_refused runs inside the transaction of the service that audits it")
    return execute(f"""UPDATE people_worker SET bank_account_refused_at = %s
                       WHERE id IN ({selection})""", [connection.ops.adapt_datetimefield_value(at), *params])


# ── Sign-up by the worker, and the union's confirmation ─────────────────────────────────────────────────────

SIGN_UP_FIELDS = ("name", "document_type", "id_number", "mobile", "job_category")
ALREADY_REGISTERED_MESSAGE = gettext_lazy(
    "This identity number is already registered. Ask your enterprise union about your record."
)


class AlreadyRegistered(ValidationError):
    """The person is on record already (registered by a union, or signed up before). One answer for both, so it
    tells nothing about who holds the record; ``has_account`` only decides whether log-in and reset are offered."""

    def __init__(self, *, has_account: bool):
        super().__init__({"id_number": [ALREADY_REGISTERED_MESSAGE]})
        self.has_account = has_account


def sign_up_enterprise(*, credit_code: str = "", invitation: str = ""):
    """The enterprise a worker signs up at: the one whose current invitation link they followed, else the one
    with the credit code they typed. A stale link or an unknown code is refused by field."""
    if invitation:
        enterprise = enterprise_invited(invitation)
        if enterprise is None:
            raise ValidationError({"credit_code": [_(
                "This invitation link is no longer valid. Ask your union for its new link, or type your "
                "enterprise's unified social credit code.")]})
        return enterprise
    try:
        code = validate_credit_code(credit_code or "")
    except ValidationError as exc:
        raise ValidationError({"credit_code": exc.messages}) from None
    enterprise = (Enterprise.objects.select_related("organisation")
                  .filter(credit_code=code, organisation__is_active=True).first())
    if enterprise is None:
        raise ValidationError({"credit_code": [_(
            "No enterprise union with this credit code uses Yuanmeng yet. Check the code, or ask your union "
            "for its invitation link.")]})
    return enterprise


def sign_up_code_send(*, mobile: str, address: str | None) -> None:
    """Send a sign-up code to the mobile the worker typed (whether or not it is known: a code proves only that
    the person holds the phone)."""
    try:
        mobile = validate_mobile(mobile or "")
    except ValidationError as exc:
        raise ValidationError({"mobile": exc.messages}) from None
    code_send(purpose=CodePurpose.SIGN_UP, subject=mobile, mobile=mobile, address=address)


def _sign_up_checked(fields: dict, password: str, *, credit_code: str, invitation: str) -> tuple[dict, object]:
    """Every field refused at once, before the code is used up (a typo must not cost the worker their code):
    the worker's fields, the password, the enterprise. Gives the cleaned fields and the enterprise."""
    errors, found = {}, {}
    checks = {"fields": lambda: _sign_up_fields(fields), "password": lambda: _sign_up_password(password, fields),
              "enterprise": lambda: sign_up_enterprise(credit_code=credit_code, invitation=invitation)}
    for name, check in checks.items():
        try:
            found[name] = check()
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return found["fields"], found["enterprise"]


def _sign_up_fields(fields: dict) -> dict:
    missing = {f: [_("This field is required.")] for f in ("name", "id_number", "mobile", "job_category")
               if not fields.get(f)}
    try:
        cleaned = clean_worker_fields({k: v for k, v in fields.items() if v not in (None, "")})
    except ValidationError as exc:
        raise ValidationError({**exc.message_dict, **missing}) from None
    if missing:
        raise ValidationError(missing)
    return cleaned


def _password_checked(password: str, *, username: str, display_name: str = "") -> None:
    """Django's validators against a stand-in user made of what was typed, never a real account: the answer
    must not depend on whether a login exists (a real user's name or mobile would make it tell)."""
    user = get_user_model()(username=username, display_name=display_name)
    try:
        validate_password(password or "", user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None


def _sign_up_password(password: str, fields: dict) -> None:
    _password_checked(password, username=f"w{fields.get('mobile') or ''}", display_name=fields.get("name") or "")


def _refuse_if_registered(cleaned: dict) -> None:
    """After the code: the same answer whoever registered the person; an account only adds log-in and reset.
    A mobile that already has a login is named as such: the code has just shown that it is this person's."""
    on_record = list(Worker.objects.filter(id_number_index=blind_index(cleaned["id_number"]))
                     .values_list("user_id", flat=True)[:1])
    if on_record:
        raise AlreadyRegistered(has_account=on_record[0] is not None)
    if get_user_model().objects.filter(Q(mobile=cleaned["mobile"]) | Q(username=f"w{cleaned['mobile']}")).exists():
        raise ValidationError({"mobile": [_("This mobile number already has a login. Log in, or reset your "
                                            "password.")]})


def worker_sign_up(*, name: str, id_number: str, mobile: str, code: str, password: str, job_category: str,
                   document_type: str = DocumentType.RESIDENT_ID, credit_code: str = "",
                   invitation: str = "") -> Worker:
    """A worker registers themself: checked like a union's registration, the mobile proven by its code; the
    record waits for the enterprise union (``membership`` pending) and the worker can log in at once.

    Steps: the enterprise and every field (nothing used up yet); the code (used once, a wrong try counted even
    though this call then fails); whether the person is on record (``AlreadyRegistered``); then the worker, their
    login, the audit entry and the message, in one transaction.
    """
    cleaned, enterprise = _sign_up_checked(
        {"name": name, "document_type": document_type, "id_number": id_number, "mobile": mobile,
         "job_category": job_category}, password, credit_code=credit_code, invitation=invitation)
    code_use(purpose=CodePurpose.SIGN_UP, subject=cleaned["mobile"], code=code)
    _refuse_if_registered(cleaned)
    return _signed_up(cleaned, enterprise, password)


@transaction.atomic
def _signed_up(cleaned: dict, enterprise, password: str) -> Worker:
    worker = Worker(employer=enterprise, membership=MembershipState.PENDING)
    apply_worker_fields(worker, cleaned)
    _save(worker)
    worker.user = login_create(username=f"w{worker.mobile}", password=password, display_name=worker.name,
                               mobile=worker.mobile)
    worker.save(update_fields=["user"])
    audit_record(actor=worker.user, action="worker.sign_up", obj=worker, organisation=enterprise.organisation,
                 after=worker_snapshot(worker))
    notify_worker(worker=worker, subject=worker_text("You have signed up"), body=worker_text(
        "Welcome to Yuanmeng. Your enterprise union %(union)s will confirm your membership; until then you can "
        "check which policies suit you, but not apply.", union=enterprise.organisation.name))
    return worker


def _decide_membership(by, worker: Worker, state: str, from_states: tuple, **values) -> str:
    """Move a worker from one of ``from_states`` to ``state`` with one conditional UPDATE per state left (of two
    officers deciding at once, one wins). Gives the state left, for the audit entry."""
    allowed, reason = can_change_worker(by, worker)
    if not allowed:
        raise PermissionDenied(reason)
    for before in from_states:
        if Worker.objects.filter(pk=worker.pk, membership=before).update(
                membership=state, updated_at=timezone.now(), **values):
            worker.refresh_from_db(fields=["membership", "union_member_since", "membership_decline_reason",
                                           "updated_at"])
            return before
    raise ValidationError({"membership": [_("This member was already confirmed or declined.")]})


@transaction.atomic
def member_confirm(*, by, worker: Worker, since=None) -> Worker:
    """The enterprise union confirms a signed-up worker as its member from ``since`` (today by default). A
    declined worker may be confirmed too: a wrong decline is put right (the identity number allows no second
    sign-up); the audit entry keeps the state left."""
    since = since or today()
    if since > today():
        raise ValidationError({"since": [_("The union membership date cannot be in the future.")]})
    before = _decide_membership(by, worker, MembershipState.CONFIRMED,
                                (MembershipState.PENDING, MembershipState.DECLINED), union_member_since=since,
                                membership_decline_reason="")
    audit_record(actor=by, action="worker.membership_confirm", obj=worker, organisation=worker.employer.organisation,
                 before={"membership": before},
                 after={"membership": MembershipState.CONFIRMED, "union_member_since": since.isoformat()})
    notify_worker(worker=worker, subject=worker_text("Membership confirmed"), body=worker_text(
        "Your union has confirmed your membership. You can now apply for study subsidies."))
    return worker


@transaction.atomic
def member_decline(*, by, worker: Worker, reason: str) -> Worker:
    """The enterprise union declines a signed-up worker, saying why (the worker reads the reason)."""
    try:
        reason = clean_text(reason, max_length=200, required=True)
    except ValidationError as exc:
        raise ValidationError({"reason": exc.messages}) from None
    _decide_membership(by, worker, MembershipState.DECLINED, (MembershipState.PENDING,),
                       membership_decline_reason=reason)
    audit_record(actor=by, action="worker.membership_decline", obj=worker, organisation=worker.employer.organisation,
                 before={"membership": MembershipState.PENDING},
                 after={"membership": MembershipState.DECLINED, "reason": reason})
    notify_worker(worker=worker, subject=worker_text("Membership declined"), body=worker_text(
        "Your union has not confirmed your membership: %(reason)s", reason=reason))
    return worker


# ── Password reset by mobile code (workers) ─────────────────────────────────────────────────────────────────

def _reset_subject(identifier: str) -> str:
    """The mobile number or identity number typed, normalised; any other text is refused (telling nothing)."""
    text = normalise_text(identifier or "").upper()
    if len(text) == 11 and text.isdigit():
        return text
    if len(text) == 18:
        try:
            return validate_id_number(text)
        except ValidationError:
            pass
    raise ValidationError({"identifier": [
        _("Type your mobile number (11 digits) or identity number (18 characters).")]})


def _reset_account(subject: str):
    """The worker's login that ``subject`` names, or None. Only workers reset by code; staff ask their admin."""
    if len(subject) == 11:
        return get_user_model().objects.filter(mobile=subject, worker__isnull=False, is_active=True).first()
    worker = Worker.objects.select_related("user").filter(id_number_index=blind_index(subject)).first()
    return worker.user if worker and worker.user and worker.user.is_active else None


def _reset_code_subject(subject: str, user) -> str:
    """What a reset code is kept under: the account when there is one, so that its mobile and its identity number
    share one live code and one budget of tries; else the number typed (a code that goes nowhere)."""
    return f"user:{user.pk}" if user else subject


def password_reset_code_send(*, identifier: str, address: str | None) -> None:
    """Send a code to the account's mobile; for a number with no account, issue one that goes nowhere. The
    caller answers the same either way ("if an account matches, a code was sent")."""
    subject = _reset_subject(identifier)
    user = _reset_account(subject)
    code_send(purpose=CodePurpose.PASSWORD_RESET, subject=_reset_code_subject(subject, user),
              mobile=user.mobile if user else None, address=address, field="identifier")


def password_reset_complete(*, identifier: str, code: str, password: str):
    """Set a new password once the code is right. No account behind the number answers like an expired code.
    The password is judged before the code (a weak one must not cost it) against a stand-in named after the
    number typed, never the real account, so that known and unknown numbers get the same answer."""
    subject = _reset_subject(identifier)
    _password_checked(password, username=f"w{subject}")
    user = _reset_account(subject)
    code_use(purpose=CodePurpose.PASSWORD_RESET, subject=_reset_code_subject(subject, user), code=code)
    if user is None:
        raise ValidationError({"code": [_("This code has expired or was never sent. Ask for a new one.")]})
    return _password_set(user, password)


@transaction.atomic
def _password_set(user, password: str):
    """The new password, and the account's log-in lock-outs lifted: the code proved the mobile is theirs, so a
    worker locked out by their own wrong passwords need not wait out the cool-off. The address's count across
    accounts stays (accounts/lockout.py), except for this account's share of it."""
    user.set_password(password)
    user.save(update_fields=["password"])
    axes_reset(username=user.username)
    audit_record(actor=user, action="user.password_reset", obj=user)
    notify_worker(worker=user.worker, subject=worker_text("Password changed"), body=worker_text(
        "Your Yuanmeng password was changed with a code sent to this mobile. If it was not you, call your union."))
    return user

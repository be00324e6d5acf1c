"""Drafting, publishing, closing and superseding policies. Published terms are frozen."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from yuanmeng.audit.services import audit_record, changes
from yuanmeng.core.editing import clean_description, clean_editable, snapshot
from yuanmeng.core.errors import PermissionDenied
from yuanmeng.core.text import clean_text
from yuanmeng.orgs.roles import Capability
from yuanmeng.orgs.scoping import has_capability
from yuanmeng.people.models import JobCategory
from yuanmeng.policies.models import DocumentKind, Policy, PolicyStatus, PriorityGroup, ProgrammeType, Selection

EDITABLE_FIELDS = (
    "code", "title", "year", "description", "parent", "amount_college_fen", "amount_bachelor_fen",
    "programme_types", "min_membership_months", "job_categories", "min_age", "max_age", "first_diploma_only",
    "local_employment_only", "opens_on", "closes_on", "required_documents", "priority_groups",
    "annual_budget_fen", "max_applicants", "max_approvals", "selection", "dual_approval_above_fen", "notice_days",
)
# A matching policy pays its own amounts from its own budget; every other term is its parent's.
MATCHING_TERMS = ("code", "title", "year", "description", "parent", "amount_college_fen", "amount_bachelor_fen",
                  "annual_budget_fen")
PARENT_TERMS = tuple(name for name in EDITABLE_FIELDS if name not in MATCHING_TERMS)
_LISTS = {
    "programme_types": ProgrammeType.values,
    "job_categories": JobCategory.values,
    "required_documents": DocumentKind.values,
    "priority_groups": PriorityGroup.values,
}


def _require(by, organisation) -> None:
    if not has_capability(by, Capability.MANAGE_POLICIES, organisation.path):
        raise PermissionDenied(_("You may manage policies only of your own union and the unions below it."))


def _check_list(name: str, values) -> list[str]:
    if not isinstance(values, list | tuple) or any(v not in _LISTS[name] for v in values):
        raise ValidationError(_("Choose from the listed options."))
    if len(set(values)) != len(values):
        raise ValidationError(_("Each option may be chosen once."))
    return list(values)


def _clean_one(name: str, value):
    if name in _LISTS:
        return _check_list(name, value)
    if name == "selection" and value not in Selection.values:
        raise ValidationError(_("Choose from the listed options."))
    if name in ("min_age", "max_age") and value is not None and not 16 <= value <= 70:
        raise ValidationError(_("An age between 16 and 70."))
    if name in ("code", "title") and value is not None:
        return clean_text(value, max_length=40 if name == "code" else 200, required=True)
    if name == "description":
        return clean_description(value)
    return value


def _clean(fields: dict) -> dict:
    return clean_editable(fields, EDITABLE_FIELDS, _clean_one)


def _check_consistent(policy: Policy) -> None:
    errors = {}
    if policy.min_age and policy.max_age and policy.max_age < policy.min_age:
        errors["max_age"] = [_("The maximum age is below the minimum age.")]
    if policy.opens_on and policy.closes_on and policy.closes_on < policy.opens_on:
        errors["closes_on"] = [_("The window closes before it opens.")]
    if policy.parent_id:
        errors.update(_parent_errors(policy))
    if errors:
        raise ValidationError(errors)


def term_default(name: str):
    """What a term is when not set: a matching policy leaves every term of ``PARENT_TERMS`` so."""
    return Policy._meta.get_field(name).get_default()


def _parent_errors(policy: Policy) -> dict:
    """A matching policy tops up a published subsidy policy of the same year, of a union strictly above it,
    and sets no term of its own beside its amounts and budget."""
    parent = policy.parent
    if policy.pk and parent.pk == policy.pk:
        refusal = _("A policy cannot top up itself.")
    elif parent.parent_id:
        refusal = _("A matching policy tops up a subsidy policy, not another matching policy.")
    elif parent.status != PolicyStatus.PUBLISHED:
        refusal = _("The policy it tops up is not published.")
    elif parent.year != policy.year:
        refusal = _("A matching policy tops up a subsidy policy of the same year.")
    elif parent.organisation_id == policy.organisation_id or not policy.organisation.is_within(parent.organisation):
        refusal = _("A matching policy tops up a policy of a union above its own.")
    else:
        refusal = None
    errors = parent_term_errors({name: getattr(policy, name) for name in PARENT_TERMS})
    return {"parent": [refusal], **errors} if refusal else errors


def parent_term_errors(terms: dict) -> dict:
    """The terms (of ``PARENT_TERMS``) a matching policy sets although it takes them from its parent."""
    return {name: [_("A matching policy takes this term from the policy it tops up; leave it empty.")]
            for name, value in terms.items() if value != term_default(name)}


def _snapshot(policy: Policy) -> dict:
    return snapshot(policy, EDITABLE_FIELDS)


def _save(policy: Policy) -> None:
    try:
        with transaction.atomic():
            policy.save()
    except IntegrityError as exc:
        if "code" not in str(exc):
            raise
        raise ValidationError({"code": [_("This policy code is already in use.")]}) from None


@transaction.atomic
def policy_create(*, by, organisation, **fields) -> Policy:
    _require(by, organisation)
    missing = {f: [_("This field is required.")] for f in ("code", "title", "year") if not fields.get(f)}
    if missing:
        raise ValidationError(missing)
    policy = Policy(organisation=organisation, **_clean(fields))
    _check_consistent(policy)
    _save(policy)
    audit_record(actor=by, action="policy.create", obj=policy, organisation=organisation, after=_snapshot(policy))
    return policy


@transaction.atomic
def policy_update(*, by, policy: Policy, **fields) -> Policy:
    _require(by, policy.organisation)
    if policy.status != PolicyStatus.DRAFT:
        raise ValidationError(_("A published policy cannot be edited; supersede it with a new version."))
    before = _snapshot(policy)
    for name, value in _clean(fields).items():
        setattr(policy, name, value)
    _check_consistent(policy)
    _save(policy)
    old, new = changes(before, _snapshot(policy))
    if new:
        audit_record(actor=by, action="policy.update", obj=policy, organisation=policy.organisation,
                     before=old, after=new)
    return policy


def _check_publishable(policy: Policy) -> None:
    errors = {}
    if not policy.levels:
        errors["amount_college_fen"] = [_("Set the amount for at least one education level.")]
    if not policy.is_matching:
        if not policy.programme_types:
            errors["programme_types"] = [_("Choose the programme types the policy accepts.")]
        if not (policy.opens_on and policy.closes_on):
            errors["closes_on"] = [_("Set the application window.")]
        elif policy.closes_on < timezone.localdate():
            errors["closes_on"] = [_("The application window has already closed.")]
    elif policy.parent.status != PolicyStatus.PUBLISHED:
        errors["parent"] = [_("The policy it tops up is not published.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def policy_publish(*, by, policy: Policy) -> Policy:
    """Publish a draft; if it supersedes a policy, that one closes in the same transaction."""
    _require(by, policy.organisation)
    if policy.status != PolicyStatus.DRAFT:
        raise ValidationError(_("Only a draft can be published."))
    _check_publishable(policy)
    now = timezone.now()
    if not Policy.objects.filter(pk=policy.pk, status=PolicyStatus.DRAFT).update(
            status=PolicyStatus.PUBLISHED, published_at=now):
        raise ValidationError(_("Someone else changed this policy; reload and try again."))
    policy.status, policy.published_at = PolicyStatus.PUBLISHED, now
    audit_record(actor=by, action="policy.publish", obj=policy, organisation=policy.organisation,
                 before={"status": PolicyStatus.DRAFT}, after={"status": PolicyStatus.PUBLISHED})
    if policy.supersedes_id and policy.supersedes.status == PolicyStatus.PUBLISHED:
        policy_close(by=by, policy=policy.supersedes)
    return policy


@transaction.atomic
def policy_close(*, by, policy: Policy) -> Policy:
    _require(by, policy.organisation)
    if policy.status != PolicyStatus.PUBLISHED:
        raise ValidationError(_("Only a published policy can be closed."))
    now = timezone.now()
    if not Policy.objects.filter(pk=policy.pk, status=PolicyStatus.PUBLISHED).update(
            status=PolicyStatus.CLOSED, closed_at=now):
        raise ValidationError(_("Someone else changed this policy; reload and try again."))
    policy.status, policy.closed_at = PolicyStatus.CLOSED, now
    audit_record(actor=by, action="policy.close", obj=policy, organisation=policy.organisation,
                 before={"status": PolicyStatus.PUBLISHED}, after={"status": PolicyStatus.CLOSED})
    return policy


@transaction.atomic
def policy_supersede(*, by, policy: Policy, code: str) -> Policy:
    """A draft copy of a published policy, to change its terms; publishing it closes the original."""
    _require(by, policy.organisation)
    policy = Policy.objects.select_for_update().get(pk=policy.pk)  # current counters, held while copied
    if policy.status != PolicyStatus.PUBLISHED:
        raise ValidationError(_("Only a published policy can be superseded; edit the draft instead."))
    if hasattr(policy, "superseded_by"):
        raise ValidationError(_("This policy already has a new version."))
    fields = {name: getattr(policy, name) for name in EDITABLE_FIELDS}
    fields["code"] = code
    draft = policy_create(by=by, organisation=policy.organisation, **fields)
    # The intake caps count across versions: a new version does not reopen a closed channel.
    Policy.objects.filter(pk=draft.pk).update(supersedes=policy, applicant_count=policy.applicant_count,
                                              approval_count=policy.approval_count)
    draft.supersedes = policy
    draft.applicant_count, draft.approval_count = policy.applicant_count, policy.approval_count
    return draft


# ---- the intake and approval counters (applications take places as they are submitted and approved) ----

def policy_applicants_take(policy: Policy, count: int = 1) -> None:
    """Count ``count`` more applicants, all or none, with a conditional UPDATE (the intake limit holds under
    concurrent submissions). Inside the caller's transaction."""
    if policy.max_applicants is None:
        Policy.objects.filter(pk=policy.pk).update(applicant_count=F("applicant_count") + count)
    elif not Policy.objects.filter(pk=policy.pk, applicant_count__lte=policy.max_applicants - count).update(
            applicant_count=F("applicant_count") + count):
        raise ValidationError({"policy": [_("The policy has reached its intake limit; the channel is closed.")]})


def policy_approval_take(policy: Policy, count: int = 1) -> None:
    """Count ``count`` more approvals, all or none, refused past the policy's approval limit. Inside the caller's
    transaction."""
    if policy.max_approvals is None:
        Policy.objects.filter(pk=policy.pk).update(approval_count=F("approval_count") + count)
    elif not Policy.objects.filter(pk=policy.pk, approval_count__lte=policy.max_approvals - count).update(
            approval_count=F("approval_count") + count):
        raise ValidationError(_("The policy has reached its approval limit."))

"""Setting targets and sharing them out to the unions below (decision 0017). Each service checks the caller holds
SET_TARGETS over the union that owns the target (for a share: the parent's union, which gave it), refuses bad input
by the field it names, and records the change in the audit trail in its own transaction."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from yuanmeng.audit.services import audit_record
from yuanmeng.core.access import Capability
from yuanmeng.core.errors import PermissionDenied
from yuanmeng.core.text import clean_text
from yuanmeng.orgs.scoping import has_capability
from yuanmeng.stats.models import Measure, Target
from yuanmeng.stats.targets import UNION_KINDS, capability_for, shared

FIRST_YEAR, LAST_YEAR = 2000, 2100


def _require(by, organisation) -> None:
    if not has_capability(by, Capability.SET_TARGETS, organisation.path):
        raise PermissionDenied(_("You may set targets only of your own union and the unions below it."))


def _owner(target: Target):
    """The union whose administrators decide a target: its own, or for a share the parent's."""
    return target.parent.organisation if target.parent_id else target.organisation


# Above any count or sum of fen the programme could hold (10,000,000,000,000 yuan), well inside the column's 2**63.
MAX_VALUE = 10**15


def _value_errors(value: int) -> list[str]:
    if value < 0:
        return [_("A target cannot be negative.")]
    if value > MAX_VALUE:
        return [_("The target is too large to be right: check the number.")]
    return []


def _check_value(value: int) -> None:
    if errors := _value_errors(value):
        raise ValidationError({"value": errors})


def _check(*, by, organisation, measure: str, start_year: int, end_year: int, value: int) -> None:
    errors = {}
    if measure not in Measure.values:
        errors["measure"] = [_("Choose from the listed options.")]
    elif not has_capability(by, capability_for(measure), organisation.path):
        errors["measure"] = [_("Your role cannot read this measure for %(union)s.") % {"union": organisation}]
    for field, year in (("start_year", start_year), ("end_year", end_year)):
        if not FIRST_YEAR <= year <= LAST_YEAR:
            errors[field] = [_("Give a year from %(first)s to %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR}]
    if "end_year" not in errors and "start_year" not in errors and end_year < start_year:
        errors["end_year"] = [_("The last year cannot come before the first.")]
    if value_errors := _value_errors(value):
        errors["value"] = value_errors
    if errors:
        raise ValidationError(errors)


def _fits_parent(parent: Target, share: Target | None, value: int) -> None:
    """A share's value with its siblings' may not exceed the parent target (the parent row is locked)."""
    remaining = parent.value - shared(parent, leaving_out=share)
    if value > remaining:
        raise ValidationError({"value": [
            _("The shares may add up to at most the target: %(remaining)s is left to share.") % {
                "remaining": f"{max(remaining, 0):,}"}]})


def _not_below_shares(target: Target, value: int) -> None:
    allocated = shared(target)
    if value < allocated:
        raise ValidationError({"value": [
            _("Its shares to the unions below already add up to %(allocated)s; lower them first.") % {
                "allocated": f"{allocated:,}"}]})


def _locked(target: Target) -> Target:
    return Target.objects.select_for_update(of=("self",)).select_related(
        "organisation", "parent__organisation").get(pk=target.pk)


@transaction.atomic
def target_set(*, by, organisation, measure: str, start_year: int, end_year: int, value: int,
               note: str = "") -> Target:
    """A new target of the organisation for a measure and its years."""
    _require(by, organisation)
    _check(by=by, organisation=organisation, measure=measure, start_year=start_year, end_year=end_year, value=value)
    try:
        with transaction.atomic():
            target = Target.objects.create(organisation=organisation, measure=measure, start_year=start_year,
                                           end_year=end_year, value=value, note=clean_text(note, max_length=200))
    except IntegrityError:
        raise ValidationError({"measure": [
            _("This union already has a target for that measure and those years.")]}) from None
    audit_record(actor=by, action="target.set", obj=target, organisation=organisation,
                 after={"measure": measure, "start_year": start_year, "end_year": end_year, "value": value})
    return target


@transaction.atomic
def target_share_allocate(*, by, target: Target, organisation, value: int, note: str = "") -> Target:
    """Give (or change) the share of a union directly below the target's union; the shares together may not
    exceed the target."""
    target = _locked(target)
    _require(by, target.organisation)
    if (organisation.parent_id != target.organisation_id or not organisation.is_active
            or organisation.kind not in UNION_KINDS):
        raise ValidationError({"organisation": [
            _("A share goes to a union directly below %(union)s.") % {"union": target.organisation}]})
    _check_value(value)
    share = Target.objects.select_for_update().filter(
        organisation=organisation, measure=target.measure, start_year=target.start_year,
        end_year=target.end_year).first()
    if share is not None and share.parent_id != target.pk:
        raise ValidationError({"organisation": [
            _("%(union)s has a target of its own for that measure and those years.") % {"union": organisation}]})
    _fits_parent(target, share, value)
    note = clean_text(note, max_length=200)
    before = None
    if share is None:
        share = Target.objects.create(organisation=organisation, measure=target.measure, parent=target,
                                      start_year=target.start_year, end_year=target.end_year, value=value, note=note)
    else:
        _not_below_shares(share, value)
        before = {"value": share.value}
        share.value, share.note = value, note or share.note
        share.save(update_fields=["value", "note", "changed_at"])
    audit_record(actor=by, action="target.share_allocate", obj=share, organisation=organisation, before=before,
                 after={"value": value, "parent": target.pk})
    return share


@transaction.atomic
def target_change(*, by, target: Target, value: int, note: str | None = None) -> Target:
    """A new value (and note) for a target or a share: not below its own shares, a share not over its parent's
    remainder."""
    # The parent's row first, as target_share_allocate locks them: the other order deadlocks with it.
    parent = Target.objects.select_for_update().get(pk=target.parent_id) if target.parent_id else None
    target = _locked(target)
    _require(by, _owner(target))
    _check_value(value)
    _not_below_shares(target, value)
    if parent is not None:
        _fits_parent(parent, target, value)
    before = {"value": target.value}
    target.value = value
    if note is not None:
        target.note = clean_text(note, max_length=200)
    target.save(update_fields=["value", "note", "changed_at"])
    audit_record(actor=by, action="target.change", obj=target, organisation=target.organisation, before=before,
                 after={"value": value})
    return target


@transaction.atomic
def target_remove(*, by, target: Target) -> Target:
    """Remove a target or a share that has no shares of its own left; the removed row (without its id)."""
    target = _locked(target)
    _require(by, _owner(target))
    if target.shares.exists():
        raise ValidationError({"target": [_("Remove the shares given to the unions below first.")]})
    audit_record(actor=by, action="target.remove", obj=target, organisation=target.organisation,
                 before={"measure": target.measure, "start_year": target.start_year, "end_year": target.end_year,
                         "value": target.value})
    target.delete()
    return target

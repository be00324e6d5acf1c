"""Who may see and change what, as every floor asks it: the capabilities, ``has_capability`` and the scoped queryset.

The rules are the organisation tree's: roles held over subtrees, in ``orgs/scoping.py``. ``orgs`` sits above core
and audit, so it plugs its rules in here in its ``ready()``; core and audit scope their lists through this module
without importing it. ``orgs.scoping.has_capability`` and ``has_capability`` here answer alike.

``get_for_action`` is how every page and API operation that acts on one object fetches it: 404 outside what the
caller may read, 403 where they read it but their role does not hold the action's capability there.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from yuanmeng.core.errors import PermissionDenied


class Capability(models.TextChoices):
    VIEW = "view", _("see organisations and people")
    CHANGE_WORKERS = "change_workers", _("register and edit workers")
    CHANGE_ORGS = "change_orgs", _("add and edit organisations")
    MANAGE_MEMBERS = "manage_members", _("give and take roles")
    REVEAL_PII = "reveal_pii", _("see identity and bank numbers in full")
    CONTACT_WORKERS = "contact_workers", _("see workers' mobile numbers in full, to contact them")
    VIEW_AUDIT = "view_audit", _("read the audit trail")
    MANAGE_POLICIES = "manage_policies", _("draft, publish and close subsidy policies")
    CONFIRM_APPLICATIONS = "confirm_applications", _("confirm applicants' employment and membership")
    REVIEW_APPLICATIONS = "review_applications", _("review applications of an area")
    APPROVE_APPLICATIONS = "approve_applications", _("approve applications and verify diplomas")
    MANAGE_ROSTERS = "manage_rosters", _("upload enrolment and graduate rosters")
    MANAGE_FUNDS = "manage_funds", _("set budgets and plan payout rounds")
    APPROVE_PAYOUTS = "approve_payouts", _("approve payout batches and release payment files")
    VIEW_FUNDS = "view_funds", _("see budgets, rounds and batches")
    SET_TARGETS = "set_targets", _("set targets and share them out to lower levels")
    MANAGE_TRAINING = "manage_training", _("manage training places and courses")
    ORDER_TRAINING = "order_training", _("order training for an enterprise's workers")
    TAKE_TRAINING_ORDERS = "take_training_orders", _("accept training orders, assign teachers, schedule sessions")
    MANAGE_SURVEYS = "manage_surveys", _("build needs surveys and read their answers")
    MANAGE_PROJECTS = "manage_projects", _("register education and skills projects")


@dataclass(frozen=True)
class AccessRules:
    """``restrict(queryset, user, capability)``: the rows the user may see; ``has_capability(user, capability,
    path)``: whether the user holds the capability somewhere (or over the organisation at ``path``)."""

    restrict: Callable[[models.QuerySet, object, str], models.QuerySet]
    has_capability: Callable[[object, str, str | None], bool]


_registered: list[AccessRules] = []


def access_rules_register(rules: AccessRules) -> None:
    _registered[:] = [rules]


def _rules() -> AccessRules:
    if not _registered:
        raise ImproperlyConfigured("no access rules: yuanmeng.orgs registers them in its ready()")
    return _registered[0]


def has_capability(user, capability: str, path: str | None = None) -> bool:
    """Does the user hold ``capability`` somewhere (or, with ``path``, over that organisation)?"""
    return _rules().has_capability(user, capability, path)


def has_capability_over(user, capability: str, paths: Iterable[str | None]) -> bool:
    """Does the user hold ``capability`` over one of a row's organisations (their ``paths``)? A row of no
    organisation: superusers only."""
    paths = [path for path in paths if path]
    if not paths:
        return bool(getattr(user, "is_superuser", False))
    return any(has_capability(user, capability, path) for path in paths)


def model_scope_paths(model) -> tuple[str, ...]:
    """The lookups from a row to the paths of the organisations it belongs to (usually one)."""
    paths = model.SCOPE_PATH
    return (paths,) if isinstance(paths, str) else tuple(paths)


class ScopedQuerySet(models.QuerySet):
    def restrict(self, user, capability: str = Capability.VIEW) -> "ScopedQuerySet":
        """The rows the user may see with ``capability``, filtered in SQL by the rules of ``orgs.scoping``."""
        return _rules().restrict(self, user, capability)


def get_for_action(visible: models.QuerySet, pk, *, user, capability: str) -> models.Model:
    """The row ``pk`` of ``visible`` (the rows the user may read: the queryset the object's own page or GET
    uses) for an action that needs ``capability``. ``Http404`` when the user cannot read it — outside their
    subtree an object does not exist for them —; ``PermissionDenied`` (403) when they can but their role does not
    hold ``capability`` over the row's organisation. The row's scope paths come in the same query."""
    paths = {f"_scope_path_{n}": models.F(lookup) for n, lookup in enumerate(model_scope_paths(visible.model))}
    try:
        obj = visible.annotate(**paths).get(pk=pk)
    except visible.model.DoesNotExist:
        raise Http404 from None
    if not has_capability_over(user, capability, (getattr(obj, name) for name in paths)):
        raise PermissionDenied(_("Your role does not allow this action on this record."))
    return obj

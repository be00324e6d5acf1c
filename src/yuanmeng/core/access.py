"""Who may see and change what, as every floor asks it: the capabilities, ``has_capability`` and the scoped queryset.

The rules are the organisation tree's: roles held over subtrees, in ``orgs/scoping.py``. ``orgs`` sits above core
and audit, so it plugs its rules in here in its ``ready()``; core and audit scope their lists through this module
without importing it. ``orgs.scoping.has_capability`` and ``has_capability`` here answer alike.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.translation import gettext_lazy as _


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


def model_scope_paths(model) -> tuple[str, ...]:
    """The lookups from a row to the paths of the organisations it belongs to (usually one)."""
    paths = model.SCOPE_PATH
    return (paths,) if isinstance(paths, str) else tuple(paths)


class ScopedQuerySet(models.QuerySet):
    def restrict(self, user, capability: str = Capability.VIEW) -> "ScopedQuerySet":
        """The rows the user may see with ``capability``, filtered in SQL by the rules of ``orgs.scoping``."""
        return _rules().restrict(self, user, capability)

"""The one place that decides what a user may see and change.

A user's memberships grant capabilities over organisation subtrees. ``restrict()`` turns them
into one SQL condition on the model's ``SCOPE_PATH``: the path of the organisation a row belongs
to, or a tuple of them when a row belongs to several. Pages, API, exports, admin and counts all
filter the same way, in the database. Models may also name a ``SCOPE_OWNER`` field (a worker sees
their own record) and ``SCOPE_ALSO`` lookups readable with a given capability (a school's staff see
the applications of its students).

The floors below orgs (core, audit) cannot import this module: orgs registers ``ACCESS_RULES`` with
``core/access.py`` in its ``ready()``, and ``ScopedQuerySet.restrict`` there calls ``restrict()`` here.
"""

from dataclasses import dataclass

from django.db import models
from django.db.models import Q

from yuanmeng.core.access import AccessRules, Capability, model_scope_paths
from yuanmeng.orgs.roles import ROLE_CAPABILITIES


@dataclass(frozen=True)
class Grant:
    path: str
    role: str
    organisation_id: int

    @property
    def capabilities(self) -> frozenset[str]:
        return ROLE_CAPABILITIES[self.role]


def grants(user) -> list[Grant]:
    """The user's active roles, loaded once per user object (one query per request)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_yuanmeng_grants", None)
    if cached is None:
        from yuanmeng.orgs.models import Membership

        rows = Membership.objects.filter(user=user, organisation__is_active=True).values_list(
            "organisation__path", "role", "organisation_id"
        )
        cached = [Grant(path, role, org_id) for path, role, org_id in rows]
        user._yuanmeng_grants = cached
    return cached


def acting_organisation(user, capability: str | None = None):
    """The organisation a user acts for when an action is not tied to one: the highest in the tree where they
    hold ``capability`` (or any role); None for none."""
    held = sorted((g for g in grants(user) if capability is None or capability in g.capabilities),
                  key=lambda g: (g.path.count("/"), g.path))
    if not held:
        return None
    from yuanmeng.orgs.models import Organisation

    return Organisation.objects.filter(pk=held[0].organisation_id).first()


def scope_paths(user, capability: str) -> list[str] | None:
    """Subtree roots where the user holds ``capability``; ``None`` means everywhere (superuser)."""
    if getattr(user, "is_authenticated", False) and user.is_active and user.is_superuser:
        return None
    paths = sorted({g.path for g in grants(user) if capability in g.capabilities})
    roots: list[str] = []
    for path in paths:  # sorted, so an ancestor comes before its descendants
        if not any(path.startswith(root) for root in roots):
            roots.append(path)
    return roots


def has_capability(user, capability: str, path: str | None = None) -> bool:
    """Does the user hold ``capability`` somewhere (or, with ``path``, over that organisation)?"""
    roots = scope_paths(user, capability)
    if roots is None:
        return True
    if path is None:
        return bool(roots)
    return any(path.startswith(root) for root in roots)


def _extra_view_condition(model, user) -> Q:
    """Who else may read a row: its owner (``SCOPE_OWNER``), and holders of a particular capability over a
    second organisation of the row (``SCOPE_ALSO``: a school's staff see its students' applications — and only
    they: the unions above the school do not gain sight of other cities' workers through it)."""
    condition = Q()
    owner = getattr(model, "SCOPE_OWNER", None)
    if owner and getattr(user, "is_authenticated", False):
        condition |= Q(**{owner: user})
    for lookup, capability in getattr(model, "SCOPE_ALSO", {}).items():
        for root in scope_paths(user, capability) or []:
            condition |= Q(**{f"{lookup}__startswith": root})
    return condition


def restrict(queryset: models.QuerySet, user, capability: str = Capability.VIEW) -> models.QuerySet:
    """The rows of ``queryset`` the user may see with ``capability``: one SQL condition on the model's scope
    paths (``ScopedQuerySet.restrict`` in ``core/access.py`` calls this)."""
    roots = scope_paths(user, capability)
    if roots is None:
        return queryset
    condition = Q()
    for lookup in model_scope_paths(queryset.model):
        for root in roots:
            condition |= Q(**{f"{lookup}__startswith": root})
    if capability == Capability.VIEW:
        condition |= _extra_view_condition(queryset.model, user)
    return queryset.filter(condition) if condition else queryset.none()


ACCESS_RULES = AccessRules(restrict=restrict, has_capability=has_capability)

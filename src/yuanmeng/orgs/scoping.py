"""The one place that decides what a user may see and change.

A user's memberships grant capabilities over organisation subtrees. ``restrict()`` turns them
into one SQL condition on the model's ``SCOPE_PATH``: the path of the organisation a row belongs
to, or a tuple of them when a row belongs to several. Pages, API, exports, admin and counts all
filter the same way, in the database. Models may also name a ``SCOPE_OWNER`` field (a worker sees
their own record) and ``SCOPE_ALSO`` lookups readable with a given capability (a school's staff see
the applications of its students).

At national scale the condition must be one an index serves: a subtree is the row's organisation id among the
ids of the subtree (``within``: a semi-join on a small table, whose ``path LIKE 'root%'`` the path's pattern index
answers), not a LIKE on a joined path; and the owner's clause is ORed in only for a user with no role (a worker)
or a staff user who owns such rows, since an OR over a join of every worker makes the database read every row
before it filters.

The floors below orgs (core, audit) cannot import this module: orgs registers ``ACCESS_RULES`` with
``core/access.py`` in its ``ready()``, and ``ScopedQuerySet.restrict`` there calls ``restrict()`` here.
"""

import functools
import time
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Q

from yuanmeng.core.access import AccessRules, Capability, model_scope_paths
from yuanmeng.core.compiled import CompiledOnce, Prefix
from yuanmeng.core.pages import count_up_to, counted_page, counted_page_query, page_counted_up_to
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
    if getattr(user, "_yuanmeng_grants", None) is None:
        from yuanmeng.orgs.models import Membership

        rows = Membership.objects.filter(user=user, organisation__is_active=True).values_list(
            "organisation__path", "role", "organisation_id"
        )
        grants_known(user, rows)
    return user._yuanmeng_grants


def grants_known(user, rows) -> None:
    """Give ``user`` the roles a caller read in its own query — (path, role, organisation id) of each membership in
    an active organisation — so that ``grants`` does not ask again: the API token's look-up reads them with the
    token (``accounts.selectors.token_in_use``), one query for who is calling and what they may do."""
    user._yuanmeng_grants = [Grant(path, role, org_id) for path, role, org_id in rows]


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


def within(lookup: str, roots: list[str]) -> Q:
    """Rows whose organisation (``lookup``: the path's lookup, e.g. ``organisation__path``) is in one of the subtrees
    ``roots``: ``organisation_id IN (SELECT id FROM orgs_organisation WHERE path LIKE 'root%' …)``.

    The id is the row's own column (or its nearest relation's), which an index on it or on a list's order can
    serve; the subtree's ids come from the organisation table's pattern index. Paths end with "/", so the
    prefix of "/1/2/" never takes in "/1/23/"; LIKE needs no collation to order "/" (a range would)."""
    from yuanmeng.orgs.models import Organisation

    subtrees = Q()
    for root in roots:
        subtrees |= Q(path__startswith=root)
    if lookup == "path":  # the organisation itself
        return subtrees
    relation = lookup.removesuffix("__path")
    return Q(**{f"{relation}__in": Organisation.objects.filter(subtrees).values("pk")})


def _sees_own_rows(user, model, owner: str) -> bool:
    """Whether the owner's clause (``SCOPE_OWNER``) belongs in the user's condition on ``model``. A user with no
    role (a worker) always has it. Staff see by their roles, and an OR of the owner's clause over a join of every
    worker makes the database read every row before it filters: for them it is added only when they do own such
    rows (someone who applied as a worker and also holds a role), asked once per request and model. Only a login
    with a mobile number can be a worker's (workers log in by it; staff logins are made without one), so most
    staff requests ask nothing."""
    if not getattr(user, "is_authenticated", False):
        return False
    if not grants(user):
        return True
    if not user.mobile:
        return False
    owned = getattr(user, "_yuanmeng_owns", None)
    if owned is None:
        owned = user._yuanmeng_owns = {}
    if model not in owned:
        owned[model] = model._default_manager.filter(**{owner: user}).exists()
    return owned[model]


@dataclass(frozen=True)
class Scope:
    """What ``restrict()`` asks of one user on one model, before it writes the condition: the subtree roots where
    the user holds the capability (None: everywhere, a superuser), the user's id when the owner's clause is in it
    (``SCOPE_OWNER``), and for a view, the roots of each second organisation of the row readable with a particular
    capability (``SCOPE_ALSO``: a school's staff see its students' applications — and only they: the unions above
    the school do not gain sight of other cities' workers through it)."""

    roots: tuple[str, ...] | None
    owner_id: int | None = None
    also: tuple[tuple[str, tuple[str, ...]], ...] = ()


NOTHING = Scope(roots=())


def scope_of(user, model, capability: str = Capability.VIEW) -> Scope:
    """The user's ``Scope`` on ``model``; a stand-in of ``scope_shape`` brings its own (and sees nothing else)."""
    stood_in = getattr(user, "_yuanmeng_scopes", None)
    if stood_in is not None:
        return stood_in.get((model, capability), NOTHING)
    roots = scope_paths(user, capability)
    if roots is None:
        return Scope(roots=None)
    if capability != Capability.VIEW:
        return Scope(roots=tuple(roots))
    owner = getattr(model, "SCOPE_OWNER", None)
    return Scope(roots=tuple(roots), owner_id=user.pk if owner and _sees_own_rows(user, model, owner) else None,
                 also=tuple((lookup, tuple(scope_paths(user, held) or ()))
                            for lookup, held in getattr(model, "SCOPE_ALSO", {}).items()))


def restrict(queryset: models.QuerySet, user, capability: str = Capability.VIEW) -> models.QuerySet:
    """The rows of ``queryset`` the user may see with ``capability``: one SQL condition on the model's scope
    paths (``ScopedQuerySet.restrict`` in ``core/access.py`` calls this)."""
    scope = scope_of(user, queryset.model, capability)
    if scope.roots is None:
        return queryset
    condition = Q()
    if scope.roots:
        for lookup in model_scope_paths(queryset.model):
            condition |= within(lookup, list(scope.roots))
    if scope.owner_id is not None:
        condition |= Q(**{queryset.model.SCOPE_OWNER: scope.owner_id})
    for lookup, roots in scope.also:
        if roots:
            condition |= within(lookup, list(roots))
    return queryset.filter(condition) if condition else queryset.none()


ACCESS_RULES = AccessRules(restrict=restrict, has_capability=has_capability)


# ---- a scoped query compiled once per shape of scope (core.compiled) ------------------------------------------

def scope_shape(user, model, capability: str = Capability.VIEW):
    """The user's ``Scope`` on ``model`` taken apart, for a query compiled once per shape (``CompiledInScope``): the
    shape's key (how many roots of each kind, whether the owner's clause is in it), the user's own values in it by
    name (each root, the user's id), and how to make a stand-in user whose scope has the same shape with other
    values (the markers)."""
    scope = scope_of(user, model, capability)
    if scope.roots is None:
        return ("everything",), {}, lambda markers: _stand_in(model, capability, scope)
    values = {f"root_{i}": Prefix(root) for i, root in enumerate(scope.roots)}
    values.update({f"also_{i}_{j}": Prefix(root) for i, (_lookup, roots) in enumerate(scope.also)
                   for j, root in enumerate(roots)})
    if scope.owner_id is not None:
        values["owner"] = scope.owner_id

    def stand_in(markers: dict):
        return _stand_in(model, capability, Scope(
            roots=tuple(markers[f"root_{i}"] for i in range(len(scope.roots))), owner_id=markers.get("owner"),
            also=tuple((lookup, tuple(markers[f"also_{i}_{j}"] for j in range(len(roots))))
                       for i, (lookup, roots) in enumerate(scope.also))))

    key = (capability, len(scope.roots), tuple(len(roots) for _lookup, roots in scope.also),
           scope.owner_id is not None)
    return key, values, stand_in


def _stand_in(model, capability: str, scope: Scope):
    who = get_user_model()(pk=0, is_active=True)
    who._yuanmeng_scopes = {(model, capability): scope}
    return who


class CompiledInScope:
    """``core.compiled.CompiledOnce`` for a query of ``model`` restricted to the caller's scope: ``build(user,
    **values)`` is compiled once per shape of scope (``scope_shape``: a district reviewer's one subtree, a worker's
    own rows, a superuser's everything…) and run with the caller's roots and id in the places of the stand-in's.
    ``build`` may use the user only through ``restrict()`` of ``model``: anything else it read of them would be the
    stand-in's (which sees nothing of any other model). ``by_key``: as ``CompiledOnce``'s (a row by its key,
    prepared), for the shapes whose condition is the row's one organisation among the subtree's: an owner's clause or a
    second organisation ORed in keeps its subquery apart from the row, where a generic plan would read every
    organisation (``_one_subtree``)."""

    def __init__(self, build, model, capability: str = Capability.VIEW, *, by_key: bool = False, **kinds: type):
        self.build, self.model, self.capability, self.kinds = build, model, capability, kinds
        self.by_key = by_key
        self._by_shape: dict[tuple, CompiledOnce] = {}

    def __call__(self, user, **values) -> list:
        key, scope_values, stand_in = scope_shape(user, self.model, self.capability)
        compiled = self._by_shape.get(key)
        if compiled is None:
            compiled = self._by_shape[key] = CompiledOnce(
                lambda **given: self.build(stand_in(given), **{name: given[name] for name in self.kinds}),
                by_key=self.by_key and _one_subtree(self.model, key), **self.kinds,
                **{name: type(value) for name, value in scope_values.items()})
        return compiled(**values, **scope_values)


def _one_subtree(model, key: tuple) -> bool:
    """Whether a shape of scope (``scope_shape``'s key) is a single ``organisation IN (subtree)``: the model has one
    scope path, and the shape no second organisation's roots and no owner's clause."""
    if key == ("everything",):
        return True
    _capability, _roots, also, owner = key
    return len(model_scope_paths(model)) == 1 and not any(also) and not owner


COMPILED_PAGES = 5  # the first pages of each list are compiled; a reviewer works from the top of their queue
OVER_CAP_SECONDS = 10  # how long a list found to hold more than the count's cap is not counted again
# The lists of this process found over their cap: (list, scope, filters, cap) → until when it is known so.
LISTS_OVER_CAP: dict[tuple, float] = {}


class CompiledScopedList:
    """A list endpoint's rows — ``search(user=…, **filters)``, restricted to the caller's scope — paged with their
    capped count (``core.pages.counted_page_query``), each of its first ``COMPILED_PAGES`` pages compiled once per
    shape of scope, filters given, and page (its offset and size are written into the SQL). Filters are ints or
    texts; ``Pages`` (core.api) pages what ``for_caller`` gives.

    A list found to hold more than the cap (a district's queue at national scale: counting 10,001 of its rows is
    half of its page's work) is not counted again for ``OVER_CAP_SECONDS`` in this process: its pages say "more"
    from memory. A list under the cap is counted on every page, so its count is never stale."""

    def __init__(self, search, model):
        self.search, self.model = search, model
        self.page_query = functools.lru_cache(maxsize=256)(self._page_query)  # a process keeps its busiest pages

    def _page_query(self, kinds: tuple, offset: int, limit: int, cap: int | None, shape) -> CompiledInScope:
        """The page's query, with its count up to ``cap`` (None: the page alone)."""
        return CompiledInScope(lambda user, **filters: counted_page_query(
            self.search(user=user, **filters), offset, limit, cap, shape), self.model, **dict(kinds))

    def over_cap_key(self, user, filters: dict, cap: int) -> tuple:
        """What a list's count depends on: the caller's scope (not who they are), the filters and the cap."""
        scope_key, scope_values, _stand_in = scope_shape(user, self.model)
        return self, scope_key, tuple(sorted(scope_values.items())), tuple(sorted(filters.items())), cap

    def for_caller(self, user, shape=None, **filters) -> "CallersList":
        """``shape``: what a page reads of each row, instead of what its paginator asks for."""
        return CallersList(self, user, filters, shape)


@dataclass(frozen=True)
class CallersList:
    """A ``CompiledScopedList`` for one caller and their filters, as ``Pages`` reads it."""

    lists: CompiledScopedList
    user: object
    filters: dict
    shape: object = None

    def counted_page(self, offset: int, limit: int, cap: int, shape=None) -> tuple[list, int]:
        shape = self.shape or shape
        if offset >= COMPILED_PAGES * limit:  # deep pages the ORM's way: a walk through them keeps the busy ones
            return page_counted_up_to(self.lists.search(user=self.user, **self.filters), offset, limit, cap, shape)
        kinds = tuple((name, int if isinstance(value, int) else str) for name, value in sorted(self.filters.items()))
        over_cap = self.lists.over_cap_key(self.user, self.filters, cap)
        if time.monotonic() < LISTS_OVER_CAP.get(over_cap, 0):
            rows = self.lists.page_query(kinds, offset, limit, None, shape)(self.user, **self.filters)
            if len(rows) == limit:
                return rows, cap + 1
            LISTS_OVER_CAP.pop(over_cap, None)  # a short page: the list fell under the cap; count it afresh
        rows = self.lists.page_query(kinds, offset, limit, cap, shape)(self.user, **self.filters)
        rows, counted = counted_page(rows, lambda: count_up_to(self.lists.search(user=self.user, **self.filters), cap))
        if counted > cap:
            if len(LISTS_OVER_CAP) >= 4096:  # a process meets few lists: forget them all rather than grow
                LISTS_OVER_CAP.clear()
            LISTS_OVER_CAP[over_cap] = time.monotonic() + OVER_CAP_SECONDS
        return rows, counted

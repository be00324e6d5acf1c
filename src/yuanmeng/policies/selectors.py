"""Reads of policies, shared by pages, API and reports; always scoped to the caller.

Two ways to see a policy: staff see the policies of the unions in their subtree
(``Policy.objects.restrict``); a worker sees the published policies of the unions *above* their
employer — the ones that apply to them — which no membership grants.
"""

from typing import NamedTuple

from django.db.models import Subquery

from yuanmeng.core.compiled import CompiledOnce
from yuanmeng.core.sql import json_rows
from yuanmeng.orgs.models import Organisation, OrgKind
from yuanmeng.policies.models import LEVEL_AMOUNTS, Policy, PolicyStatus


def _related(qs):
    # superseded_by is a reverse one-to-one: joined here so a list shows it without a query per row.
    return qs.select_related("organisation", "superseded_by")


def ancestor_paths(organisation: Organisation) -> list[str]:
    """The paths of the organisation and every union above it: ``/1/4/17/`` → ``/1/``, ``/1/4/``, ``/1/4/17/``."""
    ids = [str(pk) for pk in organisation.path_ids()]
    return [f"/{'/'.join(ids[:n])}/" for n in range(1, len(ids) + 1)]


def policy_list(*, user, year: int | None = None, status: str = ""):
    qs = _related(Policy.objects.restrict(user))
    if year:
        qs = qs.filter(year=year)
    if status:
        qs = qs.filter(status=status)
    return qs


def policies_open_to(worker, *, year: int | None = None):
    """Published policies of any union whose subtree holds the worker's employer (none without an employer).

    One indexed ``IN`` on the organisation path: the ancestors are read off the employer's path.
    """
    if worker.employer_id is None:
        return Policy.objects.none()
    paths = ancestor_paths(worker.employer.organisation)
    qs = _related(Policy.objects.filter(status=PolicyStatus.PUBLISHED, organisation__path__in=paths))
    if year:
        qs = qs.filter(year=year)
    return qs


def policies_visible_to(user):
    """What the user may read: policies in their scope, plus those open to them as a worker."""
    qs = Policy.objects.restrict(user)
    worker = getattr(user, "worker", None) if getattr(user, "is_authenticated", False) else None
    if worker is not None:
        qs = qs | policies_open_to(worker)
    return _related(qs)


def policies_above(organisation: Organisation):
    """Policies of the organisation and the unions above it: what a matching policy there may top up."""
    return _related(Policy.objects.filter(organisation__path__in=ancestor_paths(organisation)))


def policies_for_worker(*, user, worker):
    """The policies a worker can be checked against or apply to: those open to them, and those in the caller's scope."""
    return _related(Policy.objects.restrict(user) | policies_open_to(worker))


# ---- what an application pays, by level of funding --------------------------------------------------------

class PayParts(NamedTuple):
    """What one application pays, in fen, by the union that pays it: the city's subsidy and the matching
    top-ups (配套) of a district (or street) union and of the enterprise union."""

    city_fen: int = 0
    district_fen: int = 0
    enterprise_fen: int = 0

    @property
    def matching_fen(self) -> int:
        return self.district_fen + self.enterprise_fen

    @property
    def total_fen(self) -> int:
        return self.city_fen + self.matching_fen


_TOP_UPS = CompiledOnce(
    lambda policy_id: Policy.objects.filter(parent_id=policy_id, status=PolicyStatus.PUBLISHED)
    .select_related("organisation").order_by("-organisation__depth", "pk"), policy_id=int)


def top_ups(policy: Policy) -> list[Policy]:
    """The published matching policies of ``policy``, closest to the enterprise first (a street's before its
    district's): the order in which a round's commit gives their amounts. Compiled once per process: every
    application's page and API answer shows its pay by part."""
    return _TOP_UPS(policy_id=policy.pk)


_TOP_UP_ORGANISATION = ("kind", "path", "depth")


def top_ups_json(policy_key: str) -> Subquery:
    """``top_ups`` of the outer row's policy (its column ``policy_key``) as JSON, for a query that reads them with
    its own row rather than asking for them apart (``top_ups_read`` gives them back as ``top_ups`` does)."""
    return json_rows(Policy.objects.filter(status=PolicyStatus.PUBLISHED), "parent", policy_key, id="id",
                     **{column: column for column in LEVEL_AMOUNTS.values()},
                     **{f"organisation_{name}": f"organisation__{name}" for name in _TOP_UP_ORGANISATION})


def top_ups_read(rows: list[dict] | None) -> list[Policy]:
    """``top_ups_json``'s rows (None: there are none) as ``top_ups`` gives them: policies with the organisation's
    kind, path and depth, closest to the enterprise first."""
    policies = []
    for row in sorted(rows or [], key=lambda row: (-row["organisation_depth"], row["id"])):
        organisation = Organisation(**{name: row.pop(f"organisation_{name}") for name in _TOP_UP_ORGANISATION})
        policy = Policy(**row)
        policy.organisation = organisation
        policies.append(policy)
    return policies


def matching_part(organisation: Organisation) -> str:
    """Which part a matching union's amount fills: ``enterprise`` for an enterprise union, else ``district``
    (a street's or a district's; one of them per application, the closest)."""
    return "enterprise" if organisation.kind == OrgKind.ENTERPRISE else "district"


def pay_by_part(*, policy: Policy, level: str, organisation: Organisation,
                matchings: list[Policy] | None = None) -> PayParts:
    """What an application of ``level`` at the enterprise union ``organisation`` receives under ``policy``:
    the policy's amount, plus the amount of the closest matching policy of each part whose union holds the
    enterprise and which pays for the level — the rule ``payouts.services`` applies to a round's lines, in SQL,
    while each matching budget lasts. One query (the top-ups), none with ``matchings`` already read
    (``top_ups_read``)."""
    parts = {"city": policy.amount_fen(level) or 0, "district": 0, "enterprise": 0}
    for matching in top_ups(policy) if matchings is None else matchings:
        part, amount = matching_part(matching.organisation), matching.amount_fen(level) or 0
        if amount and not parts[part] and organisation.path.startswith(matching.organisation.path):
            parts[part] = amount
    return PayParts(parts["city"], parts["district"], parts["enterprise"])

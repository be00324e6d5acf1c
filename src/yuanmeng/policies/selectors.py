"""Reads of policies, shared by pages, API and reports; always scoped to the caller.

Two ways to see a policy: staff see the policies of the unions in their subtree
(``Policy.objects.restrict``); a worker sees the published policies of the unions *above* their
employer — the ones that apply to them — which no membership grants.
"""

from yuanmeng.orgs.models import Organisation
from yuanmeng.policies.models import Policy, PolicyStatus


def _related(qs):
    # superseded_by is a reverse one-to-one: joined here so a list shows it without a query per row.
    return qs.select_related("organisation", "superseded_by")


def ancestor_paths(organisation: Organisation) -> list[str]:
    """The paths of the organisation and every union above it: ``/1/4/17/`` → ``/1/``, ``/1/4/``, ``/1/4/17/``."""
    ids = organisation.path.strip("/").split("/")
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

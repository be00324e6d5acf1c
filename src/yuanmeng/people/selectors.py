"""Reads of workers, shared by pages, API, admin and exports; always scoped to the caller."""

from django.core.exceptions import ValidationError
from django.db.models import Q

from yuanmeng.core.crypto import blind_index
from yuanmeng.core.masking import mask_mobile
from yuanmeng.core.text import clean_search
from yuanmeng.core.validators import normalise_text, validate_id_number
from yuanmeng.orgs.models import Organisation
from yuanmeng.orgs.roles import Capability
from yuanmeng.orgs.scoping import within
from yuanmeng.people.models import MembershipState, Worker
from yuanmeng.people.permissions import CONFIRMS_MEMBERS, can_contact_worker, can_reveal_pii


def workers_named(term: str):
    """Workers whose full name starts with ``term`` (a surname, a full name), whatever the case of a Latin name
    ("aili" finds "Aili Maimaiti" on SQLite and PostgreSQL alike): a prefix, which an index serves on 3,000,000
    workers (``worker_name_upper_prefix``); a match in the middle of a name would read every worker."""
    return Worker.objects.filter(name__istartswith=term)


# Up to this many workers found by name are listed by their ids; more are dense enough among the newest to be found
# by walking the list's id order.
FEW_NAMED = 1_000


def _search(qs, search: str):
    """A full identity number is matched through its blind index, digits as the start of a mobile, else the start
    of the name."""
    term = normalise_text(clean_search(search))
    if len(term) == 18:
        try:
            return qs.filter(id_number_index=blind_index(validate_id_number(term)))
        except ValidationError:
            return qs.none()
    if term.isdigit():
        return qs.filter(mobile__startswith=term)
    return _named(qs, term)


def _named(qs, term: str):
    """The workers of ``qs`` whose name starts with ``term``. A page of a few of them is read by their ids (found
    first, from the name index): left to the planner, a page short enough (LIMIT 1 for one worker found) made it
    walk the id index newest first in the hope of meeting them soon, through 2,000,000 workers (2.2 s at 3,000,000)."""
    named = qs.filter(pk__in=workers_named(term).values("pk"))
    ids = list(named.order_by().values_list("pk", flat=True)[:FEW_NAMED])
    if len(ids) >= FEW_NAMED:
        return named
    return qs.filter(pk__in=ids) if ids else qs.none()  # (an empty IN cannot be written as SQL to count along)


def worker_list(*, user, search: str = "", organisation=None, job_category: str = "",
                priority: str = "", bank: str = "", capability: str = Capability.VIEW):
    qs = Worker.objects.restrict(user, capability).select_related(
        "employer", "employer__organisation", "employer__organisation__parent"
    )
    if organisation is not None:
        qs = qs.filter(within("employer__organisation__path", [organisation.path]))
    if job_category:
        qs = qs.filter(job_category=job_category)
    if priority == "migrant":
        qs = qs.filter(is_migrant_worker=True)
    elif priority == "new_form":
        qs = qs.filter(is_new_employment_form=True)
    elif priority == "model_worker":
        qs = qs.exclude(model_worker_level="")
    elif priority == "labour_medal":
        qs = qs.exclude(labour_medal_level="")
    if bank == "missing":
        qs = qs.filter(no_usable_account())
    if clean_search(search):
        qs = _search(qs, search)
    return qs


def worker_list_filtered(*, user, params) -> tuple:
    """The worker list page's filters read from its query string (``q``, ``org``, ``job_category``,
    ``priority``, ``bank``: ``missing`` for those a payment cannot reach), shared by the page and its export:
    ``(workers, organisation)``. An ``org`` that is malformed or outside the caller's scope raises
    ``Organisation.DoesNotExist``."""
    organisation = None
    org_id = params.get("org", "")
    if org_id:
        if not (org_id.isascii() and org_id.isdigit() and len(org_id) < 12):
            raise Organisation.DoesNotExist
        organisation = Organisation.objects.restrict(user).get(pk=int(org_id))
    workers = worker_list(user=user, search=params.get("q", ""), organisation=organisation,
                          job_category=params.get("job_category", ""), priority=params.get("priority", ""),
                          bank=params.get("bank", ""))
    return workers, organisation


def members_to_confirm(user, membership: str = MembershipState.PENDING):
    """Workers who signed up naming an enterprise in the caller's scope and wait for its union to confirm them,
    oldest first: the officer's queue and its count (home page, API). Scoped to those the caller may confirm
    (``permissions.CONFIRMS_MEMBERS``). ``membership=declined``: those declined, whom a wrong decline can still
    confirm."""
    return (Worker.objects.restrict(user, CONFIRMS_MEMBERS)
            .filter(membership=membership)
            .select_related("employer", "employer__organisation")
            .order_by("created_at", "id"))


def worker_get(*, user, worker_id: int, capability: str = Capability.VIEW) -> Worker:
    """The worker if the caller may see it; ``Worker.DoesNotExist`` otherwise (a 404, never a 403)."""
    return worker_list(user=user, capability=capability).get(pk=worker_id)


def worker_numbers(worker: Worker, user) -> dict:
    """Identity, bank and mobile numbers as this user may see them: in full, or masked."""
    if can_reveal_pii(user, worker):
        return {"id_number": worker.id_number, "bank_account": worker.bank_account, "masked": False,
                "birth_date": worker.birth_date, "mobile": worker.mobile}
    # The full birth date would give back most of the masked digits: the year is enough for a reviewer.
    return {"id_number": worker.id_number_masked, "bank_account": worker.bank_account_masked, "masked": True,
            "birth_date": None, "mobile": worker_mobile(worker, user)}


def worker_mobile(worker: Worker, user) -> str:
    """The mobile number in full for those who see identity numbers or contact workers; masked for the rest."""
    if can_reveal_pii(user, worker) or can_contact_worker(user, worker):
        return worker.mobile
    return mask_mobile(worker.mobile)


def no_usable_account_sql(worker: str = "w") -> str:
    """SQL true for a worker (table alias ``worker``) a payment cannot reach: no bank account on file, or the bank
    refused the last payment to it and it has not been corrected since. A payout round and a lottery's frozen list
    skip them; the plan page counts a policy's verified applicants among them and links to the queue of exactly
    those (``?policy=…&state=diploma_verified&bank=missing``)."""
    return f"({worker}.bank_account_masked = '' OR {worker}.bank_account_refused_at IS NOT NULL)"


def no_usable_account(path: str = "") -> Q:
    """``no_usable_account_sql`` for the ORM, over the worker at ``path`` (``"worker__"`` from an application):
    the worker list's and the application queue's ``bank=missing``."""
    return Q(**{f"{path}bank_account_masked": ""}) | Q(**{f"{path}bank_account_refused_at__isnull": False})

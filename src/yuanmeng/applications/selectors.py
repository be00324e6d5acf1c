"""Reads of applications, shared by pages, API and exports; always scoped to the caller."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from yuanmeng.applications.models import Application, Roster, RosterEntry
from yuanmeng.applications.workflow import ENDED_STATES, State
from yuanmeng.core.waiting import Waiting, waiting
from yuanmeng.orgs.models import Organisation, School
from yuanmeng.orgs.roles import Capability
from yuanmeng.orgs.scoping import has_capability, within
from yuanmeng.policies.models import Policy
from yuanmeng.policies.selectors import PayParts, pay_by_part

# Encrypted columns a list never shows: not read, not decrypted.
_UNREAD = ("worker__id_number", "worker__bank_account")


# Filter dates outside these are treated as these (no overflow at year 1 or 9999).
EARLIEST, LATEST = datetime.date(1990, 1, 1), datetime.date(2100, 12, 31)


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def application_list(*, user, state: str = "", level: str = "", policy_id: int | None = None,
                     organisation=None, worker_id: int | None = None, priority_group: str = "",
                     submitted_from: datetime.date | None = None, submitted_to: datetime.date | None = None):
    """Applications the user may see, with what a list shows joined in (a fixed number of queries a page).

    ``organisation``: only those of enterprises in its subtree. Dates are local days, both ends included;
    they become a range on ``submitted_at`` so the index is used.
    """
    qs = (Application.objects.restrict(user)
          .select_related("worker", "policy", "organisation", "school__organisation")
          .defer(*_UNREAD))
    if state:
        qs = qs.filter(state=state)
    if level:
        qs = qs.filter(level=level)
    if policy_id:
        qs = qs.filter(policy_id=policy_id)
    if worker_id:
        qs = qs.filter(worker_id=worker_id)
    if organisation is not None:
        qs = qs.filter(within("organisation__path", [organisation.path]))
    if priority_group:
        qs = qs.filter(priority_group=priority_group)
    if submitted_from:
        qs = qs.filter(submitted_at__gte=_start_of(max(submitted_from, EARLIEST)))
    if submitted_to:
        qs = qs.filter(submitted_at__lt=_start_of(min(submitted_to, LATEST) + datetime.timedelta(days=1)))
    return qs


def application_search(*, user, organisation_id: int | None = None, submitted_from: datetime.date | None = None,
                       submitted_to: datetime.date | None = None, **filters):
    """The API's application list (and its export): ``application_list`` with an organisation given by id. An
    organisation outside the caller's scope, or an end date before the start, is an error naming the parameter."""
    organisation = None
    if organisation_id is not None:
        organisation = Organisation.objects.restrict(user).filter(pk=organisation_id).first()
        if organisation is None:
            raise ValidationError({"organisation_id": [_("No such organisation in your scope.")]})
    if submitted_from and submitted_to and submitted_to < submitted_from:
        raise ValidationError({"submitted_to": [_("The end date is before the start date.")]})
    return application_list(user=user, organisation=organisation, submitted_from=submitted_from,
                            submitted_to=submitted_to, **filters)


def roster_list(*, user):
    """Rosters the user may see, with their school (the rosters page and its export)."""
    return Roster.objects.restrict(user).select_related("school__organisation")


def school_by_organisation(organisation_id: int, *, user=None) -> School | None:
    """A school by its organisation's id.

    Without ``user``: any active school — the reference list every applicant picks from. With it: only a school
    in the user's scope (to act for the school, e.g. upload its roster).
    """
    qs = School.objects.restrict(user) if user is not None else School.objects.all()
    return qs.select_related("organisation").filter(organisation_id=organisation_id,
                                                    organisation__is_active=True).first()




# ---- work waiting (home pages, and the queue's ``?waiting=`` filter) --------------------------------------------

def _on_roster() -> Exists:
    """The school's graduate roster lists this diploma's number, or this person at this level."""
    return Exists(RosterEntry.objects.filter(school_id=OuterRef("school_id")).filter(
        Q(certificate_number=OuterRef("certificate_number"))
        | Q(id_number_index=OuterRef("worker__id_number_index"), level=OuterRef("level"))))


@dataclass(frozen=True)
class WaitingWork:
    """A kind of application work: who does it (any of the capabilities) and which applications wait for it."""

    key: str
    label: str
    capabilities: tuple[str, ...]
    where: Callable[[], Q]


DIPLOMA_CHECKERS = (Capability.REVIEW_APPLICATIONS, Capability.APPROVE_APPLICATIONS)
WAITING_WORK = {work.key: work for work in (
    WaitingWork("confirm", _lazy("Applications to confirm"), (Capability.CONFIRM_APPLICATIONS,),
                lambda: Q(state=State.SUBMITTED)),
    WaitingWork("review", _lazy("Applications to review"), (Capability.REVIEW_APPLICATIONS,),
                lambda: Q(state=State.CONFIRMED)),
    WaitingWork("approve", _lazy("Applications to approve"), (Capability.APPROVE_APPLICATIONS,),
                lambda: Q(state=State.REVIEWED)),
    WaitingWork("diplomas", _lazy("Diplomas to verify"), DIPLOMA_CHECKERS,
                lambda: Q(state=State.DIPLOMA_SUBMITTED)),
    WaitingWork("roster_differences", _lazy("Diplomas that differ from the school's roster"), DIPLOMA_CHECKERS,
                lambda: Q(state=State.DIPLOMA_SUBMITTED) & Q(_on_roster())),
    WaitingWork("graduates", _lazy("Graduates waiting for your roster"), (Capability.MANAGE_ROSTERS,),
                lambda: Q(state=State.DIPLOMA_SUBMITTED) & ~Q(_on_roster())),
    WaitingWork("enrolments", _lazy("Enrolments waiting for your roster"), (Capability.MANAGE_ROSTERS,),
                lambda: Q(enrolment_confirmed__isnull=True) & ~Q(state__in=ENDED_STATES)),
)}


def waiting_applications(*, user, key: str, queryset=None):
    """The applications waiting for the work ``key`` where the user holds the capability to do it (of ``queryset``,
    all by default): the home page counts them, the queue's ``?waiting=key`` lists them (the same rows).

    Scoped by the work's capability, not by sight (``VIEW``), which would also add the user's own applications as a
    worker: an OR over a join of every worker that costs a scan at national scale. A school's staff see their
    students' applications only by sight (``SCOPE_ALSO``), so their work is scoped so."""
    work = WAITING_WORK[key]
    capability = next((c for c in work.capabilities if c != Capability.MANAGE_ROSTERS and has_capability(user, c)),
                      Capability.VIEW)
    base = Application.objects.all() if queryset is None else queryset
    return base.restrict(user, capability).filter(work.where())


def applications_waiting(user) -> list[tuple[WaitingWork, Waiting]]:
    """Each kind of application work the user's roles do, with its bounded count and oldest submission."""
    return [(work, waiting(waiting_applications(user=user, key=work.key), "submitted_at"))
            for work in WAITING_WORK.values()
            if any(has_capability(user, capability) for capability in work.capabilities)]


def application_pay(application: Application, matchings: list[Policy] | None = None) -> PayParts:
    """What the application will pay the worker, by part (city subsidy, district and enterprise top-ups), by the
    one rule a round's commit follows (``policies.selectors.pay_by_part``; ``matchings``: the policy's top-ups if
    already read): the application page, the API and the worker's home show the same figure."""
    return pay_by_part(policy=application.policy, level=application.level, organisation=application.organisation,
                       matchings=matchings)

"""Can this worker apply to this policy for this level? Yes or no, with every reason.

The same checks run for the worker's "check before applying" page, for an officer checking on a
worker's behalf, and again inside ``application_submit``.
"""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from yuanmeng.applications.models import Application
from yuanmeng.applications.workflow import ENDED_STATES, State
from yuanmeng.people.models import MembershipState, Worker
from yuanmeng.policies.groups import age_on
from yuanmeng.policies.models import Policy, PolicyStatus


@dataclass(frozen=True)
class Check:
    code: str
    passed: bool
    message: str


@dataclass
class Eligibility:
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(check.passed for check in self.checks)

    @property
    def failures(self) -> list[Check]:
        return [check for check in self.checks if not check.passed]

    def add(self, code: str, passed: bool, message: str) -> None:
        self.checks.append(Check(code, passed, message))


def months_between(start: datetime.date, end: datetime.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)


def _policy_checks(result: Eligibility, policy: Policy, level: str, programme_type: str | None,
                   today: datetime.date) -> None:
    window_open = policy.status == PolicyStatus.PUBLISHED and bool(policy.opens_on and policy.closes_on) \
        and policy.opens_on <= today <= policy.closes_on
    result.add("window", window_open, _("Applications are open (%(start)s to %(end)s).")
               % {"start": policy.opens_on or "—", "end": policy.closes_on or "—"} if window_open
               else _("The policy is not open for applications today."))
    covered = bool(policy.amount_fen(level))
    result.add("level", covered, _("The policy covers this education level.") if covered
               else _("The policy does not cover this education level."))
    if programme_type is not None:
        accepted = programme_type in policy.programme_types
        result.add("programme_type", accepted, _("The programme type is accepted.") if accepted
                   else _("The policy does not accept this programme type."))
    caps_ok = policy.max_applicants is None or policy.applicant_count < policy.max_applicants
    caps_ok = caps_ok and (policy.max_approvals is None or policy.approval_count < policy.max_approvals)
    result.add("intake", caps_ok, _("Places are still available.") if caps_ok
               else _("The policy has reached its intake limit; the channel is closed."))


def _membership_checks(result: Eligibility, worker: Worker, policy: Policy, today: datetime.date) -> None:
    employed = worker.employer_id is not None
    result.add("employer", employed, _("Linked to an enterprise.") if employed
               else _("Not linked to an enterprise yet."))
    if policy.local_employment_only:
        local = employed and worker.employer.organisation.is_within(policy.organisation)
        result.add("area", local, _("Employed in the union's area.") if local
                   else _("Not employed in the area of %(union)s.") % {"union": policy.organisation.name})
    since = worker.union_member_since
    months = months_between(since, today) if since else 0
    member_ok = since is not None and months >= policy.min_membership_months
    if worker.membership != MembershipState.CONFIRMED:  # signed up on their own, the union has not confirmed
        member_ok, message = False, _("Your union has not confirmed your membership yet.")
    elif since is None:
        message = _("Union membership is not confirmed yet.")
    elif member_ok:
        message = _("Union member for %(n)d months.") % {"n": months}
    else:
        message = _("Union member for %(n)d months; the policy asks for %(min)d.") % {
            "n": months, "min": policy.min_membership_months}
    result.add("membership", member_ok, message)


def _person_checks(result: Eligibility, worker: Worker, policy: Policy, today: datetime.date) -> None:
    if policy.job_categories:
        fits = worker.job_category in policy.job_categories
        result.add("job", fits, _("The job category qualifies.") if fits
                   else _("The policy is for other job categories."))
    age = age_on(worker.birth_date, today)
    young_enough = policy.max_age is None or age <= policy.max_age
    old_enough = policy.min_age is None or age >= policy.min_age
    result.add("age", young_enough and old_enough, _("Age %(age)d is within the policy's band.") % {"age": age}
               if young_enough and old_enough else _("Age %(age)d is outside the policy's band.") % {"age": age})


@dataclass(frozen=True)
class History:
    """The levels of a worker's other applications that are live, and those whose diploma was funded."""

    live_levels: frozenset[str]
    funded_levels: frozenset[str]


FUNDED_STATES = frozenset({State.DIPLOMA_VERIFIED, State.IN_BATCH, State.PAID})


def worker_history(worker: Worker, exclude_application: int | None = None) -> History:
    """One query, whatever the number of policies and levels checked against it."""
    others = list(Application.objects.filter(worker=worker).exclude(pk=exclude_application)
                  .values_list("level", "state"))
    return History(live_levels=frozenset(level for level, state in others if state not in ENDED_STATES),
                   funded_levels=frozenset(level for level, state in others if state in FUNDED_STATES))


def _history_checks(result: Eligibility, history: History, policy: Policy, level: str) -> None:
    live = level in history.live_levels
    result.add("duplicate", not live, _("No other live application for this level.") if not live
               else _("There is already a live application for this level (one per person)."))
    if policy.first_diploma_only:
        funded = level in history.funded_levels
        result.add("first_diploma", not funded, _("No diploma of this level funded before.") if not funded
                   else _("A diploma of this level was already funded: the subsidy is once per person."))


def check_eligibility(*, worker: Worker, policy: Policy, level: str, programme_type: str | None = None,
                      on: datetime.date | None = None, exclude_application: int | None = None,
                      history: History | None = None) -> Eligibility:
    """Every rule of the policy, each with its verdict and a sentence a worker understands. A page that checks
    many policies for one worker reads the worker's ``history`` once and passes it."""
    today = on or timezone.localdate()
    result = Eligibility()
    _policy_checks(result, policy, level, programme_type, today)
    _membership_checks(result, worker, policy, today)
    _person_checks(result, worker, policy, today)
    _history_checks(result, history or worker_history(worker, exclude_application), policy, level)
    return result

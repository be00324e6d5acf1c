"""The application lifecycle as data: (state, action) → who may do it, and the next state.

State keys are stable (stored in rows): rename labels, never keys. A transition is applied by
``services.application_transition`` with a conditional UPDATE on the old state.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from yuanmeng.orgs.roles import Capability


class State(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    CONFIRMED = "confirmed", _("Confirmed by enterprise union")
    REVIEWED = "reviewed", _("Reviewed by district")
    APPROVED = "approved", _("Approved (pre-registered)")
    RETURNED = "returned", _("Returned for correction")
    DIPLOMA_SUBMITTED = "diploma_submitted", _("Diploma submitted")
    DIPLOMA_RETURNED = "diploma_returned", _("Diploma returned for correction")
    DIPLOMA_VERIFIED = "diploma_verified", _("Diploma verified")
    IN_BATCH = "in_batch", _("In a payout batch")
    PAID = "paid", _("Paid")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Action(models.TextChoices):
    CONFIRM = "confirm", _("Confirm")
    REVIEW = "review", _("Pass review")
    APPROVE = "approve", _("Approve")
    RETURN = "return", _("Return for correction")
    REJECT = "reject", _("Reject")
    RESUBMIT = "resubmit", _("Resubmit")
    WITHDRAW = "withdraw", _("Withdraw")
    SUBMIT_DIPLOMA = "submit_diploma", _("Submit diploma")
    VERIFY_DIPLOMA = "verify_diploma", _("Verify diploma")
    RETURN_DIPLOMA = "return_diploma", _("Return diploma for correction")


# Who acts: the applicant themself, or staff holding a capability over the application.
APPLICANT = "applicant"
ENTERPRISE = Capability.CONFIRM_APPLICATIONS
DISTRICT = Capability.REVIEW_APPLICATIONS
CITY = Capability.APPROVE_APPLICATIONS

S, A = State, Action
TRANSITIONS: dict[tuple[str, str], tuple[frozenset[str], str]] = {
    (S.SUBMITTED, A.CONFIRM): (frozenset({ENTERPRISE}), S.CONFIRMED),
    (S.CONFIRMED, A.REVIEW): (frozenset({DISTRICT}), S.REVIEWED),
    (S.REVIEWED, A.APPROVE): (frozenset({CITY}), S.APPROVED),
    (S.RETURNED, A.RESUBMIT): (frozenset({APPLICANT, ENTERPRISE}), S.SUBMITTED),
    (S.APPROVED, A.SUBMIT_DIPLOMA): (frozenset({APPLICANT, ENTERPRISE}), S.DIPLOMA_SUBMITTED),
    (S.DIPLOMA_SUBMITTED, A.VERIFY_DIPLOMA): (frozenset({DISTRICT, CITY}), S.DIPLOMA_VERIFIED),
    (S.DIPLOMA_SUBMITTED, A.RETURN_DIPLOMA): (frozenset({DISTRICT, CITY}), S.DIPLOMA_RETURNED),
    (S.DIPLOMA_RETURNED, A.SUBMIT_DIPLOMA): (frozenset({APPLICANT, ENTERPRISE}), S.DIPLOMA_SUBMITTED),
}
# Each review step can also send back or refuse, by whoever holds that step.
for _state, _who in ((S.SUBMITTED, ENTERPRISE), (S.CONFIRMED, DISTRICT), (S.REVIEWED, CITY)):
    TRANSITIONS[(_state, A.RETURN)] = (frozenset({_who}), S.RETURNED)
    TRANSITIONS[(_state, A.REJECT)] = (frozenset({_who}), S.REJECTED)
for _state in (S.APPROVED, S.DIPLOMA_SUBMITTED, S.DIPLOMA_RETURNED):
    TRANSITIONS[(_state, A.REJECT)] = (frozenset({CITY}), S.REJECTED)
# The applicant may withdraw at any time before the money moves.
WITHDRAWABLE = (S.SUBMITTED, S.CONFIRMED, S.REVIEWED, S.RETURNED, S.APPROVED, S.DIPLOMA_SUBMITTED,
                S.DIPLOMA_RETURNED, S.DIPLOMA_VERIFIED)
for _state in WITHDRAWABLE:
    TRANSITIONS[(_state, A.WITHDRAW)] = (frozenset({APPLICANT}), S.WITHDRAWN)

NEEDS_REASON = frozenset({A.RETURN, A.REJECT, A.RETURN_DIPLOMA})
# Ended: no longer "live". A paid level may be funded again only where a policy allows more than a first diploma.
ENDED_STATES = frozenset({S.REJECTED, S.WITHDRAWN, S.PAID})
# The normal path, for the status timeline.
STEPS = [S.SUBMITTED, S.CONFIRMED, S.REVIEWED, S.APPROVED, S.DIPLOMA_SUBMITTED, S.DIPLOMA_VERIFIED, S.PAID]
# Where each review level's queue starts.
QUEUE_STATES = {ENTERPRISE: S.SUBMITTED, DISTRICT: S.CONFIRMED, CITY: S.REVIEWED}

"""The application lifecycle as data: (state, action) → who may make the move, and the next state.

Every move is here: those a person makes (the applicant, or staff holding a capability over the application)
and those a service makes for many applications at once (a payout round, the bank's results, an objection, the
application import). ``transitions.py`` applies them — it is the only writer of state and history. State and
action keys are stable (stored in rows): rename labels, never keys.
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
    SUBMIT = "submit", _("Submit")
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
    IN_BATCH = "in_batch", _("Put in a payout batch")
    OBJECTION = "objection", _("Objection during public notice")
    PAID = "paid", _("Paid")
    PAYMENT_FAILED = "payment_failed", _("Payment failed")


# Who acts: the applicant themself, or staff holding a capability over the application.
APPLICANT = "applicant"
ENTERPRISE = Capability.CONFIRM_APPLICATIONS
DISTRICT = Capability.REVIEW_APPLICATIONS
CITY = Capability.APPROVE_APPLICATIONS
PEOPLE = frozenset({APPLICANT, ENTERPRISE, DISTRICT, CITY})
# Services that move many applications at once, set-based; a person is never offered their moves.
ROUND_COMMIT = "system:payouts.round_commit"  # a ranked round, or the round of a lottery draw
OBJECTION_RAISE = "system:payouts.objection_raise"
BANK_RESULT_IMPORT = "system:payouts.bank_result_import"  # result_import, or the page's import of the valid rows
APPLICATION_IMPORT = "system:applications.application_import"
# The role a service's moves are recorded under in the history (stored in rows: keep).
SERVICE_ROLES = {ROUND_COMMIT: "payout", OBJECTION_RAISE: "payout", BANK_RESULT_IMPORT: "payout",
                 APPLICATION_IMPORT: ENTERPRISE}
# Where a new application comes from: its creation is the move ("", SUBMIT).
CREATED = ""

S, A = State, Action
TRANSITIONS: dict[tuple[str, str], tuple[frozenset[str], str]] = {
    (CREATED, A.SUBMIT): (frozenset({APPLICANT, ENTERPRISE, APPLICATION_IMPORT}), S.SUBMITTED),
    (S.SUBMITTED, A.CONFIRM): (frozenset({ENTERPRISE}), S.CONFIRMED),
    (S.CONFIRMED, A.REVIEW): (frozenset({DISTRICT}), S.REVIEWED),
    (S.REVIEWED, A.APPROVE): (frozenset({CITY}), S.APPROVED),
    (S.RETURNED, A.RESUBMIT): (frozenset({APPLICANT, ENTERPRISE}), S.SUBMITTED),
    (S.APPROVED, A.SUBMIT_DIPLOMA): (frozenset({APPLICANT, ENTERPRISE}), S.DIPLOMA_SUBMITTED),
    (S.DIPLOMA_SUBMITTED, A.VERIFY_DIPLOMA): (frozenset({DISTRICT, CITY}), S.DIPLOMA_VERIFIED),
    (S.DIPLOMA_SUBMITTED, A.RETURN_DIPLOMA): (frozenset({DISTRICT, CITY}), S.DIPLOMA_RETURNED),
    (S.DIPLOMA_RETURNED, A.SUBMIT_DIPLOMA): (frozenset({APPLICANT, ENTERPRISE}), S.DIPLOMA_SUBMITTED),
    (S.DIPLOMA_VERIFIED, A.IN_BATCH): (frozenset({ROUND_COMMIT}), S.IN_BATCH),
    (S.IN_BATCH, A.OBJECTION): (frozenset({OBJECTION_RAISE}), S.DIPLOMA_SUBMITTED),
    (S.IN_BATCH, A.PAID): (frozenset({BANK_RESULT_IMPORT}), S.PAID),
    (S.IN_BATCH, A.PAYMENT_FAILED): (frozenset({BANK_RESULT_IMPORT}), S.DIPLOMA_VERIFIED),
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

# The state a new application is created in (by ``application_submit`` or the import).
FIRST_STATE = TRANSITIONS[(CREATED, A.SUBMIT)][1]
# What a person may ask for on an application that exists (the pages' buttons, the API's transitions): neither
# the creation (``application_submit``, the import) nor the services' moves. Named Action in the API document.
PersonAction = models.TextChoices("Action", [(a.name, (a.value, a.label)) for a in Action if any(
    state != CREATED and actors & PEOPLE for (state, action), (actors, _next) in TRANSITIONS.items() if action == a)])

NEEDS_REASON = frozenset({A.RETURN, A.REJECT, A.RETURN_DIPLOMA})
# Ended: no longer "live". A paid level may be funded again only where a policy allows more than a first diploma.
ENDED_STATES = frozenset({S.REJECTED, S.WITHDRAWN, S.PAID})
# The normal path, for the status timeline.
STEPS = [S.SUBMITTED, S.CONFIRMED, S.REVIEWED, S.APPROVED, S.DIPLOMA_SUBMITTED, S.DIPLOMA_VERIFIED, S.PAID]
# Where each review level's queue starts.
QUEUE_STATES = {ENTERPRISE: S.SUBMITTED, DISTRICT: S.CONFIRMED, CITY: S.REVIEWED}

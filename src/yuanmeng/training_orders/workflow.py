"""A training order's lifecycle as data: (state, action) → the capability that may make the move, and the next state.

``services.order_transition`` applies it with a conditional UPDATE on the state it was read in. State and action
keys are stored in rows: rename labels, never keys. Assigning a school and teachers and scheduling sessions are
not moves: they are allowed while the order is ``accepted`` (``EDITABLE_STATES``).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from yuanmeng.orgs.roles import Capability


class State(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")
    COMPLETED = "completed", _("Completed")


class Action(models.TextChoices):
    REQUEST = "request", _("Request")
    ACCEPT = "accept", _("Accept")
    DECLINE = "decline", _("Decline the order")
    CANCEL = "cancel", _("Cancel")
    COMPLETE = "complete", _("Complete")


ENTERPRISE = Capability.ORDER_TRAINING
UNION = Capability.TAKE_TRAINING_ORDERS
CREATED = ""  # a new order's creation is the move ("", REQUEST)

S, A = State, Action
TRANSITIONS: dict[tuple[str, str], tuple[str, str]] = {
    (CREATED, A.REQUEST): (ENTERPRISE, S.REQUESTED),
    (S.REQUESTED, A.ACCEPT): (UNION, S.ACCEPTED),
    (S.REQUESTED, A.DECLINE): (UNION, S.DECLINED),
    (S.REQUESTED, A.CANCEL): (ENTERPRISE, S.CANCELLED),
    (S.ACCEPTED, A.COMPLETE): (UNION, S.COMPLETED),
}
NEEDS_REASON = frozenset({A.DECLINE})
# While accepted, the union assigns the school and teachers, schedules sessions and records attendance.
EDITABLE_STATES = frozenset({S.ACCEPTED})
FIRST_STATE = TRANSITIONS[(CREATED, A.REQUEST)][1]


def move(state: str, action: str) -> tuple[str, str] | None:
    """(capability, next state) of ``action`` from ``state``, or None where the table has no such move."""
    return TRANSITIONS.get((state, action))


def actions_from(state: str) -> list[str]:
    return [action for (from_state, action) in TRANSITIONS if from_state == state]

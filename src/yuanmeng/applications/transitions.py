"""The mechanics of a move: who may make it, the conditional UPDATE, and what is recorded with it.

The only writers of an application's state and history: ``apply_move`` for one application (a person's move),
``move_selected`` for many at once (a service's move). An application's first state is written where it is
created (``services.application_submit``, the import's INSERT); ``record_created`` and ``move_selected`` (from
``CREATED``) record the creation: its history, audit and message.
"""

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from yuanmeng.applications.models import Application, ApplicationEvent
from yuanmeng.applications.workflow import (
    APPLICANT,
    CITY,
    CREATED,
    DISTRICT,
    ENTERPRISE,
    PEOPLE,
    QUEUE_STATES,
    SERVICE_ROLES,
    TRANSITIONS,
    Action,
    State,
)
from yuanmeng.audit.services import audit_record
from yuanmeng.core.compiled import CompiledInsert
from yuanmeng.core.errors import PermissionDenied
from yuanmeng.core.sql import execute
from yuanmeng.notify.services import notify_worker, notify_workers_selected, worker_text
from yuanmeng.orgs.roles import Capability
from yuanmeng.orgs.scoping import has_capability


def acting_role(by, application: Application, actors: frozenset[str]) -> str | None:
    """The role in which ``by`` may make a move allowed to ``actors``, or None (always for a service's move)."""
    if APPLICANT in actors and application.worker.user_id is not None and application.worker.user_id == by.pk:
        return APPLICANT
    return staff_role(by, application.organisation.path, actors)


def staff_role(by, path: str, actors: frozenset[str]) -> str | None:
    """The capability in which ``by`` may make, as staff, a move allowed to ``actors`` on an application of the
    enterprise union at ``path``, or None (a bulk decision asks this of each row it read)."""
    for capability in sorted(actors & PEOPLE - {APPLICANT}):
        if has_capability(by, capability, path):
            return capability
    return None


# Why a person's move is not yours (translated when shown). While the application waits at a review level, the
# step is with that level; otherwise the move is only for those the table names.
WAITING_WITH = {
    ENTERPRISE: gettext_noop("The application is with the enterprise union of this worker."),
    DISTRICT: gettext_noop("The application is with the district union."),
    CITY: gettext_noop("The application is with the city union."),
}
ONLY_FOR = {
    frozenset({APPLICANT}): gettext_noop("Only the applicant may do this."),
    frozenset({APPLICANT, ENTERPRISE}): gettext_noop(
        "Only the applicant or the enterprise union of this worker may do this."),
    frozenset({ENTERPRISE}): gettext_noop("Only the enterprise union of this worker may do this."),
    frozenset({DISTRICT}): gettext_noop("Only the district union may do this."),
    frozenset({CITY}): gettext_noop("Only the city union may do this."),
    frozenset({DISTRICT, CITY}): gettext_noop("Only the district or the city union may do this."),
}


def refusal_reason(application: Application, people: frozenset[str]) -> str:
    """Why someone not among ``people`` may not make their move on ``application`` now."""
    holder = next(iter(people)) if len(people) == 1 else None
    if holder in WAITING_WITH and QUEUE_STATES[holder] == application.state:
        return _(WAITING_WITH[holder])
    return only_for(people)


def only_for(people: frozenset[str]) -> str:
    """Who may make a move, as the refusal of anyone else (a bulk decision asked by a role that never takes it)."""
    return _(ONLY_FOR[people]) if people in ONLY_FOR else _("Your role cannot do this at this step.")


def role_for_move(by, application: Application, actors: frozenset[str]) -> str:
    """The role in which ``by`` makes a move allowed to ``actors``; if none, refused with the reason
    ``allowed_actions`` gives for that move."""
    role = acting_role(by, application, actors)
    if role is None:
        raise PermissionDenied(refusal_reason(application, actors & PEOPLE))
    return role


def allowed_actions(by, application: Application) -> dict[str, tuple[bool, str]]:
    """Each move a person may make from the application's state, as (allowed, reason): whether ``by`` may make
    it now and, if not, why (the pages show it where the button would be). A service's move is never listed."""
    checks = {}
    for (state, action), (actors, _next) in TRANSITIONS.items():
        people = actors & PEOPLE
        if state == application.state and people:
            allowed = acting_role(by, application, people) is not None
            checks[action] = (True, "") if allowed else (False, refusal_reason(application, people))
    return checks


def may_act_for(by, worker) -> bool:
    if worker.user_id is not None and worker.user_id == by.pk:
        return True
    return worker.employer_id is not None and has_capability(
        by, Capability.CONFIRM_APPLICATIONS, worker.employer.organisation.path)


# The worker's message for a person's move (and the creation), by the state it reaches. A service's move
# (``move_selected``) brings its own text: a round's notice, the bank's answer, an objection.
STATE_MESSAGES = {
    State.SUBMITTED: gettext_noop("Your application has been received and waits for your enterprise union."),
    State.CONFIRMED: gettext_noop(
        "Your enterprise union confirmed your application; the district union reviews it next."),
    State.REVIEWED: gettext_noop("The district union passed your application; the city union decides next."),
    State.APPROVED: gettext_noop("Your pre-registration is approved. Submit your diploma when you graduate."),
    State.RETURNED: gettext_noop("Your application was returned for correction: %(reason)s"),
    State.DIPLOMA_SUBMITTED: gettext_noop("Your diploma has been received and is being verified."),
    State.DIPLOMA_RETURNED: gettext_noop("Your diploma was returned for correction: %(reason)s"),
    State.DIPLOMA_VERIFIED: gettext_noop(
        "Your diploma is verified. The subsidy will be paid in a coming payout round."),
    State.REJECTED: gettext_noop("Your application was rejected: %(reason)s"),
    State.WITHDRAWN: gettext_noop("Your application has been withdrawn."),
}
STATE_SUBJECT = gettext_noop("Study subsidy: %(state)s")
ABOUT_APPLICATION = "application"  # a message's about_kind: its about_id is an application's


def state_message(to_state: str, reason: str = "") -> tuple[str, str] | None:
    """The subject and body of the worker's message when an application reaches ``to_state`` by a person's move
    or its creation, in the workers' language; None for a state that has no such message."""
    template = STATE_MESSAGES.get(to_state)
    if template is None:
        return None
    return worker_text(STATE_SUBJECT, state=State(to_state).label), worker_text(template, reason=reason)


def about(application: Application) -> tuple[str, int, str]:
    """What a worker's message names and links: the application, by its number and its policy's title."""
    return ABOUT_APPLICATION, application.pk, application.policy.title


# An event's INSERT, compiled once: every step a person takes writes one.
_INSERT_EVENT = CompiledInsert(ApplicationEvent)


def record_event(application: Application, *, by, action: str, from_state: str, to_state: str, role: str,
            reason: str = "") -> None:
    _INSERT_EVENT(ApplicationEvent(application=application, action=action, from_state=from_state, to_state=to_state,
                                   actor=by if getattr(by, "pk", None) else None, actor_label=str(by or "system"),
                                   role=role, reason=reason))
    audit_record(actor=by, action=f"application.{action}", obj=application, organisation=application.organisation,
                 before={"state": from_state} if from_state else None,
                 after={"state": to_state, **({"reason": reason} if reason else {})})
    message = state_message(to_state, reason)
    if message is not None:
        subject, body = message
        notify_worker(worker=application.worker, subject=subject, body=body, about=about(application))


def apply_move(application: Application, *, by, action: str, role: str, reason: str = "", **changes) -> Application:
    """Apply one transition with a conditional UPDATE: if the state moved meanwhile, nothing happens."""
    actors, next_state = TRANSITIONS[(application.state, action)]
    updated = Application.objects.filter(pk=application.pk, state=application.state,
                                         version=application.version).update(
        state=next_state, updated_at=timezone.now(), version=F("version") + 1, **changes)
    if not updated:
        raise ValidationError(_("Someone else has acted on this application; reload it and try again."))
    from_state = application.state
    application.state, application.version = next_state, application.version + 1
    for name, value in changes.items():
        setattr(application, name, value)
    record_event(application, by=by, action=action, from_state=from_state, to_state=next_state, role=role,
                 reason=reason)
    return application


def record_created(application: Application, *, by, role: str) -> None:
    """The history, audit and message of an application just created in its first state by ``by``."""
    record_event(application, by=by, action=Action.SUBMIT, from_state=CREATED,
                 to_state=TRANSITIONS[(CREATED, Action.SUBMIT)][1], role=role)


def move_selected(*, selection: str, params: list, from_state: str, action: str, service: str, by, now,
                  subject: str, body_params: list, body_sql: str = "%s", reason_params: list | tuple = ("",),
                  reason_sql: str = "%s", message: str = "", detail_sql: str = "''") -> int:
    """Make the table's move (``from_state``, ``action``) for every application ``selection`` picks in
    ``from_state``, as ``service`` (which the table must name for that move: a service, or the capability of
    staff deciding many applications at once); how many moved.

    ``selection`` is a FROM … WHERE clause over ``applications_application a`` (joined to whatever it needs);
    ``reason_sql`` and ``body_sql`` are SQL expressions over its rows: the history's reason, the worker's
    message. Three statements: the history rows, the workers' messages (``notify_workers_selected``), one
    UPDATE of the state. Each message names its application; ``message`` (the ``worker_text`` each row's body is,
    with ``detail_sql`` as its reason; by default the body when it is one parameter) lets a reader see it in
    their own language. A creation (from ``CREATED``) updates nothing: the caller has just inserted the
    applications in their first state, and this records it.
    """
    actors, to_state = TRANSITIONS[(from_state, action)]
    if service not in actors:
        raise ValueError(f"{service} does not make the move {action} from {from_state!r}")
    at = connection.ops.adapt_datetimefield_value(now)  # as the ORM stores it (naive UTC on SQLite)
    where = f"{selection} AND a.state = %s"
    params = [*params, to_state if from_state == CREATED else from_state]
    recorded = execute(f"""
        INSERT INTO applications_applicationevent (application_id, action, from_state, to_state, actor_id,
                                                  actor_label, role, reason, at)
        SELECT a.id, %s, %s, %s, %s, %s, %s, {reason_sql}, %s {where}""",
                       [action, from_state, to_state, getattr(by, "pk", None), str(by or "system"),
                        SERVICE_ROLES.get(service, service), *reason_params, at, *params])
    if not message and body_sql == "%s":
        message = body_params[0]
    notify_workers_selected(selection=f"""
        SELECT w.user_id AS recipient_id, w.id AS worker_id, w.mobile AS mobile, chosen.body AS body,
               chosen.detail AS detail, chosen.about_id AS about_id, p.title AS about_label
        FROM (SELECT a.worker_id AS worker_id, {body_sql} AS body, {detail_sql} AS detail, a.id AS about_id,
                     a.policy_id AS policy_id {where}) chosen
        JOIN people_worker w ON w.id = chosen.worker_id
        JOIN policies_policy p ON p.id = chosen.policy_id""", params=[*body_params, *params], subject=subject,
                            now=now, body=message, about_kind=ABOUT_APPLICATION)
    if from_state == CREATED:
        return recorded
    return execute(f"""
        UPDATE applications_application SET state = %s, updated_at = %s, version = version + 1
        WHERE state = %s AND id IN (SELECT a.id {where})""", [to_state, at, from_state, *params])

"""The whole transition table: every allowed move works for exactly the roles it names; every other is refused."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from tests.builders import pdf
from yuanmeng.applications.models import Application, ApplicationEvent
from yuanmeng.applications.services import (
    application_resubmit,
    application_submit_diploma,
    application_transition,
)
from yuanmeng.applications.workflow import (
    APPLICANT,
    CITY,
    DISTRICT,
    ENTERPRISE,
    TRANSITIONS,
    Action,
    State,
)
from yuanmeng.audit.models import AuditEntry
from yuanmeng.core.errors import PermissionDenied
from yuanmeng.notify.models import Message

pytestmark = pytest.mark.django_db
ACTOR_GRANTS = {"applicant": APPLICANT, "enterprise": ENTERPRISE, "district": DISTRICT, "city": CITY}
_certificates = iter(range(10_000))


class Rollback(Exception):
    pass


def attempt(application: Application, user, action: str) -> str | None:
    """Try one move as ``user``; return the new state, or None if refused. Nothing is kept."""
    application = Application.objects.select_related("worker", "policy", "organisation", "school").get(
        pk=application.pk)
    try:
        with transaction.atomic():
            if action == Action.SUBMIT_DIPLOMA:
                application_submit_diploma(by=user, application=application,
                                           certificate_number=f"5116171202406{next(_certificates):05d}",
                                           graduation_date=datetime.date.today(), scan=pdf("毕业证.pdf"))
            elif action == Action.RESUBMIT:
                application_resubmit(by=user, application=application)
            else:
                application_transition(by=user, application=application, action=action, reason="理由")
            state = Application.objects.get(pk=application.pk).state
            raise Rollback(state)
    except Rollback as done:
        return done.args[0]
    except (ValidationError, PermissionDenied):
        return None


@pytest.mark.parametrize("state", [s for s in State.values if s not in (State.IN_BATCH, State.PAID)])
def test_every_move_from_each_state(tree, people, policy, state):
    application = tree.apply(people.worker, policy)
    Application.objects.filter(pk=application.pk).update(state=state)
    for action in Action.values:
        allowed = TRANSITIONS.get((state, action))
        for actor, user in people.by_actor().items():
            outcome = attempt(application, user, action)
            expected = allowed[1] if allowed and ACTOR_GRANTS.get(actor) in allowed[0] else None
            assert outcome == expected, (state, action, actor, outcome)


def test_a_full_journey_leaves_history_audit_and_messages(tree, people, policy):
    application = tree.apply(people.worker, policy)
    for user, action in ((people.enterprise, Action.CONFIRM), (people.district, Action.REVIEW),
                         (people.city, Action.APPROVE)):
        application = application_transition(by=user, application=application, action=action)
    application_submit_diploma(by=people.applicant, application=application,
                               certificate_number="511617120240500001",
                               graduation_date=datetime.date.today(), scan=pdf("毕业证.pdf"))
    application_transition(by=people.district, application=application, action=Action.VERIFY_DIPLOMA,
                           reason="核对原件无误")
    application.refresh_from_db()
    assert application.state == State.DIPLOMA_VERIFIED
    steps = list(ApplicationEvent.objects.filter(application=application).values_list("action", "role"))
    assert steps == [("submit", APPLICANT), ("confirm", ENTERPRISE), ("review", DISTRICT), ("approve", CITY),
                     ("submit_diploma", APPLICANT), ("verify_diploma", DISTRICT)]
    assert AuditEntry.objects.filter(object_type="applications.application", object_id=str(application.pk)).count() == 6
    assert Message.objects.filter(worker=people.worker).count() == 6


def test_return_needs_a_reason_and_the_worker_reads_it(tree, people, policy):
    application = tree.apply(people.worker, policy)
    with pytest.raises(ValidationError) as error:
        application_transition(by=people.enterprise, application=application, action=Action.RETURN)
    assert "reason" in error.value.message_dict
    application_transition(by=people.enterprise, application=application, action=Action.RETURN,
                           reason="学号与录取通知书不一致")
    assert "学号与录取通知书不一致" in Message.objects.filter(worker=people.worker).first().body


def test_corrections_are_applied_on_resubmission(tree, people, policy):
    application = tree.apply(people.worker, policy, student_number="WRONG")
    application_transition(by=people.enterprise, application=application, action=Action.RETURN, reason="学号错误")
    application_resubmit(by=people.applicant, application=application, student_number="2024440106001")
    application.refresh_from_db()
    assert application.state == State.SUBMITTED and application.student_number == "2024440106001"


def test_two_reviewers_at_once_one_wins(tree, people, policy):
    application = tree.apply(people.worker, policy)
    stale = Application.objects.get(pk=application.pk)
    application_transition(by=people.enterprise, application=application, action=Action.CONFIRM)
    with pytest.raises(ValidationError):
        application_transition(by=people.enterprise, application=stale, action=Action.REJECT, reason="迟到的决定")
    assert Application.objects.get(pk=application.pk).state == State.CONFIRMED

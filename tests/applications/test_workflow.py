"""The whole transition table: every allowed move works for exactly the roles it names; every other is refused;
every state is reached through the table; the services make their moves, and a person is never offered one."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tests.builders import pdf
from tests.jobs.test_application_imports import application_rows, run_applications
from tests.payouts.scale import verified_applications
from tests.payouts.test_results import approved_batch, result_file, row
from yuanmeng.applications import imports as application_imports
from yuanmeng.applications import transitions
from yuanmeng.applications.models import Application, ApplicationEvent
from yuanmeng.applications.services import (
    application_resubmit,
    application_submit_diploma,
    application_transition,
)
from yuanmeng.applications.workflow import (
    APPLICANT,
    CITY,
    CREATED,
    DISTRICT,
    ENTERPRISE,
    PEOPLE,
    ROUND_COMMIT,
    TRANSITIONS,
    Action,
    State,
)
from yuanmeng.audit.models import AuditEntry
from yuanmeng.core.errors import PermissionDenied
from yuanmeng.notify.models import Message
from yuanmeng.orgs.roles import Role
from yuanmeng.payouts import results as payout_results
from yuanmeng.payouts import services as payout_services
from yuanmeng.payouts.models import PaymentLine
from yuanmeng.payouts.services import objection_raise, result_import, round_commit
from yuanmeng.policies.models import DocumentKind

pytestmark = pytest.mark.django_db
ACTOR_GRANTS = {"applicant": APPLICANT, "enterprise": ENTERPRISE, "district": DISTRICT, "city": CITY}
_certificates = iter(range(10_000))
SERVICE_MOVES = {move: actors for move, (actors, _next) in TRANSITIONS.items() if not actors & PEOPLE}


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
                application_transition(by=user, application=application, action=action, reason="理由",
                                       checked_by_hand=True)
            state = Application.objects.get(pk=application.pk).state
            raise Rollback(state)
    except Rollback as done:
        return done.args[0]
    except (ValidationError, PermissionDenied):
        return None


@pytest.mark.parametrize("state", State.values)
def test_every_move_from_each_state(tree, people, policy, state):
    application = tree.apply(people.worker, policy)
    Application.objects.filter(pk=application.pk).update(state=state)
    for action in Action.values:
        allowed = TRANSITIONS.get((state, action))
        for actor, user in people.by_actor().items():
            outcome = attempt(application, user, action)
            expected = allowed[1] if allowed and ACTOR_GRANTS.get(actor) in allowed[0] else None
            assert outcome == expected, (state, action, actor, outcome)


def test_every_state_is_reached_from_a_new_application_through_the_table():
    reached, frontier = set(), {CREATED}
    while frontier:
        reached |= frontier
        frontier = {to for (state, _action), (_actors, to) in TRANSITIONS.items() if state in frontier} - reached
    assert reached - {CREATED} == set(State.values)


@pytest.mark.parametrize("state", State.values)
def test_a_person_is_never_offered_a_services_move(tree, people, policy, state):
    application = tree.apply(people.worker, policy)
    Application.objects.filter(pk=application.pk).update(state=state)
    application = Application.objects.select_related("worker", "organisation").get(pk=application.pk)
    services_actions = {action for (_state, action) in SERVICE_MOVES}
    for user in people.by_actor().values():
        assert not services_actions & set(transitions.allowed_actions(user, application))


def test_each_services_move_is_made_by_its_service_as_the_table_says(tree, monkeypatch):
    made = []

    def spy(**move):
        made.append(((move["from_state"], move["action"]), move["service"]))
        return transitions.move_selected(**move)

    for module in (payout_services, payout_results, application_imports):
        monkeypatch.setattr(module, "move_selected", spy)
    officer = tree.staff(Role.ENTERPRISE_OFFICER, tree.tianhe_firm.organisation)
    bulk_policy = tree.policy(code="GZ-BULK", required_documents=[DocumentKind.DIPLOMA])
    run_applications(officer, application_rows(tree, bulk_policy, [tree.member(name="工人")]))
    paying = approved_batch(tree)  # committed through round_commit: DIPLOMA_VERIFIED → IN_BATCH
    result_import(by=paying.finance, batch=paying.batch, upload=result_file([
        row(paying.lines[0]), row(paying.lines[1], "失败", "账号不存在")]))
    noticed = tree.policy(notice_days=5)
    verified_applications(tree, noticed, 1, start=500)
    round_ = round_commit(by=paying.admin, policy=noticed, budget=paying.city, limit_fen=10_000_000, code="R-notice")
    objection_raise(by=paying.admin, line=PaymentLine.objects.get(round=round_), reason="异议")

    assert {move for move, _service in made} == set(SERVICE_MOVES) | {(CREATED, Action.SUBMIT)}
    for move, service in made:
        assert service in TRANSITIONS[move][0]
    for from_state, action, to_state in ApplicationEvent.objects.values_list("from_state", "action", "to_state"):
        assert TRANSITIONS[(from_state, action)][1] == to_state
    with pytest.raises(ValueError):  # a service the table does not name for a move may not make it
        transitions.move_selected(selection="FROM applications_application a WHERE 1 = 1", params=[],
                                  from_state=State.IN_BATCH, action=Action.PAID, service=ROUND_COMMIT, by=None,
                                  now=timezone.now(), subject="", body_params=[""])


def test_a_full_journey_leaves_history_audit_and_messages(tree, people, policy):
    application = tree.apply(people.worker, policy)
    for user, action in ((people.enterprise, Action.CONFIRM), (people.district, Action.REVIEW),
                         (people.city, Action.APPROVE)):
        application = application_transition(by=user, application=application, action=action)
    application_submit_diploma(by=people.applicant, application=application,
                               certificate_number="511617120240500001",
                               graduation_date=datetime.date.today(), scan=pdf("毕业证.pdf"))
    application_transition(by=people.district, application=application, action=Action.VERIFY_DIPLOMA,
                           reason="核对原件无误", checked_by_hand=True)
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

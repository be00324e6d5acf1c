"""Every move a person may make from an application's state comes with (allowed, reason): the allowed ones with
no reason, the refused ones with the reason the page and the API show. The services' moves are never listed."""

import datetime

import pytest
from django.test import Client
from django.utils import translation

from yuanmeng.applications.models import Application
from yuanmeng.applications.services import application_resubmit, application_submit_diploma, application_transition
from yuanmeng.applications.transitions import allowed_actions
from yuanmeng.applications.workflow import APPLICANT, CITY, DISTRICT, ENTERPRISE, PEOPLE, TRANSITIONS, Action, State
from yuanmeng.core.errors import PermissionDenied

pytestmark = pytest.mark.django_db
ACTOR_GRANTS = {"applicant": APPLICANT, "enterprise": ENTERPRISE, "district": DISTRICT, "city": CITY}
IS_WITH_ENTERPRISE = "The application is with the enterprise union of this worker."
ONLY_APPLICANT = "Only the applicant may do this."


@pytest.fixture
def application(tree, people, policy):
    return tree.apply(people.worker, policy)


def in_state(application: Application, state: str) -> Application:
    Application.objects.filter(pk=application.pk).update(state=state)
    return Application.objects.select_related("worker", "organisation").get(pk=application.pk)


def english(user, application) -> dict[str, tuple[bool, str]]:
    with translation.override("en"):
        return allowed_actions(user, application)


@pytest.mark.parametrize("state", State.values)
def test_each_persons_move_is_allowed_without_reason_or_refused_with_one(people, application, state):
    application = in_state(application, state)
    moves = {action: actors for (from_state, action), (actors, _next) in TRANSITIONS.items()
             if from_state == state and actors & PEOPLE}
    for actor, user in people.by_actor().items():
        checks = english(user, application)
        assert list(checks) == list(moves), (state, actor)
        for action, (allowed, reason) in checks.items():
            assert allowed == (ACTOR_GRANTS.get(actor) in moves[action]), (state, action, actor)
            assert (reason == "") == allowed and "cannot do this" not in reason, (state, action, actor, reason)


def test_the_services_moves_are_never_offered_nor_listed(tree, application):
    for state in (State.IN_BATCH, State.PAID, State.REJECTED, State.WITHDRAWN):
        assert allowed_actions(tree.root_user, in_state(application, state)) == {}  # not even to a superuser
    verified = english(tree.root_user, in_state(application, State.DIPLOMA_VERIFIED))
    assert verified == {Action.WITHDRAW: (False, ONLY_APPLICANT)}


def test_the_reasons_name_who_holds_the_step(people, application):
    submitted = in_state(application, State.SUBMITTED)
    assert english(people.applicant, submitted) == {
        Action.CONFIRM: (False, IS_WITH_ENTERPRISE), Action.RETURN: (False, IS_WITH_ENTERPRISE),
        Action.REJECT: (False, IS_WITH_ENTERPRISE), Action.WITHDRAW: (True, "")}
    assert english(people.enterprise, submitted)[Action.WITHDRAW] == (False, ONLY_APPLICANT)
    confirmed = in_state(application, State.CONFIRMED)
    assert english(people.other_district, confirmed)[Action.REVIEW] == (
        False, "The application is with the district union.")
    assert english(people.district, in_state(application, State.REVIEWED))[Action.APPROVE] == (
        False, "The application is with the city union.")
    approved = english(people.district, in_state(application, State.APPROVED))
    assert approved[Action.REJECT] == (False, "Only the city union may do this.")
    assert approved[Action.SUBMIT_DIPLOMA] == (
        False, "Only the applicant or the enterprise union of this worker may do this.")
    waiting = english(people.enterprise, in_state(application, State.DIPLOMA_SUBMITTED))
    assert waiting[Action.VERIFY_DIPLOMA] == (False, "Only the district or the city union may do this.")


def test_the_reasons_are_translated(people, application):
    with translation.override("zh-hans"):
        checks = allowed_actions(people.applicant, in_state(application, State.SUBMITTED))
    assert checks[Action.CONFIRM] == (False, "申请正在该职工所在企业工会处理。")


def test_the_detail_page_says_why_a_button_is_missing(people, application, login):
    page = login(people.enterprise).get(f"/applications/{application.pk}/",
                                        HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'value="confirm"' in page and 'value="withdraw"' not in page
    assert "Why can't I …?" in page and f"Withdraw: {ONLY_APPLICANT}" in page
    own = login(people.applicant).get(f"/applications/{application.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert f"Confirm: {IS_WITH_ENTERPRISE}" in own.content.decode()


def test_the_api_detail_gives_the_refused_actions_with_their_reasons(people, application):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(people.applicant, backend="yuanmeng.accounts.backends.UsernameOrMobileBackend")
    body = client.get(f"/api/applications/{application.pk}").json()
    assert body["allowed_actions"] == ["withdraw"]
    assert body["refused_actions"] == [{"action": action, "reason": IS_WITH_ENTERPRISE}
                                       for action in ("confirm", "return", "reject")]


# Each service refuses a person's move with the reason allowed_actions gives for it (one function writes both).
REFUSED_BY_SERVICE = [
    (State.SUBMITTED, Action.CONFIRM, "applicant",
     lambda by, application: application_transition(by=by, application=application, action=Action.CONFIRM)),
    (State.RETURNED, Action.RESUBMIT, "district",
     lambda by, application: application_resubmit(by=by, application=application)),
    (State.APPROVED, Action.SUBMIT_DIPLOMA, "district",
     lambda by, application: application_submit_diploma(by=by, application=application, certificate_number="1",
                                                        graduation_date=datetime.date(2026, 7, 1))),
]


@pytest.mark.parametrize(("state", "action", "actor", "service"), REFUSED_BY_SERVICE,
                         ids=[action for _state, action, _actor, _service in REFUSED_BY_SERVICE])
def test_a_service_refuses_with_the_reason_allowed_actions_gives(people, application, state, action, actor,
                                                                 service):
    user = people.by_actor()[actor]
    application = in_state(application, state)
    allowed, reason = english(user, application)[action]
    assert not allowed and reason
    with translation.override("en"), pytest.raises(PermissionDenied) as refusal:
        service(user, application)
    assert str(refusal.value) == reason


def test_the_api_and_the_page_give_the_services_reason(people, application, login):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(people.applicant, backend="yuanmeng.accounts.backends.UsernameOrMobileBackend")
    answer = client.post(f"/api/applications/{application.pk}/transitions", {"action": "confirm"},
                         content_type="application/json")
    assert (answer.status_code, answer.json()) == (403, {"detail": IS_WITH_ENTERPRISE})
    page = login(people.applicant).post(f"/applications/{application.pk}/act/", {"action": "confirm"},
                                        HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert IS_WITH_ENTERPRISE in page.content.decode()
    assert Application.objects.get(pk=application.pk).state == State.SUBMITTED


def test_the_api_detail_works_out_the_checks_once(people, application, monkeypatch):
    calls = []

    def counted(user, checked):
        calls.append(checked.pk)
        return allowed_actions(user, checked)

    monkeypatch.setattr("yuanmeng.applications.api.allowed_actions", counted)
    client = Client()
    client.force_login(people.applicant, backend="yuanmeng.accounts.backends.UsernameOrMobileBackend")
    body = client.get(f"/api/applications/{application.pk}").json()
    assert calls == [application.pk] and body["allowed_actions"] == ["withdraw"] and len(body["refused_actions"]) == 3

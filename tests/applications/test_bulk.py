"""Bulk decisions: set-based, the single move's checks on every row, refusals reported one by one, large
selections as a background task (page and API)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from yuanmeng.applications.models import Application, ApplicationEvent
from yuanmeng.applications.services import applications_bulk_transition
from yuanmeng.applications.workflow import Action, State
from yuanmeng.audit.models import AuditEntry
from yuanmeng.jobs.models import Job, JobState
from yuanmeng.jobs.services import job_execute
from yuanmeng.notify.models import Message
from yuanmeng.policies.models import Policy

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    translation.activate("en")


def submitted(tree, policy, n, employer=None):
    return [tree.apply(tree.member(employer=employer, name=f"工人{i}"), policy) for i in range(n)]


def test_a_bulk_decision_moves_records_and_tells_each_worker_in_a_few_statements(tree, people, policy):
    applications = submitted(tree, policy, 5)
    ids = [a.pk for a in applications]
    messages_before = Message.objects.count()
    with CaptureQueriesContext(connection) as queries:
        result = applications_bulk_transition(by=people.enterprise, ids=ids, action=Action.CONFIRM)
    assert sorted(result.done) == ids and result.failed == {}
    assert set(Application.objects.filter(pk__in=ids).values_list("state", flat=True)) == {State.CONFIRMED}
    events = ApplicationEvent.objects.filter(application_id__in=ids, action=Action.CONFIRM)
    assert events.count() == 5 and {e.role for e in events} == {"confirm_applications"}
    assert Message.objects.count() == messages_before + 5
    entry = AuditEntry.objects.filter(action="application.confirm").latest("seq")
    assert entry.after["count"] == 5 and sorted(entry.after["applications"]) == ids
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().startswith(("INSERT", "UPDATE"))]
    assert len([w for w in writes if "applications_application" in w.split("SET")[0][:40]]) == 1
    assert len(queries.captured_queries) < 20  # the same for 5 as for 5,000


def test_each_refusal_names_the_application_and_the_others_move(tree, people, policy):
    mine = submitted(tree, policy, 2)
    elsewhere = tree.apply(tree.member(employer=tree.haizhu_firm), policy)
    confirmed = submitted(tree, policy, 1)[0]
    applications_bulk_transition(by=people.enterprise, ids=[confirmed.pk], action=Action.CONFIRM)
    changed = mine[1]
    seen = {changed.pk: changed.version + 7}
    result = applications_bulk_transition(by=people.enterprise, ids=[mine[0].pk, changed.pk, elsewhere.pk,
                                                                     confirmed.pk, 99_999_999],
                                          action=Action.CONFIRM, seen_versions=seen)
    assert result.done == [mine[0].pk]
    assert set(result.failed) == {changed.pk, elsewhere.pk, confirmed.pk, 99_999_999}
    assert "changed after you opened it" in result.failed[changed.pk]
    assert result.failed[elsewhere.pk] == result.failed[99_999_999]  # outside the scope: as if it did not exist
    assert Application.objects.get(pk=elsewhere.pk).state == State.SUBMITTED


def test_a_role_that_sees_but_may_not_decide_is_told_why(tree, people, policy):
    application = submitted(tree, policy, 1)[0]
    result = applications_bulk_transition(by=people.district, ids=[application.pk], action=Action.CONFIRM)
    assert result.done == [] and "enterprise union" in result.failed[application.pk]


def test_return_needs_a_reason_and_withdraw_is_not_a_bulk_decision(tree, people, policy):
    application = submitted(tree, policy, 1)[0]
    with pytest.raises(Exception, match="reason"):
        applications_bulk_transition(by=people.enterprise, ids=[application.pk], action=Action.RETURN)
    with pytest.raises(Exception, match="many applications"):
        applications_bulk_transition(by=people.applicant, ids=[application.pk], action=Action.WITHDRAW)
    done = applications_bulk_transition(by=people.enterprise, ids=[application.pk], action=Action.RETURN,
                                        reason="请补充录取通知书")
    assert done.done == [application.pk]
    assert ApplicationEvent.objects.get(application=application, action=Action.RETURN).reason == "请补充录取通知书"


def test_approval_stops_at_the_policys_limit_in_queue_order(tree, people):
    policy = tree.policy(max_approvals=2)
    applications = submitted(tree, policy, 3)
    ids = [a.pk for a in applications]
    applications_bulk_transition(by=people.enterprise, ids=ids, action=Action.CONFIRM)
    applications_bulk_transition(by=people.district, ids=ids, action=Action.REVIEW)
    result = applications_bulk_transition(by=people.city, ids=ids, action=Action.APPROVE)
    assert len(result.done) == 2 and len(result.failed) == 1
    assert "approval limit" in next(iter(result.failed.values()))
    assert Policy.objects.get(pk=policy.pk).approval_count == 2


def test_a_large_selection_runs_as_a_task_with_progress(tree, people, policy, login, settings):
    settings.BULK_DECISION_INLINE = 2
    applications = submitted(tree, policy, 5)
    client = login(people.enterprise)
    response = client.post("/applications/bulk/", {"all_matching": "1", "querystring": "state=submitted",
                                                   "action": "confirm"})
    job = Job.objects.get(kind="bulk_decision")
    assert response.status_code == 302 and response["Location"] == f"/tasks/{job.pk}/"
    assert job.total == 5
    job_execute(job.pk)
    job.refresh_from_db()
    assert job.state == JobState.DONE and job.done == 5 and job.result["done"] == 5
    page = client.get(f"/tasks/{job.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "applications decided" in page and "not changed" in page
    assert set(Application.objects.filter(pk__in=[a.pk for a in applications]).values_list("state", flat=True)) \
        == {State.CONFIRMED}


def test_the_api_decides_many_at_once_or_answers_202(tree, people, policy, settings):
    from django.test import Client

    from yuanmeng.accounts.services import api_token_issue

    applications = submitted(tree, policy, 3)
    _token, secret = api_token_issue(by=people.enterprise, name="t")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    ids = [a.pk for a in applications]
    outside = tree.apply(tree.member(employer=tree.haizhu_firm), policy)
    answer = client.post("/api/applications/bulk-transitions", {"action": "confirm",
                                                                 "ids": [ids[0], outside.pk, 99_999_999]},
                         content_type="application/json")
    assert answer.status_code == 200, answer.content
    refused = {row["id"]: row["reason"] for row in answer.json()["refused"]}
    assert answer.json()["done"] == [ids[0]] and refused[outside.pk] == refused[99_999_999]  # outside: as nowhere
    assert Application.objects.get(pk=outside.pk).state == State.SUBMITTED
    settings.BULK_DECISION_INLINE = 1
    answer = client.post("/api/applications/bulk-transitions", {"action": "confirm", "ids": ids[1:]},
                         content_type="application/json")
    assert answer.status_code == 202 and answer.json()["job"] == Job.objects.get(kind="bulk_decision").pk
    answer = client.post("/api/applications/bulk-transitions", {"action": "return", "ids": ids[1:]},
                         content_type="application/json")
    assert answer.status_code == 422 and "reason" in answer.json()["errors"]

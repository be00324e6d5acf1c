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
from yuanmeng.core.errors import PermissionDenied
from yuanmeng.jobs.models import Job, JobState
from yuanmeng.jobs.services import job_execute
from yuanmeng.notify.models import Message
from yuanmeng.orgs.roles import Role
from yuanmeng.orgs.services import membership_grant
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
    """A district reviewer who also confirms for the 海珠 enterprise sees the 天河 application but may not confirm
    it: refused for that application, with the reason."""
    application = submitted(tree, policy, 1)[0]
    membership_grant(by=tree.root_user, user=people.district, organisation=tree.haizhu_firm.organisation,
                     role=Role.ENTERPRISE_OFFICER)
    result = applications_bulk_transition(by=people.district, ids=[application.pk], action=Action.CONFIRM)
    assert result.done == [] and "enterprise union" in result.failed[application.pk]


def test_a_role_that_takes_the_decision_nowhere_is_refused_whole(tree, people, policy):
    application = submitted(tree, policy, 1)[0]
    for user in (people.district, people.auditor):
        with pytest.raises(PermissionDenied, match="Only the enterprise union"):
            applications_bulk_transition(by=user, ids=[application.pk], action=Action.CONFIRM)
    assert Application.objects.get(pk=application.pk).state == State.SUBMITTED


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
    response = all_matching(client, "state=submitted", action="confirm")
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


def all_matching(client, querystring: str, **fields):
    """Tick "all N matching" on the queue page as drawn now, and post the decision."""
    page = client.get(f"/applications/?{querystring}")
    shown = {"shown": page.context["page"].paginator.count, "drawn_at": page.context["drawn_at"].isoformat()}
    return client.post("/applications/bulk/", {"all_matching": "1", "querystring": querystring, **shown, **fields})


def test_all_matching_decides_only_what_the_page_counted(tree, people, policy, login):
    shown = submitted(tree, policy, 3)
    client = login(people.enterprise)
    page = client.get("/applications/?state=submitted")
    later = submitted(tree, policy, 1)[0]  # arrives after the page was drawn
    response = client.post("/applications/bulk/", {
        "all_matching": "1", "querystring": "state=submitted", "action": "confirm",
        "shown": page.context["page"].paginator.count, "drawn_at": page.context["drawn_at"].isoformat()})
    assert response.status_code == 302
    states = dict(Application.objects.values_list("id", "state"))
    assert {states[a.pk] for a in shown} == {State.CONFIRMED} and states[later.pk] == State.SUBMITTED


def test_all_matching_is_refused_when_the_list_changed_or_is_too_large(tree, people, policy, login):
    applications = submitted(tree, policy, 3)
    client = login(people.enterprise)
    page = client.get("/applications/?state=submitted")
    drawn = {"all_matching": "1", "querystring": "state=submitted", "action": "confirm",
             "drawn_at": page.context["drawn_at"].isoformat()}
    applications_bulk_transition(by=people.enterprise, ids=[applications[0].pk], action=Action.CONFIRM)  # a colleague
    refused = client.post("/applications/bulk/", {**drawn, "shown": 3}, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "The list changed since it was shown" in refused.content.decode()
    assert Application.objects.filter(pk__in=[a.pk for a in applications[1:]], state=State.SUBMITTED).count() == 2
    for broken in ({"shown": "x"}, {"shown": 2, "drawn_at": "yesterday"}, {"shown": 2, "drawn_at": "2026-01-01T00:00"}):
        answer = client.post("/applications/bulk/", {**drawn, **broken}, follow=True, HTTP_ACCEPT_LANGUAGE="en")
        assert "The list changed since it was shown" in answer.content.decode()
    too_many = client.post("/applications/bulk/", {**drawn, "shown": 100_001}, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "At most 100,000 applications" in too_many.content.decode()
    assert Application.objects.filter(state=State.SUBMITTED).count() == 2
    assert client.post("/applications/bulk/", {**drawn, "shown": 2}).status_code == 302
    assert Application.objects.filter(state=State.SUBMITTED).count() == 0


def test_each_group_of_a_bulk_decision_has_its_own_audit_entry(tree, people, policy):
    """A city officer rejects reviewed and approved applications at once: two moves, two entries."""
    applications = submitted(tree, policy, 4)
    ids = [a.pk for a in applications]
    applications_bulk_transition(by=people.enterprise, ids=ids, action=Action.CONFIRM)
    applications_bulk_transition(by=people.district, ids=ids, action=Action.REVIEW)
    applications_bulk_transition(by=people.city, ids=ids[:2], action=Action.APPROVE)
    before = AuditEntry.objects.count()
    result = applications_bulk_transition(by=people.city, ids=ids, action=Action.REJECT, reason="材料不实")
    assert sorted(result.done) == ids
    entries = AuditEntry.objects.filter(action="application.reject").order_by("seq")
    assert AuditEntry.objects.count() == before + 2
    groups = {entry.before["state"]: entry for entry in entries}
    assert set(groups) == {State.APPROVED, State.REVIEWED}
    assert sorted(groups[State.APPROVED].after["applications"]) == ids[:2]
    assert sorted(groups[State.REVIEWED].after["applications"]) == ids[2:]
    for entry in entries:
        assert entry.after["state"] == State.REJECTED and entry.after["count"] == 2
        assert entry.after["reason"] == "材料不实" and entry.organisation_id == tree.city.pk


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
    _token, secret = api_token_issue(by=people.auditor, name="a")
    auditor = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    answer = auditor.post("/api/applications/bulk-transitions", {"action": "confirm", "ids": ids},
                          content_type="application/json")
    assert answer.status_code == 403 and "企业工会" in answer.json()["detail"]

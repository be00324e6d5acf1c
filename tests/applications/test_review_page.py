"""The reviewer's detail page (membership date, bank account, every eligibility check), a diploma the roster did
not verify checked by hand only after a warning, required fields marked, and the queue's labelled, folded filters
with select-all and the questions asked before irreversible decisions."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.builders import pdf
from yuanmeng.applications.models import Application, ApplicationEvent
from yuanmeng.applications.services import application_submit_diploma, application_transition
from yuanmeng.applications.workflow import Action, State
from yuanmeng.audit.models import AuditEntry
from yuanmeng.people.models import Worker
from yuanmeng.policies.models import DocumentKind

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def diploma_waiting(tree, people, policy):
    application = tree.apply(people.worker, policy)
    for user, action in ((people.enterprise, Action.CONFIRM), (people.district, Action.REVIEW),
                         (people.city, Action.APPROVE)):
        application = application_transition(by=user, application=application, action=action)
    return application_submit_diploma(by=people.applicant, application=application,
                                      certificate_number="511617120240500001",
                                      graduation_date=datetime.date.today(), scan=pdf("毕业证.pdf"))


def test_the_reviewer_sees_membership_bank_account_and_every_check(tree, people, policy, login):
    application = tree.apply(people.worker, policy)
    page = login(people.district).get(f"/applications/{application.pk}/", **EN).content.decode()
    since = people.worker.union_member_since.isoformat()
    assert "Union member since" in page and since in page
    assert "on file" in page and people.worker.bank_account_masked in page
    assert people.worker.bank_account not in page  # masked, always
    assert "Eligibility checks" in page
    assert len(re.findall(r'<li class="ok">', page)) >= 3 and "passed: " in page
    Worker.objects.filter(pk=people.worker.pk).update(bank_account_refused_at=timezone.now())
    page = login(people.district).get(f"/applications/{application.pk}/", **EN).content.decode()
    assert "the bank refused the last payment" in page
    Worker.objects.filter(pk=people.worker.pk).update(bank_account_masked="", bank_account="")
    page = login(people.district).get(f"/applications/{application.pk}/", **EN).content.decode()
    assert "Bank account" in page and "missing" in page


def test_a_failed_check_shows_as_failed(tree, people, policy, login):
    application = tree.apply(people.worker, policy)
    Worker.objects.filter(pk=people.worker.pk).update(union_member_since=datetime.date.today())
    page = login(people.district).get(f"/applications/{application.pk}/", **EN).content.decode()
    assert '<li class="no"><span class="sr-only">not met: </span>' in page


def test_a_diploma_off_the_roster_is_verified_by_hand_only_after_the_warning(tree, people, policy, login):
    application = diploma_waiting(tree, people, policy)
    client = login(people.district)
    page = client.get(f"/applications/{application.pk}/", **EN).content.decode()
    assert "roster has not verified this diploma" in page and 'name="checked_by_hand"' in page
    client.post(f"/applications/{application.pk}/act/", {"action": "verify_diploma",
                                                          "version": application.version}, **EN)
    assert Application.objects.get(pk=application.pk).state == State.DIPLOMA_SUBMITTED
    client.post(f"/applications/{application.pk}/act/", {"action": "verify_diploma", "checked_by_hand": "1",
                                                          "version": application.version}, **EN)
    assert Application.objects.get(pk=application.pk).state == State.DIPLOMA_VERIFIED
    event = ApplicationEvent.objects.get(application=application, action=Action.VERIFY_DIPLOMA)
    assert "I checked the diploma myself" in event.reason or "我已亲自核对" in event.reason
    audit = AuditEntry.objects.filter(action="application.verify_diploma").latest("seq")
    assert audit.after["reason"] == event.reason


def test_the_diploma_scan_and_the_apply_forms_fields_are_marked_required(tree, people, policy, login):
    policy_with_diploma = tree.policy(required_documents=[DocumentKind.ENROLMENT_PROOF, DocumentKind.DIPLOMA])
    application = tree.apply(people.worker, policy_with_diploma)
    Application.objects.filter(pk=application.pk).update(state=State.APPROVED)
    client = login(people.applicant)
    page = client.get(f"/applications/{application.pk}/diploma/", **EN).content.decode()
    scan = re.search(r'<input[^>]*name="scan"[^>]*>', page).group(0)
    assert "required" in scan
    assert re.search(r'Diploma scan <span class="req" aria-hidden="true">\*</span>', page)
    assert "required-legend" in page
    page = client.get(f"/subsidy/{policy.pk}/apply/", **EN).content.decode()
    assert re.search(r'<input[^>]*name="major"[^>]*required', page)
    assert page.count('class="req"') >= 7  # six enrolment fields, the document, the legend


def test_the_queue_labels_every_filter_folds_them_and_selects_all(tree, people, policy, login):
    tree.apply(people.worker, policy)
    page = login(people.enterprise).get("/applications/", **EN).content.decode()
    form = re.search(r'<details class="filter-fold">.*?</details>', page, re.S).group(0)
    for name in ("state", "org", "level", "priority_group", "from", "to", "q"):
        assert re.search(rf'<label>[^<]+<(select|input)[^>]*name="{name}"', form), name
    assert "data-select-all" in page and 'name="all_matching"' in page and "all 1 matching the filters" in page
    assert "data-confirm=" in page and "{action}: {n} applications?" in page
    assert "yuanmeng/queue.js" in page


def test_the_queue_page_joins_only_what_it_shows(tree, people, policy, login):
    """The worker, the enterprise union and its parent; the policy only under a policy filter (its title heads the
    list). Every joined table costs PostgreSQL planning time on every page (decision 0020)."""
    tree.apply(people.worker, policy)
    client = login(people.district)
    for params, joined in (({"state": ""}, False), ({"state": "", "policy": policy.pk}, True)):
        with CaptureQueriesContext(connection) as queries:
            page = client.get("/applications/", params).content.decode()
        assert people.worker.name in page and (policy.title in page) == joined
        rows = next(q["sql"] for q in queries.captured_queries if q["sql"].startswith(
            'SELECT "applications_application"."id", "applications_application"."worker_id"'))
        assert '"people_worker"' in rows and '"orgs_school"' not in rows
        assert ('JOIN "policies_policy"' in rows) == joined


def test_withdraw_and_reject_ask_first(tree, people, policy, login):
    application = tree.apply(people.worker, policy)
    page = login(people.applicant).get(f"/applications/{application.pk}/", **EN).content.decode()
    assert re.search(r'value="withdraw"[^>]*data-confirm="Withdraw this application\?', page)
    page = login(people.enterprise).get(f"/applications/{application.pk}/", **EN).content.decode()
    assert re.search(r'value="reject"[^>]*data-confirm="Reject this application\?', page)

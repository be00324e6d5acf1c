"""The application pages: a worker applies and follows; reviewers filter, decide, act in bulk."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.builders import pdf
from yuanmeng.applications.models import Application
from yuanmeng.applications.workflow import State
from yuanmeng.policies.models import DocumentKind

pytestmark = pytest.mark.django_db


def form(tree, **overrides):
    data = {"level": "college", "programme_type": "open_university", "school": tree.school_profile.pk,
            "major": "数控技术", "study_mode": "part_time", "enrolment_date": "2025-09-01",
            "student_number": "2025440106123", f"document_{DocumentKind.ENROLMENT_PROOF}": pdf()}
    data.update(overrides)
    return data


def test_worker_sees_open_policies_with_reasons_and_applies(tree, people, policy, login):
    client = login(people.applicant)
    page = client.get("/subsidy/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert policy.title in page and "Places are still available." in page
    response = client.post(f"/subsidy/{policy.pk}/apply/", form(tree))
    application = Application.objects.get(worker=people.worker)
    assert response.status_code == 302 and response["Location"] == f"/applications/{application.pk}/"
    detail = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Submitted" in detail and "Confirmed by enterprise union" in detail  # done and ahead
    assert "Withdraw" in detail


def test_apply_form_names_the_bad_field(tree, people, policy, login):
    client = login(people.applicant)
    fake = SimpleUploadedFile("proof.pdf", b"MZ\x90\x00 not a pdf")
    response = client.post(f"/subsidy/{policy.pk}/apply/",
                           form(tree, **{f"document_{DocumentKind.ENROLMENT_PROOF}": fake}),
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "document_enrolment_proof" in response.context["form"].errors
    assert not Application.objects.exists()


def test_a_200_mb_upload_is_refused_before_it_is_read(tree, people, policy, login):
    client = login(people.applicant)
    response = client.post(f"/subsidy/{policy.pk}/apply/", form(tree), CONTENT_LENGTH=str(200 * 1024 * 1024))
    assert response.status_code == 413
    assert not Application.objects.exists()


def test_officer_decides_from_the_detail_page_and_return_needs_reason(tree, people, policy, login):
    application = tree.apply(people.worker, policy)
    client = login(people.enterprise)
    client.post(f"/applications/{application.pk}/act/", {"action": "return"})
    assert Application.objects.get(pk=application.pk).state == State.SUBMITTED
    client.post(f"/applications/{application.pk}/act/", {"action": "confirm"})
    assert Application.objects.get(pk=application.pk).state == State.CONFIRMED


def test_queue_opens_on_the_reviewers_own_step_and_filters(tree, people, policy, login):
    first = tree.apply(people.worker, policy)
    second = tree.apply(tree.member(name="第二位"), policy)
    client = login(people.district)
    assert list(client.get("/applications/").context["page"].object_list) == []  # nothing confirmed yet
    ticked = [f"{first.pk}:{first.version}", f"{second.pk}:{second.version}"]
    login(people.enterprise).post("/applications/bulk/", {"ids": ticked, "action": "confirm"})
    client = login(people.district)
    listed = client.get("/applications/").context["page"].object_list
    assert {a.pk for a in listed} == {first.pk, second.pk}
    listed = client.get("/applications/", {"q": "第二位"}).context["page"].object_list
    assert [a.pk for a in listed] == [second.pk]
    assert list(client.get("/applications/", {"state": "", "org": tree.haizhu.pk}).context["page"].object_list) == []


def test_bulk_reports_what_failed_and_why(tree, people, policy, login):
    application = tree.apply(people.worker, policy)
    client = login(people.district)
    ticked = [f"{application.pk}:{application.version}"]
    response = client.post("/applications/bulk/", {"ids": ticked, "action": "review"}, follow=True,
                           HTTP_ACCEPT_LANGUAGE="en")
    assert f"#{application.pk} not changed" in response.content.decode()
    assert Application.objects.get(pk=application.pk).state == State.SUBMITTED


def test_documents_are_served_only_in_scope(tree, people, policy, login):
    application = tree.apply(people.worker, policy)
    document = application.documents.get()
    assert login(people.district).get(f"/applications/documents/{document.pk}/").status_code == 200
    assert login(people.other_district).get(f"/applications/documents/{document.pk}/").status_code == 404
    assert login(people.applicant).get(f"/applications/documents/{document.pk}/").status_code == 200
    assert login(people.other_district).get(f"/applications/{application.pk}/").status_code == 404


def test_worker_submits_the_diploma_from_the_page(tree, people, policy, login):
    application = tree.apply(people.worker, policy)
    Application.objects.filter(pk=application.pk).update(state=State.APPROVED)
    client = login(people.applicant)
    response = client.post(f"/applications/{application.pk}/diploma/", {
        "certificate_number": "511617120250600077", "graduation_date": datetime.date.today().isoformat(),
        "scan": pdf("毕业证.pdf")})
    assert response.status_code == 302
    assert Application.objects.get(pk=application.pk).state == State.DIPLOMA_SUBMITTED


def test_policy_pages(tree, people, login):
    client = login(people.city)
    response = client.post("/policies/new/", {
        "organisation": tree.city.pk, "code": "GZ-2027", "title": "2027年求学圆梦", "year": 2027,
        "amount_college": "1500", "amount_bachelor": "1500.00", "annual_budget": "6,600,000",
        "programme_types": ["open_university", "online"], "min_membership_months": 6,
        "first_diploma_only": "on", "local_employment_only": "on",
        "opens_on": datetime.date.today().isoformat(), "closes_on": "2027-12-31",
        "required_documents": ["enrolment_proof"], "priority_1": "model_worker", "priority_2": "front_line",
        "selection": "ranking", "notice_days": 3})
    assert response.status_code == 302, response.context["form"].errors
    from yuanmeng.policies.models import Policy

    policy = Policy.objects.get(code="GZ-2027")
    assert policy.amount_college_fen == 150_000 and policy.annual_budget_fen == 660_000_000
    assert policy.priority_groups == ["model_worker", "front_line"]
    client.post(f"/policies/{policy.pk}/publish/")
    assert Policy.objects.get(pk=policy.pk).status == "published"
    assert client.get(f"/policies/{policy.pk}/edit/").status_code == 302  # frozen
    assert login(people.district).post(f"/policies/{policy.pk}/close/").status_code == 404


def test_school_uploads_a_roster_page(tree, people, login):
    client = login(people.school)
    assert client.get("/rosters/").status_code == 200
    assert login(people.district).get("/rosters/").status_code == 404


def test_the_worker_reads_every_message_about_their_application(tree, people, policy, login):
    application = tree.apply(people.worker, policy)
    from yuanmeng.applications.services import application_transition

    application_transition(by=people.enterprise, application=application, action="return", reason="学号与通知书不符")
    page = login(people.applicant).get("/me/messages/").content.decode()
    assert "学号与通知书不符" in page
    assert login(people.enterprise).get("/me/messages/").status_code == 404  # a worker's page: not staff's menu


def test_only_those_who_apply_for_workers_see_the_bulk_pre_registration(people, login):
    assert "/imports/applications/" in login(people.enterprise).get("/applications/").content.decode()
    assert "/imports/applications/" not in login(people.district).get("/applications/").content.decode()
    assert login(people.district).get("/imports/applications/").status_code == 404

"""Policies and applications over the API: what a provincial platform does without the pages."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from openpyxl import Workbook

from tests.builders import pdf
from yuanmeng.accounts.services import api_token_issue
from yuanmeng.applications import selectors
from yuanmeng.applications.api import _APPLICATION, _APPLICATION_PAGES
from yuanmeng.applications.documents import request_limit_bytes
from yuanmeng.applications.models import Application, ApplicationEvent, Document
from yuanmeng.applications.services import application_transition
from yuanmeng.applications.workflow import Action, State
from yuanmeng.audit.models import AuditEntry
from yuanmeng.policies.models import Level, Policy, PolicyStatus

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()
BIG = 200 * 1024 * 1024




@pytest.fixture
def policy(tree):
    return tree.policy()


def session(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user, backend="yuanmeng.accounts.backends.UsernameOrMobileBackend")
    return client


def token(user) -> Client:
    _token, secret = api_token_issue(by=user, name="provincial platform")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="en")


def form(tree, policy, **fields) -> dict:
    values = {"policy_id": policy.pk, "level": "college", "programme_type": "open_university",
              "school_id": tree.school.pk, "major": "机电一体化技术", "study_mode": "part_time",
              "enrolment_date": (TODAY - datetime.timedelta(days=800)).isoformat(), "student_number": "S2024001",
              "document_enrolment_proof": pdf()}
    values.update(fields)
    return {k: v for k, v in values.items() if v is not None}


def submitted(client, tree, policy, **fields) -> dict:
    response = client.post("/api/applications", form(tree, policy, **fields))
    assert response.status_code == 201, response.content
    return response.json()


def move(client, application_id, action, reason="", status=200, **fields) -> dict:
    response = client.post(f"/api/applications/{application_id}/transitions",
                           {"action": action, "reason": reason, **fields}, content_type="application/json")
    assert response.status_code == status, response.content
    return response.json()


def state_of(application_id) -> str:
    return Application.objects.get(pk=application_id).state


def roster_file(rows) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(["证书编号", "身份证号", "姓名", "层次", "专业", "毕业日期"])
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    return SimpleUploadedFile("roster.xlsx", data.getvalue())


class Unreadable:
    """A request body that records, and refuses, any attempt to read it."""

    def __init__(self):
        self.reads = 0

    def read(self, *args):
        self.reads += 1
        raise AssertionError("the body was read")

    readline = read


# ---- policies ------------------------------------------------------------------------------------

def test_policy_draft_edit_publish_supersede_close(tree, people):
    city = token(people.city)
    payload = {"organisation_id": tree.city.pk, "code": "GZ-2026-A", "title": "广州市职工求学圆梦资助",
               "year": TODAY.year, "amount_college_fen": 150_000, "programme_types": ["open_university"],
               "required_documents": ["enrolment_proof"], "priority_groups": ["model_worker", "front_line"],
               "opens_on": TODAY.isoformat(), "closes_on": (TODAY + datetime.timedelta(days=30)).isoformat()}
    created = city.post("/api/policies", payload, content_type="application/json")
    assert created.status_code == 201, created.content
    draft = created.json()
    assert draft["status"] == "draft" and draft["amount_college_fen"] == 150_000 and draft["levels"] == ["college"]

    patched = city.patch(f"/api/policies/{draft['id']}", {"amount_bachelor_fen": 300_000, "max_age": None},
                         content_type="application/json")
    assert patched.status_code == 200 and patched.json()["amount_bachelor_fen"] == 300_000
    bad = city.patch(f"/api/policies/{draft['id']}", {"title": None, "amount_college_fen": -1},
                     content_type="application/json")
    assert bad.status_code == 422 and {"title", "amount_college_fen"} <= {e["loc"][-1] for e in bad.json()["detail"]}
    bad = city.patch(f"/api/policies/{draft['id']}", {"min_age": 40, "max_age": 30}, content_type="application/json")
    assert bad.status_code == 422 and "max_age" in bad.json()["errors"]

    published = city.post(f"/api/policies/{draft['id']}/publish")
    assert published.status_code == 200 and published.json()["status"] == "published"
    frozen = city.patch(f"/api/policies/{draft['id']}", {"title": "改"}, content_type="application/json")
    assert frozen.status_code == 422 and "supersede" in frozen.json()["errors"]["__all__"][0]

    newer = city.post(f"/api/policies/{draft['id']}/supersede", {"code": "GZ-2026-B"}, content_type="application/json")
    assert newer.status_code == 201 and newer.json()["supersedes_id"] == draft["id"]
    taken = city.post(f"/api/policies/{draft['id']}/supersede", {"code": "GZ-2026-C"},
                      content_type="application/json")
    assert taken.status_code == 422
    city.post(f"/api/policies/{newer.json()['id']}/publish")
    original = city.get(f"/api/policies/{draft['id']}").json()
    assert original["status"] == "closed" and original["superseded_by_id"] == newer.json()["id"]
    closed = city.post(f"/api/policies/{newer.json()['id']}/close")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"


def test_policy_lists_are_scoped_and_workers_see_what_is_open_to_them(tree, people):
    city_policy = tree.policy()
    tree.policy(year=TODAY.year - 1, publish=False)
    tianhe_policy = tree.policy(organisation=tree.tianhe)
    haizhu_policy = tree.policy(organisation=tree.haizhu)
    tree.policy(organisation=tree.tianhe, publish=False)  # a draft is open to nobody

    listed = session(people.district).get("/api/policies").json()
    assert {p["id"] for p in listed["items"]} == set(
        Policy.objects.filter(organisation=tree.tianhe).values_list("pk", flat=True))
    city = session(people.city)
    assert city.get("/api/policies", {"year": TODAY.year - 1}).json()["count"] == 1
    assert city.get("/api/policies", {"status": "draft"}).json()["count"] == 2
    assert city.get("/api/policies", {"status": "nonsense"}).status_code == 422

    worker = session(people.applicant)
    assert worker.get("/api/policies").json()["count"] == 0  # no role: nothing to manage
    open_ = worker.get("/api/policies/open").json()
    assert {p["id"] for p in open_["items"]} == {city_policy.pk, tianhe_policy.pk}
    assert worker.get(f"/api/policies/{city_policy.pk}").status_code == 200
    assert worker.get(f"/api/policies/{haizhu_policy.pk}").status_code == 404
    officer = session(people.enterprise)  # applies on a worker's behalf
    on_behalf = officer.get("/api/policies/open", {"worker_id": people.worker.pk}).json()
    assert on_behalf["count"] == 2
    assert session(people.other_district).get("/api/policies/open", {"worker_id": people.worker.pk}).status_code == 404
    no_record = session(people.city).get("/api/policies/open")
    assert no_record.status_code == 422 and "worker_id" in no_record.json()["errors"]


def test_only_policy_managers_draft_policies(tree, people):
    payload = {"organisation_id": tree.tianhe.pk, "code": "TH-1", "title": "天河", "year": TODAY.year}
    refused = session(people.district).post("/api/policies", payload, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["detail"]
    unseen = session(people.other_district).post("/api/policies", payload, content_type="application/json")
    assert unseen.status_code == 422 and "organisation_id" in unseen.json()["errors"]
    assert not Policy.objects.filter(code="TH-1").exists()


# ---- submitting ----------------------------------------------------------------------------------

def test_a_worker_submits_with_documents_and_reads_it_back(tree, people, policy):
    client = session(people.applicant)
    body = submitted(client, tree, policy, document_fee_receipt=pdf("收据.pdf"))
    assert body["state"] == "submitted" and body["worker_name"] == "申请人"
    assert body["worker_id_number"] == people.worker.id_number_masked and "*" in body["worker_id_number"]
    assert body["amount_fen"] == 150_000 and body["school_id"] == tree.school.pk
    assert {d["kind"] for d in body["documents"]} == {"enrolment_proof", "fee_receipt"}
    assert all(d["url"] == f"/applications/documents/{d['id']}/" for d in body["documents"])
    assert [e["action"] for e in body["events"]] == ["submit"]
    assert body["allowed_actions"] == ["withdraw"]

    detail = client.get(f"/api/applications/{body['id']}")
    assert detail.status_code == 200
    for response in (detail, client.get("/api/applications")):
        assert people.worker.id_number not in response.content.decode()  # never the full number
    assert Document.objects.filter(application_id=body["id"]).count() == 2


def test_an_enterprise_officer_applies_for_a_worker_with_a_token(tree, people, policy):
    client = token(people.enterprise)
    body = submitted(client, tree, policy, worker_id=people.worker.pk)
    assert body["worker_id"] == people.worker.pk and "confirm" in body["allowed_actions"]
    stranger = tree.member(employer=tree.haizhu_firm, name="海珠职工")
    refused = client.post("/api/applications", form(tree, policy, worker_id=stranger.pk))
    assert refused.status_code == 422 and "worker_id" in refused.json()["errors"]


@pytest.mark.parametrize(("fields", "field"), [
    ({"document_enrolment_proof": SimpleUploadedFile("proof.pdf", b"GIF89a not a pdf at all")},
     "document_enrolment_proof"),
    ({"document_enrolment_proof": None}, "documents"),
    ({"school_id": 999_999}, "school_id"),
    ({"policy_id": 999_999}, "policy_id"),
    ({"study_mode": "by_post"}, "study_mode"),
    ({"enrolment_date": "2999-01-01"}, "enrolment_date"),
    ({"major": "   "}, "major"),
])
def test_bad_submissions_are_422_naming_the_field_and_write_nothing(tree, people, policy, fields, field):
    response = session(people.applicant).post("/api/applications", form(tree, policy, **fields))
    assert response.status_code == 422, response.content
    body = response.json()
    named = set(body["errors"]) if "errors" in body else {e["loc"][-1] for e in body["detail"]}
    assert field in named
    assert not Application.objects.exists() and not Document.objects.exists()


def test_a_file_that_claims_pdf_but_is_not_says_so(tree, people, policy):
    fake = SimpleUploadedFile("录取通知书.pdf", b"MZ\x90\x00 an executable", "application/pdf")
    response = session(people.applicant).post("/api/applications", form(tree, policy, document_enrolment_proof=fake))
    assert response.status_code == 422
    assert "not a PDF" in response.json()["errors"]["document_enrolment_proof"][0]


def test_an_ineligible_worker_is_told_every_reason(tree, people):
    policy = tree.policy(min_membership_months=24, max_age=30, job_categories=["service"])
    response = session(people.applicant).post("/api/applications", form(tree, policy))
    assert response.status_code == 422
    assert "24" in " ".join(response.json()["errors"]["__all__"])
    assert not Application.objects.exists()


def test_a_file_over_the_limit_is_refused(tree, people, policy, settings):
    settings.MAX_UPLOAD_BYTES = 1024
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * 4096)
    response = session(people.applicant).post("/api/applications", form(tree, policy, document_enrolment_proof=big))
    assert response.status_code == 422 and "document_enrolment_proof" in response.json()["errors"]


@pytest.mark.parametrize("path", ["/api/applications", "/api/applications/{id}/resubmit",
                                  "/api/applications/{id}/diploma", "/api/rosters"])
def test_a_200_mb_upload_is_413_without_being_read(tree, people, policy, path):
    application = tree.apply(people.worker, policy)
    client = session(people.applicant)
    body = Unreadable()
    response = client.generic("POST", path.format(id=application.pk), b"",
                              CONTENT_TYPE="multipart/form-data; boundary=xyz", CONTENT_LENGTH=str(BIG),
                              **{"wsgi.input": body})
    assert response.status_code == 413 and body.reads == 0
    limit_mb = request_limit_bytes() // (1024 * 1024)  # the limit the check enforces, not another figure
    assert f"at most {limit_mb} MB in one request" in response.json()["detail"]
    assert Application.objects.count() == 1 and Document.objects.count() == 1


def test_odd_input_is_a_4xx_never_a_500(tree, people, policy):
    huge = str(10**20)
    worker, city = session(people.applicant), session(people.city)
    for client in (worker, city):
        client.raise_request_exception = False
    responses = [
        city.get("/api/applications", {"policy_id": huge}),
        city.get("/api/applications", {"worker_id": huge, "organisation_id": huge}),
        city.get("/api/policies/open", {"worker_id": huge}),
        worker.get("/api/applications/eligibility", {"policy_id": huge, "level": "college"}),
        worker.post("/api/applications", form(tree, policy, school_id=huge)),
        worker.post("/api/applications", form(tree, policy, major="机电\x00一体化", student_number="x" * 41)),
        worker.post("/api/applications", "{}", content_type="application/json"),
        city.post("/api/policies", {"organisation_id": tree.city.pk, "code": "A\x00", "title": "t", "year": 2026},
                  content_type="application/json"),
        city.patch(f"/api/policies/{policy.pk}", {"parent_id": int(huge)}, content_type="application/json"),
        city.post("/api/rosters", {"school_id": tree.school.pk}),
        worker.post(f"/api/applications/{huge}/diploma", {"certificate_number": "1", "graduation_date": "soon"}),
    ]
    assert [r.status_code for r in responses] == [422] * len(responses)  # each a value of the wrong range or shape
    assert city.get(f"/api/applications/{huge}").status_code == 404  # no such application
    assert not Application.objects.exists()


# ---- eligibility ---------------------------------------------------------------------------------

def test_eligibility_returns_every_check_with_its_reason(tree, people):
    policy = tree.policy(min_membership_months=24, max_age=30, job_categories=["service"])
    client = session(people.applicant)
    response = client.get("/api/applications/eligibility", {"policy_id": policy.pk, "level": "college",
                                                             "programme_type": "online"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["ok"] is False
    checks = {c["code"]: c for c in body["checks"]}
    assert {"window", "level", "programme_type", "intake", "employer", "area", "membership", "job", "age",
            "duplicate", "first_diploma"} <= set(checks)
    assert {code for code, c in checks.items() if not c["passed"]} == {"membership", "job", "age"}
    assert "24" in checks["membership"]["message"] and all(c["message"] for c in body["checks"])

    good = tree.policy()
    on_behalf = session(people.enterprise).get("/api/applications/eligibility", {
        "policy_id": good.pk, "level": "college", "worker_id": people.worker.pk})
    assert on_behalf.status_code == 200 and on_behalf.json()["ok"] is True
    unseen = session(people.other_district).get("/api/applications/eligibility", {
        "policy_id": good.pk, "level": "college", "worker_id": people.worker.pk})
    assert unseen.status_code == 422 and "worker_id" in unseen.json()["errors"]
    assert client.get("/api/applications/eligibility", {"policy_id": good.pk, "level": "phd"}).status_code == 422


# ---- lists -----------------------------------------------------------------------------------------

def _applications(tree, policy, count, employer=None):
    for _ in range(count):
        worker = tree.member(employer=employer, name="职工")
        tree.apply(worker, policy)


def test_list_filters_and_paginates(tree, people, policy):
    _applications(tree, policy, 12)
    _applications(tree, policy, 3, employer=tree.haizhu_firm)
    client = session(people.city)
    response = client.get("/api/applications")
    assert response.json()["count"] == 15 and len(response.json()["items"]) == 15

    def count(**params):
        response = client.get("/api/applications", params)
        assert response.status_code == 200, response.content
        return response.json()["count"]

    assert count(organisation_id=tree.haizhu.pk) == 3
    assert count(organisation_id=tree.tianhe_firm.organisation.pk) == 12
    assert count(state="submitted", level="college", policy_id=policy.pk) == 15
    assert count(state="approved") == 0 and count(level="bachelor") == 0
    assert count(priority_group="front_line") == 15 and count(priority_group="model_worker") == 0
    assert count(submitted_from=TODAY.isoformat(), submitted_to=TODAY.isoformat()) == 15
    assert count(submitted_from=(TODAY + datetime.timedelta(days=1)).isoformat()) == 0
    assert count(submitted_to=(TODAY - datetime.timedelta(days=1)).isoformat()) == 0
    page = client.get("/api/applications", {"page": 2, "page_size": 4}).json()
    assert page["count"] == 15 and len(page["items"]) == 4
    everything = [a["id"] for p in (1, 2, 3, 4) for a in client.get(
        "/api/applications", {"page": p, "page_size": 4}).json()["items"]]
    assert len(set(everything)) == 15

    backwards = client.get("/api/applications", {"submitted_from": TODAY.isoformat(),
                                                  "submitted_to": (TODAY - datetime.timedelta(days=1)).isoformat()})
    assert backwards.status_code == 422 and "submitted_to" in backwards.json()["errors"]
    assert client.get("/api/applications", {"state": "lost"}).status_code == 422
    assert client.get("/api/applications", {"page": 10**9}).status_code == 422
    assert session(people.other_district).get("/api/applications").json()["count"] == 3
    assert session(people.school).get("/api/applications").json()["count"] == 15  # its students
    assert session(people.applicant).get("/api/applications").json()["count"] == 0  # not applied yet
    unseen = session(people.other_district).get("/api/applications", {"organisation_id": tree.tianhe.pk})
    assert unseen.status_code == 422 and "organisation_id" in unseen.json()["errors"]


def test_a_queue_compiled_once_gives_what_the_orm_list_gives(tree, people, policy, settings):
    """Lists filtered by plain values run a page query compiled once per shape of scope, filters and page
    (``orgs.scoping.CompiledScopedList``); a date filter takes the ORM's way. With a date that takes in every
    application, both must give the same pages, counts and "more" to every caller, page past the end and cap."""
    settings.PAGE_COUNT_CAP = 9
    _applications(tree, policy, 12)
    _applications(tree, policy, 3, employer=tree.haizhu_firm)
    mine = tree.apply(people.worker, policy)
    application_transition(by=people.enterprise, application=mine, action=Action.CONFIRM)
    every_day = {"submitted_from": (TODAY - datetime.timedelta(days=1)).isoformat()}
    for user in (people.city, people.district, people.other_district, people.school, people.worker.user,
                 people.enterprise):
        client = session(user)
        for params in ({}, {"state": "submitted"}, {"state": "confirmed", "level": "college"},
                       {"policy_id": policy.pk, "page": 2, "page_size": 4}, {"page": 9}, {"page_size": 200},
                       {"worker_id": people.worker.pk}, {"priority_group": "front_line", "page_size": 3}):
            compiled = client.get("/api/applications", params).json()
            assert compiled == client.get("/api/applications", {**params, **every_day}).json(), (user, params)
    assert session(people.city).get("/api/applications").json()["more"] is True
    assert _APPLICATION_PAGES.page_query.cache_info().hits  # the compiled pages did serve


def test_a_list_row_shows_the_names_and_amount_its_detail_shows(tree, people, policy):
    """The list joins its names to its page's rows (decision 0028), the detail follows its model row: they agree."""
    _applications(tree, policy, 2)
    _applications(tree, policy, 1, employer=tree.haizhu_firm)
    client = session(people.city)
    for row in client.get("/api/applications").json()["items"]:
        detail = client.get(f"/api/applications/{row['id']}").json()
        assert {key: detail[key] for key in row} == row
        assert (row["school_id"], row["school_name"], row["amount_fen"]) == (tree.school.pk, tree.school.name, 150_000)


def test_a_rows_state_label_is_in_the_callers_language(tree, people, policy):
    _applications(tree, policy, 1)
    client, labels = session(people.city), {}
    for language in ("en", "zh-hans", "en"):
        with translation.override(language):
            labels[language] = str(State.SUBMITTED.label)
        answer = client.get("/api/applications", HTTP_ACCEPT_LANGUAGE=language).json()
        assert [row["state_label"] for row in answer["items"]] == [labels[language]]
    assert labels["en"] != labels["zh-hans"]


def test_the_detail_shows_the_whole_history_and_every_document(tree, people, policy):
    application = tree.apply(people.worker, policy, documents={"enrolment_proof": pdf(), "fee_receipt": pdf()})
    for user, action in ((people.enterprise, Action.CONFIRM), (people.district, Action.REVIEW),
                         (people.city, Action.APPROVE)):
        application_transition(by=user, application=application, action=action)
    body = session(people.city).get(f"/api/applications/{application.pk}").json()
    assert len(body["events"]) == 4 and len(body["documents"]) == 2


# ---- moving through review -----------------------------------------------------------------------

def test_each_step_through_the_api(tree, people, policy):
    worker, enterprise = session(people.applicant), token(people.enterprise)
    district, city = session(people.district), token(people.city)
    application = submitted(worker, tree, policy)["id"]

    assert move(enterprise, application, "confirm")["state"] == "confirmed"
    assert move(district, application, "review")["state"] == "reviewed"
    body = move(city, application, "approve")
    assert body["state"] == "approved" and body["allowed_actions"] == ["reject"]
    assert Policy.objects.get(pk=policy.pk).approval_count == 1
    assert "submit_diploma" in worker.get(f"/api/applications/{application}").json()["allowed_actions"]

    diploma = {"certificate_number": "511617120240600001", "graduation_date": TODAY.isoformat(),
               "document_diploma": pdf("毕业证.pdf")}
    blank = worker.post(f"/api/applications/{application}/diploma", {**diploma, "certificate_number": "  "})
    assert blank.status_code == 422 and blank.json()["detail"][0]["loc"][-1] == "certificate_number"
    response = worker.post(f"/api/applications/{application}/diploma", {**diploma, "document_diploma": pdf()})
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "diploma_submitted"
    assert move(district, application, "return_diploma", "证书照片模糊")["state"] == "diploma_returned"
    response = worker.post(f"/api/applications/{application}/diploma", {**diploma, "document_diploma": pdf()})
    assert response.status_code == 200 and response.json()["state"] == "diploma_submitted"
    warned = move(district, application, "verify_diploma", status=422)  # not on a roster: checked by hand only
    assert "checked_by_hand" in warned["errors"]
    body = move(district, application, "verify_diploma", checked_by_hand=True)
    assert body["state"] == "diploma_verified" and body["certificate_number"] == "511617120240600001"
    assert move(worker, application, "withdraw")["state"] == "withdrawn"
    history = [(e["action"], e["to_state"]) for e in worker.get(f"/api/applications/{application}").json()["events"]]
    assert history == [("submit", "submitted"), ("confirm", "confirmed"), ("review", "reviewed"),
                       ("approve", "approved"), ("submit_diploma", "diploma_submitted"),
                       ("return_diploma", "diploma_returned"), ("submit_diploma", "diploma_submitted"),
                       ("verify_diploma", "diploma_verified"), ("withdraw", "withdrawn")]


def test_return_resubmit_and_the_other_ways_out(tree, people, policy):
    worker, enterprise = session(people.applicant), session(people.enterprise)
    district, city = session(people.district), session(people.city)
    application = submitted(worker, tree, policy)["id"]
    body = move(enterprise, application, "return", "请补充学籍证明")
    assert body["state"] == "returned" and body["events"][-1]["reason"] == "请补充学籍证明"
    response = worker.post(f"/api/applications/{application}/resubmit",
                           {"major": "电气自动化技术", "document_other": pdf("学籍证明.pdf")})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["state"] == "submitted" and body["major"] == "电气自动化技术" and len(body["documents"]) == 2
    again = worker.post(f"/api/applications/{application}/resubmit", {"major": "x"})
    assert again.status_code == 422 and again.json()["errors"]["__all__"]

    move(enterprise, application, "confirm")
    assert move(district, application, "return", "材料不全")["state"] == "returned"
    worker.post(f"/api/applications/{application}/resubmit", {})
    move(enterprise, application, "confirm")
    move(district, application, "review")
    assert move(city, application, "reject", "不符合条件")["state"] == "rejected"

    second = submitted(worker, tree, policy, student_number="S2")["id"]  # a rejection frees the level
    assert move(enterprise, second, "reject", "非本企业职工")["state"] == "rejected"
    third = submitted(worker, tree, policy, student_number="S3")["id"]
    assert move(worker, third, "withdraw")["state"] == "withdrawn"


def test_a_refused_step_says_why_and_changes_nothing(tree, people, policy):
    application = tree.apply(people.worker, policy)
    events, audits = ApplicationEvent.objects.count(), AuditEntry.objects.count()

    wrong_role = move(session(people.district), application.pk, "confirm", status=403)
    assert wrong_role["detail"] == "The application is with the enterprise union of this worker."
    wrong_step = move(session(people.city), application.pk, "approve", status=422)
    assert "not possible" in wrong_step["errors"]["action"][0]
    no_reason = move(session(people.enterprise), application.pk, "reject", status=422)
    assert "reason" in no_reason["errors"]
    dedicated = move(session(people.applicant), application.pk, "resubmit", status=422)
    assert "action" in dedicated["errors"]
    unknown = move(session(people.enterprise), application.pk, "fly", status=422)
    assert unknown["detail"][0]["loc"][-1] == "action"
    too_early = session(people.applicant).post(f"/api/applications/{application.pk}/diploma", {
        "certificate_number": "511617120240600001", "graduation_date": TODAY.isoformat(), "document_diploma": pdf()})
    assert too_early.status_code == 422 and too_early.json()["errors"]["__all__"]

    assert state_of(application.pk) == State.SUBMITTED
    assert ApplicationEvent.objects.count() == events and AuditEntry.objects.count() == audits
    assert Application.objects.get(pk=application.pk).certificate_number == ""


def test_out_of_scope_applications_are_404_for_reads_and_writes(tree, people, policy):
    application = tree.apply(people.worker, policy)
    stranger = session(people.other_district)
    other_worker = session(tree.member(name="别人").user)
    for client in (stranger, other_worker):
        assert client.get(f"/api/applications/{application.pk}").status_code == 404
        assert client.post(f"/api/applications/{application.pk}/transitions", {"action": "withdraw"},
                           content_type="application/json").status_code == 404
        assert client.post(f"/api/applications/{application.pk}/resubmit", {"major": "x"}).status_code == 404
        assert client.post(f"/api/applications/{application.pk}/diploma", {
            "certificate_number": "1", "graduation_date": TODAY.isoformat()}).status_code == 404
    assert session(people.city).get("/api/applications/999999").status_code == 404
    assert state_of(application.pk) == State.SUBMITTED
    assert Client().get(f"/api/applications/{application.pk}").status_code == 401



def test_the_application_a_step_acts_on_is_the_one_the_orm_finds_for_every_caller(tree, people, policy):
    """``_application`` reads it by a query compiled once per shape of scope: the same row, with the same relations,
    as the ORM's list, for those who see it and for those who do not (none)."""
    application = tree.apply(people.worker, policy)

    def shown(found):
        return [(a.pk, a.state, a.worker.name, a.policy.code, a.organisation.name,
                 a.school.organisation.name if a.school_id else None) for a in found]

    for user in (*people.by_actor().values(), tree.member(name="别人").user):
        expected = selectors.application_list(user=user).filter(pk=application.pk).first()
        assert shown(_APPLICATION(user, application_id=application.pk)) == shown([expected] if expected else [])
    assert not _APPLICATION(people.city, application_id=application.pk + 1000)

# ---- rosters -------------------------------------------------------------------------------------

def test_a_roster_uploaded_through_the_api_verifies_a_diploma(tree, people, policy):
    worker = session(people.applicant)
    application = submitted(worker, tree, policy)["id"]
    for client, action in ((token(people.enterprise), "confirm"), (session(people.district), "review"),
                           (session(people.city), "approve")):
        move(client, application, action)
    worker.post(f"/api/applications/{application}/diploma", {
        "certificate_number": "511617120240600007", "graduation_date": TODAY.isoformat(), "document_diploma": pdf()})
    school = token(people.school)

    broken = school.post("/api/rosters", {"school_id": tree.school.pk,
                                          "file": SimpleUploadedFile("r.xlsx", b"not a spreadsheet")})
    assert broken.status_code == 422 and "file" in broken.json()["errors"]
    wrong_row = school.post("/api/rosters", {"school_id": tree.school.pk, "file": roster_file(
        [["511617120240600007", "123", "申请人", "专科", "", TODAY.isoformat()]])})
    assert wrong_row.status_code == 422 and "row 2: " in wrong_row.json()["errors"]["file"][0]
    assert state_of(application) == State.DIPLOMA_SUBMITTED

    not_theirs = token(people.enterprise).post("/api/rosters", {"school_id": tree.school.pk, "file": roster_file([])})
    assert not_theirs.status_code == 422 and "school_id" in not_theirs.json()["errors"]
    response = school.post("/api/rosters", {"school_id": tree.school.pk, "file": roster_file(
        [["511617120240600007", people.worker.id_number, "申请人", "专科", "机电一体化技术", TODAY.isoformat()]])})
    assert response.status_code == 201, response.content
    report = response.json()
    assert (report["rows"], report["matched"], report["mismatched"]) == (1, 1, 0)
    assert report["school_id"] == tree.school.pk
    body = worker.get(f"/api/applications/{application}").json()
    assert body["state"] == "diploma_verified" and body["events"][-1]["role"] == "roster"


# ---- the document --------------------------------------------------------------------------------

def test_openapi_document_lists_the_new_paths(client):
    schema = client.get("/api/openapi.json").json()
    assert {
        "/api/policies", "/api/policies/open", "/api/policies/{policy_id}", "/api/policies/{policy_id}/publish",
        "/api/policies/{policy_id}/close", "/api/policies/{policy_id}/supersede", "/api/applications",
        "/api/applications/eligibility", "/api/applications/{application_id}",
        "/api/applications/{application_id}/transitions", "/api/applications/{application_id}/resubmit",
        "/api/applications/{application_id}/diploma", "/api/rosters",
    } <= set(schema["paths"])
    submit = schema["paths"]["/api/applications"]["post"]
    fields = submit["requestBody"]["content"]["multipart/form-data"]["schema"]["properties"]
    assert "document_enrolment_proof" in fields and "413" in submit["responses"]
    assert "fen" in str(schema["components"]["schemas"]["PolicyOut"]["properties"]["amount_college_fen"])


def test_published_policy_amounts_are_integers(tree, people, policy):
    body = session(people.city).get(f"/api/policies/{policy.pk}").json()
    assert body["amount_college_fen"] == 150_000 and isinstance(body["annual_budget_fen"], int)
    assert body["status"] == PolicyStatus.PUBLISHED and body["levels"] == [Level.COLLEGE, Level.BACHELOR]

"""The API: OpenAPI document, token authentication, and the same services and scope as the pages."""

import pytest

from tests.builders import id_number, mobile
from yuanmeng.accounts.services import api_token_issue
from yuanmeng.audit.models import AuditEntry
from yuanmeng.orgs.roles import Role

pytestmark = pytest.mark.django_db


def test_openapi_document_lists_the_endpoints(client):
    schema = client.get("/api/openapi.json").json()
    assert {"/api/workers", "/api/workers/{worker_id}", "/api/orgs", "/api/orgs/enterprises", "/api/me"} <= set(
        schema["paths"]
    )


def test_docs_page_loads_its_scripts_locally(client, tree, login):
    html = login(tree.root_user).get("/api/docs").content.decode()
    assert "swagger-ui-bundle.js" in html and "cdn" not in html.lower()


def test_token_authentication(tree, client):
    officer = tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe)
    _token, secret = api_token_issue(by=officer, name="provincial platform")
    me = client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {secret}").json()
    assert me["username"] == officer.username and me["roles"][0]["role"] == "district_reviewer"
    assert client.get("/api/me", HTTP_AUTHORIZATION="Bearer ym_wrong").status_code == 401
    assert "provincial platform" in AuditEntry.objects.get(action="api_token.issue").after["name"]


def test_register_read_and_patch_a_worker(tree, login):
    client = login(tree.staff(Role.ENTERPRISE_OFFICER, tree.tianhe_firm.organisation))
    payload = {"name": "孙丽", "id_number": id_number(birth="19950505"), "mobile": mobile(),
               "employer_id": tree.tianhe_firm.pk, "job_category": "service", "is_new_employment_form": True}
    created = client.post("/api/workers", payload, content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["birth_date"] is None and body["birth_year"] == 1995  # masked role: the year only
    assert body["id_number"].startswith("4401") and "*" in body["id_number"]
    patched = client.patch(f"/api/workers/{body['id']}", {"bank_name": "建设银行", "bank_account": "6217001234567893"},
                           content_type="application/json")
    assert patched.status_code == 200 and patched.json()["bank_account"] == "6217********7893"


def test_malformed_payload_is_422_not_500(tree, login):
    client = login(tree.staff(Role.ENTERPRISE_OFFICER, tree.tianhe_firm.organisation))
    response = client.post("/api/workers", {"name": 5}, content_type="application/json")
    assert response.status_code == 422
    response = client.post("/api/workers", "not json", content_type="application/json")
    assert response.status_code == 422 and response.json()["detail"] == "Cannot parse request body"

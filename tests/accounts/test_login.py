"""Log-in for staff (username) and workers (mobile), lock-out, sessions, CSRF and security headers."""

import pytest
from django.test import Client

from tests.builders import PASSWORD
from yuanmeng.orgs.roles import Role

pytestmark = pytest.mark.django_db


def post_login(client, username, password):
    return client.post("/login/", {"username": username, "password": password})


def test_staff_log_in_with_username(tree, client):
    officer = tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe, username="th_reviewer")
    response = post_login(client, "th_reviewer", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").context["user"] == officer


def test_worker_logs_in_with_mobile_number(tree, client):
    worker = tree.worker(mobile="13800138000")
    tree.worker_login(worker)
    response = post_login(client, "138 0013 8000", PASSWORD)
    assert response.status_code == 302
    assert client.get("/me/").status_code == 200


def test_wrong_password_is_refused(tree, client):
    tree.staff(Role.AUDITOR, tree.city, username="auditor1")
    response = post_login(client, "auditor1", "wrong-password")
    assert response.status_code == 200 and not response.context["user"].is_authenticated


def test_account_locks_after_five_failures(tree, client):
    tree.staff(Role.AUDITOR, tree.city, username="auditor2")
    for _ in range(5):
        post_login(client, "auditor2", "wrong-password")
    response = post_login(client, "auditor2", PASSWORD)
    assert response.status_code == 429
    assert "locked" in response.content.decode().lower() or "锁定" in response.content.decode()
    # another account from the same office is not affected
    tree.staff(Role.AUDITOR, tree.city, username="auditor3")
    assert post_login(client, "auditor3", PASSWORD).status_code == 302


def test_pages_need_login(client):
    response = client.get("/workers/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_api_needs_authentication(client):
    assert client.get("/api/workers").status_code == 401


def test_csrf_is_enforced(tree):
    tree.staff(Role.AUDITOR, tree.city, username="auditor4")
    client = Client(enforce_csrf_checks=True)
    assert post_login(client, "auditor4", PASSWORD).status_code == 403


def test_security_headers(client):
    response = client.get("/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["Referrer-Policy"] == "same-origin"


def test_session_cookie_is_http_only(tree, client):
    tree.staff(Role.AUDITOR, tree.city, username="auditor5")
    post_login(client, "auditor5", PASSWORD)
    assert client.cookies["sessionid"]["httponly"]
    assert client.cookies["sessionid"]["samesite"] == "Lax"


@pytest.mark.parametrize("spelling", ["ａｕｄｉｔｏｒ６", "audi tor6", "auditor6\u3000"])
def test_lock_out_cannot_be_dodged_by_respelling_the_name(tree, client, spelling):
    tree.staff(Role.AUDITOR, tree.city, username="auditor6")
    for _ in range(5):
        post_login(client, "auditor6", "wrong-password")
    assert post_login(client, spelling, PASSWORD).status_code == 429


def test_a_workers_mobile_and_internal_username_share_one_lock(tree, client):
    worker = tree.worker(mobile="13800138001")
    tree.worker_login(worker)
    for _ in range(5):
        post_login(client, "13800138001", "wrong-password")
    for spelling in ("w13800138001", "138 0013 8001", "+8613800138001"):
        assert post_login(client, spelling, PASSWORD).status_code == 429


def test_workers_cannot_issue_api_tokens(tree, login):
    worker = tree.worker()
    client = login(tree.worker_login(worker))
    assert client.get("/account/").status_code == 404
    client.post("/account/tokens/", {"name": "mine"})
    assert not worker.user.api_tokens.exists()


def test_staff_issue_and_revoke_tokens(tree, login, client):
    officer = tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe)
    page = login(officer)
    page.post("/account/tokens/", {"name": "省平台"})
    secret = page.session.get("new_token") or page.get("/account/").context["new_secret"]
    token = officer.api_tokens.get()
    assert Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    page.post(f"/account/tokens/{token.pk}/revoke/")
    assert Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401

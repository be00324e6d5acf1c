"""Log-in for staff (username) and workers (mobile), lock-out, sessions, CSRF and security headers."""

import pytest
from django.test import Client

from tests.builders import PASSWORD
from yuanmeng.accounts.backends import UsernameOrMobileBackend
from yuanmeng.accounts.models import User
from yuanmeng.orgs.models import Membership, Organisation
from yuanmeng.orgs.roles import Role
from yuanmeng.orgs.scoping import grants

pytestmark = pytest.mark.django_db


def post_login(client, username, password, address="127.0.0.1", **headers):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address, **headers)


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
    assert "吊销令牌“省平台”？" in page.get("/account/").content.decode()  # asks first
    assert Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    page.post(f"/account/tokens/{token.pk}/revoke/")
    assert Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401


def test_a_lock_holds_for_one_address_only(tree, client):
    tree.staff(Role.AUDITOR, tree.city, username="auditor7")
    for _ in range(5):
        post_login(client, "auditor7", "wrong-password", "203.0.113.9")
    assert post_login(client, "auditor7", PASSWORD, "203.0.113.9").status_code == 429
    # the owner, at their desk, is not locked out by someone elsewhere
    assert post_login(Client(), "auditor7", PASSWORD, "198.51.100.20").status_code == 302


def test_one_password_tried_on_many_accounts_from_one_address_is_stopped(tree, client, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 8
    for n in range(8):
        tree.staff(Role.AUDITOR, tree.city, username=f"spray{n}")
        post_login(client, f"spray{n}", "Summer2026!", "203.0.113.50")
    tree.staff(Role.AUDITOR, tree.city, username="sprayer")
    # every account, even a right password, is refused from that address; no single account had 5 failures
    assert post_login(client, "sprayer", PASSWORD, "203.0.113.50").status_code == 429
    assert post_login(Client(), "spray0", PASSWORD, "198.51.100.20").status_code == 302


def test_a_successful_log_in_does_not_clear_the_address_count(tree, client, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 8
    tree.staff(Role.AUDITOR, tree.city, username="own_account")
    for n in range(7):
        tree.staff(Role.AUDITOR, tree.city, username=f"target{n}")
        post_login(client, f"target{n}", "Summer2026!", "203.0.113.51")
    assert post_login(Client(), "own_account", PASSWORD, "203.0.113.51").status_code == 302
    post_login(client, "target0", "Autumn2026!", "203.0.113.51")
    assert post_login(Client(), "own_account", PASSWORD, "203.0.113.51").status_code == 429


@pytest.mark.parametrize("spelling", ["ｏｆｆｉｃｅｒ４８", "officer 48", " officer48\u3000"])
def test_spellings_of_a_username_log_in_and_count_alike(tree, client, spelling):
    tree.staff(Role.ENTERPRISE_OFFICER, tree.tianhe_firm.organisation, username="officer48")
    assert post_login(Client(), spelling, PASSWORD).status_code == 302
    for _ in range(5):
        post_login(client, spelling, "wrong-password")
    assert post_login(client, "officer48", PASSWORD).status_code == 429


@pytest.mark.parametrize("spelling", ["+8613800138009", "0086 138 0013 8009", "86-138-0013-8009",
                                      "+86 138-0013-8009", "１３８００１３８００９"])
def test_spellings_of_a_mobile_number_log_in_and_count_alike(tree, client, spelling):
    worker = tree.worker(mobile="13800138009")
    tree.worker_login(worker)
    assert post_login(Client(), spelling, PASSWORD).status_code == 302
    for _ in range(5):
        post_login(client, spelling, "wrong-password")
    for other in ("13800138009", "w13800138009"):
        assert post_login(client, other, PASSWORD).status_code == 429


def test_the_admin_log_in_follows_the_same_rules(tree, client):
    admin = tree.staff(Role.CITY_ADMIN, tree.city, username="cityadmin9")
    type(admin).objects.filter(pk=admin.pk).update(is_staff=True)
    response = Client().post("/admin/login/", {"username": "ｃｉｔｙａｄｍｉｎ９", "password": PASSWORD})
    assert response.status_code == 302
    for _ in range(5):
        client.post("/admin/login/", {"username": "city admin9", "password": "wrong-password"})
    assert client.post("/admin/login/", {"username": "cityadmin9", "password": PASSWORD}).status_code == 429


def test_a_forwarded_address_is_ignored_unless_the_operator_names_the_proxy(tree, client, settings):
    tree.staff(Role.AUDITOR, tree.city, username="auditor8")
    for n in range(5):  # an attacker who makes up a new X-Forwarded-For each time still counts as one address
        post_login(client, "auditor8", "wrong-password", "203.0.113.7", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
    assert post_login(client, "auditor8", PASSWORD, "203.0.113.7").status_code == 429


def test_behind_a_named_proxy_its_header_is_the_address(tree, client, settings):
    settings.CLIENT_IP_HEADER = "X-Forwarded-For"
    settings.TRUSTED_PROXIES = frozenset({"10.1.1.1"})
    tree.staff(Role.AUDITOR, tree.city, username="auditor9")
    def via(address, forwarded):
        return {"address": address, "HTTP_X_FORWARDED_FOR": forwarded}

    for _ in range(5):  # what the client wrote (left) is not believed; what the proxy added (right) is
        post_login(client, "auditor9", "wrong-password", **via("10.1.1.1", "198.51.100.1, 203.0.113.8"))
    assert post_login(Client(), "auditor9", PASSWORD, **via("10.1.1.1", "203.0.113.99")).status_code == 302
    assert post_login(client, "auditor9", PASSWORD, **via("10.1.1.1", "203.0.113.8")).status_code == 429
    # a request that does not come from the proxy cannot choose its address with the header
    assert post_login(Client(), "auditor9", PASSWORD, **via("198.51.100.7", "203.0.113.8")).status_code == 302


def test_an_administrator_lifts_locks_with_the_axes_commands(tree, client, settings):
    from django.core.management import call_command

    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 6
    tree.staff(Role.AUDITOR, tree.city, username="auditor10")
    for _ in range(5):
        post_login(client, "auditor10", "wrong-password")
    assert post_login(client, "auditor10", PASSWORD).status_code == 429
    call_command("axes_reset_username", "auditor10")
    assert post_login(client, "auditor10", PASSWORD).status_code == 302
    for n in range(6):
        tree.staff(Role.AUDITOR, tree.city, username=f"sprayed{n}")
        post_login(Client(), f"sprayed{n}", "wrong-password")
    assert post_login(Client(), "sprayed0", PASSWORD).status_code == 429
    call_command("axes_reset_ip", "127.0.0.1")
    assert post_login(Client(), "sprayed0", PASSWORD).status_code == 302


def test_a_sessions_user_comes_with_their_active_roles_in_one_query(tree, client, django_assert_num_queries):
    officer = tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe)
    Membership.objects.create(user=officer, organisation=tree.haizhu, role=Role.DISTRICT_REVIEWER)
    Organisation.objects.filter(pk=tree.haizhu.pk).update(is_active=False)
    backend = UsernameOrMobileBackend()
    with django_assert_num_queries(1):
        user = backend.get_user(officer.pk)
        held = [(grant.organisation_id, grant.role) for grant in grants(user)]
    assert user == officer and held == [(tree.tianhe.pk, Role.DISTRICT_REVIEWER)]
    assert backend.get_user(10**9) is None
    User.objects.filter(pk=officer.pk).update(is_active=False)
    assert backend.get_user(officer.pk) is None

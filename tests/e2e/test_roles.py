"""In a real browser on a phone-sized screen: each role logs in and lands on its home page."""

import pytest

from tests.builders import PASSWORD, Tree, id_number
from yuanmeng.orgs.roles import Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROLES = [
    (Role.ENTERPRISE_OFFICER, "firm", "天河精密制造有限公司工会"),
    (Role.DISTRICT_REVIEWER, "tianhe", "天河区总工会"),
    (Role.CITY_ADMIN, "city", "广州市总工会"),
    (Role.FINANCE_OFFICER, "city", "广州市总工会"),
    (Role.AUDITOR, "city", "最近变更"),
    (Role.SCHOOL_STAFF, "school", "广州开放大学"),
    (Role.VIEWER, "province", "广东省总工会"),
]


def log_in(page, base_url, username):
    page.goto(f"{base_url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base_url}/")


@pytest.fixture
def tree(transactional_db):
    tree = Tree()
    tree.worker(name="陈晓")
    return tree


def place(tree, where):
    return tree.tianhe_firm.organisation if where == "firm" else getattr(tree, where)


@pytest.mark.parametrize(("role", "where", "expected"), ROLES)
def test_role_lands_on_home_page_on_a_phone(live_server, tree, phone, screenshots, role, where, expected):
    tree.staff(role, place(tree, where), username=f"e2e_{role}")
    log_in(phone, live_server.url, f"e2e_{role}")
    assert expected in phone.content()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390 + 1  # nothing wider than the phone
    phone.screenshot(path=str(screenshots / f"home-{role}.png"), full_page=True)


def test_worker_logs_in_by_mobile_and_sees_own_record(live_server, tree, phone, screenshots):
    worker = tree.worker(name="林静", mobile="13800138000")
    tree.worker_login(worker)
    log_in(phone, live_server.url, "13800138000")
    assert "林静" in phone.content() and worker.id_number_masked in phone.content()
    phone.click("label.nav-button")
    with phone.expect_navigation():
        phone.click("nav >> text=我的信息")
    assert worker.id_number in phone.content()  # the worker may see their own number in full
    phone.screenshot(path=str(screenshots / "worker-my-record.png"), full_page=True)


def test_officer_fixes_a_bad_identity_number_then_saves(live_server, tree, phone, screenshots):
    tree.staff(Role.ENTERPRISE_OFFICER, tree.tianhe_firm.organisation, username="e2e_officer")
    log_in(phone, live_server.url, "e2e_officer")
    phone.goto(f"{live_server.url}/workers/new/")
    good = id_number(birth="19930412")
    phone.fill("#id_name", "郭伟")
    phone.fill("#id_id_number", good[:-1] + ("1" if good[-1] != "1" else "2"))
    phone.fill("#id_mobile", "13512345678")
    phone.select_option("#id_employer", label="天河精密制造有限公司")
    phone.select_option("#id_job_category", "production")
    phone.click("button[type=submit].primary")
    assert phone.locator("#id_id_number-error").inner_text() == "身份证号校验码不正确。"
    phone.screenshot(path=str(screenshots / "worker-form-error.png"), full_page=True)
    phone.fill("#id_id_number", good)
    phone.click("button[type=submit].primary")
    phone.wait_for_url("**/workers/*/")
    assert "郭伟" in phone.content() and "worker.register" in phone.content()


def test_switch_to_english(live_server, tree, phone):
    tree.staff(Role.CITY_ADMIN, tree.city, username="e2e_lang")
    log_in(phone, live_server.url, "e2e_lang")
    with phone.expect_navigation():
        phone.click("button[value=en]")
    assert "Register a worker" in phone.content()

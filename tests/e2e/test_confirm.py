"""In a real browser on a phone: an irreversible action asks first (static/yuanmeng/confirm.js); Cancel leaves
the state as it was, Confirm does the action, and without script the form posts as before."""

import pytest

from tests.e2e.test_roles import log_in
from yuanmeng.orgs.roles import Role
from yuanmeng.policies.models import PolicyStatus

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CLOSE = "form[action$='/close/'] button"


def open_policy(page, live_server, tree, policy, username="e2e_confirm"):
    tree.staff(Role.CITY_ADMIN, tree.city, username=username)
    log_in(page, live_server.url, username)
    page.goto(f"{live_server.url}/policies/{policy.pk}/")


def test_closing_a_policy_asks_first_and_cancel_keeps_it_open(live_server, tree, phone, screenshots):
    policy = tree.policy(title="2026 广州市资助")
    open_policy(phone, live_server, tree, policy)
    phone.click(CLOSE)
    dialog = phone.locator("dialog#confirm-dialog")
    assert dialog.is_visible()
    assert "关闭资助政策“2026 广州市资助”" in dialog.inner_text() and "不再接受新的申请" in dialog.inner_text()
    assert phone.evaluate("document.activeElement.value") == "cancel"  # the safe answer has the focus
    phone.screenshot(path=str(screenshots / "confirm-policy-close.png"))
    dialog.locator("button[value=cancel]").click()
    assert not dialog.is_visible()
    policy.refresh_from_db()
    assert policy.status == PolicyStatus.PUBLISHED
    phone.click(CLOSE)
    phone.keyboard.press("Escape")  # the keyboard's way out is a Cancel too
    assert not dialog.is_visible()
    policy.refresh_from_db()
    assert policy.status == PolicyStatus.PUBLISHED


def test_confirm_closes_the_policy(live_server, tree, phone):
    policy = tree.policy()
    open_policy(phone, live_server, tree, policy)
    phone.click(CLOSE)
    with phone.expect_navigation():
        phone.click("dialog#confirm-dialog button[value=confirm]")
    policy.refresh_from_db()
    assert policy.status == PolicyStatus.CLOSED


def test_without_script_the_form_posts_at_once(live_server, tree, browser):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    policy = tree.policy()
    open_policy(page, live_server, tree, policy)
    with page.expect_navigation():
        page.click(CLOSE)
    context.close()
    policy.refresh_from_db()
    assert policy.status == PolicyStatus.CLOSED

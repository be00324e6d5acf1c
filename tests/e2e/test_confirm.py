"""In a real browser on a phone: an irreversible action asks first (static/yuanmeng/confirm.js); Cancel leaves
the state as it was, Confirm does the action, and without script the form posts as before."""

import pytest

from tests.e2e.test_roles import log_in
from tests.payouts.scale import verified_applications
from yuanmeng.applications.workflow import State
from yuanmeng.funds.models import FundSource
from yuanmeng.funds.services import budget_create
from yuanmeng.orgs.roles import Role
from yuanmeng.payouts.models import BatchStatus
from yuanmeng.payouts.services import round_commit
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


def _cancel_then_confirm(page, button: str) -> str:
    """Click and cancel; the question's text."""
    dialog = page.locator("dialog#confirm-dialog")
    page.click(button)
    question = dialog.inner_text()
    dialog.locator("button[value=cancel]").click()
    assert not dialog.is_visible()
    return question


def _confirm(page, button: str, screenshot=None) -> None:
    page.click(button)
    if screenshot:
        page.screenshot(path=str(screenshot))
    with page.expect_navigation():
        page.click("dialog#confirm-dialog button[value=confirm]")


def test_a_worker_is_asked_before_withdrawing(live_server, tree, phone, screenshots):
    worker = tree.member(mobile="13800138011")
    application = tree.apply(worker, tree.policy())
    log_in(phone, live_server.url, "13800138011")
    phone.goto(f"{live_server.url}/applications/{application.pk}/")
    withdraw = "button[value=withdraw]"
    assert phone.get_attribute(withdraw, "data-confirm") in _cancel_then_confirm(phone, withdraw)  # the button's own
    application.refresh_from_db()
    assert application.state == State.SUBMITTED  # Cancel changed nothing
    _confirm(phone, withdraw, screenshots / "confirm-withdraw.png")
    application.refresh_from_db()
    assert application.state == State.WITHDRAWN  # the button's action=withdraw went with the form


def test_a_finance_officer_is_asked_before_approving_a_batch(live_server, tree, phone, screenshots):
    policy = tree.policy()
    budget = budget_create(by=tree.root_user, organisation=tree.city, year=policy.year, source=FundSource.SPECIAL,
                           name="专项", amount_fen=100_000 * 100)
    verified_applications(tree, policy, 3)
    round_ = round_commit(by=tree.root_user, policy=policy, budget=budget, limit_fen=4_500 * 100, code="R-ASK")
    batch = round_.batches.get()
    tree.staff(Role.FINANCE_OFFICER, tree.city, username="e2e_finance")
    log_in(phone, live_server.url, "e2e_finance")
    phone.goto(f"{live_server.url}/payouts/batches/{batch.pk}/")
    approve = "form[action$='/approve/'] button"
    question = _cancel_then_confirm(phone, approve)
    assert "3" in question and "4,500.00" in question  # the payments and the money it approves
    batch.refresh_from_db()
    assert batch.status != BatchStatus.APPROVED
    _confirm(phone, approve, screenshots / "confirm-batch-approve.png")
    batch.refresh_from_db()
    assert batch.status == BatchStatus.APPROVED


def test_without_request_submit_the_button_still_goes_with_the_form(live_server, tree, phone):
    """Safari before 15.4 has no requestSubmit: the confirmed form is sent with the button's name and value."""
    phone.add_init_script("delete HTMLFormElement.prototype.requestSubmit")
    worker = tree.member(mobile="13800138012")
    application = tree.apply(worker, tree.policy())
    log_in(phone, live_server.url, "13800138012")
    phone.goto(f"{live_server.url}/applications/{application.pk}/")
    _confirm(phone, "button[value=withdraw]")
    application.refresh_from_db()
    assert application.state == State.WITHDRAWN

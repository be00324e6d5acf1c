"""In a real browser: an enterprise union orders training on a phone; the district union accepts it, assigns a
school and a teacher, schedules a session, records attendance and completes it; the enterprise sees it done."""

import datetime

import pytest
from django.utils import timezone

from tests.builders import Tree
from tests.e2e.test_roles import log_in
from yuanmeng.orgs.roles import Role
from yuanmeng.training_orders.models import TrainingOrder
from yuanmeng.training_orders.services import teacher_create

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def setting(transactional_db):
    tree = Tree()
    officer = tree.staff(Role.ENTERPRISE_OFFICER, tree.tianhe_firm.organisation, username="order_officer")
    reviewer = tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe, username="order_reviewer")
    city = tree.staff(Role.CITY_ADMIN, tree.city, username="order_city")
    teacher_create(by=city, organisation=tree.city, name="王建国", specialities=["electrical"], school=tree.school)
    workers = [tree.worker(name=name) for name in ("陈一", "陈二")]
    return tree, officer, reviewer, workers


def test_an_enterprise_order_goes_from_request_to_completed(live_server, setting, phone, browser, screenshots,
                                                            monkeypatch):
    tree, _officer, _reviewer, workers = setting
    today = timezone.localdate()
    early = timezone.make_aware(datetime.datetime.combine(today, datetime.time(0, 1)))
    monkeypatch.setattr(timezone, "now", lambda: early)  # the session today at 09:00 is still to come
    base = live_server.url
    log_in(phone, base, "order_officer")
    phone.click("label.nav-button")
    phone.click("nav >> text=订单式培训")
    phone.click("a.button.primary")
    phone.fill("#id_topic", "低压电工安全操作")
    phone.select_option("#id_skill_category", "electrical")
    phone.fill("#id_head_count", "2")
    phone.fill("#id_preferred_place", "厂区培训室")
    phone.screenshot(path=str(screenshots / "training-order-new-phone.png"), full_page=True)
    phone.click("button[type=submit].primary")
    phone.wait_for_url("**/training-orders/*/")
    order = TrainingOrder.objects.get()
    phone.click("summary")
    for worker in workers:
        phone.check(f"input[name=workers][value='{worker.pk}']")
    with phone.expect_navigation():
        phone.click(f"form[action='/training-orders/{order.pk}/participants/'] button[type=submit]")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 391

    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    log_in(desk, base, "order_reviewer")
    desk.goto(f"{base}/training-orders/?state=requested")
    desk.click("text=低压电工安全操作")
    with desk.expect_navigation():
        desk.click(f"form[action='/training-orders/{order.pk}/accept/'] button")
    desk.select_option("#id_school", label="广州开放大学")
    desk.check("input[name=teachers] >> nth=0")
    with desk.expect_navigation():
        desk.click(f"form[action='/training-orders/{order.pk}/assign/'] button[type=submit]")
    desk.select_option("#id_teacher", label="王建国")
    desk.fill("#id_date", today.isoformat())
    desk.fill("#id_starts_at", "09:00")
    desk.fill("#id_ends_at", "11:30")
    with desk.expect_navigation():
        desk.click(f"form[action='/training-orders/{order.pk}/sessions/'] button[type=submit]")
    desk.screenshot(path=str(screenshots / "training-order-scheduled.png"), full_page=True)
    desk.click("table a >> text=" + today.isoformat())
    for worker in workers:
        desk.check(f"input[name=present][value='{worker.pk}']")
    with desk.expect_navigation():
        desk.click("button[type=submit].primary")
    desk.click(f"a[href='/training-orders/{order.pk}/']")
    desk.click(f"form[action='/training-orders/{order.pk}/complete/'] button")
    with desk.expect_navigation():
        desk.click("#confirm-dialog button[value=confirm]")
    desk.screenshot(path=str(screenshots / "training-order-completed.png"), full_page=True)

    order.refresh_from_db()
    assert (order.state, order.participant_count, order.minutes_total) == ("completed", 2, 300)
    phone.goto(f"{base}/training-orders/{order.pk}/")
    assert "已完成" in phone.content() or "Completed" in phone.content()
    phone.screenshot(path=str(screenshots / "training-order-done-phone.png"), full_page=True)

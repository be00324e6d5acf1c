"""In a real browser on a phone: a worker finds a learning centre near them (the browser's location) and enrols in a
course held there."""

import pytest

from tests.builders import Tree
from tests.e2e.test_roles import log_in
from tests.training.conftest import TIANHE, Network
from yuanmeng.training.models import Enrolment

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def located_phone(browser):
    """A phone standing at 天河城 that lets the page read its location."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale="zh-CN", permissions=["geolocation"],
                                  geolocation={"latitude": TIANHE[0] + 0.002, "longitude": TIANHE[1] + 0.003})
    yield context.new_page()
    context.close()


def test_a_worker_finds_a_centre_near_them_and_enrols_in_a_course(live_server, located_phone, screenshots):
    tree = Tree()
    network = Network(tree)
    worker = tree.member(name="陈晓")
    page = located_phone
    log_in(page, live_server.url, worker.mobile)
    page.goto(f"{live_server.url}/training/near/")
    page.click("#use-location")
    page.wait_for_url("**/training/near/?latitude=*")
    nearest = page.locator("ol.nearby li").first
    assert "天河区职工学习中心" in nearest.inner_text() and "0.4 km" in nearest.inner_text()
    assert page.locator("ol.nearby li").count() == 2  # the station 8 km east too; not 从化, 45 km away
    assert page.locator("svg circle.spot").count() == 2
    page.screenshot(path=str(screenshots / "training-near-me.png"), full_page=True)

    page.click("text=天河区职工学习中心")
    page.click("text=焊工中级实操班")
    with page.expect_navigation():
        page.click("form[action$='/enrol/'] button")
    assert "焊工中级实操班" in page.locator(".flash, .messages, [role=status]").first.inner_text() or \
        page.locator(".note").is_visible()
    enrolment = Enrolment.objects.get(worker=worker)
    assert enrolment.course == network.welding
    page.screenshot(path=str(screenshots / "training-enrolled.png"), full_page=True)

    page.goto(f"{live_server.url}/training/mine/")
    assert "焊工中级实操班" in page.locator("table").inner_text()

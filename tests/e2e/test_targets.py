"""In a real browser, on a phone: the targets page draws its percentages on a linear scale and fits the screen; a
target's page draws its line against the target."""

import datetime

import pytest

from tests.e2e.test_roles import log_in
from yuanmeng.orgs.roles import Role
from yuanmeng.stats.models import Measure, WorkerRollup
from yuanmeng.stats.services import stats_refresh
from yuanmeng.stats.target_services import target_set, target_share_allocate

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_targets_on_a_phone(live_server, tree, phone, screenshots):
    admin = tree.staff(Role.CITY_ADMIN, tree.city, username="e2e_targets")
    year = datetime.date.today().year
    stats_refresh()
    WorkerRollup.objects.create(organisation=tree.city, year=year, dimension="level", value="college", applying=30,
                                approved=30, graduated=3, paid=3)
    workers = target_set(by=admin, organisation=tree.city, measure=Measure.WORKERS_PAID, start_year=year,
                         end_year=year, value=3000)
    target_set(by=admin, organisation=tree.city, measure=Measure.APPROVED, start_year=year, end_year=year, value=40)
    target_share_allocate(by=admin, target=workers, organisation=tree.tianhe, value=1000)
    log_in(phone, live_server.url, "e2e_targets")
    phone.goto(f"{live_server.url}/stats/targets/")
    phone.wait_for_selector("#targets-chart svg")
    axis = phone.evaluate("echarts.getInstanceByDom(document.getElementById('targets-chart')).getOption().xAxis[0]")
    assert axis["type"] == "value"  # 0.1 % beside 75 % must not look alike on a log scale
    assert phone.locator("article.target").count() == 2
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    phone.screenshot(path=str(screenshots / "targets-phone.png"), full_page=True)
    phone.locator("article.target h3 a").first.click()
    phone.wait_for_selector("#target-chart svg")
    assert phone.locator("#target-chart svg text", has_text="3,000").count() >= 1  # the target's line, labelled
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    phone.screenshot(path=str(screenshots / "target-phone.png"), full_page=True)

"""In a real browser, on a phone: every chart of the dashboard draws, they stack in the page's width, and a child's
name leads down to its dashboard and the breadcrumbs back up."""

import pytest

from tests.e2e.test_roles import log_in
from tests.stats.test_api import figures  # noqa: F401  (the fixture: five applications, three budgets, refreshed)
from yuanmeng.orgs.roles import Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_dashboard_draws_every_chart_stacked_and_drills_down_and_up(live_server, tree, figures, phone,  # noqa: F811
                                                                         screenshots):
    tree.staff(Role.CITY_ADMIN, tree.city, username="e2e_dashboard")
    log_in(phone, live_server.url, "e2e_dashboard")
    phone.goto(f"{live_server.url}/stats/?year_from={figures}")
    phone.wait_for_selector("[data-chart] svg")
    boxes = phone.locator("[data-chart]")
    assert boxes.count() >= 8
    assert phone.locator("[data-chart] svg").count() == boxes.count()  # every chart drew
    widths = boxes.evaluate_all("boxes => boxes.map(b => b.getBoundingClientRect().width)")
    assert min(widths) > 300  # one below the other, each the card's width
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390 + 1  # wide tables scroll inside
    phone.screenshot(path=str(screenshots / "dashboard-city-phone.png"), full_page=True)
    phone.locator("#workers table a", has_text=tree.tianhe.name).first.click()
    phone.wait_for_url(f"**/stats/{tree.tianhe.pk}/**")
    assert tree.tianhe.name in phone.locator("h1").inner_text()
    phone.locator("nav.crumbs a", has_text=tree.city.name).click()
    phone.wait_for_url(f"**/stats/{tree.city.pk}/**")
    assert f"year_from={figures}" in phone.url  # the same years, down and up

"""In a real browser on a phone: the yearly report reads without the page scrolling sideways, prints without the
site's frame, and its button downloads the PDF."""

import pytest

from tests.e2e.test_roles import log_in
from yuanmeng.funds.models import FundSource
from yuanmeng.funds.services import budget_create
from yuanmeng.orgs.roles import Role
from yuanmeng.stats.services import stats_refresh

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_report_on_a_phone_prints_and_downloads(live_server, tree, phone, screenshots):
    budget_create(by=tree.root_user, organisation=tree.city, year=2026, source=FundSource.SPECIAL, name="专项",
                  amount_fen=1_500_000_000)
    stats_refresh()
    tree.staff(Role.CITY_ADMIN, tree.city, username="e2e_report")
    log_in(phone, live_server.url, "e2e_report")
    phone.goto(f"{live_server.url}/stats/report/?year=2026")
    assert phone.locator("h1").inner_text().startswith("广州市总工会")
    assert phone.locator(".report-chart svg").count() >= 1
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone.screenshot(path=str(screenshots / "report-phone.png"), full_page=True)
    phone.emulate_media(media="print")
    assert not phone.locator(".topbar").is_visible() and not phone.locator(".report-tools").is_visible()
    phone.emulate_media(media="screen")
    with phone.expect_download() as download:
        phone.get_by_role("button", name="下载 PDF").click()
    path = download.value.path()
    assert open(path, "rb").read(4) == b"%PDF" and download.value.suggested_filename == "广州市总工会-2026.pdf"

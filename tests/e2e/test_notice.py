"""In a real browser on a phone, without logging in: the public notice lists the workers to be paid (masked) and
says how to object."""

import pytest

from tests.payouts.scale import id_number, verified_applications
from yuanmeng.funds.models import FundSource
from yuanmeng.funds.services import budget_create
from yuanmeng.payouts.services import round_commit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_public_notice_on_a_phone_without_log_in(live_server, tree, phone, screenshots):
    tree.city.contact_phone, tree.city.address = "12351", "广州市越秀区东风中路"
    tree.city.save(update_fields=["contact_phone", "address"])
    policy = tree.policy(notice_days=5)
    budget = budget_create(by=tree.root_user, organisation=tree.city, year=policy.year, source=FundSource.SPECIAL,
                           name="专项", amount_fen=10_000_000)
    verified_applications(tree, policy, 27)
    verified_applications(tree, policy, 3, start=27, employer=tree.haizhu_firm)
    round_commit(by=tree.root_user, policy=policy, budget=budget, limit_fen=4_500_000, code="GZ-N-E2E")

    phone.goto(f"{live_server.url}/notices/")
    phone.click("text=GZ-N-E2E")
    phone.wait_for_url("**/notices/GZ-N-E2E/")
    rows = phone.locator("table tbody tr")
    assert rows.count() == 25 and "职*0" in rows.first.inner_text()  # a page of the list, names masked
    objection = phone.locator("#object")
    assert objection.is_visible() and "12351" in objection.inner_text() and "东风中路" in objection.inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # the wide table scrolls in its box
    html = phone.content()
    assert id_number(0) not in html and "公示中" in html
    phone.screenshot(path=str(screenshots / "public-notice.png"), full_page=True)

    phone.fill("input[name=q]", "海珠")  # an enterprise by part of its name (never a person)
    phone.press("input[name=q]", "Enter")
    phone.wait_for_url("**q=*")
    assert phone.locator("table tbody tr").count() == 3
    objection.scroll_into_view_if_needed()
    phone.screenshot(path=str(screenshots / "public-notice-search.png"))

"""In a real browser: the budget chart draws from its json_script block, whatever the enterprises are called."""

import pytest

from tests.e2e.test_roles import log_in
from yuanmeng.funds.models import FundSource
from yuanmeng.funds.services import budget_create
from yuanmeng.orgs.roles import Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_budget_chart_draws_and_a_hostile_name_stays_text(live_server, tree, phone, screenshots):
    firm = tree.enterprise(tree.tianhe, "</script><h1 id=pwned>x</h1>")
    budget_create(by=tree.root_user, organisation=firm.organisation, year=2026, source=FundSource.MATCHING,
                  name="配套", amount_fen=500_000)
    tree.staff(Role.CITY_ADMIN, tree.city, username="e2e_charts")
    log_in(phone, live_server.url, "e2e_charts")
    phone.goto(f"{live_server.url}/payouts/")
    phone.wait_for_selector("#budget-chart svg")
    assert phone.locator("#pwned").count() == 0
    shown = phone.evaluate("JSON.parse(document.getElementById('budget-chart-data').textContent).categories[0]")
    assert shown.startswith("</script><h1")  # the name, as text, in the chart's data
    phone.screenshot(path=str(screenshots / "budget-chart.png"), full_page=True)

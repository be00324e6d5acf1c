"""In a real browser: the budget chart draws from its json_script block, whatever the enterprises are called."""

import pytest

from tests.e2e.test_roles import log_in
from tests.payouts.scale import verified_applications
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


def _axis(page, box: str) -> dict:
    """The drawn chart's value axis, as ECharts holds it."""
    return page.evaluate(f"echarts.getInstanceByDom(document.getElementById('{box}')).getOption().xAxis[0]")


def _bar_labels(page, box: str) -> list[str]:
    return page.locator(f"#{box} svg text").evaluate_all("texts => texts.map(t => t.textContent)")


def test_budgets_of_very_different_sizes_are_all_seen_with_their_values(live_server, tree, phone, screenshots):
    for organisation, amount_yuan in ((tree.city, 15_000_000), (tree.tianhe, 20_000)):
        budget_create(by=tree.root_user, organisation=organisation, year=2026, source=FundSource.SPECIAL,
                      name="专项", amount_fen=amount_yuan * 100)
    tree.staff(Role.CITY_ADMIN, tree.city, username="e2e_budgets")
    log_in(phone, live_server.url, "e2e_budgets")
    phone.goto(f"{live_server.url}/payouts/")
    phone.wait_for_selector("#budget-chart svg")
    assert _axis(phone, "budget-chart")["type"] == "log"  # a linear scale would hide the 20,000 beside 15 M
    labels = _bar_labels(phone, "budget-chart")
    assert "1500万" in labels and "2万" in labels  # each bar says its value, in yuan (not fen)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    phone.screenshot(path=str(screenshots / "budget-chart-log.png"), full_page=True)


def test_the_plan_chart_counts_workers_in_whole_numbers(live_server, tree, phone, screenshots):
    policy = tree.policy()
    budget = budget_create(by=tree.root_user, organisation=tree.city, year=policy.year, source=FundSource.SPECIAL,
                           name="专项", amount_fen=1_000_000 * 100)
    verified_applications(tree, policy, 3)
    tree.staff(Role.CITY_ADMIN, tree.city, username="e2e_plan")
    log_in(phone, live_server.url, "e2e_plan")
    phone.goto(f"{live_server.url}/payouts/plan/?policy={policy.pk}&budget={budget.pk}&limit=3000")
    phone.wait_for_selector("#plan-chart svg")
    axis = _axis(phone, "plan-chart")
    assert axis["type"] == "value" and axis["minInterval"] == 1  # no 0.5 of a worker
    assert not [text for text in _bar_labels(phone, "plan-chart") if "." in text]
    assert {"2", "1"} <= set(_bar_labels(phone, "plan-chart"))  # funded and left out, on their bars
    phone.screenshot(path=str(screenshots / "plan-chart.png"), full_page=True)

"""The plan's money: city, matching and total named alike everywhere and computed as the commit computes them;
what is left in the budget shown beside the plan, with a warning when the round asks for more."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from tests.payouts.scale import verified_applications
from yuanmeng.funds.models import FundSource
from yuanmeng.funds.services import budget_create
from yuanmeng.orgs.roles import Role
from yuanmeng.payouts.planning import AMOUNT_LABELS, simulate
from yuanmeng.payouts.selectors import round_amounts
from yuanmeng.payouts.services import plan_input, round_commit
from yuanmeng.policies.services import policy_create, policy_publish

pytestmark = pytest.mark.django_db
YUAN = 100


@pytest.fixture
def three_levels(tree):
    """The city's 1,500 yuan, 天河 district's 500 (its budget covers two workers), the enterprise's 300; three
    天河 workers and two in 海珠 (city only)."""
    policy = tree.policy()
    for org, code, amount in ((tree.tianhe, "TH-M", 500), (tree.tianhe_firm.organisation, "FIRM-M", 300)):
        matching = policy_create(by=tree.root_user, organisation=org, code=code, year=policy.year, title=code,
                                 parent=policy, amount_college_fen=amount * YUAN, amount_bachelor_fen=amount * YUAN)
        policy_publish(by=tree.root_user, policy=matching)
        budget_create(by=tree.root_user, organisation=org, year=policy.year, source=FundSource.MATCHING,
                      name=f"{code} 配套", amount_fen=(1_000 if org == tree.tianhe else 100_000) * YUAN)
    budget = budget_create(by=tree.root_user, organisation=tree.city, year=policy.year, source=FundSource.SPECIAL,
                           name="市总专项资金", amount_fen=1_000_000 * YUAN)
    verified_applications(tree, policy, 3)
    verified_applications(tree, policy, 2, start=100, employer=tree.haizhu_firm)
    return policy, budget


def test_the_simulation_gives_the_commits_city_matching_and_total(tree, three_levels):
    policy, budget = three_levels
    simulation = simulate(plan_input(policy, 1_000_000 * YUAN, None))
    expected = (5 * 1_500 * YUAN, (2 * 500 + 3 * 300) * YUAN, (5 * 1_500 + 2 * 500 + 3 * 300) * YUAN)
    assert (simulation.funded_fen, simulation.matching_fen, simulation.total_fen) == expected
    round_ = round_commit(by=tree.root_user, policy=policy, budget=budget, limit_fen=1_000_000 * YUAN, code="R-3")
    amounts = round_amounts(round_)
    assert (amounts["city_fen"], amounts["matching_fen"], amounts["total_fen"]) == expected
    assert round_.total_fen == expected[2]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="work_mem is PostgreSQL's")
def test_the_ranking_of_a_plan_with_top_ups_sorts_with_the_roomy_work_memory(three_levels):
    policy, _budget = three_levels
    with CaptureQueriesContext(connection) as queries:
        simulate(plan_input(policy, 1_000_000 * YUAN, None))
    statements = [query["sql"] for query in queries.captured_queries]
    roomy = next(n for n, sql in enumerate(statements) if "SET LOCAL work_mem" in sql)
    ranked = next(n for n, sql in enumerate(statements) if sql.startswith("INSERT INTO ym_ranked_"))
    assert roomy < ranked

def test_the_same_labels_on_the_page_the_cli_and_the_api(tree, three_levels, login, capsys):
    policy, budget = three_levels
    client = login(tree.staff(Role.CITY_ADMIN, tree.city))
    with translation.override("zh-hans"):
        labels = [translation.gettext(label) for label in AMOUNT_LABELS.values()]
    page = client.get("/payouts/plan/", {"policy": policy.pk, "budget": budget.pk, "limit": "1000000"}).content
    call_command("payout", "plan", "--policy", policy.code, "--budget", "1000000")
    out = capsys.readouterr().out
    assert all(f"{label} " in out for label in AMOUNT_LABELS.values()) and "Total (city + matching) 9,400.00" in out
    round_ = round_commit(by=tree.root_user, policy=policy, budget=budget, limit_fen=1_000_000 * YUAN, code="R-L")
    for html in (page.decode(), client.get(f"/payouts/rounds/{round_.pk}/").content.decode(),
                 client.get(f"/payouts/batches/{round_.batches.get().pk}/").content.decode()):
        assert labels[2] in html  # 合计（市级＋配套）
    assert all(label in page.decode() for label in labels)
    assert "9,400.00" in page.decode() and "1,900.00" in page.decode()  # total and matching, as committed
    schema = client.get("/api/openapi.json").json()["components"]["schemas"]
    for name, label in (("funded_fen", "City subsidy"), ("matching_fen", "Matching"), ("total_fen", "Total")):
        assert schema["SimulationOut"]["properties"][name]["description"].startswith(label)


@pytest.fixture
def fully_reserved(tree, three_levels):
    """The year's special fund reserved to the last fen by an earlier round."""
    policy, budget = three_levels
    verified_applications(tree, policy, 10, start=200)
    round_commit(by=tree.root_user, policy=policy, budget=budget, limit_fen=1_000_000 * YUAN, code="R-ALL")
    budget.refresh_from_db()
    budget.allocated_fen = budget.reserved_fen + budget.paid_fen
    budget.save(update_fields=["allocated_fen"])
    verified_applications(tree, policy, 30, start=300)
    return policy, budget


WARNING = "本轮申请 330,000.00 元，但专项资金仅剩 0.00 元可用。"


def test_the_commit_refuses_with_the_words_of_the_warning(tree, fully_reserved):
    policy, budget = fully_reserved
    with translation.override("zh-hans"):
        assert simulate(plan_input(policy, 330_000 * YUAN, None)).funded == 30
        with pytest.raises(ValidationError) as refusal:
            round_commit(by=tree.root_user, policy=policy, budget=budget, limit_fen=330_000 * YUAN, code="R-X")
    assert refusal.value.message_dict == {"limit_fen": [WARNING]}


def test_the_plan_page_warns_and_shows_what_is_left(tree, fully_reserved, login):
    policy, budget = fully_reserved
    client = login(tree.staff(Role.CITY_ADMIN, tree.city))
    page = client.get("/payouts/plan/", {"policy": policy.pk, "budget": budget.pk, "limit": "330000"})
    assert page.context["warning"] == WARNING and WARNING in page.content.decode()
    assert "专项资金可用" in page.content.decode()
    budget.allocated_fen += 330_000 * YUAN
    budget.save(update_fields=["allocated_fen"])
    fits = client.get("/payouts/plan/", {"policy": policy.pk, "budget": budget.pk, "limit": "330000"})
    assert not fits.context["warning"] and "330,000.00" in fits.content.decode()


def test_the_api_answers_the_warning(tree, fully_reserved, login):
    policy, _budget = fully_reserved
    client = login(tree.staff(Role.CITY_ADMIN, tree.city))
    answer = client.post("/api/payouts/simulate", {"policy_id": policy.pk, "limit_fen": 330_000 * YUAN},
                         content_type="application/json", headers={"accept-language": "zh-hans"}).json()
    assert (answer["funded"], answer["available_fen"], answer["warning"]) == (30, 0, WARNING)


def test_the_cli_warns_before_any_commit(tree, fully_reserved, capsys):
    policy, _budget = fully_reserved
    call_command("payout", "plan", "--policy", policy.code, "--budget", "330000", "--json")
    result = json.loads(capsys.readouterr().out)
    assert result["funded"] == 30 and result["available_fen"] == 0 and "330,000.00" in result["warning"]
    call_command("payout", "plan", "--policy", policy.code, "--budget", "330000")
    out = capsys.readouterr().out
    assert "special fund available: 0.00 yuan" in out and "warning: " in out

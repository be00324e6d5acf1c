"""The money pages: budgets, planning with its simulation, committing, approving, importing results."""

import io
import re

import openpyxl
import pytest
from django.utils import timezone

from tests.payouts.scale import verified_applications
from yuanmeng.funds.models import Budget, FundSource
from yuanmeng.funds.services import budget_create
from yuanmeng.orgs.roles import Role
from yuanmeng.payouts.models import Batch, BatchStatus, Round
from yuanmeng.people.models import Worker

pytestmark = pytest.mark.django_db
YUAN = 100


@pytest.fixture
def city(tree):
    policy = tree.policy()
    budget = budget_create(by=tree.root_user, organisation=tree.city, year=policy.year, source=FundSource.SPECIAL,
                           name="专项", amount_fen=100_000 * YUAN)
    verified_applications(tree, policy, 12)
    return policy, budget


def test_overview_shows_budgets_and_lets_the_city_add_one(tree, city, login):
    client = login(tree.staff(Role.CITY_ADMIN, tree.city))
    page = client.get("/payouts/").content.decode()
    assert "100,000.00" in page
    response = client.post("/payouts/", {"organisation": tree.tianhe.pk, "year": city[0].year, "source": "matching",
                                         "name": "天河配套", "amount": "5000"})
    assert response.status_code == 302 and Budget.objects.get(name="天河配套").allocated_fen == 5000 * YUAN


def test_plan_simulates_then_commits(tree, city, login):
    policy, budget = city
    client = login(tree.staff(Role.CITY_ADMIN, tree.city))
    query = {"policy": policy.pk, "budget": budget.pk, "limit": "15000", "quota": ""}
    page = client.get("/payouts/plan/", query)
    assert page.context["simulation"].funded == 10 and not Round.objects.exists()
    response = client.post("/payouts/plan/?" + "&".join(f"{k}={v}" for k, v in query.items()),
                           {"code": "R-PAGE", "max_lines_per_batch": 5})
    round_ = Round.objects.get(code="R-PAGE")
    assert response.status_code == 302 and response["Location"] == f"/payouts/rounds/{round_.pk}/"
    assert round_.batches.count() == 2 and round_.funded_count == 10


def test_the_plan_links_its_no_usable_account_count_to_exactly_those_applications(tree, city, login):
    """The count is the policy's verified applicants a payment cannot reach (no account, or refused): its link lists
    them in the queue, paginated and exportable, and no worker who is not one of them."""
    policy, budget = city
    missing = verified_applications(tree, policy, 2, start=100, bank=False)
    refused = verified_applications(tree, policy, 1, start=200)[0]
    Worker.objects.filter(pk=refused.worker_id).update(bank_account_refused_at=timezone.now())
    tree.worker(bank_name="", bank_account="")  # no account, but no application: not the plan's concern
    verified_applications(tree, tree.policy(), 1, start=300, bank=False)  # another policy's
    client = login(tree.staff(Role.CITY_ADMIN, tree.city))
    page = client.get("/payouts/plan/", {"policy": policy.pk, "budget": budget.pk, "limit": "15000", "quota": ""})
    assert page.context["simulation"].no_bank_account == 3
    link = re.search(r'id="no-usable-account" href="([^"]+)"', page.content.decode()).group(1).replace("&amp;", "&")
    queue = client.get(link)
    listed = {a.pk for a in queue.context["page"].object_list}
    assert listed == {a.pk for a in [*missing, refused]} and queue.context["page"].paginator.count == 3
    assert 'id="plan-filter"' in queue.content.decode()
    export = client.get(link.replace("/applications/", "/exports/applications/"))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    assert sorted(row[0] for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]) == sorted(listed)


def test_batch_approval_page_and_four_eyes(tree, city, login):
    policy, budget = city
    admin = tree.staff(Role.CITY_ADMIN, tree.city)
    from yuanmeng.payouts.services import round_commit

    round_ = round_commit(by=admin, policy=policy, budget=budget, limit_fen=4_500 * YUAN, code="R-4E")
    batch = round_.batches.get()
    finance = tree.staff(Role.FINANCE_OFFICER, tree.city)
    assert login(admin).post(f"/payouts/batches/{batch.pk}/approve/").status_code == 403  # sees it, not a finance role
    login(finance).post(f"/payouts/batches/{batch.pk}/approve/")
    assert Batch.objects.get(pk=batch.pk).status == BatchStatus.APPROVED
    page = login(finance).get(f"/payouts/batches/{batch.pk}/").content.decode()
    assert f"/payouts/batches/{batch.pk}/file/xlsx/" in page


def test_other_districts_see_no_money_pages(tree, city, login):
    reviewer = tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe)
    assert login(reviewer).get("/payouts/").status_code == 404
    assert login(reviewer).get("/payouts/plan/").status_code == 404


def test_payout_cli_simulates_and_commits(tree, city, capsys):
    import json

    from django.core.management import call_command

    policy, _budget = city
    call_command("payout", "plan", "--policy", policy.code, "--budget", "6000", "--json")
    result = json.loads(capsys.readouterr().out)
    assert result["funded"] == 4 and result["funded_fen"] == 6_000 * YUAN and not Round.objects.exists()
    call_command("payout", "plan", "--policy", policy.code, "--budget", "6000", "--commit", "--code", "R-CLI",
                 "--as", tree.root_user.username)
    assert Round.objects.get(code="R-CLI").funded_count == 4


def test_payout_api_simulate_commit_approve(tree, city, login):
    policy, budget = city
    client = login(tree.staff(Role.CITY_ADMIN, tree.city))
    simulated = client.post("/api/payouts/simulate", {"policy_id": policy.pk, "limit_fen": 3_000 * YUAN},
                            content_type="application/json").json()
    assert simulated["funded"] == 2
    committed = client.post("/api/payouts/rounds", {"policy_id": policy.pk, "budget_id": budget.pk,
                                                    "limit_fen": 3_000 * YUAN, "code": "R-API"},
                            content_type="application/json")
    assert committed.status_code == 201, committed.content
    batch_id = committed.json()["batches"][0]["id"]
    assert client.post(f"/api/payouts/batches/{batch_id}/approve").status_code == 403  # sees it, no finance role
    finance = login(tree.staff(Role.FINANCE_OFFICER, tree.city))
    assert finance.post(f"/api/payouts/batches/{batch_id}/approve").json()["status"] == BatchStatus.APPROVED

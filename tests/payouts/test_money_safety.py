"""The review's money cases: no double reservation, no lost budget update, four eyes on the round, the right
fund, and a round that would leave a line without its application in the batch is not committed."""

import pytest
from django.core.exceptions import ValidationError

from tests.payouts.scale import verified_applications
from yuanmeng.applications.models import Application
from yuanmeng.applications.workflow import State
from yuanmeng.core.errors import PermissionDenied
from yuanmeng.funds.models import Budget, FundSource
from yuanmeng.funds.services import budget_create
from yuanmeng.orgs.roles import Role
from yuanmeng.payouts.models import PaymentLine, Round
from yuanmeng.payouts.services import batch_approve, round_commit
from yuanmeng.policies.services import policy_create, policy_publish

pytestmark = pytest.mark.django_db
YUAN = 100


@pytest.fixture
def city_budget(tree):
    return budget_create(by=tree.root_user, organisation=tree.city, year=tree.policy(publish=False).year,
                         source=FundSource.SPECIAL, name="专项", amount_fen=10_000_000 * YUAN)


def test_two_matching_policies_of_one_union_reserve_only_what_they_give(tree, city_budget):
    policy = tree.policy()
    for code, college, bachelor in (("TH-C", 500, None), ("TH-B", None, 800)):
        matching = policy_create(by=tree.root_user, organisation=tree.tianhe, code=code, year=policy.year,
                                 title=code, parent=policy, amount_college_fen=college and college * YUAN,
                                 amount_bachelor_fen=bachelor and bachelor * YUAN)
        policy_publish(by=tree.root_user, policy=matching)
    district = budget_create(by=tree.root_user, organisation=tree.tianhe, year=policy.year,
                             source=FundSource.MATCHING, name="天河配套", amount_fen=100_000 * YUAN)
    verified_applications(tree, policy, 2)
    verified_applications(tree, policy, 2, start=50, level="bachelor")
    round_ = round_commit(by=tree.root_user, policy=policy, budget=city_budget, limit_fen=100_000 * YUAN, code="R")
    given = sum(PaymentLine.objects.filter(round=round_).values_list("district_fen", flat=True))
    district.refresh_from_db()
    assert given == (2 * 500 + 2 * 800) * YUAN == district.reserved_fen


def test_the_two_approver_rule_looks_at_the_round_not_at_a_small_batch(tree, city_budget):
    policy = tree.policy(dual_approval_above_fen=2_000 * YUAN)
    verified_applications(tree, policy, 5)
    admin = tree.staff(Role.CITY_ADMIN, tree.city)
    round_ = round_commit(by=admin, policy=policy, budget=city_budget, limit_fen=7_500 * YUAN, code="R-small",
                          max_lines_per_batch=1)
    first, second = (tree.staff(Role.FINANCE_OFFICER, tree.city) for _ in range(2))
    batch = round_.batches.first()
    assert batch_approve(by=first, batch=batch).status == "awaiting"
    with pytest.raises(ValidationError):
        batch_approve(by=first, batch=batch)  # the same person twice
    assert batch_approve(by=second, batch=batch).status == "approved"
    with pytest.raises(PermissionDenied):
        batch_approve(by=admin, batch=round_.batches.last())  # the committer never approves (nor has the role)


def test_a_round_draws_only_on_the_special_fund(tree, city_budget):
    policy = tree.policy()
    verified_applications(tree, policy, 1)
    matching_fund = budget_create(by=tree.root_user, organisation=tree.city, year=policy.year,
                                  source=FundSource.MATCHING, name="配套", amount_fen=10_000 * YUAN)
    with pytest.raises(ValidationError) as error:
        round_commit(by=tree.root_user, policy=policy, budget=matching_fund, limit_fen=1_500 * YUAN, code="R-m")
    assert "budget" in error.value.message_dict and not Round.objects.exists()


def test_an_application_leaving_the_queue_mid_commit_stops_the_commit(tree, city_budget, monkeypatch):
    policy = tree.policy()
    applications = verified_applications(tree, policy, 3)
    from yuanmeng.payouts import services

    real = services.move_selected

    def withdraw_first(**kwargs):  # as if the worker withdrew between the lines and the move
        Application.objects.filter(pk=applications[0].pk).update(state=State.WITHDRAWN)
        return real(**kwargs)

    monkeypatch.setattr(services, "move_selected", withdraw_first)
    with pytest.raises(ValidationError):
        round_commit(by=tree.root_user, policy=policy, budget=city_budget, limit_fen=10_000 * YUAN, code="R-w")
    assert not PaymentLine.objects.exists() and Budget.objects.get(pk=city_budget.pk).reserved_fen == 0

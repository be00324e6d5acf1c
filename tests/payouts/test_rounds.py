"""Planning and committing payout rounds: ranking, cut-off, batches, three-level funding, crash safety."""

import pytest
from django.core.exceptions import ValidationError

from tests.payouts.scale import verified_applications
from yuanmeng.applications.models import Application
from yuanmeng.applications.workflow import State
from yuanmeng.funds.models import Budget, FundSource
from yuanmeng.funds.services import budget_create, funds_verify
from yuanmeng.payouts.models import Batch, PaymentLine, Round
from yuanmeng.payouts.planning import simulate
from yuanmeng.payouts.services import plan_input, round_commit
from yuanmeng.policies.models import PriorityGroup
from yuanmeng.policies.services import policy_create, policy_publish

pytestmark = pytest.mark.django_db
YUAN = 100


@pytest.fixture
def city_budget(tree):
    return budget_create(by=tree.root_user, organisation=tree.city, year=tree.policy(publish=False).year,
                         source=FundSource.SPECIAL, name="市总专项资金", amount_fen=15_000_000 * YUAN)


def model_workers_first(n):
    """Every tenth applicant is a model worker, and they all applied last."""
    return PriorityGroup.MODEL_WORKER if n >= 4_500 else (PriorityGroup.FRONT_LINE if n % 2 else "")


def test_guangzhou_round_funds_exactly_4400_priority_groups_first(tree, city_budget):
    policy = tree.policy()
    verified_applications(tree, policy, 5_000, group=model_workers_first)
    plan = plan_input(policy, 6_600_000 * YUAN, None)
    simulation = simulate(plan)
    assert (simulation.candidates, simulation.funded, simulation.funded_fen) == (5_000, 4_400, 6_600_000 * YUAN)
    groups = {row["key"]: row for row in simulation.by_group}
    assert groups[PriorityGroup.MODEL_WORKER]["funded"] == 500  # last to apply, first to be paid
    assert Round.objects.count() == 0  # a simulation writes nothing

    round_ = round_commit(by=tree.root_user, policy=policy, budget=city_budget, limit_fen=6_600_000 * YUAN,
                          code="GZ-2026-R1")
    assert (round_.funded_count, round_.total_fen) == (4_400, 6_600_000 * YUAN)
    assert [(b.line_count, b.total_fen) for b in Batch.objects.filter(round=round_)] == [
        (2_200, 3_300_000 * YUAN), (2_200, 3_300_000 * YUAN)]
    assert Application.objects.filter(state=State.IN_BATCH).count() == 4_400
    assert not PaymentLine.objects.filter(priority_group=PriorityGroup.MODEL_WORKER).exclude(rank__lte=500).exists()
    city_budget.refresh_from_db()
    assert city_budget.reserved_fen == 6_600_000 * YUAN and funds_verify().ok


def test_quota_cuts_before_money(tree, city_budget):
    policy = tree.policy()
    verified_applications(tree, policy, 50)
    assert simulate(plan_input(policy, 1_000_000 * YUAN, 30)).funded == 30


def test_lines_are_a_snapshot_of_the_worker(tree, city_budget):
    policy = tree.policy()
    application, = verified_applications(tree, policy, 1)
    round_commit(by=tree.root_user, policy=policy, budget=city_budget, limit_fen=1_500 * YUAN, code="R-snap")
    line = PaymentLine.objects.get()
    worker = application.worker
    from yuanmeng.people.services import worker_update

    worker_update(by=tree.root_user, worker=worker, name="改名", bank_account="6217000000000000004")
    line.refresh_from_db()
    assert line.payee_name == "职工0" and line.account == "6222000000000000000"
    assert line.account_masked == "6222***********0000"


def test_three_level_funding_each_from_its_own_budget(tree, city_budget):
    policy = tree.policy()
    year = policy.year
    for org, code, amount in ((tree.tianhe, "TH-M", 500), (tree.tianhe_firm.organisation, "FIRM-M", 300)):
        matching = policy_create(by=tree.root_user, organisation=org, code=code, year=year, title=code,
                                 parent=policy, amount_college_fen=amount * YUAN, amount_bachelor_fen=amount * YUAN)
        policy_publish(by=tree.root_user, policy=matching)
    district_budget = budget_create(by=tree.root_user, organisation=tree.tianhe, year=year,
                                    source=FundSource.MATCHING, name="天河配套", amount_fen=1_000 * YUAN)
    budget_create(by=tree.root_user, organisation=tree.tianhe_firm.organisation, year=year,
                  source=FundSource.MATCHING, name="企业配套", amount_fen=100_000 * YUAN)
    verified_applications(tree, policy, 3)  # 天河 enterprise: city + district + enterprise
    verified_applications(tree, policy, 2, start=100, employer=tree.haizhu_firm)  # 海珠: city only
    round_ = round_commit(by=tree.root_user, policy=policy, budget=city_budget, limit_fen=1_000_000 * YUAN,
                          code="R-3")
    lines = list(PaymentLine.objects.filter(round=round_).order_by("rank"))
    tianhe = [line for line in lines if line.enterprise_fen]
    assert [(line.city_fen, line.district_fen, line.enterprise_fen) for line in tianhe] == [
        (1500 * YUAN, 500 * YUAN, 300 * YUAN), (1500 * YUAN, 500 * YUAN, 300 * YUAN),
        (1500 * YUAN, 0, 300 * YUAN)]  # the district's 1,000 yuan covers two workers
    assert sum(1 for line in lines if not line.enterprise_fen and not line.district_fen) == 2
    district_budget.refresh_from_db()
    assert district_budget.reserved_fen == 1_000 * YUAN and funds_verify().ok


def test_a_failure_midway_leaves_nothing_behind(tree, city_budget, monkeypatch):
    policy = tree.policy()
    verified_applications(tree, policy, 20)
    from yuanmeng.payouts import services

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_settle_totals", explode)
    with pytest.raises(RuntimeError):
        round_commit(by=tree.root_user, policy=policy, budget=city_budget, limit_fen=30_000 * YUAN, code="R-x")
    assert not Round.objects.exists() and not PaymentLine.objects.exists() and not Batch.objects.exists()
    city_budget.refresh_from_db()
    assert city_budget.reserved_fen == 0
    assert Application.objects.filter(state=State.DIPLOMA_VERIFIED).count() == 20


def test_bad_rounds_are_refused(tree, city_budget):
    policy = tree.policy()
    verified_applications(tree, policy, 2)
    with pytest.raises(ValidationError):  # more than the budget holds
        round_commit(by=tree.root_user, policy=policy, budget=city_budget, limit_fen=10**12, code="R-big")
    from yuanmeng.policies.services import policy_close

    policy_close(by=tree.root_user, policy=policy)
    policy.refresh_from_db()
    with pytest.raises(ValidationError):  # a round for a closed policy
        round_commit(by=tree.root_user, policy=policy, budget=city_budget, limit_fen=3_000 * YUAN, code="R-closed")
    assert not Round.objects.exists() and Budget.objects.get(pk=city_budget.pk).reserved_fen == 0


def test_nothing_is_paid_twice(tree, city_budget):
    policy = tree.policy()
    verified_applications(tree, policy, 3)
    round_commit(by=tree.root_user, policy=policy, budget=city_budget, limit_fen=10_000 * YUAN, code="R-a")
    Application.objects.update(state=State.DIPLOMA_VERIFIED)  # as if a bug put them back in the queue
    with pytest.raises(Exception):  # noqa: B017 - the database's never_paid_twice index refuses
        round_commit(by=tree.root_user, policy=policy, budget=city_budget, limit_fen=10_000 * YUAN, code="R-b")
    assert PaymentLine.objects.count() == 3


def test_one_statement_gives_the_totals_the_first_left_out_and_who_cannot_be_paid(tree, city_budget):
    policy = tree.policy()
    first, *_ = verified_applications(tree, policy, 30)
    type(first.worker).objects.filter(pk=first.worker_id).update(bank_account_masked="")  # no account on file
    simulation = simulate(plan_input(policy, 20 * 1_500 * YUAN, None), show_left_out=5)
    assert (simulation.candidates, simulation.funded, simulation.left_out, simulation.no_bank_account) == (
        29, 20, 9, 1)
    assert [row["rn"] for row in simulation.first_left_out] == [21, 22, 23, 24, 25]
    assert all(row["running"] > 20 * 1_500 * YUAN for row in simulation.first_left_out)
    assert simulation.cutoff == {"rn": 20}
    assert first.pk not in {row["id"] for row in simulation.first_left_out}


def test_line_references_grow_with_the_rank(tree, city_budget):
    """Eight digits of rank after the round's prefix: the order of the references is the order of the lines, so
    each is written at the end of the unique index."""
    policy = tree.policy()
    verified_applications(tree, policy, 12)
    round_ = round_commit(by=tree.root_user, policy=policy, budget=city_budget, limit_fen=12 * 1_500 * YUAN,
                          code="R-ref")
    references = list(round_.lines.order_by("rank").values_list("reference", flat=True))
    assert references[0] == f"YM{round_.pk:05d}-00000001" and references[-1] == f"YM{round_.pk:05d}-00000012"
    assert references == sorted(references)

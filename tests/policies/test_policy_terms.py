"""A policy cannot be saved set up wrong (its matching parent, the terms a matching policy takes from it), and a
published policy's page shows every term."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from yuanmeng.policies.models import PolicyStatus
from yuanmeng.policies.services import policy_create, policy_update


def matching(tree, parent, organisation=None, **fields):
    values = {"code": "TH-M", "title": "天河配套", "year": parent.year, "parent": parent,
              "amount_college_fen": 50_000, "amount_bachelor_fen": 50_000}
    return policy_create(by=tree.root_user, organisation=organisation or tree.tianhe, **{**values, **fields})


def refusal(call, field="parent") -> str:
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        call()
    return " ".join(refused.value.message_dict[field])


def test_a_matching_policy_of_a_union_below_for_the_same_year_is_saved(tree, policy):
    assert matching(tree, policy).parent == policy


def test_a_policy_is_not_its_own_parent(tree, policy):
    draft = matching(tree, policy)
    assert refusal(lambda: policy_update(by=tree.root_user, policy=draft, parent=draft)) == "政策不能配套自身。"


def test_the_parent_is_published(tree):
    draft = tree.policy(publish=False)
    assert refusal(lambda: matching(tree, draft)) == "所配套的补助政策尚未发布。"


def test_the_parent_is_of_the_same_year(tree):
    next_year = tree.policy(year=datetime.date.today().year + 1)
    assert refusal(lambda: matching(tree, next_year, year=next_year.year - 1)) == "配套资助只能针对同一年度的补助政策。"


def test_the_parent_is_a_subsidy_policy_not_a_matching_one(tree, policy):
    district = matching(tree, policy)
    district.status = PolicyStatus.PUBLISHED
    district.save()
    assert refusal(lambda: matching(tree, district, organisation=tree.tianhe_firm.organisation, code="F-M")
                   ) == "配套资助只能针对补助政策，不能针对其他配套资助。"


@pytest.mark.parametrize("union", ["city", "haizhu"])
def test_the_parent_is_of_a_union_strictly_above(tree, union):
    district_policy = tree.policy(organisation=tree.tianhe)
    assert refusal(lambda: matching(tree, district_policy, organisation=getattr(tree, union))
                   ) == "配套资助只能针对上级工会的补助政策。"


@pytest.mark.parametrize("term, value", [
    ("opens_on", datetime.date(2026, 1, 1)), ("min_age", 18), ("max_approvals", 10), ("notice_days", 3),
    ("job_categories", ["service"]), ("first_diploma_only", False), ("dual_approval_above_fen", 100)])
def test_a_matching_policy_sets_no_term_of_its_parent(tree, policy, term, value):
    assert "请留空" in refusal(lambda: matching(tree, policy, **{term: value}), field=term)
    draft = matching(tree, policy)
    assert "请留空" in refusal(lambda: policy_update(by=tree.root_user, policy=draft, **{term: value}), field=term)


def test_the_api_refuses_a_matching_term_by_its_field(tree, policy, people, login):
    response = login(people.city).post("/api/policies", {
        "organisation_id": tree.tianhe.pk, "code": "TH-M", "title": "天河配套", "year": policy.year,
        "parent_id": policy.pk, "amount_college_fen": 50_000, "notice_days": 5}, content_type="application/json")
    assert response.status_code == 422
    assert "notice_days" in str(response.json())


def _matching_form(tree, policy, **fields):
    return {"organisation": tree.tianhe.pk, "code": "TH-M", "title": "天河配套", "year": policy.year,
            "parent": policy.pk, "amount_college": "500", "min_membership_months": 0, "selection": "ranking",
            "notice_days": 0, **fields}


def test_the_matching_form_saves_without_the_parents_terms(tree, policy, people, login):
    response = login(people.city).post("/policies/new/", _matching_form(tree, policy))
    assert response.status_code == 302
    saved = policy.matching_policies.get()
    assert saved.first_diploma_only and saved.local_employment_only and saved.notice_days == 0


def test_the_matching_form_refuses_a_term_it_does_not_take_beside_its_field(tree, policy, people, login):
    response = login(people.city).post("/policies/new/", _matching_form(
        tree, policy, closes_on="2026-12-31", dual_approval_above="1000", priority_1="migrant"))
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"closes_on", "dual_approval_above", "priority_1"}


def test_the_form_offers_only_published_subsidy_policies_as_parent(tree, policy, people, login):
    tree.policy(publish=False, code="DRAFT-P")
    response = login(people.city).get("/policies/new/")
    assert list(response.context["form"].fields["parent"].queryset) == [policy]


def test_a_published_policy_page_shows_every_term(tree, people, login):
    policy = tree.policy(job_categories=["service"], first_diploma_only=False, local_employment_only=True,
                         notice_days=5, dual_approval_above_fen=100_000_000, min_age=18, max_age=55,
                         max_applicants=300, max_approvals=200)
    with translation.override("zh-hans"):
        page = login(people.city).get(f"/policies/{policy.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    for shown in ("服务", "该层次任一学历（含第二学历）", "仅限在本工会辖区内就业", "发放前公示5天",
                  "发放轮次金额超过1,000,000.00元时", "18 ~ 55", "300", "200", policy.opens_on.isoformat(),
                  policy.closes_on.isoformat(), "1,500.00", "6,600,000.00", "1. ", "录取通知书"):
        assert shown in page, shown

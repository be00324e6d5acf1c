"""The OpenAPI document says what each operation answers (401, 403, 404, 422), and the real answers agree."""

import re

import pytest
from django.test import Client

from tests.payouts.scale import verified_applications
from yuanmeng.funds.models import FundSource
from yuanmeng.funds.services import budget_create
from yuanmeng.orgs.roles import Role
from yuanmeng.payouts.services import round_commit

pytestmark = pytest.mark.django_db
WRITES = {"post", "put", "patch", "delete"}
# Writes whose refusals are all "bad input" or "not found": simulating writes nothing and needs no more than
# seeing the policy; an import the caller may not make is refused as input (422) by the import engine.
# Answering a survey: one not addressed to the caller is not found (404), and every other refusal is about the answers.
WRITES_WITHOUT_403 = {("post", "/api/payouts/simulate"), ("post", "/api/imports/{kind}"),
                      ("post", "/api/surveys/{survey_id}/responses")}
# A worker signs up without a log-in: neither 401 nor 403, only bad input (docs/decisions/0010).
PUBLIC = {("post", "/api/workers/sign-up/code"), ("post", "/api/workers/sign-up")}


def operations(schema: dict):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield method, path, operation


@pytest.fixture
def schema(client):
    return client.get("/api/openapi.json").json()


def test_every_operation_declares_the_errors_it_can_answer(schema):
    missing = []
    for method, path, operation in operations(schema):
        declared = set(operation["responses"])
        needed = set() if (method, path) in PUBLIC else {"401"}  # every other operation needs a log-in
        if "{" in path:
            needed.add("404")  # unknown, or outside the caller's scope
        if "requestBody" in operation or operation.get("parameters"):
            needed.add("422")  # a bad body, or a parameter of the wrong type or range
        if method in WRITES and (method, path) not in WRITES_WITHOUT_403 | PUBLIC:
            needed.add("403")  # a role that may not
        missing += [f"{method.upper()} {path}: {status}" for status in sorted(needed - declared)]
    assert missing == []


def test_the_error_answers_have_their_bodies_described(schema):
    answers = [operation["responses"][status] for _m, _p, operation in operations(schema)
               for status in ("401", "403", "404", "422") if status in operation["responses"]]
    assert answers and all("application/json" in answer["content"] for answer in answers)
    components = schema["components"]["schemas"]
    assert components["ErrorOut"]["required"] == ["detail"]
    assert set(components["InvalidOut"]["properties"]) == {"detail", "errors"}


def _concrete(path: str, pk: int = 1) -> str:
    """The path with ``pk`` for its ids and valid values for its other parameters (an import kind, a file format,
    a year), so that only the id can make it fail."""
    path = re.sub(r"\{\w+_id\}", str(pk), path)
    return path.replace("{kind}", "workers").replace("{fmt}", "xlsx").replace("{year}", "2026")


def test_every_operation_answers_401_without_a_log_in(schema):
    anonymous = Client()
    answered = {f"{method.upper()} {path}": getattr(anonymous, method)(_concrete(path)).status_code
                for method, path, _operation in operations(schema) if (method, path) not in PUBLIC}
    assert set(answered.values()) == {401}, answered


def test_every_path_with_an_id_answers_404_for_one_that_does_not_exist(schema, tree, login):
    client = login(tree.root_user)
    answered = {}
    for method, path, _operation in operations(schema):
        if re.search(r"\{\w+_id\}", path) and method == "get":
            answered[path] = client.get(_concrete(path, 2**40)).status_code
    assert answered and set(answered.values()) == {404}, answered


@pytest.fixture
def payout_round(tree):
    admin = tree.staff(Role.CITY_ADMIN, tree.city)
    policy = tree.policy()
    budget = budget_create(by=tree.root_user, organisation=tree.city, year=policy.year, source=FundSource.SPECIAL,
                           name="专项", amount_fen=100_000_00)
    verified_applications(tree, policy, 3)
    return round_commit(by=admin, policy=policy, budget=budget, limit_fen=100_000_00, code="R-API")


def test_a_rounds_lines_are_404_outside_the_scope_like_their_export(tree, login, payout_round):
    outsider = login(tree.staff(Role.FINANCE_OFFICER, tree.haizhu))
    for suffix in ("lines", "lines/export"):
        assert outsider.get(f"/api/payouts/rounds/{payout_round.pk}/{suffix}").status_code == 404
        assert outsider.get(f"/api/payouts/rounds/{2**40}/{suffix}").status_code == 404
    city = login(tree.staff(Role.FINANCE_OFFICER, tree.city))
    assert city.get(f"/api/payouts/rounds/{payout_round.pk}/lines").json()["count"] == 3


def test_sampled_answers_use_the_declared_codes_and_bodies(tree, login, payout_round):
    reviewer = login(tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe))
    refused = reviewer.post("/api/payouts/budgets", {"organisation_id": tree.tianhe.pk, "year": 2026,
                                                      "source": "matching", "amount_fen": 100},
                            content_type="application/json")
    assert refused.status_code == 403 and set(refused.json()) == {"detail"}

    city = login(tree.staff(Role.CITY_ADMIN, tree.city))
    wrong_type = city.post("/api/payouts/budgets", {"organisation_id": "x"}, content_type="application/json")
    assert wrong_type.status_code == 422 and isinstance(wrong_type.json()["detail"], list)
    service_refusal = city.post("/api/payouts/rounds", {"policy_id": payout_round.policy_id,
                                                        "budget_id": payout_round.budget_id, "limit_fen": 1,
                                                        "code": "R-API"}, content_type="application/json")
    assert service_refusal.status_code == 422
    assert service_refusal.json()["detail"] == "invalid input" and service_refusal.json()["errors"]
    assert city.get("/api/payouts/rounds?page=0").status_code == 422
    assert city.get(f"/api/payouts/rounds/{2**40}").json() == {"detail": "not found"}

"""The figures through the API: a district sees only its own, and no money (a budget read needs VIEW_FUNDS); a
viewer above sees the sum of the children, and it equals the parent's figure (issue 13, "Must show"); every figure
is in the OpenAPI document."""

from collections import Counter

import pytest

from tests.builders import id_number
from yuanmeng.applications.services import application_transition
from yuanmeng.applications.workflow import Action
from yuanmeng.funds.models import FundSource
from yuanmeng.funds.services import budget_create
from yuanmeng.orgs.roles import Role
from yuanmeng.stats.selectors import FIGURES
from yuanmeng.stats.services import stats_refresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def figures(tree, policy):
    """Three applications in 天河 (one confirmed), two in 海珠 (one withdrawn); a city, a district and an
    enterprise budget."""
    officer = tree.staff(Role.ENTERPRISE_OFFICER, tree.tianhe_firm.organisation)
    for n, (firm, birth) in enumerate([(tree.tianhe_firm, "19800101"), (tree.tianhe_firm, "19990101"),
                                       (tree.tianhe_firm, "19700101"), (tree.haizhu_firm, "19900101"),
                                       (tree.haizhu_firm, "19650101")]):
        application = tree.apply(tree.member(employer=firm, id_number=id_number(birth=birth, region="440106"),
                                             is_migrant_worker=n % 2 == 0), policy)
        if n == 0:
            application_transition(by=officer, application=application, action=Action.CONFIRM)
        if n == 3:
            application_transition(by=application.worker.user, application=application, action=Action.WITHDRAW)
    for organisation, source in ((tree.city, FundSource.SPECIAL), (tree.tianhe, FundSource.MATCHING),
                                 (tree.tianhe_firm.organisation, FundSource.MATCHING)):
        budget_create(by=tree.root_user, organisation=organisation, year=policy.year, source=source, name="预算",
                      amount_fen=100_000)
    stats_refresh()
    return policy.year


def _get(client, organisation, year, figure):
    return client.get(f"/api/stats/{organisation.pk}/{year}/{figure}")


def _counts(figure: str, value) -> Counter:
    """A figure as a tally that adds up: each (row key, measure) → amount."""
    if figure == "funnel":
        rows = [*({"key": ("reached", s["state"]), "n": s["reached"]} for s in value["steps"]),
                *({"key": (d["outcome"], d["state"]), "n": d["applications"]} for d in value["drop_outs"])]
        return Counter({row["key"]: row["n"] for row in rows if row["n"]})
    if figure == "durations":
        return Counter({row["step"]: row["applications"] for row in value if row["applications"]})
    tally = Counter()
    for row in value:
        key = tuple(v for k, v in row.items() if isinstance(v, str) or k == "policy_id" or k == "day")
        for name, amount in row.items():
            if isinstance(amount, int) and name != "policy_id":
                tally[(key, name)] += amount
    return +tally


def test_a_district_sees_only_its_own(tree, figures, login):
    client = login(tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe))
    workers = _get(client, tree.tianhe, figures, "workers").json()
    levels = {row["value"]: row["applying"] for row in workers["total"] if row["dimension"] == "level"}
    assert levels == {"college": 3}
    assert workers["organisation"]["id"] == tree.tianhe.pk and workers["as_of"]
    assert [child["organisation"]["id"] for child in workers["children"]] == [tree.tianhe_firm.organisation.pk]
    for outside in (tree.haizhu, tree.city, tree.haizhu_firm.organisation):
        for figure in FIGURES:
            assert _get(client, outside, figures, figure).status_code == 404


@pytest.mark.parametrize("role, where", [(Role.DISTRICT_REVIEWER, "tianhe"), (Role.ENTERPRISE_OFFICER, "firm")])
def test_money_needs_view_funds_like_every_budget_read(tree, figures, login, role, where):
    """Roles without VIEW_FUNDS see no budget in /api/payouts/budgets, so none in the money figures either: 404, as
    outside their subtree; their workers' figures they still read."""
    organisation = tree.tianhe if where == "tianhe" else tree.tianhe_firm.organisation
    client = login(tree.staff(role, organisation))
    assert client.get("/api/payouts/budgets").json()["items"] == []
    assert _get(client, organisation, figures, "money").status_code == 404
    assert _get(client, organisation, figures, "workers").status_code == 200


@pytest.mark.parametrize("role", [Role.CITY_ADMIN, Role.FINANCE_OFFICER])
def test_a_city_role_that_sees_funds_reads_the_money_of_its_subtree(tree, figures, login, role):
    client = login(tree.staff(role, tree.city))
    money = _get(client, tree.tianhe, figures, "money").json()
    assert money["total"] == [  # the district's matching fund and its enterprise's, by the level holding each
        {"source": "matching", "holder_kind": level, "budgeted_fen": 100_000, "reserved_fen": 0, "paid_fen": 0,
         "available_fen": 100_000} for level in ("district", "enterprise")]
    city = _get(client, tree.city, figures, "money").json()
    assert {child["organisation"]["id"] for child in city["children"]} == {tree.tianhe.pk, tree.haizhu.pk,
                                                                            tree.school.pk}
    assert city["own"] == [{"source": "special", "holder_kind": "city", "budgeted_fen": 100_000, "reserved_fen": 0,
                            "paid_fen": 0, "available_fen": 100_000}]


@pytest.mark.parametrize("figure", list(FIGURES))
def test_a_viewer_above_sees_the_children_sum_to_the_parent(tree, figures, login, figure):
    client = login(tree.staff(Role.VIEWER, tree.province))
    assert _get(client, tree.national, figures, figure).status_code == 404
    for organisation in (tree.province, tree.city, tree.tianhe):
        answer = _get(client, organisation, figures, figure).json()
        parts = _counts(figure, answer["own"])
        for child in answer["children"]:
            parts.update(_counts(figure, child["figure"]))
        assert parts == _counts(figure, answer["total"]), organisation.code
        for child in answer["children"]:
            alone = client.get(f"/api/stats/{child['organisation']['id']}/{figures}/{figure}").json()
            assert alone["total"] == child["figure"]
    city = _get(client, tree.city, figures, "workers").json() if figure == "workers" else None
    if city:
        applying = {row["value"]: row["applying"] for row in city["total"] if row["dimension"] == "level"}
        assert applying == {"college": 5}


def test_every_figure_is_in_the_openapi_document(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {f"/api/stats/{{organisation_id}}/{{year}}/{figure}" for figure in FIGURES} <= set(paths)


def test_the_registry_of_a_city_is_its_districts_summed_and_a_district_sees_only_its_own(tree, figures, login):
    answer = login(tree.staff(Role.CITY_ADMIN, tree.city)).get(f"/api/stats/{tree.city.pk}/registry").json()
    assert answer["as_of"] and answer["total"]["workers"] == 5 and answer["total"]["migrants"] == 3
    children = {child["organisation"]["id"]: child["figure"] for child in answer["children"]}
    assert children[tree.tianhe.pk]["workers"] == 3 and children[tree.haizhu.pk]["enterprises"] == 1
    assert Counter(answer["total"]) == sum((Counter(figure) for figure in children.values() if figure), Counter())
    district = login(tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe))
    assert district.get(f"/api/stats/{tree.tianhe.pk}/registry").status_code == 200
    assert district.get(f"/api/stats/{tree.city.pk}/registry").status_code == 404


def test_a_figure_sums_the_years_to_year_to_like_the_dashboard(tree, figures, login):
    client = login(tree.staff(Role.CITY_ADMIN, tree.city))
    one = _get(client, tree.city, figures, "workers").json()
    summed = client.get(f"/api/stats/{tree.city.pk}/{figures - 1}/workers?year_to={figures}").json()
    assert (summed["year"], summed["year_to"], one["year_to"]) == (figures - 1, figures, figures)
    assert summed["total"] == one["total"]  # nothing in the year before
    for bad in (figures - 2, figures + 9):
        answer = client.get(f"/api/stats/{tree.city.pk}/{figures - 1}/intake?year_to={bad}")
        assert answer.status_code == 422 and "year_to" in answer.json()["errors"]

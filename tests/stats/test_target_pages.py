"""The targets' pages: an organisation's progress (404 outside the subtree), setting a target (403 for a role that
may not), one target with its shares, each refusal shown by its field; and the API."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.core.test_exports import book
from yuanmeng.orgs.models import Organisation, OrgKind
from yuanmeng.orgs.roles import Role
from yuanmeng.orgs.services import organisation_create
from yuanmeng.projects.models import ProjectKind
from yuanmeng.projects.services import project_create
from yuanmeng.stats.models import Measure, Target
from yuanmeng.stats.services import stats_refresh
from yuanmeng.stats.target_services import target_set, target_share_allocate

pytestmark = pytest.mark.django_db


@pytest.fixture
def city_admin(tree):
    return tree.staff(Role.CITY_ADMIN, tree.city)


@pytest.fixture
def yearly(tree, city_admin):
    stats_refresh()
    return target_set(by=city_admin, organisation=tree.city, measure=Measure.APPROVED, start_year=2026,
                      end_year=2026, value=4126, note="广州 2024 通知名额")


def test_the_targets_page_shows_progress_and_the_way_down(tree, login, city_admin, yearly):
    client = login(city_admin)
    assert client.get("/stats/targets/").url == f"/stats/targets/{tree.city.pk}/"
    page = client.get(f"/stats/targets/{tree.city.pk}/").content.decode()
    assert "4,126" in page and "targets-chart-data" in page and "天河区总工会" in page
    assert f"/stats/targets/{tree.city.pk}/new/" in page


def test_progress_is_measured_today_or_at_the_end_of_a_past_year(tree, login, city_admin, yearly):
    """The rollups count by year: a day inside a year (or a later day) would set the whole year against part of it."""
    client = login(city_admin)
    today = timezone.localdate()
    last_year_end = f"{today.year - 1}-12-31"
    for url in (f"/stats/targets/{tree.city.pk}/", f"/stats/targets/target/{yearly.pk}/",
                f"/stats/targets/target/{yearly.pk}/shares.xlsx"):
        assert client.get(f"{url}?on={last_year_end}").status_code == 200
        for day in (today.replace(month=1, day=1) if today.month > 1 else today.replace(day=1), "2999-12-31", "x"):
            answer = client.get(f"{url}?on={day}")
            assert answer.status_code == 400 and answer.content.decode().startswith("on: "), (url, day)
    api = f"/api/stats/{tree.city.pk}/targets"
    assert client.get(f"{api}?on={last_year_end}").json()["on"] == last_year_end
    assert "on" in client.get(f"{api}?on=2999-12-31").json()["errors"]


def test_a_district_sees_the_citys_target_for_context_and_nothing_outside(tree, login, yearly):
    client = login(tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe))
    page = client.get(f"/stats/targets/{tree.tianhe.pk}/").content.decode()
    assert "4,126" in page and "/new/" not in page
    assert client.get(f"/stats/targets/{tree.haizhu.pk}/").status_code == 404
    assert client.get(f"/stats/targets/{tree.tianhe.pk}/new/").status_code == 403
    assert client.get(f"/stats/targets/target/{yearly.pk}/").status_code == 404


def test_setting_a_target_through_its_form(tree, login, city_admin):
    client = login(city_admin)
    url = f"/stats/targets/{tree.city.pk}/new/"
    refused = client.post(url, {"measure": Measure.BUDGET_PAID, "start_year": 2026, "end_year": 2025,
                                "value": "15000000"})
    assert refused.status_code == 200 and list(refused.context["form"].errors) == ["end_year"]
    bad_yuan = client.post(url, {"measure": Measure.BUDGET_PAID, "start_year": 2026, "end_year": 2026,
                                 "value": "1.234"})
    assert list(bad_yuan.context["form"].errors) == ["value"]
    assert not Target.objects.exists()
    done = client.post(url, {"measure": Measure.BUDGET_PAID, "start_year": 2026, "end_year": 2026,
                             "value": "15,000,000"})
    target = Target.objects.get()
    assert done.url == f"/stats/targets/target/{target.pk}/" and target.value == 15_000_000_00
    page = client.get(done.url)
    assert "15,000,000.00" in page.content.decode()
    chart = page.context["chart"]  # in yuan: reached, the pace needed and the forecast from today, the target
    assert chart["kind"] == "line" and chart["caps"][0]["value"] == 15_000_000
    assert [len(series["data"]) for series in chart["series"]] in ([2, 2, 2], [2])


def test_shares_change_and_removal_through_the_target_page(tree, login, city_admin, yearly):
    client = login(city_admin)
    url = f"/stats/targets/target/{yearly.pk}/"
    assert client.post(url, {"action": "share", "organisation": tree.tianhe.pk, "value": "3000"}).url == url
    over = client.post(url, {"action": "share", "organisation": tree.haizhu.pk, "value": "2000"})
    assert "1,126" in over.context["share_form"].errors["value"][0]
    low = client.post(url, {"action": "change", "change-value": "100"})
    assert "3,000" in low.context["change_form"].errors["value"][0]
    assert Target.objects.get(pk=yearly.pk).value == 4126
    client.post(url, {"action": "change", "change-value": "5000"})
    assert Target.objects.get(pk=yearly.pk).value == 5000
    share = Target.objects.get(parent=yearly)
    assert client.post(url, {"action": "remove"}).url == url  # refused while it has shares: the page again
    assert Target.objects.filter(pk=yearly.pk).exists()
    assert client.post(f"/stats/targets/target/{share.pk}/", {"action": "remove"}).url == \
        f"/stats/targets/{tree.tianhe.pk}/"
    client.post(url, {"action": "remove"})
    assert not Target.objects.exists()


def test_the_target_page_offers_shares_to_active_unions_only_and_refuses_a_huge_value(tree, login, city_admin,
                                                                                     yearly):
    Organisation.objects.filter(pk=tree.haizhu.pk).update(is_active=False)
    client = login(city_admin)
    page = client.get(f"/stats/targets/target/{yearly.pk}/")
    offered = [str(organisation) for organisation in page.context["share_form"].fields["organisation"].queryset]
    assert offered == [str(tree.tianhe)]
    assert "<script" not in page.content.decode().split("<title>")[1].split("</title>")[0]
    too_large = client.post(f"/stats/targets/{tree.city.pk}/new/", {
        "measure": Measure.WORKERS_PAID, "start_year": 2026, "end_year": 2026, "value": str(10**19)})
    assert too_large.status_code == 200 and list(too_large.context["form"].errors) == ["value"]
    for organisation in (tree.school, tree.haizhu):
        refused = client.post(f"/api/stats/targets/{yearly.pk}/shares", {"organisation_id": organisation.pk,
                                                                          "value": 1}, content_type="application/json")
        assert refused.status_code == 422
    answer = client.post(f"/api/stats/{tree.city.pk}/targets", {
        "measure": Measure.WORKERS_PAID, "start_year": 2026, "end_year": 2026, "value": 10**19},
        content_type="application/json")
    assert answer.status_code == 422 and "value" in answer.content.decode()
    assert not Target.objects.filter(parent=yearly).exists()


def test_a_district_cannot_change_the_share_it_was_given(tree, login, city_admin, yearly):
    share = target_share_allocate(by=city_admin, target=yearly, organisation=tree.tianhe, value=3000)
    client = login(tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe))
    assert client.get(f"/stats/targets/target/{share.pk}/").status_code == 200
    assert client.post(f"/stats/targets/target/{share.pk}/", {"action": "change", "change-value": "9000"}
                       ).status_code == 403
    assert Target.objects.get(pk=share.pk).value == 3000


def test_the_api_reads_sets_shares_changes_and_removes(tree, login, city_admin, yearly):
    client = login(city_admin)
    answer = client.get(f"/api/stats/{tree.city.pk}/targets").json()
    [item] = answer["targets"]
    assert (item["target"]["value"], item["target"]["measure"], item["done"], item["context"]) == (
        4126, "approved", 0, False)
    assert answer["on"] == timezone.localdate().isoformat() and answer["as_of"]
    created = client.post(f"/api/stats/{tree.city.pk}/targets", {"measure": "projects", "start_year": 2024,
                                                                   "end_year": 2030, "value": 30},
                          content_type="application/json")
    assert created.status_code == 201
    bad = client.post(f"/api/stats/{tree.city.pk}/targets", {"measure": "workers_paid", "start_year": 2026,
                                                               "end_year": 2026, "value": -5},
                      content_type="application/json")
    assert bad.status_code == 422 and "value" in bad.json()["errors"]
    share = client.post(f"/api/stats/targets/{yearly.pk}/shares", {"organisation_id": tree.tianhe.pk, "value": 5000},
                        content_type="application/json")
    assert share.status_code == 422 and "4,126" in share.json()["errors"]["value"][0]
    assert client.post(f"/api/stats/targets/{yearly.pk}/shares", {"organisation_id": tree.province.pk, "value": 1},
                       content_type="application/json").json()["errors"]["organisation_id"]
    share = client.post(f"/api/stats/targets/{yearly.pk}/shares", {"organisation_id": tree.tianhe.pk, "value": 3000},
                        content_type="application/json").json()
    assert share["parent_id"] == yearly.pk
    assert client.patch(f"/api/stats/targets/{share['id']}", {"value": 2000},
                        content_type="application/json").json()["value"] == 2000
    assert client.delete(f"/api/stats/targets/{share['id']}").status_code == 204


def test_the_api_keeps_to_the_subtree(tree, login, yearly):
    client = login(tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe))
    assert client.get(f"/api/stats/{tree.haizhu.pk}/targets").status_code == 404
    assert client.get(f"/api/stats/{tree.city.pk}/targets").status_code == 404
    [context] = client.get(f"/api/stats/{tree.tianhe.pk}/targets").json()["targets"]
    assert context["context"] and context["target"]["value"] == 4126
    assert client.post(f"/api/stats/{tree.tianhe.pk}/targets", {"measure": "approved", "start_year": 2026,
                                                                  "end_year": 2026, "value": 5},
                       content_type="application/json").status_code == 403
    assert client.patch(f"/api/stats/targets/{yearly.pk}", {"value": 1},
                        content_type="application/json").status_code == 404


def _queries(client, url: str) -> int:
    client.get(url)  # the session's first request reads what later ones keep
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_pages_run_as_many_queries_for_many_targets_and_shares_as_for_few(tree, login, city_admin, yearly):
    """No query per target or per share: a projects target's live count is the one exception, so none here."""
    client = login(city_admin)
    urls = [f"/stats/targets/{tree.city.pk}/", f"/stats/targets/target/{yearly.pk}/",
            f"/api/stats/{tree.city.pk}/targets"]
    few = [_queries(client, url) for url in urls]
    for measure in (Measure.WORKERS_PAID, Measure.MIGRANTS_PAID, Measure.BUDGET_PAID):
        target_set(by=city_admin, organisation=tree.city, measure=measure, start_year=2024, end_year=2030, value=10)
    for n in range(4):
        district = organisation_create(by=tree.root_user, kind=OrgKind.DISTRICT, code=f"GZ-Q{n}", name=f"区{n}",
                                       parent=tree.city)
        target_share_allocate(by=city_admin, target=yearly, organisation=district, value=10)
    stats_refresh()
    assert [_queries(client, url) for url in urls] == few


def test_the_shares_export_holds_every_union_below_and_keeps_to_the_subtree(tree, login, city_admin, yearly):
    target_share_allocate(by=city_admin, target=yearly, organisation=tree.tianhe, value=3000)
    url = f"/stats/targets/target/{yearly.pk}/shares.xlsx"
    rows = book(login(city_admin).get(url))
    shares = {row[0]: row[1] for row in rows[1:]}
    assert shares["天河区总工会"] == 3000 and shares["海珠区总工会"] is None and len(rows) == 3  # not the school
    assert login(tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe)).get(url).status_code == 404


def test_a_projects_target_counts_every_union_below_in_one_query(tree, login, city_admin):
    """The projects are counted live, grouped: the page and its workbook run as many queries for ten more districts
    (with a share each, and a project each) as for two."""
    stats_refresh()
    year = timezone.localdate().year
    target = target_set(by=city_admin, organisation=tree.city, measure=Measure.PROJECTS, start_year=year,
                        end_year=year, value=300)
    client = login(city_admin)
    urls = [f"/stats/targets/target/{target.pk}/", f"/stats/targets/target/{target.pk}/shares.xlsx",
            f"/stats/targets/{tree.city.pk}/"]
    few = [_queries(client, url) for url in urls]
    for n in range(10):
        district = organisation_create(by=tree.root_user, kind=OrgKind.DISTRICT, code=f"GZ-Q{n}", name=f"区{n}",
                                       parent=tree.city)
        target_share_allocate(by=city_admin, target=target, organisation=district, value=10)
        project_create(by=city_admin, lead=district, name=f"项目{n}", kind=ProjectKind.SKILLS,
                       starts_on=datetime.date(year, 1, 2), ends_on=datetime.date(year, 12, 1))
    assert [_queries(client, url) for url in urls] == few
    rows = book(client.get(urls[1]))
    assert sorted(row[2] for row in rows[1:]) == [0, 0] + [1] * 10


def test_the_api_reads_one_target_and_a_page_of_its_shares(tree, login, city_admin, yearly):
    target_share_allocate(by=city_admin, target=yearly, organisation=tree.tianhe, value=3000)
    client = login(city_admin)
    answer = client.get(f"/api/stats/targets/{yearly.pk}").json()
    assert (answer["progress"]["target"]["value"], answer["progress"]["allocated"], answer["pages"]) == (4126, 3000, 1)
    shares = {row["organisation"]["name"]: row for row in answer["shares"]}
    assert set(shares) == {"天河区总工会", "海珠区总工会"}  # not the school
    assert shares["天河区总工会"]["share"]["value"] == 3000 and not shares["天河区总工会"]["progress"]["context"]
    assert shares["海珠区总工会"]["share"] is None and shares["海珠区总工会"]["progress"]["context"]
    assert client.get(f"/api/stats/targets/{yearly.pk}?on=2999-12-31").status_code == 422
    district = login(tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe))
    assert district.get(f"/api/stats/targets/{yearly.pk}").status_code == 404

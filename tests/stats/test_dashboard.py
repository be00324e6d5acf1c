"""The dashboard pages: scoped like the figures (a district sees only its own, 404 above or beside it; no money section
without VIEW_FUNDS), children that sum to the parent on the page, a range of years summed, each table's xlsx export
with the page's rows, "not counted yet" before the first refresh, and the refresh queued by those who may."""

import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.stats.test_api import figures  # noqa: F401  (the fixture: five applications, three budgets, refreshed)
from yuanmeng.jobs.models import Job
from yuanmeng.orgs.models import OrgKind
from yuanmeng.orgs.roles import Role
from yuanmeng.orgs.services import organisation_create
from yuanmeng.stats.dashboard import _projection, dashboard_for
from yuanmeng.stats.jobs import REFRESH_JOB
from yuanmeng.stats.models import MoneyRollup, Refresh

pytestmark = pytest.mark.django_db


def _page(client, organisation, query=""):
    return client.get(f"/stats/{organisation.pk}/{query}")


def _workers_by_child(found) -> dict:
    table = found.table("workers_by_organisation")
    return {cells[0]: cells[1:] for cells in table.rows}


def test_the_menu_leads_to_the_users_own_organisation(tree, figures, login):  # noqa: F811
    client = login(tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe))
    answer = client.get("/stats/")
    assert answer.status_code == 302 and answer.url == f"/stats/{tree.tianhe.pk}/"
    assert "/stats/" in client.get("/").content.decode()


def test_a_district_sees_only_its_own_and_no_money(tree, figures, login):  # noqa: F811
    client = login(tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe))
    page = _page(client, tree.tianhe, f"?year_from={figures}")
    assert page.status_code == 200
    found = page.context["dashboard"]
    assert [section.key for section in found.sections] == ["workers", "funnel", "durations", "intake"]
    assert found.crumbs == []  # the city above is not the reviewer's to see
    assert _workers_by_child(found) == {tree.tianhe_firm.organisation.name: [3, 0, 0, 0]}
    for outside in (tree.city, tree.haizhu, tree.haizhu_firm.organisation):
        assert _page(client, outside).status_code == 404
        assert client.get(f"/stats/{outside.pk}/export/funnel.xlsx").status_code == 404


def test_a_viewer_above_sees_children_that_sum_to_the_parent(tree, figures, login):  # noqa: F811
    viewer = tree.staff(Role.VIEWER, tree.province)
    client = login(viewer)
    assert _page(client, tree.national).status_code == 404
    city = _page(client, tree.city, f"?year_from={figures}").context["dashboard"]
    assert [org.pk for org in city.crumbs] == [tree.province.pk]
    children = _workers_by_child(city)
    total = dashboard_for(viewer, organisation_id=tree.city.pk, years=(figures, figures), dimension="level")
    applying = sum(row[1] for row in total.table("workers_level").rows)
    assert applying == 5 == sum(counts[0] for counts in children.values())
    for child in city.children:
        alone = _page(client, child, f"?year_from={figures}").context["dashboard"]
        assert sum(row[1] for row in alone.table("workers_level").rows) == children.get(child.name, [0])[0]
    money = {cells[0]: cells[2:4] for cells in city.table("money_by_holder").rows}
    assert sum(sum(pair) for pair in money.values()) == 3_000  # 1,000 yuan in each of the three budgets


def test_matching_money_by_the_level_of_the_union_holding_it(tree, figures, login):  # noqa: F811
    client = login(tree.staff(Role.CITY_ADMIN, tree.city))
    city = _page(client, tree.city, f"?year_from={figures}").context["dashboard"]
    levels = {cells[0]: cells[1:] for cells in city.table("money_by_level").rows}
    assert levels == {"市总工会": [1_000, 0, 0, 0.0], "区总工会": [0, 1_000, 0, 50.0],
                      "企业工会": [0, 1_000, 0, 50.0]}
    assert [cells[1] for cells in city.table("money").rows] == [2_000, 1_000]  # matching, special: levels summed


def test_money_counted_before_the_level_was_kept_still_shows(tree, figures, login):  # noqa: F811
    """Rows from before migration stats/0004 have no level until the next refresh: shown, last, unlabelled."""
    MoneyRollup.objects.update(holder_kind="")
    client = login(tree.staff(Role.CITY_ADMIN, tree.city))
    city = _page(client, tree.city, f"?year_from={figures}").context["dashboard"]
    assert [cells[0] for cells in city.table("money_by_level").rows] == [""]
    assert client.get(f"/api/stats/{tree.city.pk}/{figures}/money").status_code == 200


def test_a_range_of_years_sums_them(tree, figures, login):  # noqa: F811
    client = login(tree.staff(Role.CITY_ADMIN, tree.city))
    one = _page(client, tree.city, f"?year_from={figures}").context["dashboard"]
    before = _page(client, tree.city, f"?year_from={figures - 1}&year_to={figures - 1}").context["dashboard"]
    both = _page(client, tree.city, f"?year_from={figures - 1}&year_to={figures}").context["dashboard"]
    assert before.table("workers_level").rows == []
    assert both.table("workers_level").rows == one.table("workers_level").rows
    assert both.table("durations").rows == one.table("durations").rows
    assert "2" in _page(client, tree.city, f"?year_from={figures - 1}&year_to={figures}").content.decode()


def test_the_dashboard_leads_to_its_targets_and_the_yearly_report_of_the_last_year_shown(tree, figures, login):  # noqa: F811
    client = login(tree.staff(Role.CITY_ADMIN, tree.city))
    page = _page(client, tree.city, f"?year_from={figures - 1}&year_to={figures}").content.decode()
    assert reverse("stats_targets", args=[tree.city.pk]) in page
    assert f'{reverse("stats_report", args=[tree.city.pk])}?year={figures}' in page


@pytest.mark.parametrize("query, field", [("?year_from=2026&year_to=2025", "year_to"),
                                          ("?year_from=2010&year_to=2026", "year_to"),
                                          ("?year_from=abc", "year_from"), ("?by=shoe_size", "by")])
def test_bad_years_are_named(tree, figures, login, query, field):  # noqa: F811
    client = login(tree.staff(Role.CITY_ADMIN, tree.city))
    page = _page(client, tree.city, query)
    assert page.status_code == 200 and page.context["dashboard"] is None
    assert field in page.context["form"].errors
    assert client.get(f"/stats/{tree.city.pk}/export/funnel.xlsx{query}").status_code == 404


def test_each_table_exports_the_rows_of_the_page(tree, figures, login):  # noqa: F811
    client = login(tree.staff(Role.CITY_ADMIN, tree.city))
    found = _page(client, tree.city, f"?year_from={figures}&by=age_band").context["dashboard"]
    keys = [table.key for section in found.sections for table in section.tables]
    assert "workers_age_band" in keys and "money_by_holder" in keys
    for key in keys:
        answer = client.get(f"/stats/{tree.city.pk}/export/{key}.xlsx?year_from={figures}&by=age_band")
        assert answer.status_code == 200, key
        sheet = openpyxl.load_workbook(io.BytesIO(b"".join(answer.streaming_content))).active
        rows = [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)]
        expected = [[None if cell in (None, "") else cell for cell in cells] for cells in found.table(key).rows]
        assert rows == [[float(c) if hasattr(c, "as_tuple") else c for c in row] for row in expected], key
    assert client.get(f"/stats/{tree.city.pk}/export/nothing.xlsx").status_code == 404


def test_before_the_first_refresh_nothing_is_counted_yet(tree, policy, login):
    Refresh.objects.all().delete()
    client = login(tree.staff(Role.CITY_ADMIN, tree.city))
    page = _page(client, tree.city)
    assert page.context["dashboard"].as_of is None
    assert "尚未统计" in page.content.decode()


def test_those_who_set_targets_queue_a_refresh_others_may_not(tree, figures, login):  # noqa: F811
    reviewer = login(tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe))
    assert b"dashboard_refresh" not in _page(reviewer, tree.tianhe).content
    assert reviewer.post(f"/stats/{tree.tianhe.pk}/refresh/").status_code == 403
    admin = login(tree.staff(Role.CITY_ADMIN, tree.city))
    admin.post(f"/stats/{tree.city.pk}/refresh/")
    assert not Job.objects.filter(kind=REFRESH_JOB).exists()  # counted minutes ago (the figures fixture)
    Refresh.objects.update(as_of=timezone.now() - datetime.timedelta(hours=1))
    answer = admin.post(f"/stats/{tree.city.pk}/refresh/")
    assert answer.status_code == 302 and answer.url == f"/stats/{tree.city.pk}/"
    # another city's administrator (or the same one again) while it is queued: that task, not a second count
    other = organisation_create(by=tree.root_user, kind=OrgKind.CITY, code="SZ", name="深圳市总工会",
                                parent=tree.province)
    login(tree.staff(Role.CITY_ADMIN, other)).post(f"/stats/{other.pk}/refresh/")
    assert Job.objects.filter(kind=REFRESH_JOB).count() == 1


def test_the_page_runs_a_fixed_number_of_queries(tree, figures, login):  # noqa: F811
    client = login(tree.staff(Role.CITY_ADMIN, tree.city))
    _page(client, tree.city)
    with CaptureQueriesContext(connection) as queries:
        assert _page(client, tree.city, f"?year_from={figures}").status_code == 200
    assert len(queries) == QUERIES


# the session with its user and roles, the menu's token check; per figure (workers, funnel, durations, money) the
# organisation, its children, the rows and the refresh's time; the intake's policies and the days of those charted; the
# organisations above
QUERIES = 2 + 4 * 4 + 2 + 1


def test_the_intake_projection_follows_the_recent_pace_once_there_is_enough_of_it():
    start = datetime.date(2026, 3, 1)
    days = [start + datetime.timedelta(days=n) for n in range(20)]
    cumulative = [10 * (n + 1) for n in range(20)]  # ten a day: 200 by the 20th day
    assert _projection(days, cumulative, 300) == (days[-1] + datetime.timedelta(days=10), 300)
    assert _projection(days, cumulative, 200) is None  # reached already
    assert _projection(days, cumulative, None) is None  # no cap
    assert _projection(days[-5:], cumulative[-5:], 300) is None  # five days: too few to take a pace from
    assert _projection(days, [200] * 20, 300) is None  # nobody for two weeks: no pace


def test_the_tables_by_organisation_below_show_a_page_of_them_and_the_export_every_one(tree, figures, login,  # noqa: F811
                                                                                        settings):
    settings.PAGE_SIZE = 1
    client = login(tree.staff(Role.CITY_ADMIN, tree.city))
    pages = [_page(client, tree.city, f"?year_from={figures}&page={n}") for n in (1, 2, 3)]
    shown = [[org.name for org, _cells in page.context["dashboard"].table(key).shown() if org is not None]
             for page in pages for key in ("workers_by_organisation", "durations_by_organisation")]
    assert all(len(names) == 1 for names in shown)
    children = {tree.tianhe.name, tree.haizhu.name, tree.school.name}
    assert {names[0] for names in shown} == children
    assert "?year_from" in pages[0].content.decode() and "page=2" in pages[0].content.decode()
    answer = client.get(f"/stats/{tree.city.pk}/export/workers_by_organisation.xlsx?year_from={figures}&page=1")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(answer.streaming_content))).active
    assert {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)} >= children

"""The home page's work waiting: each card counts what waits for the user's role, in their scope, and links to a
list that shows exactly those rows; province and national viewers get a summary per child organisation."""

import io
import re

import pytest
from django.utils import timezone

from tests.payouts.test_results import approved_batch, result_file, row
from tests.people.test_sign_up import sign_up
from yuanmeng.applications.services import application_submit_diploma, application_transition
from yuanmeng.applications.workflow import Action
from yuanmeng.core import waiting as waiting_module
from yuanmeng.jobs.models import Job, JobState
from yuanmeng.orgs.models import Enterprise, OrgKind
from yuanmeng.orgs.roles import Role
from yuanmeng.orgs.services import organisation_create
from yuanmeng.payouts.models import Batch, BatchStatus
from yuanmeng.payouts.services import result_import, write_batch_file
from yuanmeng.people.models import Worker
from yuanmeng.stats.services import stats_refresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client):
    """Pages in English, whatever the site's language."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def card(html: str, label: str) -> tuple[str, str]:
    """The (count, link) of the work card named ``label`` on a home page."""
    match = re.search(r'<a href="([^"]+)">\s*<strong>([^<]+)</strong>\s*<span>' + re.escape(label) + "</span>", html)
    assert match, f"no card {label!r}"
    return match.group(2), match.group(1).replace("&amp;", "&")


def listed_ids(html: str, prefix: str) -> set[int]:
    return {int(n) for n in re.findall(prefix + r"(\d+)/\"", html)}


def confirmed(tree, people, policy, worker):
    application = tree.apply(worker, policy)
    return application_transition(by=people.enterprise, application=application, action=Action.CONFIRM)


@pytest.fixture
def confirmed_in_both_districts(tree, people, policy):
    """Two applications waiting for the 天河 reviewer (confirmed), one for 海珠's, one still at the enterprise."""
    tianhe = [confirmed(tree, people, policy, tree.member(name=f"天河{n}")) for n in range(2)]
    haizhu_officer = tree.staff(Role.ENTERPRISE_OFFICER, tree.haizhu_firm.organisation)
    haizhu_app = tree.apply(tree.member(name="海珠", employer=tree.haizhu_firm), policy)
    application_transition(by=haizhu_officer, application=haizhu_app, action=Action.CONFIRM)
    tree.apply(tree.member(name="未确认"), policy)
    return tianhe


def test_district_reviewer_counts_own_district_and_the_link_lists_exactly_those(
        client, login, people, confirmed_in_both_districts):
    login(people.district)
    count, url = card(client.get("/").content.decode(), "Applications to review")
    assert count == "2" and url == "/applications/?waiting=review"
    page = client.get(url).content.decode()
    assert listed_ids(page, "/applications/") >= {a.pk for a in confirmed_in_both_districts}
    assert len(listed_ids(page, "/applications/") - {a.pk for a in confirmed_in_both_districts}) == 0
    oldest, newest = confirmed_in_both_districts
    assert page.index(f"/applications/{oldest.pk}/") < page.index(f"/applications/{newest.pk}/")  # oldest first
    login(people.other_district)
    assert card(client.get("/").content.decode(), "Applications to review")[0] == "1"


def test_enterprise_officer_sees_applications_to_confirm(client, login, people, confirmed_in_both_districts):
    login(people.enterprise)
    count, url = card(client.get("/").content.decode(), "Applications to confirm")
    assert count == "1"
    assert len(listed_ids(client.get(url).content.decode(), "/applications/")) == 1


def test_count_is_bounded(client, login, people, monkeypatch, confirmed_in_both_districts):
    monkeypatch.setattr(waiting_module, "WAITING_CAP", 1)
    login(people.district)
    assert card(client.get("/").content.decode(), "Applications to review")[0] == "1+"


def test_school_staff_see_graduates_and_enrolments_waiting_for_their_roster(client, login, tree, people, policy):
    application = tree.apply(tree.member(), policy)
    for by, action in ((people.enterprise, Action.CONFIRM), (people.district, Action.REVIEW),
                       (people.city, Action.APPROVE)):
        application = application_transition(by=by, application=application, action=action)
    application_submit_diploma(by=application.worker.user, application=application,
                               certificate_number=f"511615{timezone.localdate().year}06000001",
                               graduation_date=timezone.localdate())
    tree.apply(tree.member(), policy)
    login(people.school)
    html = client.get("/").content.decode()
    graduates, url = card(html, "Graduates waiting for your roster")
    assert graduates == "1" and listed_ids(client.get(url).content.decode(), "/applications/") == {application.pk}
    assert card(html, "Enrolments waiting for your roster")[0] == "2"


def test_finance_officer_follows_a_batch_through_its_steps(client, login, tree, tmp_path):
    money = approved_batch(tree)
    login(money.finance)
    html = client.get("/").content.decode()
    assert card(html, "Batches to approve")[0] == "0"
    count, url = card(html, "Payment files to issue")
    assert count == "1" and listed_ids(client.get(url).content.decode(), "/payouts/batches/") == {money.batch.pk}
    write_batch_file(by=money.finance, batch=money.batch, fmt="xlsx", out=io.BytesIO())
    html = client.get("/").content.decode()
    assert card(html, "Payment files to issue")[0] == "0"
    count, url = card(html, "Bank results missing")
    assert count == "1" and listed_ids(client.get(url).content.decode(), "/payouts/batches/") == {money.batch.pk}
    assert Batch.objects.get(pk=money.batch.pk).status == BatchStatus.APPROVED


def test_failed_tasks_link_to_the_failed_ones(client, login, people):
    for state in (JobState.FAILED, JobState.DONE):
        Job.objects.create(kind="import", label=f"导入 {state}", owner=people.enterprise, state=state,
                           dedupe_key=str(state))
    login(people.enterprise)
    count, url = card(client.get("/").content.decode(), "Tasks that failed")
    assert count == "1" and url == "/tasks/?state=failed"
    page = client.get(url).content.decode()
    assert "导入 failed" in page and "导入 done" not in page


def test_province_viewer_sees_a_summary_per_city_from_the_rollups(client, login, tree):
    money = approved_batch(tree)
    result_import(by=money.finance, batch=money.batch, upload=result_file([row(line) for line in money.lines]))
    viewer = tree.staff(Role.VIEWER, tree.province)
    login(viewer)
    assert "not counted yet" in client.get("/").content.decode()
    stats_refresh()
    html = client.get("/").content.decode()
    row_html = re.search(rf'<td><a href="/organisations/{tree.city.pk}/">广州市总工会</a></td>(.*?)</tr>', html, re.S)
    assert row_html, "a row for the city"
    cells = re.findall(r'<td class="num">([^<]+)</td>', row_html.group(1))
    paid = sum(line.total_fen for line in money.lines)  # the city's, the district's and the enterprise's budgets
    assert cells[:4] == ["0", "0", "0", str(len(money.lines))]  # under review, pre-registered, verified, paid
    assert cells[4] == f"{paid / 100:,.2f}" and "As of" in html


def test_the_province_summary_counts_each_stage_once(client, login, tree, policy):
    applications = [tree.apply(tree.member(), policy) for _ in range(3)]
    application_transition(by=applications[0].worker.user, application=applications[0], action=Action.WITHDRAW)
    stats_refresh()
    login(tree.staff(Role.VIEWER, tree.province))
    html = client.get("/").content.decode()
    row_html = re.search(rf'<td><a href="/organisations/{tree.city.pk}/">广州市总工会</a></td>(.*?)</tr>', html, re.S)
    assert re.findall(r'<td class="num">([^<]+)</td>', row_html.group(1))[:4] == ["2", "0", "0", "0"]


def test_other_home_roles_get_no_summary_table_of_children(client, login, tree, people):
    login(people.auditor)
    assert "By organisation below" not in client.get("/").content.decode()


@pytest.fixture
def tree_with_province_auditor(tree):
    return tree, tree.staff(Role.AUDITOR, tree.province)


def test_province_auditor_gets_the_summary(client, login, tree_with_province_auditor):
    tree, auditor = tree_with_province_auditor
    stats_refresh()
    login(auditor)
    assert "By organisation below" in client.get("/").content.decode()




def test_province_summary_runs_the_same_queries_however_many_cities(client, login, tree, policy,
                                                                    django_assert_num_queries):
    viewer = tree.staff(Role.VIEWER, tree.province)
    login(viewer)
    tree.apply(tree.member(), policy)
    province_policy = tree.policy(organisation=tree.province)
    stats_refresh()
    with django_assert_num_queries(PROVINCE_HOME_QUERIES):
        client.get("/")
    for n in range(3):
        city = organisation_create(by=tree.root_user, kind=OrgKind.CITY, code=f"C{n}", name=f"城市{n}",
                                   parent=tree.province, region_code=f"4402{n}0")
        tree.apply(tree.member(employer=tree.enterprise(city, f"企业{n}")), province_policy)
    stats_refresh()
    with django_assert_num_queries(PROVINCE_HOME_QUERIES):
        html = client.get("/").content.decode()
    assert html.count('<td><a href="/organisations/') == 4


PROVINCE_HOME_QUERIES = 11  # the session with user and grants, roots, organisation, children, refresh time, rollups, …


def test_enterprise_officer_sees_members_to_confirm(client, login, tree, people):
    worker = sign_up(tree, name="待确认职工")
    login(people.enterprise)
    count, url = card(client.get("/").content.decode(), "Members to confirm")
    assert count == "1" and url == "/members/confirm/"
    assert worker.name in client.get(url).content.decode()
    login(tree.staff(Role.ENTERPRISE_OFFICER, tree.haizhu_firm.organisation))
    assert card(client.get("/").content.decode(), "Members to confirm")[0] == "0"


def test_the_members_card_shows_exactly_where_the_page_opens(client, login, tree):
    """One rule (people.permissions.may_confirm_members): the union, and the district and city above it."""
    sign_up(tree)
    places = {Role.ENTERPRISE_OFFICER: tree.tianhe_firm.organisation, Role.DISTRICT_REVIEWER: tree.tianhe,
              Role.CITY_ADMIN: tree.city, Role.FINANCE_OFFICER: tree.city, Role.AUDITOR: tree.city,
              Role.SCHOOL_STAFF: tree.school, Role.VIEWER: tree.province}
    shown = {}
    for role, organisation in places.items():
        login(tree.staff(role, organisation))
        has_card = "<span>Members to confirm</span>" in client.get("/").content.decode()
        opens = client.get("/members/confirm/").status_code == 200
        assert has_card == opens, role
        shown[role] = has_card
    assert [role for role, yes in shown.items() if yes] == [
        Role.ENTERPRISE_OFFICER, Role.DISTRICT_REVIEWER, Role.CITY_ADMIN]


def test_a_viewer_is_shown_failed_tasks_only_when_one_failed(client, login, tree):
    viewer = tree.staff(Role.VIEWER, tree.province)
    login(viewer)
    assert "Waiting for you" not in client.get("/").content.decode()
    Job.objects.create(kind="export", label="导出", owner=viewer, state=JobState.FAILED, dedupe_key="x")
    assert card(client.get("/").content.decode(), "Tasks that failed")[0] == "1"


def _stats(html: str) -> dict[str, str]:
    """The area summary's totals, by label."""
    return {label: value for value, label in re.findall(r"<div><strong>([^<]+)</strong><span>([^<]+)</span></div>",
                                                         html)}


def test_the_area_summary_says_plainly_it_is_not_counted_before_the_first_refresh(client, login, tree, people):
    tree.member(is_migrant_worker=True)
    login(people.city)
    html = client.get("/").content.decode()
    assert "Figures are counted every few minutes; not counted yet." in html
    assert "workers" not in _stats(html) and "As of" not in html


def test_the_area_summary_equals_the_direct_count_as_of_the_refresh(client, login, tree, people):
    tree.member(is_migrant_worker=True, model_worker_level="city")
    tree.member(employer=tree.haizhu_firm, is_new_employment_form=True, bank_account="", bank_name="")
    tree.enterprise(tree.haizhu, "海珠第二物流有限公司", region="440105")
    refresh = stats_refresh()
    login(people.city)
    html = client.get("/").content.decode()
    workers = Worker.objects.filter(employer__organisation__path__startswith=tree.city.path)
    assert _stats(html) == {
        "enterprises": str(Enterprise.objects.filter(organisation__path__startswith=tree.city.path).count()),
        "workers": str(workers.count()), "migrant workers": str(workers.filter(is_migrant_worker=True).count()),
        "new employment forms": str(workers.filter(is_new_employment_form=True).count()),
        "model workers and medal holders": str(workers.exclude(model_worker_level="", labour_medal_level="").count()),
        "with bank details": str(workers.exclude(bank_account_masked="").count())}
    assert f"As of {timezone.localtime(refresh.as_of):%Y-%m-%d %H:%M}" in html
    haizhu = re.search(rf'<td><a href="/organisations/{tree.haizhu.pk}/">[^<]+</a></td>(.*?)</tr>', html, re.S)
    assert re.findall(r'<td class="num">(?:<a [^>]+>)?(\d+)', haizhu.group(1)) == [
        "2", str(workers.filter(employer__organisation__path__startswith=tree.haizhu.path).count()), "0", "1"]


def test_a_district_reviewer_sees_only_their_districts_children(client, login, tree, people):
    stats_refresh()
    login(people.district)
    html = client.get("/").content.decode()
    rows = set(map(int, re.findall(r'<td><a href="/organisations/(\d+)/">', html)))
    assert rows == {tree.tianhe_firm.organisation.pk}

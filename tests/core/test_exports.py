"""Every list page and API list exports its current filters to xlsx: scoped as the list, numbers masked unless the
role may see them, formulas neutralised, a fixed number of queries, long lists written in the background."""

import io
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import gettext as _

from tests.builders import bank_card
from tests.payouts.scale import verified_applications
from yuanmeng.applications.models import Roster
from yuanmeng.audit.models import AuditEntry
from yuanmeng.core.exports import EXPORTS, export_count, export_write
from yuanmeng.funds.models import FundSource
from yuanmeng.funds.services import budget_create
from yuanmeng.jobs.models import Job, JobState
from yuanmeng.orgs.models import Enterprise, Organisation, SchoolType
from yuanmeng.orgs.roles import Role
from yuanmeng.orgs.services import school_register
from yuanmeng.payouts.services import round_commit
from yuanmeng.people.models import Worker
from yuanmeng.policies.models import Policy

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
YUAN = 100


def book(response) -> list[tuple]:
    """The rows of a downloaded workbook, header first."""
    assert response.status_code == 200, response.content[:300] if hasattr(response, "content") else response
    assert response["Content-Type"] == XLSX and response["Content-Disposition"].startswith("attachment")
    return list(openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)


def column(rows: list[tuple], header: str) -> list:
    """A column's cells, found by its header (in the language the pages speak)."""
    index = rows[0].index(header)
    return [row[index] for row in rows[1:]]


def queries(client, url: str, params: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as captured:
        book(client.get(url, params or {}))
    return len(captured)


def test_every_list_page_and_api_list_has_an_export():
    assert set(EXPORTS) == {"workers", "applications", "api-applications", "rosters", "enterprises", "organisations",
                            "policies", "budgets", "rounds", "payment-lines", "audit", "projects", "training_orders",
                            "training_report"}


# ---- workers --------------------------------------------------------------------------------------------------

def test_worker_export_is_scoped_filtered_and_masked_unless_the_role_may_see_numbers(tree, login):
    tree.worker(name="天河迁移工", is_migrant_worker=True, bank_account="6222020200112233446")
    tree.worker(name="天河本地工")
    tree.worker(employer=tree.haizhu_firm, name="海珠工", is_migrant_worker=True)
    reviewer = login(tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe))
    rows = book(reviewer.get("/exports/workers/"))
    assert sorted(column(rows, _("Full name"))) == ["天河本地工", "天河迁移工"]  # nothing from 海珠
    rows = book(reviewer.get("/exports/workers/", {"priority": "migrant", "page": "3"}))
    assert column(rows, _("Full name")) == ["天河迁移工"]
    assert column(rows, _("Bank account")) == ["6222***********3446"] and "*" in column(rows, _("Identity number"))[0]
    assert reviewer.get("/exports/workers/", {"org": tree.haizhu.pk}).status_code == 404  # as the page
    city = login(tree.staff(Role.CITY_ADMIN, tree.city))
    rows = book(city.get("/exports/workers/", {"priority": "migrant"}))
    assert sorted(column(rows, _("Full name"))) == ["天河迁移工", "海珠工"]
    full = dict(zip(column(rows, _("Full name")), column(rows, _("Bank account")), strict=True))
    assert full["天河迁移工"] == "6222020200112233446"  # REVEAL_PII: in full
    assert all("*" not in number for number in column(rows, _("Identity number")))


def test_the_api_exports_the_workers_with_the_lists_parameters(tree, login):
    tree.worker(name="甲工", job_category="service")
    tree.worker(name="乙工")
    tree.worker(employer=tree.haizhu_firm, name="丙工", job_category="service")
    client = login(tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe))
    rows = book(client.get("/api/workers/export", {"job_category": "service"}))
    assert column(rows, _("Full name")) == ["甲工"] and "*" in column(rows, _("Identity number"))[0]
    assert client.get("/api/workers/export", {"organisation_id": tree.haizhu.pk}).status_code == 404
    assert client.get("/api/workers/export", {"job_category": "nonsense"}).status_code == 422


def test_cells_a_spreadsheet_would_run_are_neutralised(tree, login):
    for name in ("=1+1", "+SUM(A1)", "-2+3", "@cmd"):
        tree.worker(name=name)
    Enterprise.objects.filter(pk=tree.tianhe_firm.pk).update(legal_name="=HYPERLINK(\"http://x\")")
    client = login(tree.staff(Role.CITY_ADMIN, tree.city))
    names = column(book(client.get("/exports/workers/")), _("Full name"))
    assert sorted(names) == ["'+SUM(A1)", "'-2+3", "'=1+1", "'@cmd"]
    assert "'=HYPERLINK(\"http://x\")" in column(book(client.get("/exports/enterprises/")), _("Enterprise"))


def test_worker_export_queries_do_not_grow_with_rows(tree, login, django_assert_max_num_queries):
    tree.worker()
    client = login(tree.staff(Role.CITY_ADMIN, tree.city))
    few = queries(client, "/exports/workers/")
    for _n in range(6):
        tree.worker(employer=tree.haizhu_firm)
    with django_assert_max_num_queries(few):
        assert len(book(client.get("/exports/workers/"))) == 8


# ---- applications, rosters ----------------------------------------------------------------------------------

def test_queue_export_follows_the_queue_and_its_scope(tree, people, policy, login):
    tree.apply(people.worker, policy)
    tree.apply(tree.member(employer=tree.haizhu_firm, name="海珠申请人"), policy)
    rows = book(login(people.district).get("/exports/applications/", {"state": ""}))
    assert column(rows, _("Worker")) == ["申请人"] and "*" in column(rows, _("Identity number"))[0]
    # Without a state the queue opens on the reviewer's own step, and so does its export.
    assert len(book(login(people.district).get("/exports/applications/"))) == 1
    rows = book(login(people.city).get("/exports/applications/", {"state": "", "q": "海珠"}))
    # Identity numbers in an application list are masked for every role.
    assert column(rows, _("Worker")) == ["海珠申请人"] and "*" in column(rows, _("Identity number"))[0]
    assert login(people.applicant).get("/exports/applications/").status_code == 404  # no VIEW: no queue page


def test_api_application_export_uses_the_api_filters(tree, people, policy, login):
    tree.apply(people.worker, policy)
    haizhu = tree.apply(tree.member(employer=tree.haizhu_firm, name="海珠申请人"), policy)
    client = login(people.city)
    assert sorted(column(book(client.get("/api/applications/export")), _("Worker"))) == ["海珠申请人", "申请人"]
    rows = book(client.get("/api/applications/export", {"organisation_id": tree.haizhu.pk, "state": haizhu.state}))
    assert column(rows, _("Worker")) == ["海珠申请人"]
    assert len(book(client.get("/api/applications/export", {"state": "approved"}))) == 1
    assert column(book(login(people.district).get("/api/applications/export")), _("Worker")) == ["申请人"]
    response = login(people.district).get("/api/applications/export", {"organisation_id": tree.haizhu.pk})
    assert response.status_code == 422 and "organisation_id" in response.json()["errors"]


def test_application_export_queries_do_not_grow_with_rows(tree, people, policy, login,
                                                          django_assert_max_num_queries):
    verified_applications(tree, policy, 1)
    client = login(people.city)
    few = queries(client, "/exports/applications/", {"state": ""})
    verified_applications(tree, policy, 6, start=1, employer=tree.haizhu_firm)
    with django_assert_max_num_queries(few):
        assert len(book(client.get("/exports/applications/", {"state": ""}))) == 8


def test_roster_export_needs_the_roster_role_and_is_scoped(tree, people, login):
    other = school_register(by=tree.root_user, parent=tree.city, name="广州职校", code="HZVS",
                            school_type=SchoolType.VOCATIONAL_COLLEGE, school_code="51999")
    Roster.objects.create(school=tree.school_profile, file_name="+ours.xlsx", rows=3, matched=2, mismatched=1)
    Roster.objects.create(school=other, file_name="theirs.xlsx", rows=1)
    rows = book(login(people.school).get("/exports/rosters/"))
    assert column(rows, _("File")) == ["'+ours.xlsx"] and column(rows, _("Verified"))[0] == 2
    assert login(people.district).get("/exports/rosters/").status_code == 404


# ---- organisations, enterprises, policies, audit ----------------------------------------------------------

def test_enterprise_and_organisation_exports_are_scoped_and_filtered(tree, login):
    tree.enterprise(tree.tianhe, "天河软件有限公司")
    client = login(tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe))
    names = sorted(column(book(client.get("/exports/enterprises/")), _("Enterprise")))
    assert names == ["天河精密制造有限公司", "天河软件有限公司"]
    assert column(book(client.get("/exports/enterprises/", {"q": "软件"})), _("Enterprise")) == ["天河软件有限公司"]
    api = book(client.get("/api/orgs/enterprises/export", {"q": "精密"}))
    assert column(api, _("Enterprise")) == ["天河精密制造有限公司"]
    names = column(book(client.get("/exports/organisations/")), _("Name"))
    assert "天河区总工会" in names and "海珠区总工会" not in names and "海珠物流有限公司" not in names
    below = column(book(client.get("/exports/organisations/", {"parent_id": tree.tianhe.pk})), _("Name"))
    assert sorted(below) == ["天河精密制造有限公司工会", "天河软件有限公司工会"]
    assert column(book(client.get("/api/orgs/export", {"kind": "district"})), _("Name")) == ["天河区总工会"]


def test_organisation_export_queries_do_not_grow_with_rows(tree, login, django_assert_max_num_queries):
    client = login(tree.staff(Role.CITY_ADMIN, tree.city))
    few = queries(client, "/exports/enterprises/")
    for n in range(5):
        tree.enterprise(tree.haizhu, f"海珠企业{n}", region="440105")
    with django_assert_max_num_queries(few):
        assert len(book(client.get("/exports/enterprises/"))) == 8
    with django_assert_max_num_queries(few):
        book(client.get("/exports/organisations/"))


def test_policy_export_is_scoped_and_filtered(tree, login):
    tree.policy(organisation=tree.tianhe, title="-天河配套", code="TH-1")
    tree.policy(organisation=tree.tianhe, title="天河草案", code="TH-2", publish=False)
    tree.policy(organisation=tree.haizhu, title="海珠配套", code="HZ-1")
    client = login(tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe))
    assert sorted(column(book(client.get("/exports/policies/")), _("Policy"))) == ["'-天河配套", "天河草案"]
    assert column(book(client.get("/exports/policies/", {"status": "draft"})), _("Policy")) == ["天河草案"]
    assert column(book(client.get("/api/policies/export", {"status": "published"})), _("Code")) == ["TH-1"]
    assert Policy.objects.count() == 3


def test_audit_export_needs_the_audit_role_and_is_scoped(tree, login):
    AuditEntry.objects.filter(object_label="天河精密制造有限公司").update(object_label="@天河精密制造有限公司")
    auditor = login(tree.staff(Role.AUDITOR, tree.tianhe))
    rows = book(auditor.get("/exports/audit/"))
    labels = column(rows, _("object"))
    assert "'@天河精密制造有限公司" in labels and "海珠物流有限公司" not in labels and "海珠区总工会" not in labels
    actions = column(book(auditor.get("/exports/audit/", {"action": "enterprise."})), _("action code"))
    assert actions and all(action.startswith("enterprise.") for action in actions)
    assert login(tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe)).get("/exports/audit/").status_code == 404


# ---- funds and payouts ---------------------------------------------------------------------------------------

@pytest.fixture
def payout_round(tree):
    policy = tree.policy()
    budget = budget_create(by=tree.root_user, organisation=tree.city, year=policy.year, source=FundSource.SPECIAL,
                           name="专项", amount_fen=100_000 * YUAN)
    verified_applications(tree, policy, 4)
    return round_commit(by=tree.staff(Role.CITY_ADMIN, tree.city), policy=policy, budget=budget,
                        limit_fen=7_500 * YUAN, code="R-EXP")


def test_budget_and_round_exports_need_fund_rights_and_are_scoped(tree, payout_round, login):
    budget_create(by=tree.root_user, organisation=tree.tianhe, year=2026, source=FundSource.SPECIAL, name="天河",
                  amount_fen=500 * YUAN)
    budget_create(by=tree.root_user, organisation=tree.haizhu, year=2025, source=FundSource.SPECIAL, name="海珠",
                  amount_fen=500 * YUAN)
    district = login(tree.staff(Role.FINANCE_OFFICER, tree.tianhe))
    rows = book(district.get("/exports/budgets/"))
    assert column(rows, _("Name")) == ["天河"] and column(rows, _("Allocated (yuan)")) == [500]
    assert len(book(district.get("/exports/rounds/"))) == 1  # the city's round is not theirs
    city = login(tree.staff(Role.FINANCE_OFFICER, tree.city))
    assert sorted(column(book(city.get("/exports/budgets/")), _("Name"))) == sorted(["天河", "海珠", "专项"])
    assert column(book(city.get("/api/payouts/budgets/export", {"year": 2025})), _("Name")) == ["海珠"]
    assert column(book(city.get("/api/payouts/rounds/export")), _("Round")) == ["R-EXP"]
    reviewer = login(tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe))
    assert reviewer.get("/exports/budgets/").status_code == 404
    assert reviewer.get("/exports/rounds/").status_code == 404
    assert reviewer.get("/api/payouts/rounds/export").status_code == 404


def test_payment_line_export_is_the_rounds_or_batchs_lines_masked(tree, payout_round, login,
                                                                   django_assert_max_num_queries):
    city = login(tree.staff(Role.FINANCE_OFFICER, tree.city))
    url = "/exports/payment-lines/"
    rows = book(city.get(url, {"round": payout_round.pk}))
    assert len(rows) == 5 and all("*" in account for account in column(rows, _("Account")))  # masked, even for finance
    assert column(rows, _("Total (yuan)"))[0] == 1500
    assert len(book(city.get(url, {"round": payout_round.pk, "status": "paid"}))) == 1
    assert len(book(city.get(url, {"batch": payout_round.batches.get().pk}))) == 5
    assert len(book(city.get(f"/api/payouts/rounds/{payout_round.pk}/lines/export"))) == 5
    with django_assert_max_num_queries(queries(city, url, {"round": payout_round.pk})):
        book(city.get(url, {"round": payout_round.pk}))
    district = login(tree.staff(Role.FINANCE_OFFICER, tree.tianhe))
    assert district.get(url, {"round": payout_round.pk}).status_code == 404  # not their round, as its page
    assert city.get(url).status_code == 404  # a round or a batch, as on the pages


# ---- the functions other code calls ---------------------------------------------------------------------------

def test_export_write_reports_progress_and_counts(tree, tmp_path):
    for _n in range(3):
        tree.worker()
    city = tree.staff(Role.CITY_ADMIN, tree.city)
    seen = []
    assert export_count(name="workers", by=city, params={}) == 3
    assert export_write(name="workers", by=city, params={}, out=str(tmp_path / "w.xlsx"), progress=seen.append) == 3
    assert seen == [3] and len(list(openpyxl.load_workbook(tmp_path / "w.xlsx").active.values)) == 4


def test_the_list_pages_link_to_their_export_with_the_filters(tree, people, policy, login):
    city = login(people.city)
    assert '/exports/workers/?priority=migrant' in city.get("/workers/", {"priority": "migrant"}).content.decode()
    assert '/exports/enterprises/?q=' in city.get("/enterprises/", {"q": "天河"}).content.decode()
    assert '/exports/policies/?status=draft' in city.get("/policies/", {"status": "draft"}).content.decode()
    assert '/exports/applications/?state=' in city.get("/applications/", {"state": ""}).content.decode()
    assert '/exports/audit/' in city.get("/audit/").content.decode()
    assert '/exports/budgets/' in city.get("/payouts/").content.decode()
    page = city.get(f"/organisations/{tree.city.pk}/").content.decode()
    assert f"/exports/organisations/?parent_id={tree.city.pk}" in page
    assert '/exports/rosters/' in login(people.school).get("/rosters/").content.decode()


def test_the_api_documents_the_export_endpoints(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in ("/api/workers/export", "/api/applications/export", "/api/orgs/export", "/api/orgs/enterprises/export",
                 "/api/policies/export", "/api/payouts/budgets/export", "/api/payouts/rounds/export",
                 "/api/payouts/rounds/{round_id}/lines/export"):
        responses = paths[path]["get"]["responses"]
        assert XLSX in responses["200"]["content"] and "202" in responses


# ---- long lists: in the background ----------------------------------------------------------------------------

def test_a_long_export_becomes_one_background_task(tree, login, settings):
    settings.EXPORT_INLINE_ROWS = 2
    for _n in range(3):
        tree.worker()
    client = login(tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe))
    response = client.get("/exports/workers/", {"q": "李"})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{job.pk}/")
    assert job.kind == "export" and job.total == 3 and job.params == {"name": "workers", "params": {"q": "李"}}
    client.get("/exports/workers/", {"q": "李"})  # asked again while queued: the same task
    assert Job.objects.count() == 1
    api = client.get("/api/workers/export", {"q": "李"})
    assert api.status_code == 202 and api.json() == {"job": job.pk, "url": response["Location"]}


@pytest.mark.django_db(transaction=True)
def test_the_worker_writes_the_long_export_masked_as_its_owner_may_see_it(tree, login, settings):
    settings.EXPORT_INLINE_ROWS = 2
    for n in range(3):
        tree.worker(name=f"=职工{n}", bank_account=bank_card(n))
    tree.worker(employer=tree.haizhu_firm, name="海珠工")
    client = login(tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe))
    client.get("/exports/workers/")

    call_command("db_worker", "--batch", "--no-startup-delay")

    job = Job.objects.get()
    assert job.state == JobState.DONE, job.error
    assert job.done == job.total == 3 and job.result == {"rows": 3} and job.output_name.startswith("workers-")
    path = Path(settings.MEDIA_ROOT) / job.output_file
    assert job.output_file.startswith(f"exports/{job.owner_id}/") and path.is_file()
    rows = list(openpyxl.load_workbook(path).active.values)
    assert sorted(column(rows, _("Full name"))) == ["'=职工0", "'=职工1", "'=职工2"]  # 海珠 is out of scope
    assert all("*" in account for account in column(rows, _("Bank account")))
    assert client.get(f"/tasks/{job.pk}/").status_code == 200  # the task's page, then its download
    download = client.get(f"/tasks/{job.pk}/download/")
    assert download.status_code == 200 and b"".join(download.streaming_content)[:2] == b"PK"


@pytest.mark.django_db(transaction=True)
def test_a_task_whose_owner_lost_the_list_fails_with_a_reason(tree, login, settings):
    settings.EXPORT_INLINE_ROWS = 0
    finance = tree.staff(Role.FINANCE_OFFICER, tree.city)
    budget_create(by=tree.root_user, organisation=tree.city, year=2026, source=FundSource.SPECIAL, name="专项",
                  amount_fen=YUAN)
    login(finance).get("/exports/budgets/")
    finance.memberships.all().delete()

    call_command("db_worker", "--batch", "--no-startup-delay")

    job = Job.objects.get()
    assert job.state == JobState.FAILED and job.error and not job.output_file
    assert not list((Path(settings.MEDIA_ROOT) / "exports").glob("**/*.xlsx"))


def test_unknown_exports_and_anonymous_callers_get_nothing(client, tree, login):
    assert client.get("/exports/workers/").status_code == 302  # to the login page
    assert client.get("/api/workers/export").status_code == 401
    assert login(tree.staff(Role.CITY_ADMIN, tree.city)).get("/exports/nothing/").status_code == 404
    assert Organisation.objects.exists() and Worker.objects.count() == 0 and settings.EXPORT_INLINE_ROWS


def test_filters_that_make_no_sense_are_refused_with_the_reason_not_a_server_error(tree, login):
    client = login(tree.staff(Role.CITY_ADMIN, tree.city))
    url = "/exports/api-applications/?submitted_from=2025-02-01&submitted_to=2025-01-01"
    refused = client.get(url)
    assert refused.status_code == 400 and refused.content
    back = client.get(url, HTTP_REFERER="http://testserver/applications/")
    assert back.status_code == 302 and back["Location"] == "http://testserver/applications/"

"""The yearly report: its page and PDF hold the year's figures, the targets and the audit anchor of the year's end;
scoped like the dashboards (404 outside, money only with VIEW_FUNDS); a bad year is named; a large organisation's
PDF is made by the background worker and downloaded from the task's page."""

import os
import shutil
import subprocess
import sys

import pytest
from django.utils import timezone

from tests.builders import id_number
from yuanmeng.applications.services import application_transition
from yuanmeng.applications.workflow import Action
from yuanmeng.audit.anchors import anchor_append
from yuanmeng.audit.models import AuditEntry, AuditHead
from yuanmeng.funds.models import FundSource
from yuanmeng.funds.services import budget_create
from yuanmeng.jobs.models import Job, JobState
from yuanmeng.jobs.services import job_execute
from yuanmeng.orgs.roles import Role
from yuanmeng.stats.charts_svg import Series, bar_chart
from yuanmeng.stats.models import Measure
from yuanmeng.stats.services import stats_refresh
from yuanmeng.stats.target_services import target_set

pytestmark = pytest.mark.django_db
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def year(tree, policy):
    """Three applications in 天河 (one confirmed), one in 海珠; a city budget of 12,345.67 yuan; counted."""
    officer = tree.staff(Role.ENTERPRISE_OFFICER, tree.tianhe_firm.organisation)
    for n, (firm, birth) in enumerate([(tree.tianhe_firm, "19800101"), (tree.tianhe_firm, "19990101"),
                                       (tree.tianhe_firm, "19700101"), (tree.haizhu_firm, "19900101")]):
        application = tree.apply(tree.member(employer=firm, id_number=id_number(birth=birth, region="440106")),
                                 policy)
        if n == 0:
            application_transition(by=officer, application=application, action=Action.CONFIRM)
    budget_create(by=tree.root_user, organisation=tree.city, year=policy.year, source=FundSource.SPECIAL,
                  name="市专项资金", amount_fen=1_234_567)
    stats_refresh()
    return policy.year


@pytest.fixture
def city_admin(tree):
    return tree.staff(Role.CITY_ADMIN, tree.city)


def anchor_the_head():
    head = AuditHead.objects.get(pk=1)
    return anchor_append(seq=head.seq, hash=head.hash)


def pdf_text(pdf: bytes, tmp_path) -> tuple[int, str]:
    """The PDF's pages and its text layer, read by poppler (installed with the tests: scripts/run-tests.sh)."""
    assert shutil.which("pdftotext"), "poppler-utils (pdftotext, pdfinfo) is needed: bash scripts/ensure-debian.sh"
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return pages, text


def test_the_page_holds_the_years_figures_and_the_anchor_of_its_end(tree, year, city_admin, login):
    anchor = anchor_the_head()
    page = login(city_admin).get(f"/stats/report/{tree.city.pk}/?year={year}", **ENGLISH)
    assert page.status_code == 200
    text = page.content.decode()
    assert "广州市总工会: yearly report" in text and "Special fund" in text and "12,345.67" in text
    assert "天河区总工会" in text and "海珠区总工会" in text  # the workers by child
    assert f"<dd>{anchor.seq}</dd>" in text and anchor.hash in text
    assert "the entry is there with the same hash" in text
    assert 'class="bar-chart"' in text  # the charts, drawn on the server


def test_the_page_is_in_chinese_by_default(tree, year, city_admin, login):
    text = login(city_admin).get(f"/stats/report/{tree.city.pk}/?year={year}").content.decode()
    assert f"广州市总工会：{year} 年度报告" in text and "专项资金" in text


def test_the_pdf_is_a_real_pdf_with_the_figures_and_is_audited(tree, year, city_admin, login, tmp_path):
    answer = login(city_admin).post(f"/stats/report/{tree.city.pk}/pdf/", {"year": year}, **ENGLISH)
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    assert "attachment" in answer["Content-Disposition"]
    assert answer.content.startswith(b"%PDF")
    pages, text = pdf_text(answer.content, tmp_path)
    assert pages >= 2
    assert "广州市总工会" in text and "12,345.67" in text and "Special fund" in text
    entry = AuditEntry.objects.get(action="stats.report")
    assert entry.actor == city_admin and entry.organisation == tree.city
    assert entry.after["year"] == year and entry.after["money"] is True


def test_the_pdf_in_chinese(tree, year, city_admin, login, tmp_path):
    answer = login(city_admin).post(f"/stats/report/{tree.city.pk}/pdf/", {"year": year})
    _pages, text = pdf_text(answer.content, tmp_path)
    assert "年度报告" in text and "专项资金" in text


def test_money_is_left_out_without_view_funds(tree, year, login, tmp_path):
    """A district reviewer reads no budget anywhere (decision 0013): the report says the money section is left
    out, and the PDF holds no amount and is recorded as such."""
    client = login(tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe))
    text = client.get(f"/stats/report/{tree.tianhe.pk}/?year={year}", **ENGLISH).content.decode()
    assert "The money section is left out" in text and "Budgeted (yuan)" not in text
    answer = client.post(f"/stats/report/{tree.tianhe.pk}/pdf/", {"year": year}, **ENGLISH)
    _pages, pdf = pdf_text(answer.content, tmp_path)
    assert "The money section is left out" in pdf and "12,345.67" not in pdf
    assert AuditEntry.objects.get(action="stats.report").after["money"] is False


def test_an_organisation_outside_the_scope_is_not_found(tree, year, login):
    client = login(tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe))
    for outside in (tree.city, tree.haizhu, tree.haizhu_firm.organisation):
        for asked in (year, 2999, "abc"):  # a bad year tells nothing about an organisation outside either
            assert client.get(f"/stats/report/{outside.pk}/?year={asked}").status_code == 404
            assert client.post(f"/stats/report/{outside.pk}/pdf/", {"year": asked}).status_code == 404
    assert not AuditEntry.objects.filter(action="stats.report").exists()


@pytest.mark.parametrize("asked, message", [
    (str(timezone.localdate().year + 1), "has not begun"),
    ("1999", "Choose 2000 or a later year."),
    ("twenty", "Enter the year as four digits"),
    ("", "Enter the year as four digits"),
])
def test_a_bad_year_is_named(tree, year, city_admin, login, asked, message):
    client = login(city_admin)
    for answer in (client.get(f"/stats/report/{tree.city.pk}/", {"year": asked}, **ENGLISH),
                   client.post(f"/stats/report/{tree.city.pk}/pdf/", {"year": asked}, **ENGLISH)):
        assert answer.status_code == 400
        text = answer.content.decode()
        assert message in text and 'id="report-year-error"' in text and 'aria-invalid="true"' in text
    assert not AuditEntry.objects.filter(action="stats.report").exists()


def test_a_year_without_data_says_so(tree, year, city_admin, login):
    text = login(city_admin).get(f"/stats/report/{tree.city.pk}/?year=2020", **ENGLISH).content.decode()
    assert "No applications, budgets or intake were recorded for 2020" in text
    assert "No anchor recorded for that day: none was taken on or before 2020-12-31." in text


def test_the_anchor_of_an_earlier_day_and_a_changed_trail_are_said(tree, year, city_admin, login, settings):
    anchor_append(seq=1, hash="0" * 64)  # taken today, but the trail's first entry has another hash
    client = login(city_admin)
    text = client.get(f"/stats/report/{tree.city.pk}/?year={year}", **ENGLISH).content.decode()
    assert "the entry is missing or differs" in text
    settings.AUDIT_ANCHOR_FILE.write_text("not json\n")
    text = client.get(f"/stats/report/{tree.city.pk}/?year={year}", **ENGLISH).content.decode()
    assert "The anchor file cannot be read" in text and "damaged at line 1" in text


def test_the_targets_of_the_year_are_in_the_report(tree, year, city_admin, login):
    target_set(by=city_admin, organisation=tree.city, measure=Measure.APPROVED, start_year=year, end_year=year,
               value=4126, note="年度名额")
    text = login(city_admin).get(f"/stats/report/{tree.city.pk}/?year={year}", **ENGLISH).content.decode()
    assert "Head-count approved" in text and "4,126" in text


def test_a_large_organisation_gets_its_pdf_from_the_worker(tree, year, city_admin, login, monkeypatch, tmp_path):
    monkeypatch.setattr("yuanmeng.stats.report_views.INLINE_CHILDREN", 1)  # the city has more children than that
    client = login(city_admin)
    answer = client.post(f"/stats/report/{tree.city.pk}/pdf/", {"year": year}, **ENGLISH)
    job = Job.objects.get(kind="stats_report")
    assert answer.status_code == 302 and answer.url == f"/tasks/{job.pk}/"
    assert job.params == {"organisation_id": tree.city.pk, "year": year, "language": "en"}
    job = job_execute(job.pk)
    assert job.state == JobState.DONE and job.result["money"] is True
    download = client.get(f"/tasks/{job.pk}/download/")
    assert download.status_code == 200
    pdf = b"".join(download.streaming_content)
    _pages, text = pdf_text(pdf, tmp_path)
    assert "广州市总工会: yearly report" in text and "12,345.67" in text
    assert AuditEntry.objects.get(action="stats.report").actor == city_admin
    # the PDF holds money: once its owner may view the union but not its funds, it is theirs no more
    city_admin.memberships.update(role=Role.DISTRICT_REVIEWER)
    assert login(city_admin).get(f"/tasks/{job.pk}/download/").status_code == 404


def test_the_index_opens_the_users_highest_organisation(tree, city_admin, login):
    assert login(city_admin).get("/stats/report/").url == f"/stats/report/{tree.city.pk}/"


def test_a_chart_escapes_its_names_and_draws_a_bar_per_value():
    svg = bar_chart(title="<b>", categories=["天河", "a&b"], series=[Series("<s>", [3, None]), Series("x", [0, 2.5])])
    assert "<b>" not in svg and "&lt;b&gt;" in svg and "a&amp;b" in svg and "&lt;s&gt;" in svg
    assert svg.count("<rect") == 3 + 2  # three bars (None draws none), two legend keys
    assert ">2.5</text>" in svg and ">3</text>" in svg


def test_the_application_starts_and_serves_without_weasyprint(tmp_path):
    """WeasyPrint (and the pango it loads) is imported only when a PDF is made: with it missing, every app (the
    stats jobs' handlers too) loads and the URLs resolve."""
    script = ("import sys; sys.modules['weasyprint'] = None\n"
              "import django; django.setup()\n"
              "import yuanmeng.urls, yuanmeng.stats.jobs, yuanmeng.stats.report_views\n"
              "from django.urls import reverse\n"
              "print(reverse('stats_report_pdf', args=[1]))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "DJANGO_SETTINGS_MODULE": "yuanmeng.settings",
                               "YUANMENG_VAR": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    assert "/pdf/" in done.stdout


def test_the_caps_table_holds_the_organisations_own_intake_of_the_year_and_caps_only_of_its_policies(tree, year,
                                                                                                    city_admin, login):
    """A city policy in 海珠's report (and intake API): 海珠's own applicants of the year, not the whole city's, and no
    cap (it counts the whole city's); the city's report shows the cap beside the city's applicants."""
    from yuanmeng.policies.models import Policy
    from yuanmeng.stats.report import report_assemble

    Policy.objects.update(max_applicants=100)
    reviewer = tree.staff(Role.DISTRICT_REVIEWER, tree.haizhu)
    [haizhu] = report_assemble(user=reviewer, organisation_id=tree.haizhu.pk, year=year).caps.rows
    assert haizhu[1:] == ["1", "—", "0", "—"]
    [city] = report_assemble(user=city_admin, organisation_id=tree.city.pk, year=year).caps.rows
    assert city[1:3] == ["4", "100"]
    [policy] = login(reviewer).get(f"/api/stats/{tree.haizhu.pk}/{year}/intake").json()["policies"]
    assert (policy["applicants"], policy["max_applicants"], policy["whole"]) == (1, None, False)
    assert Policy.objects.get().applicant_count == 4

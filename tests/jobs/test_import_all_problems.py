"""Every column of a row is checked and every problem reported in one run (each naming its row and column), so
a file is fixed once: workers, applications and rosters, in the report, the error file and a direct refusal."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from tests.builders import id_number
from tests.jobs.test_application_imports import (
    GRADUATE_HEADER,
    annotated,
    application_rows,
    run_applications,
    run_enrolments,
    run_graduates,
)
from tests.jobs.test_worker_import import good_rows, run, xlsx
from yuanmeng.applications.models import Application
from yuanmeng.core.imports import SHOWN_ERRORS, import_whole
from yuanmeng.orgs.roles import Role
from yuanmeng.people.models import Worker
from yuanmeng.policies.models import DocumentKind

pytestmark = pytest.mark.django_db
TOMORROW = datetime.date.today() + datetime.timedelta(days=1)


def problems_of(report, row: int) -> list[str]:
    return [problem for number, problem in report.first_errors if number == row]


def test_a_worker_row_reports_its_credit_code_identity_number_and_mobile_at_once(tree):
    officer = tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe)
    rows = good_rows(tree, 2)
    rows[1][1], rows[1][2], rows[1][3] = rows[1][1][:-1] + ("0" if rows[1][1][-1] != "0" else "1"), "12345", "BAD"
    report = run(officer, xlsx(rows))
    assert not report.written and Worker.objects.count() == 0
    assert (report.errors, report.problems) == (1, 3)
    problems = problems_of(report, 3)
    assert [p.split(":")[0] for p in problems] == ["单位统一社会信用代码", "身份证号", "手机号"]
    assert annotated(report)[1][-2] == "\n".join(problems)


def test_a_refusal_lists_every_problem_of_every_row(tree):
    officer = tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe)
    rows = good_rows(tree, 1)
    rows[0][2], rows[0][4] = "12345", "宇航员"
    with pytest.raises(ValidationError) as refused:
        import_whole("workers", by=officer, source=xlsx(rows), params={})
    messages = refused.value.message_dict["file"]
    assert len(messages) == 2 and all(m.startswith("row 2: ") or m.startswith("第") for m in messages)
    assert any("手机号" in m for m in messages) and any("岗位类别" in m for m in messages)


def test_the_shown_problems_are_capped_by_problems_not_rows(tree):
    officer = tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe)
    rows = [[f"工人{i}", id_number(serial=900 + i), "123", "BAD", "一线生产", "", "", ""] for i in range(60)]
    report = run(officer, xlsx(rows))
    assert (report.errors, report.problems) == (60, 120) and len(report.first_errors) == SHOWN_ERRORS
    assert report.first_errors[-1][0] == 2 + SHOWN_ERRORS // 2 - 1


def test_an_application_row_reports_policy_level_date_and_name_at_once(tree):
    officer = tree.staff(Role.ENTERPRISE_OFFICER, tree.tianhe_firm.organisation)
    policy = tree.policy(code="GZ-BULK", required_documents=[DocumentKind.DIPLOMA])
    worker = tree.member(name="工人")
    rows = application_rows(tree, policy, [worker])
    rows[0][1], rows[0][2], rows[0][3], rows[0][8] = "别人", "NO-SUCH", "硕士", "2026-13-01"
    report = run_applications(officer, rows)
    assert not report.written and Application.objects.count() == 0 and report.problems == 4
    assert [p.split(":")[0] for p in problems_of(report, 2)] == ["姓名", "政策", "学历层次", "入学日期"]
    assert annotated(report)[1][-2].count("\n") == 3


def test_an_application_row_with_a_bad_cell_is_still_checked_for_eligibility(tree):
    officer = tree.staff(Role.ENTERPRISE_OFFICER, tree.tianhe_firm.organisation)
    policy = tree.policy(code="GZ-BULK", required_documents=[DocumentKind.DIPLOMA])
    newcomer = tree.worker(name="新会员", union_member_since=datetime.date.today() - datetime.timedelta(days=30))
    rows = application_rows(tree, policy, [newcomer])
    rows[0][5] = "不存在大学"
    report = run_applications(officer, rows)
    columns = [p.split(":")[0] for p in problems_of(report, 2)]
    assert "学校" in columns and "身份证号" in columns  # the school, and too short a membership


def test_roster_rows_report_every_column(tree):
    staff = tree.staff(Role.SCHOOL_STAFF, tree.school)
    graduates = run_graduates(staff, [["", "440106199003070019", "", "硕士", "机电", TOMORROW.isoformat()]],
                              tree.school_profile)
    assert [p.split(":")[0] for p in problems_of(graduates, 2)] == [
        GRADUATE_HEADER[0], "身份证号", "姓名", "层次", "毕业日期"]
    enrolments = run_enrolments(staff, [["440106199003070019", "", "", "", "硕士", "明天"]], tree.school_profile)
    assert [p.split(":")[0] for p in problems_of(enrolments, 2)] == [
        "身份证号", "姓名", "学号", "层次", "入学日期"]
    assert not graduates.written and not enrolments.written

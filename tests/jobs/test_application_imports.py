"""Applications, graduate rosters and enrolment rosters from spreadsheets: the single-record rules row by row,
all or nothing or the valid rows, an annotated file naming each problem's column, nothing twice on
re-upload, the importer's scope, and the templates."""

import datetime
import io
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.builders import pdf, workbook
from yuanmeng.applications.imports import APPLICATIONS, ENROLMENT_ROSTER, GRADUATE_ROSTER
from yuanmeng.applications.models import Application, ApplicationEvent, EnrolmentEntry, Roster, RosterEntry
from yuanmeng.applications.services import application_submit_diploma, application_transition
from yuanmeng.applications.workflow import Action, State
from yuanmeng.audit.models import AuditEntry
from yuanmeng.core.imports import run_import
from yuanmeng.jobs.import_job import import_submit
from yuanmeng.jobs.models import Job
from yuanmeng.notify.models import Message
from yuanmeng.orgs.models import SchoolType
from yuanmeng.orgs.roles import Role
from yuanmeng.orgs.services import school_register
from yuanmeng.policies.models import DocumentKind, Policy

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()
ENROLLED = TODAY - datetime.timedelta(days=200)
APPLICATION_HEADER = ["身份证号", "姓名", "政策", "学历层次", "办学类型", "学校", "专业", "学习形式", "入学日期",
                      "学号"]
GRADUATE_HEADER = ["证书编号", "身份证号", "姓名", "层次", "专业", "毕业日期"]
ENROLMENT_HEADER = ["身份证号", "姓名", "学号", "专业", "层次", "入学日期"]


def annotated(report) -> list[tuple]:
    book = openpyxl.load_workbook(Path(settings.MEDIA_ROOT) / report.error_file, read_only=True)
    return list(book.active.iter_rows(values_only=True))


def template(client, kind) -> list[tuple]:
    response = client.get(f"/imports/{kind}/template/")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)
                                             if response.streaming else response.content), read_only=True)
    return list(book.active.iter_rows(values_only=True))


# ---- applications -------------------------------------------------------------------------------

@pytest.fixture
def officer(tree):
    return tree.staff(Role.ENTERPRISE_OFFICER, tree.tianhe_firm.organisation)


@pytest.fixture
def bulk_policy(tree):
    """A policy that asks for no document at submission (the school's enrolment roster is the proof)."""
    return tree.policy(code="GZ-BULK", required_documents=[DocumentKind.DIPLOMA])


def application_rows(tree, policy, workers):
    return [[w.id_number, w.name, policy.code, "专科", "开放大学", "广州开放大学", "机电一体化技术", "业余",
             ENROLLED.isoformat(), f"S2026{i:04d}"] for i, w in enumerate(workers)]


def run_applications(by, rows, **options):
    return run_import(APPLICATIONS, by=by, source=workbook(APPLICATION_HEADER, rows), **options)


def test_applications_a_good_file_pre_registers_each_worker_once(tree, officer, bulk_policy):
    workers = [tree.member(name=f"工人{i}") for i in range(3)]
    rows = application_rows(tree, bulk_policy, workers)
    report = run_applications(officer, rows)
    assert (report.rows, report.created, report.errors, report.written) == (3, 3, 0, True)
    application = Application.objects.get(worker=workers[0])
    assert (application.state, application.policy, application.school, application.programme_type,
            application.study_mode, application.enrolment_date, application.student_number) == (
        State.SUBMITTED, bulk_policy, tree.school_profile, "open_university", "part_time", ENROLLED, "S20260000")
    assert application.organisation == tree.tianhe_firm.organisation and application.area_id == tree.tianhe.pk
    assert application.priority_group == "front_line"
    assert ApplicationEvent.objects.filter(action="submit", role="confirm_applications").count() == 3
    assert Message.objects.filter(worker__in=workers).count() == 3
    assert Policy.objects.get(pk=bulk_policy.pk).applicant_count == 3
    again = run_applications(officer, rows)
    assert (again.created, again.unchanged, again.errors) == (0, 3, 0)
    assert Application.objects.count() == 3 and Policy.objects.get(pk=bulk_policy.pk).applicant_count == 3
    assert ApplicationEvent.objects.count() == 3
    assert AuditEntry.objects.filter(action="application.import").count() == 2


def test_applications_bad_rows_are_named_by_column_and_all_or_nothing_writes_nothing(tree, officer, bulk_policy):
    workers = [tree.member(name=f"工人{i}") for i in range(5)]
    newcomer = tree.worker(name="新会员", union_member_since=TODAY - datetime.timedelta(days=30))
    rows = application_rows(tree, bulk_policy, [*workers, newcomer])
    rows[0][3] = "硕士"  # level
    rows[1][5] = "不存在大学"  # school
    rows[2][2] = "NO-SUCH"  # policy
    rows[3][8] = "2026-13-01"  # date
    rows[4][1] = "别人"  # name does not match the identity number
    rows.append(list(rows[5]))  # the same person and level twice
    report = run_applications(officer, rows)
    assert not report.written and Application.objects.count() == 0 and report.errors == 7
    messages = dict(report.first_errors)
    assert "学历层次" in messages[2] and "学校" in messages[3] and "政策" in messages[4]
    assert "入学日期" in messages[5] and "姓名" in messages[6]
    assert "身份证号" in messages[7] and "6" in messages[8]  # too short a membership; row 7 again
    lines = annotated(report)
    assert len(lines) == 8 and lines[1][0] == workers[0].id_number and lines[1][2] == "硕士"


def test_applications_valid_rows_mode_imports_the_good_ones(tree, officer, bulk_policy):
    workers = [tree.member(name=f"工人{i}") for i in range(3)]
    rows = application_rows(tree, bulk_policy, workers)
    rows[0][4] = "函数大学"
    report = run_applications(officer, rows, all_or_nothing=False)
    assert (report.created, report.errors, report.written) == (2, 1, True)
    assert "办学类型" in report.first_errors[0][1] and Application.objects.count() == 2


def test_applications_scope_and_the_live_application_rule(tree, officer, bulk_policy):
    mine, elsewhere = tree.member(name="本厂"), tree.member(employer=tree.haizhu_firm, name="外厂")
    other_policy = tree.policy(code="GZ-OTHER", required_documents=[])
    tree.apply(mine, other_policy, documents={})
    report = run_applications(officer, application_rows(tree, bulk_policy, [mine, elsewhere]))
    messages = dict(report.first_errors)
    assert report.errors == 2 and "GZ-OTHER" in messages[2] and "学历层次" in messages[2]
    assert "身份证号" in messages[3] and ("outside" in messages[3] or "组织范围" in messages[3])
    assert Application.objects.count() == 1
    with pytest.raises(ValidationError):  # a district reviewer does not apply for workers on the page either
        run_applications(tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe), [])


def test_applications_a_policy_asking_for_documents_sends_the_user_to_the_page(tree, officer, policy):
    worker = tree.member()
    report = run_applications(officer, application_rows(tree, policy, [worker]))
    assert report.errors == 1 and not Application.objects.exists()
    message = report.first_errors[0][1]
    assert "政策" in message and ("application page" in message or "申请页面" in message)


def test_applications_the_intake_limit_goes_to_the_first_rows(tree, officer):
    limited = tree.policy(required_documents=[], max_applicants=2)
    rows = application_rows(tree, limited, [tree.member(name=f"工人{i}") for i in range(3)])
    report = run_applications(officer, rows, all_or_nothing=False)
    assert (report.created, report.errors) == (2, 1) and dict(report.first_errors).keys() == {4}
    assert Policy.objects.get(pk=limited.pk).applicant_count == 2


def test_applications_template_has_the_chinese_headers_and_an_example(tree, officer, login):
    lines = template(login(officer), "applications")
    assert list(lines[0]) == ["身份证号", "政策", "学历层次", "办学类型", "学校", "专业", "学习形式", "入学日期",
                              "学号", "姓名"]
    assert lines[1][0] == "44010619900307001X" and "开放大学" in lines[1]


# ---- graduate rosters ---------------------------------------------------------------------------

@pytest.fixture
def school_staff(tree):
    return tree.staff(Role.SCHOOL_STAFF, tree.school)


def waiting_diploma(tree, people, policy, number):
    application = tree.apply(people.worker, policy)
    for user, action in ((people.enterprise, Action.CONFIRM), (people.district, Action.REVIEW),
                         (people.city, Action.APPROVE)):
        application_transition(by=user, application=application, action=action)
    application.refresh_from_db()
    application_submit_diploma(by=people.applicant, application=application, certificate_number=number,
                               graduation_date=TODAY, scan=pdf())
    return application


def run_graduates(by, rows, school, **options):
    return run_import(GRADUATE_ROSTER, by=by, source=workbook(GRADUATE_HEADER, rows),
                      params={"school": school.pk, "file_name": "毕业名册.xlsx"}, **options)


def graduate_rows(tree, n=3):
    return [[f"51161720260600{i:04d}", tree.worker(name=f"毕业生{i}").id_number, f"毕业生{i}", "专科", "机电",
             TODAY.isoformat()] for i in range(n)]


def test_graduates_a_good_file_loads_and_verifies_and_a_second_changes_nothing(tree, people, policy):
    application = waiting_diploma(tree, people, policy, "511617202606009999")
    rows = [*graduate_rows(tree, 2), ["511617202606009999", people.worker.id_number, "申请人", "专科", "机电",
                                      TODAY.isoformat()]]
    report = run_graduates(people.school, rows, tree.school_profile)
    assert (report.rows, report.created, report.errors) == (3, 3, 0)
    assert Application.objects.get(pk=application.pk).state == State.DIPLOMA_VERIFIED
    roster = Roster.objects.get()
    assert (roster.rows, roster.matched, roster.file_name) == (3, 1, "毕业名册.xlsx")
    events = ApplicationEvent.objects.count()
    again = run_graduates(people.school, rows, tree.school_profile)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert RosterEntry.objects.count() == 3 and ApplicationEvent.objects.count() == events
    rows[0][2] = "改名"
    assert run_graduates(people.school, rows, tree.school_profile).updated == 1
    assert RosterEntry.objects.get(certificate_number=rows[0][0]).name == "改名"


def test_graduates_bad_rows_are_named_and_all_or_nothing_writes_nothing(tree, school_staff):
    rows = graduate_rows(tree)
    rows[0][3] = "硕士"
    rows[1][1] = "440106199003070019"
    rows.append(list(rows[2]))
    report = run_graduates(school_staff, rows, tree.school_profile)
    assert not report.written and report.errors == 3 and not RosterEntry.objects.exists()
    messages = dict(report.first_errors)
    assert "层次" in messages[2] and "身份证号" in messages[3] and "证书编号" in messages[5]
    assert annotated(report)[1][3] == "硕士"
    valid = run_graduates(school_staff, rows, tree.school_profile, all_or_nothing=False)
    assert (valid.created, valid.errors) == (1, 3) and RosterEntry.objects.count() == 1


def test_graduates_only_for_ones_own_school(tree, school_staff):
    other = school_register(by=tree.root_user, parent=tree.city, name="广州大学", code="GZHU",
                            school_type=SchoolType.UNIVERSITY, school_code="11078")
    with pytest.raises(ValidationError):
        run_graduates(school_staff, graduate_rows(tree, 1), other)
    with pytest.raises(ValidationError):
        import_submit(by=school_staff, kind="graduate_roster", source=workbook(GRADUATE_HEADER, []),
                      file_name="x.xlsx", all_or_nothing=True, params={"school": other.pk})
    # Without a school chosen, the only school the user manages is the one.
    report = run_import(GRADUATE_ROSTER, by=school_staff, source=workbook(GRADUATE_HEADER, graduate_rows(tree, 1)))
    assert report.created == 1 and RosterEntry.objects.get().school == tree.school_profile


def test_graduates_the_roster_page_imports_through_a_task(tree, school_staff, login):
    client = login(school_staff)
    upload = SimpleUploadedFile("名册.xlsx", workbook(GRADUATE_HEADER, graduate_rows(tree, 2)).getvalue())
    response = client.post("/rosters/", {"kind": "graduate_roster", "school": tree.school_profile.pk,
                                         "mode": "all", "file": upload})
    job = Job.objects.get()
    assert response.status_code == 302 and response.url == f"/tasks/{job.pk}/"
    assert job.params == {"type": "graduate_roster", "all_or_nothing": True, "school": tree.school_profile.pk}
    assert job.result["created"] == 2 and RosterEntry.objects.count() == 2
    assert client.get("/rosters/").status_code == 200


def test_graduates_template(tree, school_staff, login):
    lines = template(login(school_staff), "graduate_roster")
    assert list(lines[0]) == GRADUATE_HEADER and lines[1][0] == "511617202606000123"


# ---- enrolment rosters --------------------------------------------------------------------------

def run_enrolments(by, rows, school, **options):
    return run_import(ENROLMENT_ROSTER, by=by, source=workbook(ENROLMENT_HEADER, rows), params={"school": school.pk},
                      **options)


def test_enrolments_confirm_or_note_the_applications_and_load_once(tree, people, policy):
    confirmed = tree.apply(people.worker, policy, student_number="S-1", enrolment_date=ENROLLED)
    other = tree.member(name="王五")
    differs = tree.apply(other, policy, student_number="S-2", enrolment_date=ENROLLED)
    rows = [[people.worker.id_number, "申请人", "S-1", "机电一体化技术", "专科", ENROLLED.isoformat()],
            [other.id_number, "王五", "S-9", "", "专科", ENROLLED.isoformat()]]
    report = run_enrolments(people.school, rows, tree.school_profile)
    assert (report.created, report.errors) == (2, 0)
    confirmed.refresh_from_db()
    differs.refresh_from_db()
    assert confirmed.enrolment_confirmed is True and not confirmed.enrolment_note
    assert differs.enrolment_confirmed is False and "S-9" in differs.enrolment_note
    again = run_enrolments(people.school, rows, tree.school_profile)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2) and EnrolmentEntry.objects.count() == 2
    rows[1][2] = "S-2"
    assert run_enrolments(people.school, rows, tree.school_profile).updated == 1
    assert Application.objects.get(pk=differs.pk).enrolment_confirmed is True


def test_enrolments_an_application_made_later_is_checked_at_once(tree, people, policy):
    run_enrolments(people.school, [[people.worker.id_number, "申请人", "S-7", "", "专科", ENROLLED.isoformat()]],
                   tree.school_profile)
    application = tree.apply(people.worker, policy, student_number="S-7", enrolment_date=ENROLLED)
    assert Application.objects.get(pk=application.pk).enrolment_confirmed is True


def test_enrolments_bad_rows_all_or_nothing_and_valid_rows(tree, school_staff):
    rows = [[tree.worker(name=f"学生{i}").id_number, f"学生{i}", f"X{i}", "", "专科", ENROLLED.isoformat()]
            for i in range(3)]
    rows[0][2] = ""
    rows[1][5] = "明天"
    report = run_enrolments(school_staff, rows, tree.school_profile)
    assert not report.written and not EnrolmentEntry.objects.exists()
    messages = dict(report.first_errors)
    assert "学号" in messages[2] and "入学日期" in messages[3]
    assert run_enrolments(school_staff, rows, tree.school_profile, all_or_nothing=False).created == 1


def test_enrolments_scope_and_template(tree, school_staff, login):
    other = school_register(by=tree.root_user, parent=tree.city, name="广州大学", code="GZHU",
                            school_type=SchoolType.UNIVERSITY, school_code="11078")
    with pytest.raises(ValidationError):
        run_enrolments(school_staff, [], other)
    with pytest.raises(ValidationError):
        run_enrolments(tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe), [], tree.school_profile)
    lines = template(login(school_staff), "enrolment_roster")
    assert list(lines[0]) == ENROLMENT_HEADER and lines[1][2] == "2026440100123"

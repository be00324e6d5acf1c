"""Duplicates, eligibility, documents, intake caps and rosters."""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import Workbook

from tests.builders import pdf
from yuanmeng.applications.eligibility import check_eligibility
from yuanmeng.applications.models import Application, RosterEntry
from yuanmeng.applications.services import application_submit_diploma, application_transition, roster_upload
from yuanmeng.applications.workflow import Action, State
from yuanmeng.core.errors import PermissionDenied
from yuanmeng.policies.models import Level
from yuanmeng.policies.services import policy_close, policy_update

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def approved(tree, people, policy, **fields):
    application = tree.apply(people.worker, policy, **fields)
    for user, action in ((people.enterprise, Action.CONFIRM), (people.district, Action.REVIEW),
                         (people.city, Action.APPROVE)):
        application_transition(by=user, application=application, action=action)
    application.refresh_from_db()
    return application


def test_one_live_application_per_level_anywhere(tree, people, policy):
    tree.apply(people.worker, policy)
    other_city_policy = tree.policy(organisation=tree.province, code="GD-2026")
    with pytest.raises(ValidationError) as error:
        tree.apply(people.worker, other_city_policy)
    assert "level" in error.value.message_dict
    tree.apply(people.worker, policy, level=Level.BACHELOR)  # another level is fine
    assert Application.objects.filter(worker=people.worker).count() == 2


def test_a_withdrawn_application_frees_the_level(tree, people, policy):
    first = tree.apply(people.worker, policy)
    application_transition(by=people.applicant, application=first, action=Action.WITHDRAW)
    assert tree.apply(people.worker, policy).state == State.SUBMITTED


def test_a_certificate_number_is_accepted_once_ever(tree, people, policy):
    application = approved(tree, people, policy)
    application_submit_diploma(by=people.applicant, application=application, certificate_number="511617120240500009",
                               graduation_date=TODAY, scan=pdf())
    application_transition(by=people.applicant, application=application, action=Action.WITHDRAW)
    other = tree.member(name="他人")
    second = tree.apply(other, policy)
    for user, action in ((people.enterprise, Action.CONFIRM), (people.district, Action.REVIEW),
                         (people.city, Action.APPROVE)):
        application_transition(by=user, application=second, action=action)
    second.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        application_submit_diploma(by=other.user, application=second, certificate_number="5116 1712 0240 5000 09",
                                   graduation_date=TODAY, scan=pdf())
    assert "certificate_number" in error.value.message_dict


def test_eligibility_gives_every_reason(tree, people):
    policy = tree.policy(min_membership_months=24, max_age=30, job_categories=["service"])
    newcomer = tree.member(name="新会员", union_member_since=TODAY - datetime.timedelta(days=60))
    with translation.override("en"):
        result = check_eligibility(worker=newcomer, policy=policy, level=Level.COLLEGE)
        failed = {check.code: check.message for check in result.failures}
    assert not result.ok
    assert set(failed) >= {"membership", "job"}
    assert "24" in failed["membership"]
    assert {c.code for c in result.checks} >= {"window", "level", "employer", "area", "membership", "job", "age",
                                               "duplicate", "first_diploma", "intake"}


def test_applying_outside_the_window_to_a_closed_policy_or_when_ineligible_is_refused(tree, people):
    late = tree.policy(opens_on=TODAY - datetime.timedelta(days=90), closes_on=TODAY - datetime.timedelta(days=1),
                       publish=False)
    with pytest.raises(ValidationError):
        tree.apply(people.worker, late)  # a draft, and its window has passed
    closed = tree.policy()
    policy_close(by=tree.root_user, policy=closed)
    with pytest.raises(ValidationError) as error:
        tree.apply(people.worker, closed)
    assert "policy" in error.value.message_dict
    elsewhere = tree.member(employer=tree.haizhu_firm, name="海珠职工")
    district_policy = tree.policy(organisation=tree.tianhe)
    with pytest.raises(ValidationError):
        tree.apply(elsewhere, district_policy)
    assert not Application.objects.exists()


def test_intake_cap_closes_the_channel(tree, people):
    policy = tree.policy(max_applicants=1)
    tree.apply(people.worker, policy)
    with pytest.raises(ValidationError) as error:
        tree.apply(tree.member(name="第二人"), policy)
    assert "policy" in error.value.message_dict


def test_approval_cap(tree, people):
    policy = tree.policy(max_approvals=1)
    approved(tree, people, policy)
    second = tree.apply(tree.member(name="第二人"), policy)
    application_transition(by=people.enterprise, application=second, action=Action.CONFIRM)
    application_transition(by=people.district, application=second, action=Action.REVIEW)
    with pytest.raises(ValidationError):
        application_transition(by=people.city, application=second, action=Action.APPROVE)
    assert Application.objects.get(pk=second.pk).state == State.REVIEWED


def test_a_published_policy_is_frozen(tree, policy):
    with pytest.raises(ValidationError):
        policy_update(by=tree.root_user, policy=policy, amount_college_fen=1)


@pytest.mark.parametrize(("content", "name", "message"), [
    (b"GIF89a not a pdf", "proof.pdf", "not a PDF"),
    (b"", "empty.pdf", "empty"),
])
def test_documents_are_checked_by_content(tree, people, policy, content, name, message):
    with translation.override("en"), pytest.raises(ValidationError) as error:
        tree.apply(people.worker, policy, documents={"enrolment_proof": SimpleUploadedFile(name, content)})
    assert message in str(error.value)
    assert not Application.objects.exists()


def test_a_huge_upload_is_refused(tree, people, policy, settings):
    settings.MAX_UPLOAD_BYTES = 1024
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * 4096)
    with pytest.raises(ValidationError):
        tree.apply(people.worker, policy, documents={"enrolment_proof": big})


def test_required_documents_must_be_there(tree, people, policy):
    with pytest.raises(ValidationError) as error:
        tree.apply(people.worker, policy, documents={})
    assert "documents" in error.value.message_dict


def test_nobody_acts_outside_their_scope(tree, people, policy):
    application = tree.apply(people.worker, policy)
    with pytest.raises(PermissionDenied):
        application_transition(by=people.other_district, application=application, action=Action.REJECT, reason="x")
    with pytest.raises(PermissionDenied):
        tree.apply(people.worker, policy, by=people.other_district, level=Level.BACHELOR)
    assert Application.objects.restrict(people.other_district).count() == 0
    assert Application.objects.restrict(people.school).count() == 1  # the school sees its own students


def roster_file(rows, name="roster.xlsx"):
    book = Workbook()
    sheet = book.active
    sheet.append(["证书编号", "身份证号", "姓名", "层次", "专业", "毕业日期"])
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    return SimpleUploadedFile(name, data.getvalue())


def test_roster_verifies_matching_diplomas_and_flags_differences(tree, people, policy):
    first = approved(tree, people, policy)
    application_submit_diploma(by=people.applicant, application=first, certificate_number="511617120240600001",
                               graduation_date=datetime.date(2026, 7, 1), scan=pdf())
    other = tree.member(name="王五")
    second = tree.apply(other, policy)
    for user, action in ((people.enterprise, Action.CONFIRM), (people.district, Action.REVIEW),
                         (people.city, Action.APPROVE)):
        application_transition(by=user, application=second, action=action)
    second.refresh_from_db()
    application_submit_diploma(by=other.user, application=second, certificate_number="511617120240600002",
                               graduation_date=datetime.date(2026, 7, 1), scan=pdf())
    upload = roster_file([
        ["511617120240600001", people.worker.id_number, "申请人", "专科", "机电一体化技术", "2026-07-01"],
        ["511617120240600002", other.id_number, "王武", "专科", "机电一体化技术", datetime.date(2026, 7, 1)],
    ])
    with translation.override("en"):
        roster = roster_upload(by=people.school, school=tree.school_profile, upload=upload)
    assert (roster.rows, roster.matched, roster.mismatched) == (2, 1, 1)
    assert Application.objects.get(pk=first.pk).state == State.DIPLOMA_VERIFIED
    second.refresh_from_db()
    assert second.state == State.DIPLOMA_SUBMITTED and "王武" in second.diploma_note and "王五" in second.diploma_note
    assert people.worker.id_number not in str(RosterEntry.objects.values_list("id_number_index", flat=True))


def test_a_diploma_submitted_after_the_roster_is_verified_at_once(tree, people, policy):
    roster_upload(by=people.school, school=tree.school_profile, upload=roster_file(
        [["511617120240600003", people.worker.id_number, "申请人", "专科", "", "2026-07-01"]]))
    application = approved(tree, people, policy)
    application_submit_diploma(by=people.applicant, application=application,
                               certificate_number="511617120240600003", graduation_date=datetime.date(2026, 7, 1),
                               scan=pdf())
    assert Application.objects.get(pk=application.pk).state == State.DIPLOMA_VERIFIED


def test_a_bad_roster_names_the_rows_and_loads_nothing(tree, people):
    upload = roster_file([
        ["511617120240600004", "440106199003070019", "甲", "专科", "", "2026-07-01"],
        ["511617120240600005", people.worker.id_number, "乙", "硕士", "", "2026-13-01"],
    ])
    with translation.override("en"), pytest.raises(ValidationError) as error:
        roster_upload(by=people.school, school=tree.school_profile, upload=upload)
    text = " ".join(error.value.message_dict["file"])
    assert "row 2: " in text and "row 3: " in text
    assert not RosterEntry.objects.exists()


def test_a_school_may_not_load_another_schools_roster(tree, people):
    from yuanmeng.orgs.models import SchoolType
    from yuanmeng.orgs.services import school_register

    other = school_register(by=tree.root_user, parent=tree.city, name="广州大学", code="GZHU",
                            school_type=SchoolType.UNIVERSITY, school_code="11078")
    with pytest.raises(PermissionDenied):
        roster_upload(by=people.school, school=other, upload=roster_file([]))


def test_diploma_format_check_warns_but_never_refuses(tree, people, policy):
    application = approved(tree, people, policy)
    application_submit_diploma(by=people.applicant, application=application, certificate_number="ZK2026-0001",
                               graduation_date=TODAY, scan=pdf())
    application.refresh_from_db()
    assert application.state == State.DIPLOMA_SUBMITTED and application.diploma_note

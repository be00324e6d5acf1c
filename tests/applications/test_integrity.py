"""What must not happen: other cities' workers seen through a shared school, a certificate used twice,
a decision applied to what the reviewer did not see, a corrected roster ignored."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from tests.applications.test_rules import approved, roster_file
from tests.builders import pdf
from yuanmeng.applications.models import Application
from yuanmeng.applications.services import application_submit_diploma, application_transition, roster_upload
from yuanmeng.applications.workflow import Action, State
from yuanmeng.orgs.models import OrgKind
from yuanmeng.orgs.services import organisation_create
from yuanmeng.policies.models import Level
from yuanmeng.policies.services import policy_publish, policy_supersede

pytestmark = pytest.mark.django_db
GRADUATED = datetime.date(2026, 7, 1)


def test_a_shared_school_does_not_open_other_cities_to_a_union(tree, people, login):
    shenzhen = organisation_create(by=tree.root_user, kind=OrgKind.CITY, code="SZ", name="深圳市总工会",
                                   parent=tree.province)
    futian = organisation_create(by=tree.root_user, kind=OrgKind.DISTRICT, code="SZ-FT", name="福田区总工会",
                                 parent=shenzhen)
    firm = tree.enterprise(futian, "深圳某科技有限公司")
    worker = tree.member(employer=firm, name="深圳职工")
    application = tree.apply(worker, tree.policy(organisation=shenzhen))  # studies at the Guangzhou school
    assert Application.objects.restrict(people.city).filter(pk=application.pk).count() == 0
    assert login(people.city).get(f"/applications/{application.pk}/").status_code == 404
    assert Application.objects.restrict(people.school).filter(pk=application.pk).count() == 1


def test_a_returned_diplomas_number_stays_taken(tree, people, policy):
    application = approved(tree, people, policy)
    application_submit_diploma(by=people.applicant, application=application, certificate_number="511617120240600088",
                               graduation_date=GRADUATED, scan=pdf())
    application_transition(by=people.district, application=application, action=Action.RETURN_DIPLOMA,
                           reason="看不清")
    application_submit_diploma(by=people.applicant, application=application, certificate_number="511617120240600099",
                               graduation_date=GRADUATED, scan=pdf())
    other = tree.member(name="别人")
    second = tree.apply(other, policy)
    for user, action in ((people.enterprise, Action.CONFIRM), (people.district, Action.REVIEW),
                         (people.city, Action.APPROVE)):
        application_transition(by=user, application=second, action=action)
    second.refresh_from_db()
    for number in ("511617120240600088", "５１１６１７１２０２４０６０００９９"):
        with pytest.raises(ValidationError) as error:
            application_submit_diploma(by=other.user, application=second, certificate_number=number,
                                       graduation_date=GRADUATED, scan=pdf())
        assert "certificate_number" in error.value.message_dict


def test_a_decision_on_an_out_of_date_page_is_refused(tree, people, policy):
    application = tree.apply(people.worker, policy)
    seen = application.version
    application_transition(by=people.enterprise, application=application, action=Action.RETURN, reason="补材料")
    from yuanmeng.applications.services import application_resubmit

    application_resubmit(by=people.applicant, application=Application.objects.get(pk=application.pk),
                         student_number="NEW-123")
    fresh = Application.objects.get(pk=application.pk)
    with pytest.raises(ValidationError):
        application_transition(by=people.enterprise, application=fresh, action=Action.CONFIRM, seen_version=seen)
    assert Application.objects.get(pk=application.pk).state == State.SUBMITTED


def test_roster_notes_a_mistyped_number_and_takes_corrections(tree, people, policy):
    application = approved(tree, people, policy)
    application_submit_diploma(by=people.applicant, application=application, certificate_number="511617120240600011",
                               graduation_date=GRADUATED, scan=pdf())
    roster_upload(by=people.school, school=tree.school_profile, upload=roster_file(
        [["511617120240600012", people.worker.id_number, "申请人", "专科", "", "2026-07-01"]]))
    application.refresh_from_db()
    assert "511617120240600012" in application.diploma_note and application.state == State.DIPLOMA_SUBMITTED
    application_transition(by=people.district, application=application, action=Action.RETURN_DIPLOMA, reason="号码有误")
    roster_upload(by=people.school, school=tree.school_profile, upload=roster_file(
        [["511617120240600012", people.worker.id_number, "申请人", "本科", "", "2026-07-01"]]))  # a correction
    application = Application.objects.get(pk=application.pk)
    application_submit_diploma(by=people.applicant, application=application, certificate_number="511617120240600012",
                               graduation_date=GRADUATED, scan=pdf())
    application.refresh_from_db()
    assert application.state == State.DIPLOMA_SUBMITTED and "本科" in application.diploma_note  # the corrected level


def test_a_long_number_stored_as_a_spreadsheet_number_is_refused(tree, people):
    with pytest.raises(ValidationError) as error:
        roster_upload(by=people.school, school=tree.school_profile, upload=roster_file(
            [[51161720240600077, people.worker.id_number, "申请人", "专科", "", "2026-07-01"]]))
    assert "row 2: " in str(error.value) or "第 2 行" in str(error.value)


def test_a_new_version_of_a_policy_keeps_its_intake_count(tree, people):
    policy = tree.policy(max_applicants=1)
    tree.apply(people.worker, policy)
    draft = policy_supersede(by=tree.root_user, policy=policy, code="P-v2")
    policy_publish(by=tree.root_user, policy=draft)
    with pytest.raises(ValidationError):
        tree.apply(tree.member(name="第二人"), draft)


def test_a_paid_level_can_be_funded_again_where_the_policy_allows(tree, people):
    first = tree.apply(people.worker, tree.policy())
    Application.objects.filter(pk=first.pk).update(state=State.PAID)
    again = tree.apply(people.worker, tree.policy(first_diploma_only=False), level=Level.COLLEGE)
    assert again.state == State.SUBMITTED
    with pytest.raises(ValidationError):  # where only a first diploma is funded, it is not
        tree.apply(people.worker, tree.policy(), level=Level.COLLEGE)


@pytest.mark.parametrize("url", ["/applications/?org=²", "/applications/?from=0001-01-01&to=9999-12-31",
                                 "/api/applications?submitted_from=0001-01-01&submitted_to=9999-12-31"])
def test_odd_filters_are_ignored_not_crashed(people, login, url):
    assert login(people.city).get(url).status_code == 200


def test_odd_amounts_in_the_policy_form_are_field_errors(people, login):
    for amount in ("NaN", "Infinity", "1e30", "99999999999999999999"):
        response = login(people.city).post("/policies/new/", {"amount_college": amount, "code": "X", "title": "X",
                                                              "year": 2026})
        assert "amount_college" in response.context["form"].errors

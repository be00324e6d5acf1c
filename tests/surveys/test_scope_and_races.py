"""Codes outside a survey's union name nothing; a change to a draft never undoes a send; an officer of several
enterprises answers for each; a closed survey says when it closed; the workers addressed are counted up to a cap."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.builders import in_parallel
from yuanmeng.orgs.models import Membership
from yuanmeng.orgs.roles import Role
from yuanmeng.surveys import models, services
from yuanmeng.surveys.models import Question, Response, Survey, SurveyStatus, Target
from yuanmeng.surveys.selectors import surveys_addressed
from yuanmeng.surveys.services import question_add, question_move, question_remove, survey_send, survey_update


def test_a_code_outside_the_surveys_union_is_no_organisation(client, login, tree, needs):
    login(needs.district)
    outside = tree.haizhu_firm.organisation
    page = client.post(reverse("survey_send", args=[needs.survey.pk]), {"codes": f"{outside.code}, GZ"})
    assert page.status_code == 422
    assert outside.name not in page.text and "广州市总工会" not in page.text
    assert f"没有代码为 {outside.code}、GZ 的单位" in page.text
    assert Survey.objects.get().status == SurveyStatus.DRAFT


def test_a_city_admin_sends_a_districts_survey_only_within_that_district(client, login, tree, needs):
    city = tree.staff(Role.CITY_ADMIN, tree.city)
    login(city)  # haizhu is in the admin's sight, but not below the survey's union
    page = client.post(reverse("survey_send", args=[needs.survey.pk]), {"codes": tree.haizhu.code})
    assert page.status_code == 422 and tree.haizhu.name not in page.text
    api = Client(HTTP_ACCEPT_LANGUAGE="en")
    api.force_login(city, backend="yuanmeng.accounts.backends.UsernameOrMobileBackend")
    refused = api.post(f"/api/surveys/{needs.survey.pk}/send", {"target_ids": [tree.haizhu.pk]},
                       content_type="application/json")
    assert refused.status_code == 422 and refused.json()["errors"] == {"target_ids": ["No such organisation."]}
    sent = client.post(reverse("survey_send", args=[needs.survey.pk]), {"codes": tree.tianhe_firm.organisation.code})
    assert sent.status_code == 302 and Survey.objects.get().status == SurveyStatus.SENT


def test_a_stale_edit_after_the_send_is_refused(tree, needs):
    stale = Survey.objects.get(pk=needs.survey.pk)
    stale_question = Question.objects.get(pk=needs.text.pk)
    needs.send()
    for change in (lambda: survey_update(by=needs.district, survey=stale, title="改了"),
                   lambda: question_add(by=needs.district, survey=stale, kind="text", text="又一个"),
                   lambda: question_remove(by=needs.district, question=stale_question),
                   lambda: question_move(by=needs.district, question=stale_question, up=True)):
        with pytest.raises(ValidationError, match="已发出的调查不能修改"):
            change()
    survey = Survey.objects.get()
    assert survey.status == SurveyStatus.SENT and survey.title == "2026年职工培训需求调查"
    assert survey.questions.count() == 4 and Target.objects.count() == 1


def test_an_edit_writes_only_the_fields_it_changes(tree, needs):
    stale = Survey.objects.get(pk=needs.survey.pk)
    Survey.objects.filter(pk=stale.pk).update(description="别人写的说明")
    survey_update(by=needs.district, survey=stale, title="新标题")
    survey = Survey.objects.get()
    assert (survey.title, survey.description) == ("新标题", "别人写的说明")


@pytest.mark.django_db(transaction=True)
def test_edits_racing_a_send_never_undo_it(tree):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL")
    from tests.surveys.conftest import Needs

    needs = Needs(tree)
    calls = [lambda: survey_send(by=needs.district, survey=Survey.objects.get(), targets=[tree.tianhe]),
             lambda: survey_update(by=needs.district, survey=Survey.objects.get(), title="改了"),
             lambda: question_add(by=needs.district, survey=Survey.objects.get(), kind="text", text="又一个")]
    refusals = in_parallel(calls)
    survey = Survey.objects.get()
    assert survey.status == SurveyStatus.SENT and survey.recipient_count == 1 and Target.objects.count() == 1
    assert all("已发出的调查不能修改" in " ".join(r.messages) for r in refusals)


def test_an_officer_of_two_enterprises_answers_for_each_on_the_page(client, login, tree, enterprise_needs):
    needs = enterprise_needs
    second = tree.enterprise(tree.tianhe, "第二家公司").organisation
    Membership.objects.create(user=needs.officer, organisation=second, role=Role.ENTERPRISE_OFFICER)
    needs.send(tree.tianhe_firm.organisation, second)
    login(needs.officer)
    url = reverse("survey_answer", args=[needs.survey.pk])
    data = {f"q{needs.single.pk}": needs.option(needs.single, 0), f"q{needs.scale.pk}": 3}
    unchosen = client.post(url, data)
    assert unchosen.status_code == 200 and "请选择您代表作答的企业" in unchosen.text
    assert client.post(url, data | {"enterprise": second.pk}).status_code == 302
    assert Response.objects.get().enterprise == second
    listing = surveys_addressed(user=needs.officer).get()
    assert not listing.answered  # the first enterprise has still to answer
    form = client.get(url).context["form"]
    assert "enterprise" not in form.fields  # one left: the service takes it
    assert client.post(url, data).status_code == 302
    assert set(Response.objects.values_list("enterprise", flat=True)) == {second.pk,
                                                                         tree.tianhe_firm.organisation.pk}
    assert surveys_addressed(user=needs.officer).get().answered


def test_answering_a_closed_survey_on_the_page_names_the_window(client, login, needs):
    needs.send()
    closed = timezone.now() - datetime.timedelta(minutes=1)
    Survey.objects.filter(pk=needs.survey.pk).update(closes_at=closed)
    login(needs.worker.user)
    page = client.post(reverse("survey_answer", args=[needs.survey.pk]),
                       {f"q{needs.single.pk}": needs.option(needs.single, 0), f"q{needs.scale.pk}": 3})
    assert page.status_code == 200
    assert timezone.localtime(closed).strftime("%Y-%m-%d %H:%M") in page.text and not Response.objects.exists()


def test_the_workers_addressed_are_counted_up_to_a_cap(client, login, tree, needs, monkeypatch):
    monkeypatch.setattr(services, "RECIPIENT_CAP", 2)
    monkeypatch.setattr(models, "RECIPIENT_CAP", 2)
    for _n in range(4):
        tree.worker(employer=tree.tianhe_firm)
    needs.send()
    survey = Survey.objects.get()
    assert survey.recipient_count == 3 and survey.recipients_over_cap
    login(needs.district)
    assert "超过 2 个对象中" in client.get(reverse("survey_detail", args=[survey.pk])).text

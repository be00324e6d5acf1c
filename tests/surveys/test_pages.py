import datetime

from django.urls import reverse
from django.utils import timezone

from yuanmeng.orgs.roles import Role
from yuanmeng.surveys.models import Answer, Response, Survey, SurveyStatus


def _when(days):
    return (timezone.localtime() + datetime.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def test_build_send_answer_and_read_results(client, login, tree, needs):
    login(needs.district)
    page = client.post(reverse("survey_add"), {"organisation": tree.tianhe.pk, "title": "技能需求", "audience":
                                               "workers", "opens_at": _when(-1), "closes_at": _when(10)})
    survey = Survey.objects.get(title="技能需求")
    assert page.url == reverse("survey_detail", args=[survey.pk])
    client.post(reverse("survey_question_add", args=[survey.pk]),
                {"kind": "single", "text": "想学什么", "required": "on", "options": "电工\n焊接"})
    bad = client.post(reverse("survey_question_add", args=[survey.pk]), {"kind": "single", "text": "空", "options": ""})
    assert bad.status_code == 422 and "请给出 2 到 30 个选项。" in bad.text
    unknown = client.post(reverse("survey_send", args=[survey.pk]), {"codes": "NO-SUCH"})
    assert unknown.status_code == 422 and "NO-SUCH" in unknown.text
    client.post(reverse("survey_send", args=[survey.pk]), {"codes": tree.tianhe_firm.organisation.code})
    assert Survey.objects.get(pk=survey.pk).status == SurveyStatus.SENT

    login(needs.worker.user)
    listing = client.get(reverse("surveys_to_answer"))
    assert "技能需求" in listing.text
    question = survey.questions.get()
    missing = client.post(reverse("survey_answer", args=[survey.pk]), {})
    assert "这道题必须作答。" in missing.text and not Response.objects.exists()
    done = client.post(reverse("survey_answer", args=[survey.pk]), {f"q{question.pk}": question.options.first().pk})
    assert done.status_code == 302 and Answer.objects.count() == 1
    assert client.get(reverse("survey_answer", args=[survey.pk])).status_code == 302  # answered: back to the list

    login(needs.district)
    results = client.get(reverse("survey_detail", args=[survey.pk]))
    assert "100.0" in results.text and f"chart-q{question.pk}-data" in results.text
    export = client.get(reverse("survey_export", args=[survey.pk]))
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_free_text_answers_paginated(client, login, needs):
    needs.send()
    from yuanmeng.surveys.services import response_submit

    response_submit(by=needs.worker.user, survey=needs.survey, answers=needs.full())
    login(needs.district)
    page = client.get(reverse("survey_texts", args=[needs.text.pk]))
    assert "希望开设PLC编程课" in page.text


def test_scoping(client, login, tree, needs):
    login(tree.staff(Role.DISTRICT_REVIEWER, tree.haizhu))
    assert client.get(reverse("survey_detail", args=[needs.survey.pk])).status_code == 404
    assert needs.survey.title not in client.get(reverse("survey_list")).text
    login(needs.officer)
    assert client.get(reverse("survey_list")).status_code == 404
    needs.send()
    assert client.get(reverse("survey_answer", args=[needs.survey.pk])).status_code == 404  # to workers only
    login(needs.worker.user)
    assert client.get(reverse("survey_detail", args=[needs.survey.pk])).status_code == 404

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from tests.builders import in_parallel
from yuanmeng.audit.models import AuditEntry
from yuanmeng.core.errors import PermissionDenied
from yuanmeng.orgs.roles import Role
from yuanmeng.surveys.models import Answer, Audience, QuestionKind, Response, Survey, SurveyStatus
from yuanmeng.surveys.selectors import survey_results, surveys_to_answer, text_answers
from yuanmeng.surveys.services import (
    question_add,
    question_move,
    question_remove,
    response_submit,
    survey_close,
    survey_create,
    survey_send,
    survey_update,
)


def test_build_and_send_counts_the_workers(needs, tree):
    tree.worker(employer=tree.haizhu_firm)
    needs.send()
    survey = Survey.objects.get()
    assert survey.status == SurveyStatus.SENT
    assert survey.recipient_count == 1
    assert [q.text for q in survey.questions.all()] == ["最想学的技能", "方便的时间", "需求程度", "其他建议"]
    assert AuditEntry.objects.filter(action="survey.send").get().after["targets"] == [tree.tianhe.code]


def test_questions_reorder_and_remove_in_a_draft_only(needs):
    question_move(by=needs.district, question=needs.scale, up=True)
    question_remove(by=needs.district, question=needs.text)
    assert [q.text for q in needs.survey.questions.all()] == ["最想学的技能", "需求程度", "方便的时间"]
    needs.send()
    with pytest.raises(ValidationError):
        question_add(by=needs.district, survey=needs.survey, kind=QuestionKind.TEXT, text="再问一个")
    with pytest.raises(ValidationError):
        survey_update(by=needs.district, survey=needs.survey, title="新标题")


@pytest.mark.parametrize(("fields", "field"), [
    ({"kind": "ranking"}, "kind"),
    ({"text": " "}, "text"),
    ({"kind": QuestionKind.SINGLE, "options": ["只有一个"]}, "options"),
    ({"kind": QuestionKind.SINGLE, "options": ["是", "是"]}, "options"),
    ({"kind": QuestionKind.TEXT, "options": ["是", "否"]}, "options"),
    ({"kind": QuestionKind.SCALE, "scale_min": 5, "scale_max": 1}, "scale_max"),
    ({"kind": QuestionKind.SCALE, "scale_min": -500, "scale_max": 1}, "scale_min"),
])
def test_bad_questions_name_the_field(needs, fields, field):
    values = {"kind": QuestionKind.TEXT, "text": "问题"} | fields
    with pytest.raises(ValidationError) as exc:
        question_add(by=needs.district, survey=needs.survey, **values)
    assert field in exc.value.message_dict
    assert needs.survey.questions.count() == 4


def test_bad_surveys_and_sending(tree, needs):
    now = timezone.now()
    with pytest.raises(ValidationError) as exc:
        survey_create(by=needs.district, organisation=tree.tianhe, title="调查", audience=Audience.WORKERS,
                      opens_at=now, closes_at=now - datetime.timedelta(hours=1))
    assert "closes_at" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        survey_create(by=tree.root_user, organisation=tree.tianhe_firm.organisation, title="调查",
                      audience=Audience.WORKERS, opens_at=now, closes_at=now + datetime.timedelta(days=1))
    assert "organisation" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        needs.send(tree.haizhu)
    assert "targets" in exc.value.message_dict
    empty = survey_create(by=needs.district, organisation=tree.tianhe, title="空", audience=Audience.ENTERPRISES,
                          opens_at=now, closes_at=now + datetime.timedelta(days=1))
    with pytest.raises(ValidationError) as exc:
        survey_send(by=needs.district, survey=empty, targets=[tree.tianhe])
    assert "questions" in exc.value.message_dict
    question_add(by=needs.district, survey=empty, kind=QuestionKind.TEXT, text="问题")
    with pytest.raises(ValidationError) as exc:
        survey_send(by=needs.district, survey=empty, targets=[tree.tianhe])
    assert "targets" in exc.value.message_dict
    assert not Survey.objects.filter(status=SurveyStatus.SENT).exists()


def test_outside_the_union_is_refused(tree, needs):
    other = tree.staff(Role.DISTRICT_REVIEWER, tree.haizhu)
    with pytest.raises(PermissionDenied):
        question_add(by=other, survey=needs.survey, kind=QuestionKind.TEXT, text="问题")
    with pytest.raises(PermissionDenied):
        survey_send(by=needs.officer, survey=needs.survey, targets=[tree.tianhe])


def test_a_worker_answers_once(needs):
    needs.send()
    user = needs.worker.user
    assert [s.answered for s in surveys_to_answer(user=user)] == [False]
    response_submit(by=user, survey=needs.survey, answers=needs.full())
    assert [s.answered for s in surveys_to_answer(user=user)] == [True]
    with pytest.raises(ValidationError) as exc:
        response_submit(by=user, survey=needs.survey, answers=needs.full())
    assert "survey" in exc.value.message_dict
    assert Response.objects.count() == 1
    assert Survey.objects.get().response_count == 1
    assert Answer.objects.count() == 5


def test_results_count_and_percent(needs, tree):
    needs.send()
    response_submit(by=needs.worker.user, survey=needs.survey, answers=needs.full())
    second = tree.member()
    response_submit(by=second.user, survey=needs.survey,
                    answers={needs.single.pk: needs.option(needs.single, 0), needs.scale.pk: 2})
    results = {r.question.pk: r for r in survey_results(Survey.objects.get())}
    single = results[needs.single.pk]
    assert (single.answered, [(o.label, o.count, o.percent) for o in single.options]) == (
        2, [("电工", 1, 50.0), ("数控加工", 1, 50.0), ("焊接", 0, 0.0)])
    multiple = results[needs.multiple.pk]
    assert (multiple.answered, [o.count for o in multiple.options], multiple.options[0].percent) == (1, [1, 0, 1], 100)
    scale = results[needs.scale.pk]
    assert (scale.mean, [o.count for o in scale.options]) == (3.0, [0, 1, 0, 1, 0])
    assert results[needs.text.pk].texts == 1
    assert list(text_answers(needs.text).values_list("text", flat=True)) == ["希望开设PLC编程课"]


def _answer_error(needs, **changes):
    answers = needs.full()
    for question, value in changes.items():
        answers[getattr(needs, question).pk] = value
    with pytest.raises(ValidationError) as exc:
        response_submit(by=needs.worker.user, survey=needs.survey, answers=answers)
    return exc.value.message_dict


@pytest.mark.parametrize(("question", "value"), [
    ("single", None), ("single", 10**9), ("single", "电工"), ("multiple", [10**9]), ("scale", 6), ("scale", 0),
    ("scale", None), ("scale", True), ("text", "长" * 2001),
])
def test_bad_answers_name_the_question(needs, question, value):
    needs.send()
    if value == 10**9 or value == [10**9]:  # an option of another question of the same survey
        value = needs.option(needs.single, 0) if question == "multiple" else needs.option(needs.multiple, 0)
        value = [value] if question == "multiple" else value
    errors = _answer_error(needs, **{question: value})
    assert list(errors) == [f"q{getattr(needs, question).pk}"]
    assert not Response.objects.exists() and not Answer.objects.exists()


def test_every_bad_question_at_once_and_unknown_ones(needs):
    needs.send()
    errors = _answer_error(needs, single=None, scale=9)
    assert set(errors) == {f"q{needs.single.pk}", f"q{needs.scale.pk}"}
    with pytest.raises(ValidationError) as exc:
        response_submit(by=needs.worker.user, survey=needs.survey, answers=needs.full() | {10**9: "x"})
    assert "answers" in exc.value.message_dict


def test_outside_the_window_or_not_addressed(needs, tree):
    with pytest.raises(ValidationError) as exc:  # a draft
        response_submit(by=needs.worker.user, survey=needs.survey, answers=needs.full())
    assert "survey" in exc.value.message_dict
    needs.send()
    outsider = tree.member(employer=tree.haizhu_firm)
    with pytest.raises(ValidationError) as exc:
        response_submit(by=outsider.user, survey=needs.survey, answers=needs.full())
    assert "survey" in exc.value.message_dict
    assert list(surveys_to_answer(user=outsider.user)) == []
    survey_close(by=needs.district, survey=needs.survey)
    with pytest.raises(ValidationError) as exc:
        response_submit(by=needs.worker.user, survey=needs.survey, answers=needs.full())
    assert "不再接受作答" in exc.value.message_dict["survey"][0]
    Survey.objects.update(opens_at=timezone.now() + datetime.timedelta(days=1),
                          closes_at=timezone.now() + datetime.timedelta(days=2))
    with pytest.raises(ValidationError):
        response_submit(by=needs.worker.user, survey=Survey.objects.get(), answers=needs.full())
    assert not Response.objects.exists()


def test_an_enterprise_answers_once_by_its_officer(enterprise_needs, tree):
    needs = enterprise_needs
    needs.send()
    assert [s.pk for s in surveys_to_answer(user=needs.officer)] == [needs.survey.pk]
    with pytest.raises(ValidationError):
        response_submit(by=needs.worker.user, survey=needs.survey, answers=needs.full())
    other = tree.staff(Role.ENTERPRISE_OFFICER, tree.haizhu_firm.organisation)
    with pytest.raises(ValidationError):
        response_submit(by=other, survey=needs.survey, answers=needs.full())
    response = response_submit(by=needs.officer, survey=needs.survey, answers=needs.full())
    assert response.enterprise == tree.tianhe_firm.organisation
    colleague = tree.staff(Role.ENTERPRISE_OFFICER, tree.tianhe_firm.organisation)
    with pytest.raises(ValidationError) as exc:
        response_submit(by=colleague, survey=needs.survey, answers=needs.full())
    assert "已经填写过" in exc.value.message_dict["survey"][0]


@pytest.mark.django_db(transaction=True)
def test_two_answers_at_once_count_once(tree):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL")
    from tests.surveys.conftest import Needs

    needs = Needs(tree)
    needs.send()
    def answer():
        response_submit(by=needs.worker.user, survey=Survey.objects.get(), answers=needs.full())

    refusals = in_parallel([answer, answer])
    assert len(refusals) == 1 and "survey" in refusals[0].message_dict  # one answered
    assert Response.objects.count() == 1 and Survey.objects.get().response_count == 1

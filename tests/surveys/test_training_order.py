import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from yuanmeng.surveys.models import Response
from yuanmeng.surveys.services import response_order_training, response_submit
from yuanmeng.training.skills import SkillCategory
from yuanmeng.training_orders.models import TrainingOrder


@pytest.fixture
def answered(enterprise_needs):
    enterprise_needs.send()
    response_submit(by=enterprise_needs.officer, survey=enterprise_needs.survey, answers=enterprise_needs.full())
    return enterprise_needs


def test_the_officer_turns_the_answers_into_an_order(client, login, answered, tree):
    login(answered.officer)
    response = Response.objects.get()
    listing = client.get(reverse("surveys_to_answer"))
    assert reverse("survey_order", args=[response.pk]) in listing.text
    page = client.get(reverse("survey_order", args=[response.pk]))
    form = page.context["form"]
    assert form.initial["skill_category"] == SkillCategory.CNC  # the option 数控加工 answered
    assert "最想学的技能：数控加工" in form.initial["notes"]
    missing = client.post(reverse("survey_order", args=[response.pk]), {"topic": "数控培训", "skill_category": "cnc"})
    assert missing.status_code == 200 and not TrainingOrder.objects.exists()  # no head-count
    done = client.post(reverse("survey_order", args=[response.pk]),
                       {"topic": "数控培训", "skill_category": "cnc", "head_count": "30", "notes": "来自调查"})
    order = TrainingOrder.objects.get()
    assert done.url == reverse("training_order_detail", args=[order.pk])
    assert order.organisation == tree.tianhe_firm.organisation and Response.objects.get().training_order == order
    again = client.get(reverse("survey_order", args=[response.pk]))
    assert again.url == reverse("training_order_detail", args=[order.pk])


def test_once_per_response_and_only_the_officer(answered, tree, client, login):
    response = Response.objects.get()
    fields = {"topic": "数控培训", "skill_category": "cnc", "head_count": 30}
    response_order_training(by=answered.officer, response=response, **fields)
    with pytest.raises(ValidationError):  # the same answers again, as a page loaded before the first order
        response_order_training(by=answered.officer, response=_stale(response), **fields)
    assert TrainingOrder.objects.count() == 1
    login(answered.district)
    assert client.get(reverse("survey_order", args=[response.pk])).status_code == 404


def _stale(response):
    response.training_order = None
    return response


def test_the_skill_is_an_option_named_as_a_category_exactly():
    from yuanmeng.surveys.selectors import skill_category_of as _skill_of

    assert _skill_of([("方便的时间", "周末"), ("最想学的技能", "电工、焊接")]) == SkillCategory.ELECTRICAL
    # a part of a category's name, or a word inside a sentence, is no category
    assert _skill_of([("最想学的技能", "工")]) == SkillCategory.GENERAL
    assert _skill_of([("其他建议", "希望学焊接")]) == SkillCategory.GENERAL
    assert _skill_of([("skill", "Welding")]) == SkillCategory.WELDING  # options written in English

import datetime

import pytest
from django.utils import timezone

from yuanmeng.orgs.roles import Role
from yuanmeng.surveys.models import Audience, QuestionKind
from yuanmeng.surveys.services import question_add, survey_create, survey_send


class Needs:
    """A district's survey of its workers (sent), and the people around it."""

    def __init__(self, tree, audience=Audience.WORKERS):
        self.tree = tree
        self.district = tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe)
        self.officer = tree.staff(Role.ENTERPRISE_OFFICER, tree.tianhe_firm.organisation)
        self.worker = tree.member(name="答卷人")
        self.survey = survey_create(by=self.district, organisation=tree.tianhe, title="2026年职工培训需求调查",
                                    audience=audience, opens_at=timezone.now() - datetime.timedelta(days=1),
                                    closes_at=timezone.now() + datetime.timedelta(days=30))
        q = question_add
        self.single = q(by=self.district, survey=self.survey, kind=QuestionKind.SINGLE, text="最想学的技能",
                        options=["电工", "数控加工", "焊接"])
        self.multiple = q(by=self.district, survey=self.survey, kind=QuestionKind.MULTIPLE, text="方便的时间",
                          options=["工作日晚上", "周末", "线上随时"], required=False)
        self.scale = q(by=self.district, survey=self.survey, kind=QuestionKind.SCALE, text="需求程度",
                       scale_min=1, scale_max=5)
        self.text = q(by=self.district, survey=self.survey, kind=QuestionKind.TEXT, text="其他建议", required=False)

    def send(self, *targets):
        default = [self.tree.tianhe_firm.organisation] if self.survey.audience == Audience.ENTERPRISES \
            else [self.tree.tianhe]
        return survey_send(by=self.district, survey=self.survey, targets=list(targets) or default)

    def option(self, question, n):
        return list(question.options.all())[n].pk

    def full(self):
        return {self.single.pk: self.option(self.single, 1),
                self.multiple.pk: [self.option(self.multiple, 0), self.option(self.multiple, 2)],
                self.scale.pk: 4, self.text.pk: "希望开设PLC编程课"}


@pytest.fixture
def needs(tree):
    return Needs(tree)


@pytest.fixture
def enterprise_needs(tree):
    return Needs(tree, audience=Audience.ENTERPRISES)

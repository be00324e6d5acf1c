import datetime

import pytest
from django.utils import timezone

from yuanmeng.training.skills import SkillCategory
from yuanmeng.training_orders import services

TODAY = datetime.date.today()
NINE, ELEVEN, TEN, NOON = datetime.time(9), datetime.time(11), datetime.time(10), datetime.time(12)


class Orders:
    """A 天河 enterprise's order, the 天河 district reviewer who takes it, and a teacher of the city's library."""

    def __init__(self, tree, people):
        self.tree, self.people = tree, people
        self.teacher = services.teacher_create(by=people.city, organisation=tree.city, name="王老师",
                                               specialities=[SkillCategory.ELECTRICAL], school=tree.school)
        self.workers = [tree.worker(name=f"工人{n}") for n in range(3)]

    def order(self, **fields):
        values = {"topic": "低压电工安全操作", "skill_category": SkillCategory.ELECTRICAL, "head_count": 3,
                  "preferred_place": "厂区培训室", "preferred_from": TODAY,
                  "preferred_to": TODAY + datetime.timedelta(30)}
        values.update(fields)
        return services.order_request(by=self.people.enterprise, organisation=self.tree.tianhe_firm.organisation,
                                      **values)

    def accepted(self, **fields):
        order = self.order(**fields)
        services.order_transition(by=self.people.district, order=order, action="accept")
        services.order_assign(by=self.people.district, order=order, school=self.tree.school, teachers=[self.teacher])
        services.participants_add(by=self.people.enterprise, order=order, workers=self.workers)
        return order

    def session(self, order, date=TODAY, starts_at=NINE, ends_at=ELEVEN, teacher=None):
        return services.session_schedule(by=self.people.district, order=order, teacher=teacher or self.teacher,
                                         date=date, starts_at=starts_at, ends_at=ends_at, venue="厂区培训室")


@pytest.fixture(autouse=True)
def _early_today(monkeypatch):
    """The clock at 00:01 on ``TODAY``: a session today at any hour is still to come (a start earlier than now is
    refused), whenever the tests run."""
    moment = timezone.make_aware(datetime.datetime.combine(TODAY, datetime.time(0, 1)))
    monkeypatch.setattr(timezone, "now", lambda: moment)


@pytest.fixture
def orders(tree, people):
    return Orders(tree, people)

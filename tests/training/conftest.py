import datetime

import pytest
from django.utils import timezone

from tests.conftest import People
from yuanmeng.orgs.models import OrgKind
from yuanmeng.orgs.services import organisation_create
from yuanmeng.training.models import CourseMode, PlaceType
from yuanmeng.training.services import course_create, place_create
from yuanmeng.training.skills import SkillCategory

# 天河 district, around 天河城 (WGS84).
TIANHE = (23.1321, 113.3232)


class Network:
    """A centre in 天河, a station 8 km east, a workshop 40 km away; courses of the 天河 union and a provider."""

    def __init__(self, tree):
        self.tree = tree
        by = tree.root_user
        self.provider = organisation_create(by=by, kind=OrgKind.PROVIDER, code="GZ-TH-P", name="天河职业技能培训中心",
                                            parent=tree.tianhe)
        self.centre = self.place(tree.tianhe, "天河区职工学习中心", PlaceType.LEARNING_CENTRE, *TIANHE)
        self.station = self.place(tree.tianhe, "车陂职工服务站", PlaceType.SERVICE_STATION, 23.1290, 113.4010)
        self.far = self.place(tree.haizhu, "从化培训车间", PlaceType.WORKSHOP, 23.4500, 113.5800)
        self.welding = self.course(self.provider, title="焊工中级实操班",
                                   description="手工电弧焊、二氧化碳保护焊实操训练", category=SkillCategory.WELDING,
                                   mode=CourseMode.OFFLINE, place=self.centre, capacity=2)
        self.online = self.course(tree.tianhe, title="电工基础微课", description="低压电工安全操作与电路基础",
                                  category=SkillCategory.ELECTRICAL, mode=CourseMode.ONLINE,
                                  video_url="https://learn.example.cn/v/123")

    def place(self, owner, name, place_type, latitude, longitude, **fields):
        return place_create(by=self.tree.root_user, owner=owner, name=name, place_type=place_type,
                            address=f"广州市{name}", latitude=latitude, longitude=longitude, **fields)

    def course(self, provider, **fields):
        fields.setdefault("hours", 8)
        if fields.get("mode") == CourseMode.LIVE:
            fields.setdefault("starts_at", timezone.now() + datetime.timedelta(days=3))
        return course_create(by=self.tree.root_user, provider=provider, **fields)


@pytest.fixture
def network(tree):
    return Network(tree)


@pytest.fixture
def people(tree):
    return People(tree)

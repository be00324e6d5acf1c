"""The demo holds the national 2030 targets shared down to the city and the city's yearly ones, and each level's
targets page shows its own."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from yuanmeng.orgs.models import Organisation
from yuanmeng.stats.models import Measure, Target
from yuanmeng.stats.targets import progress_for

pytestmark = pytest.mark.django_db


def test_the_demo_targets(capsys):
    call_command("seed", "demo", "--workers", "5")
    national = Target.objects.filter(organisation__code="ACFTU", start_year=2024, end_year=2030)
    assert dict(national.values_list("measure", "value")) == {
        Measure.WORKERS_PAID: 3_000_000, Measure.MIGRANTS_PAID: 2_000_000, Measure.PROJECTS: 300}
    city = Organisation.objects.get(code="GZ")
    users = get_user_model().objects
    on = datetime.date(datetime.date.today().year, 6, 30)
    shown = {item.measure: (item.target.value, item.context)
             for item in progress_for(user=users.get(username="city_admin"), organisation=city, on=on)}
    assert shown == {Measure.WORKERS_PAID: (60_000, False), Measure.MIGRANTS_PAID: (40_000, False),
                     Measure.PROJECTS: (6, False), Measure.APPROVED: (4_126, False),
                     Measure.BUDGET_PAID: (15_000_000_00, False)}
    tianhe = Organisation.objects.get(code="GZ-TH")
    district = {item.measure: (item.target.value, item.context)
                for item in progress_for(user=users.get(username="tianhe_reviewer"), organisation=tianhe, on=on)}
    assert district == {Measure.WORKERS_PAID: (60_000, True), Measure.MIGRANTS_PAID: (40_000, True),
                        Measure.PROJECTS: (6, True), Measure.APPROVED: (600, False)}

"""The demo's targets (decision 0017): the national 2030 targets and their shares down to the city, and the city's
yearly head-count and money with shares to two districts — each set by the role that sets it."""

from django.contrib.auth import get_user_model
from django.utils import timezone

from yuanmeng.orgs.models import Organisation
from yuanmeng.stats.models import Measure
from yuanmeng.stats.target_services import target_set, target_share_allocate

NATIONAL_2030 = {Measure.WORKERS_PAID: 3_000_000, Measure.MIGRANTS_PAID: 2_000_000, Measure.PROJECTS: 300}
PROVINCE_SHARE = {Measure.WORKERS_PAID: 300_000, Measure.MIGRANTS_PAID: 200_000, Measure.PROJECTS: 30}
CITY_SHARE = {Measure.WORKERS_PAID: 60_000, Measure.MIGRANTS_PAID: 40_000, Measure.PROJECTS: 6}
CITY_HEAD_COUNT = 4_126  # the Guangzhou 2024 notice's places
CITY_MONEY_FEN = 15_000_000_00  # the city's special fund a year since 2016
DISTRICT_HEAD_COUNT = {"GZ-TH": 600, "GZ-HZ": 400}


def build_targets(orgs: dict[str, Organisation], national_code: str) -> None:
    users = {user.username: user for user in get_user_model().objects.filter(
        username__in=("national_viewer", "province_viewer", "city_admin"))}
    year = timezone.localdate().year
    for measure, value in NATIONAL_2030.items():
        national = target_set(by=users["national_viewer"], organisation=orgs[national_code], measure=measure,
                              start_year=2024, end_year=2030, value=value, note="到 2030 年的全国目标")
        province = target_share_allocate(by=users["national_viewer"], target=national, organisation=orgs["GD"],
                                         value=PROVINCE_SHARE[measure])
        target_share_allocate(by=users["province_viewer"], target=province, organisation=orgs["GZ"],
                              value=CITY_SHARE[measure])
    head_count = target_set(by=users["city_admin"], organisation=orgs["GZ"], measure=Measure.APPROVED,
                            start_year=year, end_year=year, value=CITY_HEAD_COUNT, note="按年度通知的名额")
    for code, value in DISTRICT_HEAD_COUNT.items():
        target_share_allocate(by=users["city_admin"], target=head_count, organisation=orgs[code], value=value)
    target_set(by=users["city_admin"], organisation=orgs["GZ"], measure=Measure.BUDGET_PAID, start_year=year,
               end_year=year, value=CITY_MONEY_FEN, note="市总工会专项资金")

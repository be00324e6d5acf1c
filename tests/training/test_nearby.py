"""Places within reach of a point: haversine, the bounding box, sorting, the hour's reach, the workplace."""

import math

import pytest

from tests.training.conftest import TIANHE
from yuanmeng.orgs.models import OrgKind
from yuanmeng.orgs.roles import Role
from yuanmeng.orgs.services import organisation_create
from yuanmeng.training.models import PlaceType
from yuanmeng.training.selectors import (
    bounding_box,
    haversine_km,
    places_near,
    reach_km,
    travel_minutes,
    workplace_point,
)
from yuanmeng.training.services import place_update


def test_haversine_matches_known_distances():
    assert haversine_km(0, 0, 0, 1) == pytest.approx(111.195, abs=0.01)  # a degree of the equator
    # 天河城 to 深圳 市民中心 (22.5431, 114.0579): about 100 km as the crow flies
    assert haversine_km(*TIANHE, 22.5431, 114.0579) == pytest.approx(100, abs=0.5)
    assert haversine_km(10, 170, 10, -170) == pytest.approx(haversine_km(10, -10, 10, 10))  # across 180°


def test_an_hour_reaches_about_fifteen_kilometres_as_the_crow_flies():
    assert reach_km(60) == pytest.approx(20 / 1.3)
    assert travel_minutes(reach_km(60)) == 60


def test_the_bounding_box_holds_the_circle():
    box = bounding_box(23.13, 113.32, 15)
    (south, north), (west, east) = box["latitude__range"], box["longitude__range"]
    assert haversine_km(23.13, 113.32, north, 113.32) == pytest.approx(15, abs=0.01)
    assert haversine_km(23.13, 113.32, 23.13, east) == pytest.approx(15, abs=0.05)
    assert south < 23.13 < north and west < 113.32 < east


def test_near_a_pole_or_the_antimeridian_the_box_spans_every_longitude():
    assert "longitude__range" not in bounding_box(89.99, 10, 15)
    assert "longitude__range" not in bounding_box(10, 179.99, 15)
    assert not math.isnan(bounding_box(-90, 0, 15)["latitude__range"][0])


@pytest.mark.django_db
def test_places_within_an_hour_nearest_first_with_travel_time(tree, network, people):
    found = places_near(people.applicant, *TIANHE)
    assert [near.place for near in found] == [network.centre, network.station]  # 从化 is ~45 km away
    centre, station = found
    assert centre.distance_km == 0 and centre.minutes == 0
    assert station.distance_km == pytest.approx(7.9, abs=0.2)
    assert station.minutes == travel_minutes(station.distance_km)


@pytest.mark.django_db
def test_a_shorter_reach_and_a_type_narrow_the_list(tree, network, people):
    assert [n.place for n in places_near(people.applicant, *TIANHE, minutes=30)] == [network.centre]
    found = places_near(people.applicant, *TIANHE, place_type=PlaceType.SERVICE_STATION)
    assert [n.place for n in found] == [network.station]


@pytest.mark.django_db
def test_closed_places_and_other_cities_are_not_found(tree, network, people):
    shenzhen = organisation_create(by=tree.root_user, kind=OrgKind.CITY, code="SZ", name="深圳市总工会",
                                   parent=tree.province, region_code="440300")
    network.place(shenzhen, "深圳职工服务站", PlaceType.SERVICE_STATION, TIANHE[0] + 0.01, TIANHE[1])
    place_update(by=tree.root_user, place=network.station, is_active=False)
    assert [n.place for n in places_near(people.applicant, *TIANHE)] == [network.centre]
    shenzhen_staff = tree.staff(Role.CITY_ADMIN, shenzhen)
    assert [n.place.name for n in places_near(shenzhen_staff, *TIANHE)] == ["深圳职工服务站"]


@pytest.mark.django_db
def test_the_workplace_is_a_place_of_the_workers_enterprise_union(tree, network, people):
    assert workplace_point(people.worker) is None
    network.place(tree.tianhe_firm.organisation, "精密制造职工培训车间", PlaceType.WORKSHOP, 23.12, 113.33)
    assert workplace_point(people.worker) == (23.12, 113.33)


@pytest.mark.django_db
def test_the_cap_on_rows_keeps_the_nearest_not_the_first_by_name(tree, network, people, monkeypatch):
    monkeypatch.setattr("yuanmeng.training.selectors.MAX_NEARBY", 1)
    station = (network.station.latitude, network.station.longitude)  # 天河's centre sorts first by name
    assert [near.place for near in places_near(people.applicant, *station)] == [network.station]

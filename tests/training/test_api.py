"""The training API: places near a point, the catalogue and its Chinese search, enrolment, and xAPI statements."""

import json
import uuid

import pytest

from tests.training.conftest import TIANHE
from yuanmeng.orgs.models import OrgKind
from yuanmeng.orgs.services import organisation_create
from yuanmeng.training.models import CourseMode, Enrolment, EnrolmentStatus, LearningRecord
from yuanmeng.training.services import enrolment_create
from yuanmeng.training.skills import SkillCategory

pytestmark = pytest.mark.django_db
VERB = "http://adlnet.gov/expapi/verbs/"


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_places_near_a_point(tree, network, people, login):
    client = login(people.applicant)
    body = client.get("/api/training/places/near", {"latitude": TIANHE[0], "longitude": TIANHE[1]}).json()
    assert [row["place"]["name"] for row in body] == ["天河区职工学习中心", "车陂职工服务站"]
    assert body[1]["minutes"] > 0 and body[1]["distance_km"] > 7


@pytest.mark.parametrize(("params", "field"), [({"latitude": 91, "longitude": 113}, "latitude"),
                                               ({"latitude": 23, "longitude": -181}, "longitude"),
                                               ({"latitude": 23, "longitude": 113, "minutes": 600}, "minutes")])
def test_coordinates_out_of_range_are_422_naming_the_parameter(tree, people, login, params, field):
    response = login(people.applicant).get("/api/training/places/near", params)
    assert response.status_code == 422 and response.json()["detail"][0]["loc"][-1] == field


def test_a_place_with_coordinates_out_of_range_is_refused_by_field(tree, people, login):
    client = login(people.district)
    payload = {"owner_id": tree.tianhe.pk, "name": "员村服务站", "place_type": "service_station",
               "address": "天河区员村", "latitude": 123.1, "longitude": 113.36}
    response = _post(client, "/api/training/places", payload)
    assert response.status_code == 422 and list(response.json()["errors"]) == ["latitude"]
    created = _post(client, "/api/training/places", {**payload, "latitude": 23.12})
    assert created.status_code == 201 and created.json()["owner_name"] == "天河区总工会"


def test_a_place_of_another_district_is_refused_by_its_owner_id(tree, people, login):
    response = _post(login(people.district), "/api/training/places", {
        "owner_id": tree.haizhu.pk, "name": "海珠服务站", "place_type": "service_station", "address": "海珠区",
        "latitude": 23.1, "longitude": 113.3})
    assert response.status_code == 422 and list(response.json()["errors"]) == ["owner_id"]


@pytest.mark.parametrize(("q", "titles"), [("焊", ["焊工中级实操班"]), ("电路", ["电工基础微课"]),
                                           ("二氧化碳保护焊", ["焊工中级实操班"]),
                                           ("工", ["电工基础微课", "焊工中级实操班"]),
                                           ("PLC", ["PLC 编程入门"]), ("plc", ["PLC 编程入门"]), ("木工", [])])
def test_the_catalogue_finds_chinese_by_any_piece_of_title_or_description(tree, network, people, login, q, titles):
    network.course(tree.tianhe, title="PLC 编程入门", category=SkillCategory.ELECTRICAL, mode=CourseMode.ONLINE,
                   video_url="https://learn.example.cn/v/9")
    body = login(people.applicant).get("/api/training/courses", {"q": q}).json()
    assert sorted(row["title"] for row in body["items"]) == sorted(titles)


def test_the_catalogue_filters_by_category_provider_mode_and_district(tree, network, people, login):
    client = login(people.applicant)

    def titles(**params):
        return [row["title"] for row in client.get("/api/training/courses", params).json()["items"]]

    assert titles(category="welding") == ["焊工中级实操班"]
    assert titles(provider_id=network.provider.pk) == ["焊工中级实操班"]
    assert titles(mode="online") == ["电工基础微课"]
    assert sorted(titles(district_id=tree.tianhe.pk)) == sorted(["电工基础微课", "焊工中级实操班"])
    assert titles(district_id=tree.haizhu.pk) == []
    assert client.get("/api/training/courses", {"mode": "tv"}).status_code == 422


def test_another_citys_course_is_404(tree, network, people, login):
    shenzhen = organisation_create(by=tree.root_user, kind=OrgKind.CITY, code="SZ", name="深圳市总工会",
                                   parent=tree.province, region_code="440300")
    far = network.course(shenzhen, title="深圳电工", category=SkillCategory.ELECTRICAL, mode=CourseMode.ONLINE,
                         video_url="https://sz.example.cn/v/1")
    client = login(people.applicant)
    assert client.get(f"/api/training/courses/{far.pk}").status_code == 404
    assert _post(client, f"/api/training/courses/{far.pk}/enrolments", {}).status_code == 404
    assert client.get(f"/api/training/courses/{network.online.pk}").status_code == 200


def test_a_worker_enrols_through_the_api_once(tree, network, people, login):
    client = login(people.applicant)
    url = f"/api/training/courses/{network.welding.pk}/enrolments"
    first = _post(client, url, {})
    assert first.status_code == 201 and first.json()["status"] == "enrolled"
    again = _post(client, url, {})
    assert again.status_code == 422 and list(again.json()["errors"]) == ["course"]
    mine = client.get("/api/training/my/enrolments").json()
    assert [row["course_title"] for row in mine["items"]] == ["焊工中级实操班"]


def test_managing_a_course_another_district_owns_is_403_and_staff_see_learner_refs(tree, network, people, login):
    enrolment_create(by=people.applicant, worker=people.worker, course=network.welding)
    assert login(people.other_district).patch(f"/api/training/courses/{network.welding.pk}", {"title": "x"},
                                              content_type="application/json").status_code == 403
    rows = login(people.district).get(f"/api/training/courses/{network.welding.pk}/enrolments").json()["items"]
    assert rows[0]["learner_ref"] == Enrolment.objects.get().learner_ref


# ---- xAPI ---------------------------------------------------------------------------------------------------------

def _statement(enrolment, verb="progressed", duration="PT1H30M", **extra):
    statement = {"actor": {"objectType": "Agent", "account": {"homePage": "https://learn.example.cn",
                                                              "name": enrolment.learner_ref}},
                 "verb": {"id": VERB + verb, "display": {"zh-CN": verb}},
                 "object": {"objectType": "Activity",
                            "id": f"https://yuanmeng.example.cn/training/courses/{enrolment.course_id}"},
                 "result": {"duration": duration} if duration else {}, **extra}
    return statement


@pytest.fixture
def enrolled(tree, network, people):
    return enrolment_create(by=people.applicant, worker=people.worker, course=network.online)


def test_a_provider_reports_progress_and_completion_as_xapi_statements(tree, people, login, enrolled):
    client = login(people.district)
    progressed = _post(client, "/api/training/xapi/statements", _statement(enrolled))
    assert progressed.status_code == 200, progressed.content
    completed = _post(client, "/api/training/xapi/statements", _statement(enrolled, "completed", duration=None))
    assert completed.status_code == 200
    enrolled.refresh_from_db()
    assert (enrolled.status, enrolled.minutes) == (EnrolmentStatus.COMPLETED, 8 * 60)
    assert list(LearningRecord.objects.order_by("id").values_list("minutes", "source")) == [(90, "xapi"),
                                                                                              (390, "xapi")]


def test_a_statement_sent_twice_is_recorded_once(tree, people, login, enrolled):
    client = login(people.district)
    statement = _statement(enrolled, id=str(uuid.uuid4()))
    first = _post(client, "/api/training/xapi/statements", statement)
    second = _post(client, "/api/training/xapi/statements", statement)
    assert first.json() == second.json() == [statement["id"]]
    assert LearningRecord.objects.count() == 1
    enrolled.refresh_from_db()
    assert enrolled.minutes == 90
    reused = _post(client, "/api/training/xapi/statements", {**statement, "verb": {"id": VERB + "completed"}})
    assert reused.status_code == 422 and list(reused.json()["errors"]) == ["id"]


@pytest.mark.parametrize(("change", "field"), [
    (lambda s: s["actor"]["account"].update(name="L0000000000000000"), "actor.account.name"),
    (lambda s: s["object"].update(id="https://yuanmeng.example.cn/training/courses/999999"), "object.id"),
    (lambda s: s["object"].update(id="https://elsewhere.example.cn/activity/7"), "object.id"),
    (lambda s: s["verb"].update(id=VERB + "liked"), "verb.id"),
    (lambda s: s["result"].update(duration="90 minutes"), "result.duration"),
    (lambda s: s["result"].update(duration="PT25H"), "result.duration"),
    (lambda s: s.pop("result"), "result.duration"),
])
def test_a_bad_statement_is_refused_naming_its_field_and_nothing_is_recorded(tree, people, login, enrolled, change,
                                                                              field):
    statement = _statement(enrolled)
    change(statement)
    response = _post(login(people.district), "/api/training/xapi/statements", statement)
    assert response.status_code == 422 and list(response.json()["errors"]) == [field], response.content
    assert not LearningRecord.objects.exists()


def test_a_batch_is_all_or_nothing_and_names_the_bad_statements_place(tree, people, login, enrolled):
    good, bad = _statement(enrolled), _statement(enrolled)
    bad["actor"]["account"]["name"] = "nobody"
    response = _post(login(people.district), "/api/training/xapi/statements", [good, bad])
    assert response.status_code == 422 and list(response.json()["errors"]) == ["[1].actor.account.name"]
    assert not LearningRecord.objects.exists()


def test_a_statement_missing_its_actor_is_422_naming_it(tree, people, login, enrolled):
    statement = _statement(enrolled)
    del statement["actor"]
    response = _post(login(people.district), "/api/training/xapi/statements", statement)
    assert response.status_code == 422 and "actor" in json.dumps(response.json()["detail"])


def test_only_the_courses_managers_may_report_on_it(tree, people, login, enrolled):
    response = _post(login(people.other_district), "/api/training/xapi/statements", _statement(enrolled))
    assert response.status_code == 422 and list(response.json()["errors"]) == ["object.id"]
    assert not LearningRecord.objects.exists()


def test_a_course_is_held_only_at_a_place_its_author_manages(tree, network, people, login):
    client = login(people.school)  # the school under the city manages its own places, not the 天河 centre
    body = {"provider_id": tree.school.pk, "title": "借用场地课", "category": "welding", "mode": "offline",
            "hours": "4", "place_id": network.centre.pk}
    answer = _post(client, "/api/training/courses", body)
    assert answer.status_code == 422 and list(answer.json()["errors"]) == ["place_id"]

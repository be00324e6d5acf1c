"""The training orders' API: the whole way from request to completed, scoping (404 outside, 403 for a wrong role),
bad input as 422 naming the field, the report and the attendance file."""

import datetime

import pytest

from tests.builders import workbook
from tests.training_orders.conftest import TODAY
from yuanmeng.orgs.roles import Role
from yuanmeng.training_orders import services

pytestmark = pytest.mark.django_db
API = "/api/training-orders"


def _post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_an_order_from_request_to_completed(client, login, orders, people, tree):
    login(people.enterprise)
    created = _post(client, API, {"organisation_id": tree.tianhe_firm.organisation.pk, "topic": "焊工安全",
                                  "skill_category": "welding", "head_count": 2})
    assert created.status_code == 201, created.content
    order_id = created.json()["id"]
    worker_ids = [w.pk for w in orders.workers[:2]]
    assert _post(client, f"{API}/{order_id}/participants", {"worker_ids": worker_ids}).json() == {"changed": 2}
    assert _post(client, f"{API}/{order_id}/transitions", {"action": "accept"}).status_code == 403

    login(people.district)
    assert _post(client, f"{API}/{order_id}/transitions", {"action": "accept"}).json()["state"] == "accepted"
    again = _post(client, f"{API}/{order_id}/transitions", {"action": "accept"})
    assert again.status_code == 422 and "action" in again.json()["errors"]
    assigned = client.put(f"{API}/{order_id}/assignment", {"school_id": tree.school.pk,
                                                            "teacher_ids": [orders.teacher.pk]},
                          content_type="application/json")
    assert assigned.json()["school_id"] == tree.school.pk
    session = _post(client, f"{API}/{order_id}/sessions", {
        "teacher_id": orders.teacher.pk, "date": TODAY.isoformat(), "starts_at": "09:00", "ends_at": "12:00",
        "venue": "培训中心"})
    assert session.status_code == 201 and session.json()["minutes"] == 180
    session_id = session.json()["id"]
    marked = client.put(f"{API}/sessions/{session_id}/attendance", {"worker_id": worker_ids[0], "present": True},
                        content_type="application/json")
    assert marked.json() == {"changed": 1}
    upload = workbook(["身份证号", "姓名"], [[orders.workers[1].id_number, orders.workers[1].name]])
    upload.name = "出勤.xlsx"
    imported = client.post(f"{API}/sessions/{session_id}/attendance-file", {"file": upload})
    assert imported.json() == {"changed": 1}
    done = _post(client, f"{API}/{order_id}/transitions", {"action": "complete"}).json()
    assert (done["state"], done["participant_count"], done["minutes_total"]) == ("completed", 2, 360)
    participants = client.get(f"{API}/{order_id}/participants").json()
    assert {p["minutes"] for p in participants} == {180}
    assert all("*" in p["id_number_masked"] for p in participants)

    report = client.get(f"{API}/report", {"group_by": "skill_category"}).json()
    assert report["total"] == {"label": report["total"]["label"], "sessions": 1, "workers": 2, "hours": 6.0}
    assert [r["sessions"] for r in report["rows"]] == [1]


def test_bad_input_is_a_422_naming_the_field(client, login, orders, people, tree):
    login(people.enterprise)
    answer = _post(client, API, {"organisation_id": tree.tianhe_firm.organisation.pk, "topic": "x",
                                 "skill_category": "cnc", "head_count": 0})
    assert answer.status_code == 422 and "head_count" in answer.json()["errors"]
    order = orders.accepted()
    login(people.district)
    past = _post(client, f"{API}/{order.pk}/sessions", {
        "teacher_id": orders.teacher.pk, "date": (TODAY - datetime.timedelta(1)).isoformat(), "starts_at": "09:00",
        "ends_at": "10:00", "venue": "x"})
    assert past.status_code == 422 and "date" in past.json()["errors"]
    declined = _post(client, f"{API}/{orders.order().pk}/transitions", {"action": "decline"})
    assert declined.status_code == 422 and "reason" in declined.json()["errors"]


def test_scope_an_enterprise_sees_its_own_and_a_district_its_area(client, login, orders, people, tree):
    order = orders.order()
    other_firm = tree.staff(Role.ENTERPRISE_OFFICER, tree.haizhu_firm.organisation)
    for user, sees in ((people.enterprise, True), (people.district, True), (people.city, True),
                       (other_firm, False), (people.other_district, False), (people.school, False)):
        login(user)
        listed = [o["id"] for o in client.get(API).json()["items"]]
        assert (order.pk in listed) is sees, user
        assert client.get(f"{API}/{order.pk}").status_code == (200 if sees else 404), user
    login(people.other_district)
    assert _post(client, f"{API}/{order.pk}/transitions", {"action": "accept"}).status_code == 404
    assert client.put(f"{API}/{order.pk}/assignment", {"teacher_ids": [orders.teacher.pk]},
                      content_type="application/json").status_code == 404


def test_teacher_library_over_the_api(client, login, people, tree):
    login(people.district)
    created = _post(client, f"{API}/teachers", {"organisation_id": tree.tianhe.pk, "name": "赵老师",
                                                "specialities": ["cnc", "welding"]})
    assert created.status_code == 201
    assert [t["name"] for t in client.get(f"{API}/teachers", {"skill_category": "cnc"}).json()["items"]] == ["赵老师"]
    assert client.get(f"{API}/teachers", {"skill_category": "logistics"}).json()["items"] == []
    login(people.enterprise)
    assert _post(client, f"{API}/teachers", {"organisation_id": tree.tianhe_firm.organisation.pk,
                                             "name": "x"}).status_code == 403


def test_ids_outside_answer_as_ids_that_exist_nowhere(client, login, orders, people, tree):
    """An outside teacher, school, worker or place is "no such …", never named: the answer of an id that does not
    exist."""
    order = orders.accepted()
    elsewhere = services.teacher_create(by=people.other_district, organisation=tree.haizhu, name="海珠老师")
    stranger = tree.worker(employer=tree.haizhu_firm, name="海珠工人")
    login(people.district)
    for teacher_id in (elsewhere.pk, 10**9):
        answer = client.put(f"{API}/{order.pk}/assignment", {"teacher_ids": [teacher_id]},
                            content_type="application/json")
        assert answer.status_code == 422 and list(answer.json()["errors"]) == ["teacher_ids"]
        assert "海珠老师" not in answer.content.decode()
    for school_id in (tree.haizhu.pk, 10**9):
        answer = client.put(f"{API}/{order.pk}/assignment", {"school_id": school_id,
                                                             "teacher_ids": [orders.teacher.pk]},
                            content_type="application/json")
        assert list(answer.json()["errors"]) == ["school_id"]
    for worker_id in (stranger.pk, 10**9):
        answer = _post(client, f"{API}/{order.pk}/participants", {"worker_ids": [worker_id]})
        assert list(answer.json()["errors"]) == ["worker_ids"] and "海珠工人" not in answer.content.decode()
    session = orders.session(order)
    for worker_id in (stranger.pk, 10**9):
        answer = client.put(f"{API}/sessions/{session.pk}/attendance", {"worker_id": worker_id},
                            content_type="application/json")
        assert list(answer.json()["errors"]) == ["worker_id"]


def test_a_viewer_putting_workers_on_an_order_is_403_whatever_the_body(client, login, orders, tree):
    order = orders.order()
    login(tree.staff(Role.VIEWER, tree.city))
    for body in ({"worker_ids": [orders.workers[0].pk]}, {"worker_ids": [999_999]}):
        assert _post(client, f"{API}/{order.pk}/participants", body).status_code == 403
    assert not order.participants.exists()


def test_a_participant_taken_off_and_a_session_cancelled_over_the_api(client, login, orders, people):
    order = orders.accepted()
    held, coming = orders.session(order), orders.session(order, date=TODAY + datetime.timedelta(days=1))
    services.attendance_mark(by=people.district, session=held, worker=orders.workers[0])
    login(people.district)
    participants = {p["worker_id"]: p["id"] for p in client.get(f"{API}/{order.pk}/participants").json()}
    refused = client.delete(f"{API}/participants/{participants[orders.workers[0].pk]}")
    assert refused.status_code == 422 and "worker" in refused.json()["errors"]
    assert client.delete(f"{API}/participants/{participants[orders.workers[1].pk]}").status_code == 204
    assert client.delete(f"{API}/sessions/{held.pk}").status_code == 422
    assert client.delete(f"{API}/sessions/{coming.pk}").status_code == 204
    assert (order.participants.count(), order.sessions.count()) == (2, 1)
    login(people.enterprise)
    assert client.delete(f"{API}/sessions/{held.pk}").status_code == 403

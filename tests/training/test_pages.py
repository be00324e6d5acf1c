"""The training pages for a worker (on a phone) and for staff: each renders, each workflow works, the lists run a
pinned number of queries however many rows they hold."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.training.conftest import TIANHE
from yuanmeng.training.models import Course, CourseMode, Enrolment, PlaceType
from yuanmeng.training.services import enrolment_create
from yuanmeng.training.skills import SkillCategory

pytestmark = pytest.mark.django_db


def test_a_worker_finds_places_near_and_sees_them_plotted(tree, network, people, login):
    page = login(people.applicant).get("/training/near/", {"latitude": TIANHE[0], "longitude": TIANHE[1],
                                                           "minutes": 60})
    html = page.content.decode()
    assert page.status_code == 200 and "天河区职工学习中心" in html and "车陂职工服务站" in html
    assert "从化培训车间" not in html and html.count('class="spot ') == 2 and "<svg" in html


def test_out_of_range_coordinates_are_shown_on_the_form(tree, people, login):
    page = login(people.applicant).get("/training/near/", {"latitude": 95, "longitude": 113.3, "minutes": 60})
    assert page.status_code == 200 and page.context["form"].errors.keys() == {"latitude"}


def test_near_my_workplace_uses_the_workshop_of_my_enterprise(tree, network, people, login):
    network.place(tree.tianhe_firm.organisation, "精密制造培训车间", PlaceType.WORKSHOP, 23.13, 113.33)
    page = login(people.applicant).get("/training/near/", {"from": "work"})
    assert "精密制造培训车间" in page.content.decode() and page.context["found"] == 3


def test_a_worker_enrols_from_the_course_page_and_sees_it_in_my_learning(tree, network, people, login):
    client = login(people.applicant)
    detail = client.get(f"/training/courses/{network.welding.pk}/")
    assert "报名" in detail.content.decode() or "Enrol" in detail.content.decode()
    response = client.post(f"/training/courses/{network.welding.pk}/enrol/", follow=True)
    assert Enrolment.objects.filter(worker=people.worker).count() == 1
    again = client.post(f"/training/courses/{network.welding.pk}/enrol/", follow=True)
    assert [str(m) for m in again.context["messages"]] and Enrolment.objects.count() == 1
    mine = client.get("/training/mine/")
    assert "焊工中级实操班" in mine.content.decode() and response.status_code == 200


def test_a_course_view_is_counted_once_a_session(tree, network, people, login):
    client = login(people.applicant)
    for _ in range(3):
        client.get(f"/training/courses/{network.online.pk}/")
    assert Course.objects.get(pk=network.online.pk).view_count == 1


def test_staff_record_attendance_on_the_course_page(tree, network, people, login):
    enrolment = enrolment_create(by=people.applicant, worker=people.worker, course=network.welding)
    client = login(people.district)
    page = client.get(f"/training/courses/{network.welding.pk}/")
    assert enrolment.learner_ref in page.content.decode()
    client.post(f"/training/enrolments/{enrolment.pk}/learning/", {"verb": "attended", "minutes": "120"})
    enrolment.refresh_from_db()
    assert enrolment.minutes == 120
    refused = login(people.other_district).post(f"/training/enrolments/{enrolment.pk}/learning/",
                                                {"verb": "attended", "minutes": "60"})
    assert refused.status_code == 404


def test_staff_add_a_place_and_a_course_through_the_forms(tree, network, people, login):
    client = login(people.district)
    added = client.post("/training/places/new/", {
        "owner": tree.tianhe.pk, "name": "猎德职工服务站", "place_type": "service_station", "address": "天河区猎德",
        "latitude": "23.117", "longitude": "113.331", "is_active": "on"})
    assert added.status_code == 302
    bad = client.post("/training/courses/new/", {
        "provider": tree.tianhe.pk, "title": "数控编程", "category": "cnc", "mode": "offline", "level": "beginner",
        "hours": "16", "status": "open"})
    assert bad.status_code == 200 and "place" in bad.context["form"].errors
    good = client.post("/training/courses/new/", {
        "provider": tree.tianhe.pk, "title": "数控编程", "category": "cnc", "mode": "offline", "level": "beginner",
        "hours": "16", "status": "open", "place": network.centre.pk, "capacity": "30"})
    assert good.status_code == 302 and Course.objects.filter(title="数控编程", capacity=30).exists()


def test_another_districts_staff_cannot_edit_a_place_they_read(tree, network, people, login):
    assert login(people.other_district).get(f"/training/places/{network.centre.pk}/edit/").status_code == 403
    assert login(people.district).get(f"/training/places/{network.centre.pk}/edit/").status_code == 200


def _grow(tree, network, n: int) -> None:
    for i in range(n):
        place = network.place(tree.tianhe, f"服务站{i}", PlaceType.SERVICE_STATION, TIANHE[0] + i / 1000, TIANHE[1])
        course = network.course(network.provider, title=f"课程{i}", category=SkillCategory.SAFETY,
                                mode=CourseMode.OFFLINE, place=place)
        worker = tree.member(name=f"学员{i}号")
        enrolment_create(by=worker.user, worker=worker, course=course)
        enrolment_create(by=worker.user, worker=worker, course=network.online)


PAGES = [  # (role, url, queries)
    ("applicant", "/training/near/?latitude=23.1321&longitude=113.3232&minutes=60", 6),
    ("applicant", "/training/courses/", 7),
    ("applicant", "/training/courses/?q=焊工&category=welding", 7),
    ("applicant", "/training/mine/", 6),
    ("district", "/training/manage/", 4),
    ("district", "/training/manage/?show=places", 4),
    ("district", "/training/courses/{online}/", 7),
]


@pytest.mark.parametrize(("role", "url", "queries"), PAGES)
def test_list_pages_run_a_pinned_number_of_queries(tree, network, people, role, url, queries, client):
    client.force_login(getattr(people, role), backend="yuanmeng.accounts.backends.UsernameOrMobileBackend")
    url = url.format(online=network.online.pk)
    enrolment_create(by=people.applicant, worker=people.worker, course=network.welding)
    enrolment_create(by=people.applicant, worker=people.worker, course=network.online)
    counts = []
    for grow in (0, 6):
        _grow(tree, network, grow)
        client.get(url)  # the session's first visit writes it (the view counter); count the second
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        counts.append(len(captured))
    assert counts == [queries, queries], [q["sql"][:150] for q in captured.captured_queries]

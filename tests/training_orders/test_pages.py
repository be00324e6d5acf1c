"""The training orders' pages for each role, their posts, and their query counts pinned with few rows and many (a
query per row fails)."""

import datetime
import io
import re

import openpyxl
import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from tests.builders import workbook
from tests.training_orders.conftest import NOON, TODAY
from yuanmeng.notify.models import Message
from yuanmeng.orgs.roles import Role
from yuanmeng.training_orders import services
from yuanmeng.training_orders.models import Attendance, Session, TrainingOrder

pytestmark = pytest.mark.django_db


def test_the_enterprise_orders_and_the_district_takes_it_to_completed(client, login, orders, people, tree):
    login(people.enterprise)
    assert client.get("/training-orders/new/").status_code == 200
    answer = client.post("/training-orders/new/", {
        "organisation": tree.tianhe_firm.organisation.pk, "topic": "叉车安全驾驶", "skill_category": "logistics",
        "head_count": "2", "preferred_place": "仓库", "notes": "周末为宜"})
    order = TrainingOrder.objects.get(topic="叉车安全驾驶")
    assert answer.status_code == 302 and answer.url == f"/training-orders/{order.pk}/"
    client.post(f"/training-orders/{order.pk}/participants/", {"workers": [w.pk for w in orders.workers[:2]]})
    assert order.participants.count() == 2

    login(people.district)
    page = client.get("/training-orders/").content.decode()
    assert "叉车安全驾驶" in page
    client.post(f"/training-orders/{order.pk}/accept/")
    client.post(f"/training-orders/{order.pk}/assign/", {"school": tree.school.pk, "teachers": [orders.teacher.pk]})
    client.post(f"/training-orders/{order.pk}/sessions/", {
        "teacher": orders.teacher.pk, "date": TODAY.isoformat(), "starts_at": "14:00", "ends_at": "16:30",
        "venue": "仓库"})
    session = Session.objects.get(order=order)
    assert client.get(f"/training-orders/sessions/{session.pk}/").status_code == 200
    client.post(f"/training-orders/sessions/{session.pk}/", {"present": [orders.workers[0].pk]})
    upload = workbook(["身份证号", "姓名"], [[orders.workers[1].id_number, orders.workers[1].name]])
    upload.name = "出勤.xlsx"
    client.post(f"/training-orders/sessions/{session.pk}/", {"file": upload})
    assert Attendance.objects.filter(session=session).count() == 2
    client.post(f"/training-orders/{order.pk}/complete/")
    order.refresh_from_db()
    assert (order.state, order.participant_count, order.minutes_total) == ("completed", 2, 300)
    detail = client.get(f"/training-orders/{order.pk}/").content.decode()
    assert "workers trained" in detail or "培训职工" in detail
    login(people.enterprise)  # the union's notices, on the order's page
    notices = client.get(f"/training-orders/{order.pk}/").context["notices"]
    assert [m.subject_msgid for m in notices] == ["Training completed", "Training session scheduled",
                                                 "Training order accepted"]


def test_refusals_show_as_messages_and_change_nothing(client, login, orders, people):
    order = orders.accepted()
    login(people.district)
    answer = client.post(f"/training-orders/{order.pk}/sessions/", {
        "teacher": orders.teacher.pk, "date": (TODAY - datetime.timedelta(1)).isoformat(), "starts_at": "09:00",
        "ends_at": "10:00", "venue": "x"}, follow=True)
    assert not Session.objects.exists()
    assert answer.context["messages"]
    declined = client.post(f"/training-orders/{orders.order().pk}/decline/", {"reason": ""}, follow=True)
    assert list(declined.context["messages"])


def test_pages_answer_404_outside_and_403_for_a_wrong_role(client, login, orders, people, tree):
    order = orders.order()
    login(people.other_district)
    assert client.get(f"/training-orders/{order.pk}/").status_code == 404
    assert client.post(f"/training-orders/{order.pk}/accept/").status_code == 404
    order.refresh_from_db()
    assert order.state == "requested"
    login(people.enterprise)
    assert client.post(f"/training-orders/{order.pk}/assign/", {"teachers": [orders.teacher.pk]}).status_code == 403
    login(tree.staff(Role.ENTERPRISE_OFFICER, tree.haizhu_firm.organisation))
    assert "低压电工" not in client.get("/training-orders/").content.decode()


def test_teacher_library_page(client, login, people, tree):
    login(people.city)
    answer = client.post("/training-orders/teachers/", {"organisation": tree.city.pk, "name": "钱老师",
                                                        "specialities": ["cnc"], "school": tree.school.pk})
    assert answer.status_code == 302
    assert "钱老师" in client.get("/training-orders/teachers/?skill_category=cnc").content.decode()
    login(people.enterprise)
    assert client.get("/training-orders/teachers/").status_code == 404


def test_report_page_and_export(client, login, orders, people):
    order = orders.accepted()
    session = orders.session(order)
    services.attendance_set(by=people.district, session=session, workers=orders.workers)
    login(people.city)
    for group_by in ("district", "enterprise", "skill_category"):
        page = client.get(f"/training-orders/report/?group_by={group_by}")
        assert page.context["report"].total.workers == 3
    assert client.get("/exports/training_report/?group_by=enterprise").status_code == 200


def test_the_orders_export_holds_the_callers_orders_only(client, login, orders, people, tree):
    orders.order(topic="天河电工")
    haizhu_officer = tree.staff(Role.ENTERPRISE_OFFICER, tree.haizhu_firm.organisation)
    services.order_request(by=haizhu_officer, organisation=tree.haizhu_firm.organisation, topic="海珠焊接",
                           skill_category="welding", head_count=2, preferred_place="", preferred_from=TODAY,
                           preferred_to=TODAY)
    topics = {}
    for name, user in (("enterprise", people.enterprise), ("district", people.district), ("city", people.city)):
        login(user)
        book = openpyxl.load_workbook(io.BytesIO(b"".join(client.get("/exports/training_orders/").streaming_content)))
        topics[name] = sorted(row[2] for row in list(book.active.values)[1:])
    assert topics == {"enterprise": ["天河电工"], "district": ["天河电工"], "city": sorted(["海珠焊接", "天河电工"])}
    login(people.district)
    haizhu_report = f"/exports/training_report/?group_by=enterprise&organisation={tree.haizhu.pk}"
    assert client.get(haizhu_report).status_code == 404


# ---- query counts --------------------------------------------------------------------------------------------

PAGES = [
    ("/training-orders/", "enterprise", 4),
    ("/training-orders/", "district", 4),
    ("/training-orders/{order}/", "district", 18),  # participants a page: count, page; the picker's ids
    ("/training-orders/{order}/", "enterprise", 12),  # with its messages about the order
    ("/training-orders/new/", "enterprise", 5),
    ("/training-orders/sessions/{session}/", "district", 6),  # participants a page
    ("/training-orders/teachers/", "city", 6),
    ("/training-orders/report/", "city", 8),  # the rows a page
    ("/api/training-orders", "district", 2),
    ("/api/training-orders/{order}", "district", 2),
    ("/api/training-orders/{order}/sessions", "district", 3),
    ("/api/training-orders/{order}/participants", "district", 3),
    ("/api/training-orders/teachers", "city", 2),
    ("/api/training-orders/report?group_by=enterprise", "city", 5),
]


def _grow(orders, people, n):
    for _k in range(n):
        order = orders.accepted()
        session = orders.session(order, starts_at=datetime.time(17 + _k), ends_at=datetime.time(18 + _k))
        services.attendance_set(by=people.district, session=session, workers=orders.workers)
        services.teacher_create(by=people.city, organisation=orders.tree.city, name=f"老师{_k}")


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200, url
    return len(queries)


def test_pages_run_their_pinned_queries_with_few_rows_and_many(orders, people):
    users = {"enterprise": people.enterprise, "district": people.district, "city": people.city}
    order = orders.accepted()
    session = orders.session(order)
    services.attendance_set(by=people.district, session=session, workers=orders.workers[:1])
    ids = {"order": order.pk, "session": session.pk}
    clients = []
    for _url, role, _n in PAGES:
        client = Client()
        client.force_login(users[role], backend="yuanmeng.accounts.backends.UsernameOrMobileBackend")
        clients.append(client)

    def counts():
        result = []
        for (url, _role, _n), client in zip(PAGES, clients, strict=True):
            _count(client, url.format(**ids))
            result.append(_count(client, url.format(**ids)))
        return result

    few = counts()
    _grow(orders, people, 4)
    for n in range(3):  # a larger order: more workers, sessions and attendance
        worker = orders.tree.worker(name=f"新人{n}")
        TrainingOrder.objects.filter(pk=order.pk).update(head_count=10)
        order.refresh_from_db()
        services.participants_add(by=people.enterprise, order=order, workers=[worker])
        services.attendance_mark(by=people.district, session=session, worker=worker)
        orders.session(order, starts_at=datetime.time(13 + n), ends_at=datetime.time(14 + n))
    many = counts()
    wrong = [f"{url} as {role}: pinned {n}, ran {a} with few rows and {b} with many"
             for (url, role, n), a, b in zip(PAGES, few, many, strict=True) if a != n or b != n]
    assert not wrong, "\n".join(wrong)


def test_a_school_teachers_page_names_only_the_orders_its_staff_may_read(client, login, orders, people, tree):
    teacher = services.teacher_create(by=people.school, organisation=tree.school, name="校内老师")
    order = orders.accepted(topic="天河企业的课题")
    services.order_assign(by=people.district, order=order, school=tree.school, teachers=[teacher])
    orders.session(order, teacher=teacher, date=TODAY + datetime.timedelta(days=1))
    login(people.school)
    html = client.get(f"/training-orders/teachers/{teacher.pk}/").content.decode()
    assert "天河企业的课题" not in html and "another order" in html.replace("另一个订单", "another order")
    login(people.city)
    assert "天河企业的课题" in client.get(f"/training-orders/teachers/{teacher.pk}/").content.decode()


def test_a_session_without_attendance_is_cancelled_and_a_participant_taken_off(client, login, orders, people):
    order = orders.accepted()
    held, coming = orders.session(order), orders.session(order, date=TODAY + datetime.timedelta(days=1))
    services.attendance_mark(by=people.district, session=held, worker=orders.workers[0])
    login(people.district)
    page = client.get(f"/training-orders/{order.pk}/").content.decode()
    assert f"/training-orders/sessions/{coming.pk}/cancel/" in page
    assert f"/training-orders/sessions/{held.pk}/cancel/" not in page  # attendance recorded: held
    told = Message.objects.filter(recipient=people.enterprise, about_id=order.pk)
    before = told.count()
    client.post(f"/training-orders/sessions/{held.pk}/cancel/")
    client.post(f"/training-orders/sessions/{coming.pk}/cancel/")
    assert list(order.sessions.all()) == [held] and told.count() == before + 1
    first, second = order.participants.order_by("id")[:2]
    login(people.enterprise)
    client.post(f"/training-orders/participants/{first.pk}/remove/")  # attended: stays
    client.post(f"/training-orders/participants/{second.pk}/remove/")
    assert set(order.participants.values_list("pk", flat=True)) == {first.pk, order.participants.last().pk}


@override_settings(PAGE_SIZE=2)
def test_long_lists_come_a_page_at_a_time(client, login, orders, people, tree):
    order = orders.accepted(head_count=4)
    session = orders.session(order)
    services.attendance_set(by=people.district, session=session, workers=orders.workers)
    login(people.district)
    detail = client.get(f"/training-orders/{order.pk}/")
    assert len(detail.context["participants"].object_list) == 2 and detail.context["participants"].has_next()
    url = f"/training-orders/sessions/{session.pk}/?page=2"
    shown = client.get(url).context["page"].object_list
    assert [p.worker for p in shown] == orders.workers[2:]
    client.post(url, {"shown": [orders.workers[2].pk]})  # page 2 unticked; page 1 left as it was
    assert set(session.attendances.values_list("participant__worker", flat=True)) == {w.pk for w in orders.workers[:2]}
    other = orders.accepted(topic="叉车", skill_category="logistics")
    services.attendance_set(by=people.district, session=orders.session(other, starts_at=NOON,
                                                                       ends_at=datetime.time(13)),
                            workers=orders.workers[:1])
    services.attendance_set(by=people.district, session=orders.session(
        orders.accepted(topic="焊接", skill_category="welding"), starts_at=datetime.time(14),
        ends_at=datetime.time(15)), workers=orders.workers[:1])
    login(people.city)
    report = client.get("/training-orders/report/?group_by=skill_category")
    assert len(report.context["rows"]) == 2 and report.context["page"].has_next()
    assert client.get("/training-orders/report/?group_by=skill_category&page=2").context["rows"][0].workers == 1


def test_the_workers_to_put_on_are_found_by_name_a_few_at_a_time(client, login, orders, people, tree, monkeypatch):
    monkeypatch.setattr("yuanmeng.training_orders.forms.PICKER_SIZE", 2)
    order = orders.order(head_count=10)
    for name in ("张一", "张二", "张三", "李四"):
        tree.worker(name=name)
    login(people.enterprise)
    form = client.get(f"/training-orders/{order.pk}/").context["participants_form"]
    assert len(form.fields["workers"].choices) == 2 and form.more
    form = client.get(f"/training-orders/{order.pk}/?q=李").context["participants_form"]
    assert [str(label)[:2] for _value, label in form.fields["workers"].choices] == ["李四"] and not form.more


def test_the_home_counts_the_orders_waiting_to_be_taken(client, login, orders, people):
    orders.order()
    orders.accepted(topic="已受理")
    login(people.district)
    html = client.get("/").content.decode()
    found = re.search(r'<a href="([^"]+)">\s*<strong>([^<]+)</strong>\s*<span>(待受理的培训订单|Training orders to '
                      r'take)</span>', html)
    assert found and found.group(2) == "1" and found.group(1) == "/training-orders/?state=requested"
    login(people.enterprise)
    assert "Training orders to take" not in client.get("/").content.decode()

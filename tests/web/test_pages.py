"""Every role lands on a sensible home page; English is one click away. (Query counts: test_query_counts.py.)"""

import pytest

from yuanmeng.orgs.roles import Role
from yuanmeng.stats.services import stats_refresh

pytestmark = pytest.mark.django_db

HOME_BY_ROLE = [
    (Role.ENTERPRISE_OFFICER, "tianhe_firm_org", ["天河精密制造有限公司工会", "Register a worker"]),
    (Role.DISTRICT_REVIEWER, "tianhe", ["天河区总工会", "天河精密制造有限公司工会"]),
    (Role.CITY_ADMIN, "city",
     ["广州市总工会", "天河区总工会", "海珠区总工会", "Register an enterprise", "Latest changes"]),
    (Role.FINANCE_OFFICER, "city", ["广州市总工会", "with bank details"]),
    (Role.AUDITOR, "city", ["Latest changes", "Verify the chain"]),
    (Role.SCHOOL_STAFF, "school", ["广州开放大学"]),
    (Role.VIEWER, "province", ["广东省总工会", "广州市总工会"]),
]


def org(tree, name):
    return tree.tianhe_firm.organisation if name == "tianhe_firm_org" else getattr(tree, name)


@pytest.mark.parametrize(("role", "where", "expected"), HOME_BY_ROLE)
def test_each_role_lands_on_its_home_page(tree, login, role, where, expected):
    tree.worker()
    stats_refresh()  # the area summary shows its figures once counted
    user = tree.staff(role, org(tree, where))
    page = login(user).get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = page.content.decode()
    for text in expected:
        assert text in html, text


def test_worker_home_shows_own_record(tree, login):
    worker = tree.worker(name="周敏")
    page = login(tree.worker_login(worker)).get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "周敏" in page and worker.id_number_masked in page and "天河精密制造有限公司" in page
    assert "Workers</a>" not in page  # no staff navigation for a worker


def test_interface_is_chinese_by_default_and_english_on_request(tree, login):
    client = login(tree.staff(Role.CITY_ADMIN, tree.city))
    assert "职工" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get("/").content.decode()
    assert "Workers" in english and 'lang="en"' in english


def test_worker_list_filters_and_search(tree, login):
    tree.worker(name="迁移工", is_migrant_worker=True)
    tree.worker(name="本地工")
    client = login(tree.staff(Role.CITY_ADMIN, tree.city))
    page = client.get("/workers/", {"priority": "migrant"}).content.decode()
    assert "迁移工" in page and "本地工" not in page
    page = client.get("/workers/", {"q": "本地"}).content.decode()
    assert "本地工" in page and "迁移工" not in page


def test_pages_have_no_external_links(tree, login):
    html = login(tree.staff(Role.CITY_ADMIN, tree.city)).get("/").content.decode()
    assert "http://" not in html and "https://" not in html


def test_officer_registers_and_edits_a_worker_through_pages(tree, login):
    from tests.builders import id_number, mobile
    from yuanmeng.people.models import Worker

    client = login(tree.staff(Role.ENTERPRISE_OFFICER, tree.tianhe_firm.organisation))
    data = {"name": "黄磊", "document_type": "resident_id", "id_number": id_number(), "mobile": mobile(),
            "employer": tree.tianhe_firm.pk, "job_category": "manufacturing", "is_migrant_worker": "on",
            "model_worker_level": "", "labour_medal_level": ""}
    response = client.post("/workers/new/", data)
    assert response.status_code == 302
    worker = Worker.objects.get(name="黄磊")
    assert worker.is_migrant_worker and response["Location"] == f"/workers/{worker.pk}/"
    assert "worker.register" in client.get(response["Location"]).content.decode()

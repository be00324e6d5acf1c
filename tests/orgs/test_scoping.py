"""Nobody sees or changes anything outside their organisation's subtree — in pages, API and admin."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission

from yuanmeng.core.admin import SuperusersOnlyAdmin
from yuanmeng.orgs.models import Enterprise, Organisation
from yuanmeng.orgs.roles import Capability, Role
from yuanmeng.orgs.scoping import has_capability, scope_paths
from yuanmeng.people.models import Worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def haizhu_worker(tree):
    return tree.worker(employer=tree.haizhu_firm, name="王芳")


@pytest.fixture
def tianhe_reviewer(tree):
    return tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe)


def test_district_reviewer_gets_404_for_other_districts_worker_in_pages(tree, haizhu_worker, tianhe_reviewer, login):
    client = login(tianhe_reviewer)
    assert client.get(f"/workers/{haizhu_worker.pk}/").status_code == 404
    assert client.get(f"/workers/{haizhu_worker.pk}/edit/").status_code == 404


def test_district_reviewer_gets_404_for_other_districts_worker_in_api(tree, haizhu_worker, tianhe_reviewer, login):
    client = login(tianhe_reviewer)
    assert client.get(f"/api/workers/{haizhu_worker.pk}").status_code == 404
    response = client.patch(f"/api/workers/{haizhu_worker.pk}", {"name": "张三"}, content_type="application/json")
    assert response.status_code == 404
    haizhu_worker.refresh_from_db()
    assert haizhu_worker.name == "王芳"


def test_own_district_worker_is_visible(tree, tianhe_reviewer, login):
    mine = tree.worker(name="陈刚")
    client = login(tianhe_reviewer)
    assert client.get(f"/workers/{mine.pk}/").status_code == 200
    assert client.get(f"/api/workers/{mine.pk}").json()["name"] == "陈刚"


def test_lists_and_counts_are_scoped_everywhere(tree, haizhu_worker, tianhe_reviewer, login):
    mine = tree.worker(name="陈刚")
    client = login(tianhe_reviewer)
    api_items = client.get("/api/workers").json()
    assert [w["id"] for w in api_items["items"]] == [mine.pk]
    assert api_items["count"] == 1
    page = client.get("/workers/").content.decode()
    assert "陈刚" in page and "王芳" not in page
    # a search for the other district's worker by full identity number finds nothing either
    assert "王芳" not in client.get("/workers/", {"q": haizhu_worker.id_number}).content.decode()
    enterprises = client.get("/api/orgs/enterprises").json()["items"]
    assert [e["legal_name"] for e in enterprises] == ["天河精密制造有限公司"]
    assert client.get(f"/api/orgs/{tree.haizhu.pk}").status_code == 404
    assert client.get(f"/organisations/{tree.haizhu.pk}/").status_code == 404


def test_enterprise_officer_cannot_register_worker_elsewhere(tree, login):
    officer = tree.staff(Role.ENTERPRISE_OFFICER, tree.tianhe_firm.organisation)
    client = login(officer)
    payload = {"name": "赵强", "id_number": "11010519491231002X", "mobile": "13912345678",
               "employer_id": tree.haizhu_firm.pk, "job_category": "production"}
    assert client.post("/api/workers", payload, content_type="application/json").status_code == 404
    assert not Worker.objects.filter(name="赵强").exists()


def test_restrict_is_one_sql_condition_per_capability(tree):
    reviewer = tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe)
    assert scope_paths(reviewer, Capability.VIEW) == [tree.tianhe.path]
    assert scope_paths(reviewer, Capability.REVEAL_PII) == []
    assert set(Organisation.objects.restrict(reviewer)) == {tree.tianhe, tree.tianhe_firm.organisation}
    assert list(Enterprise.objects.restrict(reviewer, Capability.CHANGE_ORGS)) == []


def test_nested_grants_collapse_to_the_outermost(tree):
    user = tree.staff(Role.AUDITOR, tree.city)
    from yuanmeng.orgs.services import membership_grant

    membership_grant(by=tree.root_user, user=user, organisation=tree.tianhe, role=Role.AUDITOR)
    user = type(user).objects.get(pk=user.pk)
    assert scope_paths(user, Capability.VIEW) == [tree.city.path]


def test_worker_sees_only_own_record(tree, login):
    me = tree.worker(name="本人")
    other = tree.worker(name="同事")
    user = tree.worker_login(me)
    assert list(Worker.objects.restrict(user)) == [me]
    client = login(user)
    assert client.get(f"/api/workers/{other.pk}").status_code == 404
    assert client.get("/me/").status_code == 200
    assert client.get("/workers/").content.decode().count("同事") == 0


def test_superuser_sees_everything_but_nobody_else_does(tree):
    assert scope_paths(tree.root_user, Capability.VIEW) is None
    viewer = tree.staff(Role.VIEWER, tree.province)
    assert has_capability(viewer, Capability.VIEW, tree.haizhu_firm.organisation.path)
    assert not has_capability(viewer, Capability.CHANGE_WORKERS, tree.haizhu_firm.organisation.path)


def test_admin_is_scoped(tree, haizhu_worker, login):
    mine = tree.worker(name="陈刚")
    officer = tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe)
    officer.is_staff = True
    officer.save()
    client = login(officer)
    changelist = client.get("/admin/people/worker/").content.decode()
    assert "陈刚" in changelist and "王芳" not in changelist
    assert client.get(f"/admin/people/worker/{mine.pk}/change/").status_code == 200
    outside = client.get(f"/admin/people/worker/{haizhu_worker.pk}/change/")  # the admin's "does not exist"
    assert outside.status_code == 302 and outside["Location"] == "/admin/"
    assert client.get("/admin/auth/group/").status_code == 403


def test_the_admins_of_django_and_the_packages_are_for_superusers_only(tree, login):
    """Every model registered by Django or an installed package: superusers use its admin as the package made it;
    to anyone else it holds no rows, so an id that exists answers as one that does not."""
    group = Group.objects.create(name="审核组")
    outside = [model for model in admin.site._registry if not model.__module__.startswith("yuanmeng.")]
    assert outside and all(isinstance(admin.site._registry[model], SuperusersOnlyAdmin) for model in outside)
    assert login(tree.root_user).get(f"/admin/auth/group/{group.pk}/change/").status_code == 200
    staff = tree.staff(Role.CITY_ADMIN, tree.city)
    staff.is_staff = True
    staff.save()
    client = login(staff)
    assert "auth/group" not in client.get("/admin/").content.decode()
    history = [client.get(f"/admin/auth/group/{pk}/history/") for pk in (group.pk, group.pk + 1000)]
    assert [(r.status_code, r["Location"]) for r in history] == [(302, "/admin/")] * 2


def test_django_model_permissions_open_no_superusers_only_admin(tree, login):
    """A staff member given Django's own permissions on groups (``auth.add_group`` …) still may not add, change or
    delete one: those admins allow superusers only."""
    group = Group.objects.create(name="审核组")
    staff = tree.staff(Role.CITY_ADMIN, tree.city)
    staff.is_staff = True
    staff.save()
    staff.user_permissions.set(Permission.objects.filter(content_type__app_label="auth", content_type__model="group"))
    client = login(staff)
    answers = [client.get("/admin/auth/group/add/").status_code,
               client.post("/admin/auth/group/add/", {"name": "新组"}).status_code,
               client.post(f"/admin/auth/group/{group.pk}/change/", {"name": "改名"}).status_code,
               client.post(f"/admin/auth/group/{group.pk}/delete/", {"post": "yes"}).status_code]
    assert answers == [403] * 4
    assert list(Group.objects.values_list("name", flat=True)) == ["审核组"]

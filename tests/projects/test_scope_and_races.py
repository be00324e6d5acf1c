"""Partners only from the caller's sight (schools and providers anywhere); no change undoes a finish or a cancel;
a named worker taken off an open project, over the API and on the page; the list searches the start of names."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.builders import in_parallel
from yuanmeng.orgs.roles import Role
from yuanmeng.projects.models import Project, ProjectKind, ProjectParticipant, ProjectStatus
from yuanmeng.projects.selectors import project_list
from yuanmeng.projects.services import (
    project_create,
    project_participant_remove,
    project_participants_add,
    project_transition,
    project_update,
)

D = datetime.date


def api(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user, backend="yuanmeng.accounts.backends.UsernameOrMobileBackend")
    return client


def make(tree, by, lead=None, **fields):
    return project_create(by=by, lead=lead or tree.tianhe, name="数控技能提升项目", kind=ProjectKind.SKILLS,
                          starts_on=D(2026, 3, 1), ends_on=D(2026, 12, 31), **fields)


def test_partners_outside_the_callers_sight_are_no_organisation(client, login, tree):
    district = tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe)
    outside = tree.haizhu_firm.organisation
    body = {"lead_id": tree.tianhe.pk, "name": "X", "kind": "skills", "starts_on": "2026-01-01",
            "ends_on": "2026-02-01"}
    refused = api(district).post("/api/projects", body | {"partner_ids": [outside.pk]},
                                 content_type="application/json")
    assert refused.status_code == 422 and refused.json()["errors"] == {
        "partner_ids": [f"No such organisation: {outside.pk}."]}
    made = api(district).post("/api/projects", body | {"partner_ids": [tree.school.pk,
                                                                      tree.tianhe_firm.organisation.pk]},
                              content_type="application/json")
    assert made.status_code == 201  # a school beyond the district, an enterprise within it
    assert made.json()["partner_ids"] == sorted([tree.school.pk, tree.tianhe_firm.organisation.pk])
    login(district)
    page = client.post(reverse("project_add"), {"lead": tree.tianhe.pk, "name": "Y", "kind": "skills",
                                                "starts_on": "2026-01-01", "ends_on": "2026-02-01",
                                                "unnamed_participants": 0, "partner_codes": outside.code})
    assert page.status_code == 200 and outside.name not in page.text
    assert f"没有代码为 {outside.code} 的单位" in page.text
    with pytest.raises(ValidationError) as exc:
        make(tree, district, partners=[outside])
    assert "partners" in exc.value.message_dict


def test_a_stale_edit_after_a_cancel_or_finish_is_refused(tree):
    city = tree.staff(Role.CITY_ADMIN, tree.city)
    cancelled, finished = make(tree, city), make(tree, city)
    stale = {p.pk: Project.objects.get(pk=p.pk) for p in (cancelled, finished)}
    project_transition(by=city, project=Project.objects.get(pk=cancelled.pk), action="cancel")
    project_transition(by=city, project=Project.objects.get(pk=finished.pk), action="start")
    project_transition(by=city, project=Project.objects.get(pk=finished.pk), action="finish")
    worker = tree.worker(employer=tree.tianhe_firm)
    for project in stale.values():
        for change in (lambda p=project: project_update(by=city, project=p, name="改了"),
                       lambda p=project: project_participants_add(by=city, project=p, workers=[worker]),
                       lambda p=project: project_participant_remove(by=city, project=p, worker=worker)):
            with pytest.raises(ValidationError, match="已结束或已取消的项目不能修改"):
                change()
    assert dict(Project.objects.values_list("pk", "status")) == {cancelled.pk: ProjectStatus.CANCELLED,
                                                                 finished.pk: ProjectStatus.FINISHED}
    assert not ProjectParticipant.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_an_edit_racing_a_cancel_never_undoes_it(tree):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL")
    city = tree.staff(Role.CITY_ADMIN, tree.city)
    project = make(tree, city)
    calls = [lambda: project_transition(by=city, project=Project.objects.get(), action="cancel"),
             lambda: project_update(by=city, project=Project.objects.get(), name="改了")]
    refusals = in_parallel(calls)
    assert Project.objects.get(pk=project.pk).status == ProjectStatus.CANCELLED
    assert len(refusals) <= 1


def test_a_participant_is_taken_off_over_the_api_and_the_page(client, login, tree):
    district = tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe)
    project = make(tree, district)
    first, second = tree.worker(employer=tree.tianhe_firm), tree.worker(employer=tree.tianhe_firm)
    project_participants_add(by=district, project=project, workers=[first, second])
    named = dict(ProjectParticipant.objects.values_list("worker_id", "pk"))
    assert api(district).delete(f"/api/projects/participants/{named[first.pk]}").status_code == 204
    assert api(district).delete(f"/api/projects/participants/{named[first.pk]}").status_code == 404
    outside = make(tree, tree.staff(Role.DISTRICT_REVIEWER, tree.haizhu), lead=tree.haizhu)
    elsewhere = ProjectParticipant.objects.create(project=outside, worker=tree.worker(employer=tree.haizhu_firm))
    assert api(district).delete(f"/api/projects/participants/{elsewhere.pk}").status_code == 404
    login(district)
    detail = client.get(reverse("project_detail", args=[project.pk]))
    remove = reverse("project_participant_remove", args=[named[second.pk]])
    assert remove in detail.text
    project_transition(by=district, project=project, action="cancel")
    assert client.post(remove).status_code == 302
    assert api(district).delete(f"/api/projects/participants/{named[second.pk]}").status_code == 422
    project.refresh_from_db()
    assert list(project.participants.values_list("worker_id", flat=True)) == [second.pk]
    assert ProjectParticipant.objects.filter(project=outside).exists()


def test_the_list_searches_the_start_of_the_name(tree):
    city = tree.staff(Role.CITY_ADMIN, tree.city)
    make(tree, city)
    assert project_list(user=city, search="数控").count() == 1
    assert project_list(user=city, search="技能").count() == 0

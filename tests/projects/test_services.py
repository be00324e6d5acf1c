import datetime

import pytest
from django.core.exceptions import ValidationError

from yuanmeng.audit.models import AuditEntry
from yuanmeng.core.errors import PermissionDenied
from yuanmeng.orgs.roles import Role
from yuanmeng.projects.models import Project, ProjectKind, ProjectStatus
from yuanmeng.projects.selectors import count_for_targets
from yuanmeng.projects.services import (
    project_create,
    project_participant_remove,
    project_participants_add,
    project_transition,
    project_update,
)

D = datetime.date


def make(tree, lead, by=None, **fields):
    values = {"name": "数控技能提升项目", "kind": ProjectKind.SKILLS, "starts_on": D(2026, 3, 1),
              "ends_on": D(2026, 12, 31)}
    values.update(fields)
    return project_create(by=by or tree.root_user, lead=lead, **values)


def test_create_with_partners_is_audited(tree):
    city = tree.staff(Role.CITY_ADMIN, tree.city)
    project = make(tree, tree.tianhe, by=city, partners=[tree.school, tree.tianhe_firm.organisation],
                   unnamed_participants=120)
    assert set(project.partners.all()) == {tree.school, tree.tianhe_firm.organisation}
    entry = AuditEntry.objects.get(action="project.create")
    assert entry.after["partners"] == [tree.school.code, tree.tianhe_firm.organisation.code]
    assert entry.organisation == tree.tianhe


@pytest.mark.parametrize(("fields", "field"), [
    ({"name": ""}, "name"),
    ({"kind": "poetry"}, "kind"),
    ({"unnamed_participants": -1}, "unnamed_participants"),
    ({"ends_on": D(2026, 1, 1)}, "ends_on"),
])
def test_bad_input_names_the_field(tree, fields, field):
    with pytest.raises(ValidationError) as exc:
        make(tree, tree.tianhe, **fields)
    assert field in exc.value.message_dict
    assert not Project.objects.exists()


def test_lead_is_not_its_own_partner(tree):
    with pytest.raises(ValidationError) as exc:
        make(tree, tree.tianhe, partners=[tree.tianhe])
    assert "partners" in exc.value.message_dict
    assert not Project.objects.exists()


def test_outside_scope_is_refused(tree):
    other = tree.staff(Role.DISTRICT_REVIEWER, tree.haizhu)
    with pytest.raises(PermissionDenied):
        make(tree, tree.tianhe, by=other)
    enterprise = tree.staff(Role.ENTERPRISE_OFFICER, tree.tianhe_firm.organisation)
    with pytest.raises(PermissionDenied):
        make(tree, tree.tianhe_firm.organisation, by=enterprise)


def test_status_follows_the_workflow(tree):
    project = make(tree, tree.tianhe)
    with pytest.raises(ValidationError) as exc:
        project_transition(by=tree.root_user, project=project, action="finish")
    assert "action" in exc.value.message_dict
    project_transition(by=tree.root_user, project=project, action="start")
    project_transition(by=tree.root_user, project=project, action="finish")
    assert Project.objects.get().status == ProjectStatus.FINISHED
    with pytest.raises(ValidationError):
        project_update(by=tree.root_user, project=project, name="新名字")
    assert [e.action for e in AuditEntry.objects.filter(action__startswith="project.").order_by("seq")] == [
        "project.create", "project.start", "project.finish"]


def test_a_stale_status_loses(tree):
    project = make(tree, tree.tianhe)
    stale = Project.objects.get(pk=project.pk)
    project_transition(by=tree.root_user, project=project, action="cancel")
    with pytest.raises(ValidationError):
        project_transition(by=tree.root_user, project=stale, action="start")
    assert Project.objects.get().status == ProjectStatus.CANCELLED


def test_update_records_what_changed(tree):
    project = make(tree, tree.tianhe)
    project_update(by=tree.root_user, project=project, name="焊接技能提升项目", partners=[tree.school])
    entry = AuditEntry.objects.get(action="project.update")
    assert entry.before == {"name": "数控技能提升项目", "partners": []}
    assert entry.after == {"name": "焊接技能提升项目", "partners": [tree.school.code]}


def test_participants_once_each_and_in_sight(tree):
    district = tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe)
    project = make(tree, tree.tianhe, by=district)
    worker, other = tree.worker(), tree.worker()
    assert project_participants_add(by=district, project=project, workers=[worker, worker]) == 1
    assert project_participants_add(by=district, project=project, workers=[worker, other]) == 1
    outsider = tree.worker(employer=tree.haizhu_firm)
    with pytest.raises(ValidationError) as exc:
        project_participants_add(by=district, project=project, workers=[outsider])
    assert "workers" in exc.value.message_dict
    project_participant_remove(by=district, project=project, worker=other)
    assert list(project.workers.all()) == [worker]
    with pytest.raises(ValidationError):
        project_participant_remove(by=district, project=project, worker=other)


def test_count_for_targets(tree):
    make(tree, tree.tianhe)
    make(tree, tree.haizhu, starts_on=D(2026, 1, 1))
    make(tree, tree.tianhe_firm.organisation, starts_on=D(2025, 6, 1), ends_on=D(2026, 6, 1))
    cancelled = make(tree, tree.tianhe, starts_on=D(2026, 2, 1))
    project_transition(by=tree.root_user, project=cancelled, action="cancel")
    year = {"start": D(2026, 1, 1), "end": D(2026, 12, 31)}
    assert count_for_targets(organisation=tree.city, **year) == 2
    assert count_for_targets(organisation=tree.tianhe, **year) == 1
    assert count_for_targets(organisation=tree.tianhe, start=D(2025, 1, 1), end=D(2026, 12, 31)) == 2
    assert count_for_targets(organisation=tree.province, start=D(2026, 3, 1), end=D(2026, 3, 1)) == 1

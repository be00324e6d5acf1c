import io

from django.urls import reverse
from openpyxl import load_workbook

from yuanmeng.orgs.roles import Role
from yuanmeng.projects.models import Project, ProjectStatus


def _form(tree, **fields):
    return {"lead": tree.tianhe.pk, "name": "电工技能提升", "kind": "skills", "starts_on": "2026-03-01",
            "ends_on": "2026-12-31", "unnamed_participants": "80",
            "partner_codes": f"{tree.school.code}, {tree.tianhe_firm.organisation.code}"} | fields


def test_register_run_and_name_participants(client, login, tree):
    district = tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe)
    worker = tree.worker()
    login(district)
    bad = client.post(reverse("project_add"), _form(tree, partner_codes="NOPE", ends_on="2026-01-01"))
    assert "NOPE" in bad.text and not Project.objects.exists()
    bad = client.post(reverse("project_add"), _form(tree, ends_on="2026-01-01"))
    assert "项目结束日期早于开始日期。" in bad.text
    client.post(reverse("project_add"), _form(tree))
    project = Project.objects.get()
    assert project.partners.count() == 2
    client.post(reverse("project_action", args=[project.pk, "start"]))
    client.post(reverse("project_participants_add", args=[project.pk]), {"mobiles": f"{worker.mobile}\n13000000000"})
    assert not project.participants.exists()
    client.post(reverse("project_participants_add", args=[project.pk]), {"mobiles": worker.mobile})
    page = client.get(reverse("project_detail", args=[project.pk]))
    assert worker.id_number_masked in page.text and Project.objects.get().status == ProjectStatus.RUNNING
    listing = client.get(reverse("project_list"), {"status": "running"})
    assert "电工技能提升" in listing.text
    export = client.get(reverse("export", args=["projects"]))
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    assert [c.value for c in sheet[2]][:2] == ["电工技能提升", "技能培训"] or sheet[2][0].value == "电工技能提升"


def test_scoping(client, login, tree):
    login(tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe))
    client.post(reverse("project_add"), _form(tree))
    project = Project.objects.get()
    login(tree.staff(Role.DISTRICT_REVIEWER, tree.haizhu))
    assert client.get(reverse("project_detail", args=[project.pk])).status_code == 404
    assert client.post(reverse("project_action", args=[project.pk, "start"])).status_code == 404
    login(tree.staff(Role.AUDITOR, tree.city))
    assert client.get(reverse("project_detail", args=[project.pk])).status_code == 200
    assert client.post(reverse("project_action", args=[project.pk, "start"])).status_code == 403

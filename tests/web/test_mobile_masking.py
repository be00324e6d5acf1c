"""Mobile numbers in full only for roles that contact workers (or see identity numbers); masked for the rest,
on pages, exports, the API and the admin."""

import io

import openpyxl
import pytest

from yuanmeng.orgs.roles import Role

pytestmark = pytest.mark.django_db

MOBILE, MASKED = "13912345678", "139****5678"
CONTACTS = [(Role.ENTERPRISE_OFFICER, "firm"), (Role.DISTRICT_REVIEWER, "tianhe"), (Role.CITY_ADMIN, "city"),
            (Role.FINANCE_OFFICER, "city")]
OTHERS = [(Role.AUDITOR, "city"), (Role.VIEWER, "province"), (Role.VIEWER, "national")]


def place(tree, where):
    return tree.tianhe_firm.organisation if where == "firm" else getattr(tree, where)


def seen(tree, login, role, where) -> list[str]:
    """The mobile number as the role sees it on the list, the record, the export and the API."""
    worker = tree.worker(mobile=MOBILE, name="联系人")
    client = login(tree.staff(role, place(tree, where)))
    listed = client.get("/workers/", {"q": "联系人"}).content.decode()
    record = client.get(f"/workers/{worker.pk}/").content.decode()
    export = client.get("/exports/workers/", {"q": "联系人"})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    header, row = list(sheet.values)[:2]
    api = client.get(f"/api/workers/{worker.pk}").json()
    return [
        MOBILE if MOBILE in listed else MASKED if MASKED in listed else "?",
        MOBILE if MOBILE in record else MASKED if MASKED in record else "?",
        row[header.index("手机号")],
        api["mobile"],
    ]


@pytest.mark.parametrize(("role", "where"), CONTACTS)
def test_roles_that_contact_workers_see_mobile_numbers_in_full(tree, login, role, where):
    assert seen(tree, login, role, where) == [MOBILE] * 4


@pytest.mark.parametrize(("role", "where"), OTHERS)
def test_other_roles_see_mobile_numbers_masked(tree, login, role, where):
    assert seen(tree, login, role, where) == [MASKED] * 4


def test_a_worker_sees_their_own_number(tree, login):
    worker = tree.worker(mobile=MOBILE)
    assert MOBILE in login(tree.worker_login(worker)).get("/me/").content.decode()


def test_the_admin_masks_them_too(tree, login):
    worker = tree.worker(mobile=MOBILE)
    auditor = tree.staff(Role.AUDITOR, tree.city)
    type(auditor).objects.filter(pk=auditor.pk).update(is_staff=True)
    client = login(type(auditor).objects.get(pk=auditor.pk))
    for url in ("/admin/people/worker/", f"/admin/people/worker/{worker.pk}/change/"):
        page = client.get(url)
        assert page.status_code == 200 and MASKED in page.content.decode() and MOBILE not in page.content.decode()

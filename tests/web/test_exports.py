"""The old ``?format=xlsx`` links of the worker list and the queue lead to the export page, filters and all.

The exports themselves are tested list by list in tests/core/test_exports.py."""

import io

import openpyxl
import pytest

from yuanmeng.orgs.roles import Role
from yuanmeng.people.models import Worker

pytestmark = pytest.mark.django_db


def sheet(response):
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active


def test_worker_export_keeps_the_filter_masks_numbers_and_neutralises_formulas(tree, login):
    tree.worker(name="迁移工", is_migrant_worker=True, bank_account="6222020200112233446")
    tree.worker(name="本地工")
    Worker.objects.filter(name="迁移工").update(name="=HYPERLINK(1)")
    officer = tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe)
    rows = list(sheet(login(officer).get("/workers/", {"priority": "migrant", "format": "xlsx"}, follow=True)).values)
    assert len(rows) == 2  # the header and the one migrant worker
    header, row = rows
    assert row[0] == "'=HYPERLINK(1)"  # shown as text, never run
    assert "*" in row[header.index("身份证号")] and row[header.index("银行账号")] == "6222***********3446"
    city_admin = tree.staff(Role.CITY_ADMIN, tree.city)
    full = list(sheet(login(city_admin).get("/workers/", {"q": "本地工", "format": "xlsx"}, follow=True)).values)
    assert "*" not in full[1][header.index("身份证号")]  # a role that may see numbers gets them in full


def test_application_export_follows_the_queue_filters(tree, people, policy, login):
    tree.apply(people.worker, policy)
    rows = list(sheet(login(people.enterprise).get("/applications/", {"format": "xlsx"}, follow=True)).values)
    assert len(rows) == 2 and rows[1][1] == "申请人" and "*" in rows[1][2]
    other = list(sheet(login(people.other_district).get("/applications/", {"format": "xlsx", "state": ""},
                                                        follow=True)).values)
    assert len(other) == 1  # header only: nothing outside the subtree

"""Odd input never reaches the user as a 500, on either database."""

import pytest
from django.core.exceptions import ValidationError

from tests.builders import credit_code
from yuanmeng.orgs.models import EnterpriseSize, Industry
from yuanmeng.orgs.roles import Role
from yuanmeng.orgs.services import enterprise_register
from yuanmeng.people.models import Worker
from yuanmeng.people.services import worker_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def city_admin(tree, login):
    return login(tree.staff(Role.CITY_ADMIN, tree.city))


@pytest.mark.parametrize(("url", "status"), [
    ("/workers/?q=%00", 200), ("/enterprises/?q=%00", 200), ("/audit/?action=%00", 200), ("/api/workers?q=%00", 200),
    ("/api/orgs?q=%00", 200),
    ("/workers/?org=abc", 404),  # a malformed organisation is one the caller cannot see
    ("/workers/?page=abc", 200),  # the first page
    ("/api/workers?page=1000000000000000000", 422),  # over the API's last page number
    ("/workers/?q=110001199001011234", 200)])
def test_odd_queries_are_answered_not_crashed(city_admin, url, status):
    assert city_admin.get(url).status_code == status


def test_identity_number_with_a_region_stdnum_cannot_place_is_a_field_error(tree):
    from tests.builders import id_number

    with pytest.raises(ValidationError) as error:
        tree.worker(id_number=id_number(region="110001"))
    assert "id_number" in error.value.message_dict


def test_long_and_nul_text_in_the_api_is_422(tree, city_admin):
    payload = {"name": "张\x00三", "id_number": "x", "mobile": "x", "employer_id": tree.tianhe_firm.pk,
               "job_category": "production"}
    assert city_admin.post("/api/workers", payload, content_type="application/json").status_code == 422
    payload = {"parent_id": tree.tianhe.pk, "legal_name": "长" * 121, "credit_code": credit_code(),
               "industry": "C", "size": "small"}
    assert city_admin.post("/api/orgs/enterprises", payload, content_type="application/json").status_code == 422
    worker = tree.worker()
    response = city_admin.patch(f"/api/workers/{worker.pk}", {"bank_name": "行" * 61}, content_type="application/json")
    assert response.status_code == 422


def test_the_longest_legal_name_fits_its_union_name(tree):
    enterprise = enterprise_register(by=tree.root_user, parent=tree.tianhe, legal_name="长" * 120,
                                     credit_code=credit_code(), industry=Industry.TRADE, size=EnterpriseSize.SMALL)
    assert enterprise.organisation.name.endswith("工会")


def test_null_in_a_patch_changes_nothing_rather_than_failing(tree, city_admin):
    worker = tree.worker(is_migrant_worker=True)
    response = city_admin.patch(f"/api/workers/{worker.pk}", {"is_migrant_worker": None},
                                content_type="application/json")
    assert response.status_code == 200 and response.json()["is_migrant_worker"] is True


def test_a_stale_copy_does_not_undo_another_officers_change(tree):
    worker = tree.worker(bank_account="6222020200112233446")
    copy_a, copy_b = Worker.objects.get(pk=worker.pk), Worker.objects.get(pk=worker.pk)
    worker_update(by=tree.root_user, worker=copy_a, bank_account="6222020200998877662")
    worker_update(by=tree.root_user, worker=copy_b, mobile="13711112222")
    fresh = Worker.objects.get(pk=worker.pk)
    assert fresh.bank_account == "6222020200998877662" and fresh.mobile == "13711112222"


def test_masked_roles_see_the_birth_year_not_the_date(tree, login):
    worker = tree.worker()
    page = login(tree.staff(Role.VIEWER, tree.province)).get(f"/workers/{worker.pk}/").content.decode()
    assert worker.birth_date.isoformat() not in page and str(worker.birth_date.year) in page


def test_admin_read_only_view_works_for_view_only_staff(tree, login):
    worker = tree.worker()
    finance = tree.staff(Role.FINANCE_OFFICER, tree.city)
    viewer = tree.staff(Role.VIEWER, tree.province)
    for user in (finance, viewer):
        user.is_staff = True
        user.save()
    assert login(finance).get(f"/admin/people/worker/{worker.pk}/change/").status_code == 200
    page = login(viewer).get(f"/admin/people/worker/{worker.pk}/change/").content.decode()
    assert worker.id_number not in page and worker.id_number_masked in page


def test_user_admin_is_read_only_even_for_operators(tree, login):
    tree.root_user.is_staff = True
    tree.root_user.save()
    client = login(tree.root_user)
    assert client.get("/admin/accounts/user/").status_code == 200
    assert client.get("/admin/accounts/user/add/").status_code == 403

"""Bad input is refused with a message naming the field — in services, pages, API and admin — and nothing is saved."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from tests.builders import id_number, mobile
from yuanmeng.orgs.roles import Role
from yuanmeng.people.models import Worker

pytestmark = pytest.mark.django_db

_GOOD = id_number(serial=1)
BAD_INPUT = [
    ("id_number", _GOOD[:-1] + ("0" if _GOOD[-1] != "0" else "1"), "check digit"),
    ("id_number", id_number(birth="19900230"), "birth date"),  # 30 February, with a correct check digit
    ("id_number", _GOOD[:17], "18 characters"),
    ("mobile", "1234567", "mobile"),
    ("mobile", "10912345678", "mobile"),
]


@pytest.fixture
def officer(tree):
    return tree.staff(Role.ENTERPRISE_OFFICER, tree.tianhe_firm.organisation)


def form_data(tree, **overrides):
    data = {"name": "刘洋", "document_type": "resident_id", "id_number": id_number(), "mobile": mobile(),
            "employer": tree.tianhe_firm.pk, "job_category": "production", "model_worker_level": "",
            "labour_medal_level": ""}
    data.update(overrides)
    return data


def test_bad_values_have_the_expected_checks():
    from yuanmeng.core.validators import validate_id_number

    for field, value, _ in BAD_INPUT:
        if field == "id_number":
            with pytest.raises(ValidationError):
                validate_id_number(value)


@pytest.mark.parametrize(("field", "value", "words"), BAD_INPUT)
def test_service_refuses_and_names_the_field(tree, field, value, words):
    with translation.override("en"), pytest.raises(ValidationError) as error:
        tree.worker(**{field: value})
    assert field in error.value.message_dict
    assert words in " ".join(error.value.message_dict[field])
    assert Worker.objects.count() == 0


@pytest.mark.parametrize(("field", "value", "words"), BAD_INPUT)
def test_page_shows_the_error_beside_the_field(tree, officer, login, field, value, words):
    client = login(officer)
    response = client.post("/workers/new/", form_data(tree, **{field: value}), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and words in " ".join(errors[field])
    assert f'id="id_{field}-error"' in response.content.decode()
    assert Worker.objects.count() == 0


@pytest.mark.parametrize(("field", "value", "words"), BAD_INPUT)
def test_api_answers_422_naming_the_field(tree, officer, login, field, value, words):
    client = login(officer)
    payload = form_data(tree, **{field: value})
    payload["employer_id"] = payload.pop("employer")
    response = client.post("/api/workers", payload, content_type="application/json")
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert Worker.objects.count() == 0


@pytest.mark.parametrize(("field", "value", "words"), BAD_INPUT)
def test_admin_shows_the_error_beside_the_field(tree, login, field, value, words):
    tree.root_user.is_staff = True
    tree.root_user.save()
    client = login(tree.root_user)
    response = client.post("/admin/people/worker/add/", form_data(tree, **{field: value}))
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert Worker.objects.count() == 0


def test_second_worker_with_same_identity_number_is_refused_everywhere(tree, officer, login):
    number = id_number()
    tree.worker(id_number=number)
    with translation.override("en"), pytest.raises(ValidationError) as error:
        tree.worker(id_number=number.lower() if number.endswith("X") else " " + number + " ")
    assert "已登记" in error.value.message_dict["id_number"][0]
    client = login(officer)
    page = client.post("/workers/new/", form_data(tree, id_number=number), HTTP_ACCEPT_LANGUAGE="en")
    assert "id_number" in page.context["form"].errors
    payload = form_data(tree, id_number=number)
    payload["employer_id"] = payload.pop("employer")
    assert client.post("/api/workers", payload, content_type="application/json").status_code == 422
    assert Worker.objects.count() == 1


def test_invalid_credit_code_is_refused_in_page_and_api(tree, login):
    admin = tree.staff(Role.CITY_ADMIN, tree.city)
    client = login(admin)
    data = {"parent": tree.tianhe.pk, "legal_name": "某某公司", "credit_code": "91440106MA59ABCDE1",
            "industry": "C", "size": "small"}
    response = client.post("/enterprises/new/", data, HTTP_ACCEPT_LANGUAGE="en")
    assert "credit_code" in response.context["form"].errors
    data["parent_id"] = data.pop("parent")
    response = client.post("/api/orgs/enterprises", data, content_type="application/json")
    assert response.status_code == 422 and "credit_code" in response.json()["errors"]


def test_full_width_digits_and_spaces_are_forgiven(tree):
    number = id_number()
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in number)
    worker = tree.worker(id_number=f" {full_width} ", mobile=" 139 0000 1111 ")
    assert worker.id_number == number and worker.mobile == "13900001111"


def test_birth_date_and_sex_come_from_the_identity_number(tree):
    worker = tree.worker(id_number=id_number(birth="19851122", serial=13))
    assert worker.birth_date.isoformat() == "1985-11-22" and worker.sex == "M"
    worker = tree.worker(id_number=id_number(birth="19920229", serial=24))
    assert worker.birth_date.isoformat() == "1992-02-29" and worker.sex == "F"


def test_messages_are_in_chinese_by_default(tree):
    with pytest.raises(ValidationError) as error:
        tree.worker(id_number=BAD_INPUT[0][1])
    assert "校验" in error.value.message_dict["id_number"][0]

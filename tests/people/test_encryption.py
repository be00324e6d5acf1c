"""Identity and bank numbers never reach the database in clear; masked on screen unless the role allows."""

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from yuanmeng.core import crypto
from yuanmeng.orgs.roles import Role
from yuanmeng.people.models import Worker

pytestmark = pytest.mark.django_db


def every_stored_text() -> str:
    """Every value of every column of every table, as text: what someone with the database file would see."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 - table names come from introspection
            chunks.extend(str(value) for row in cursor.fetchall() for value in row)
    return "\n".join(chunks)


def test_no_identity_or_bank_number_in_clear_anywhere_in_the_database(tree):
    worker = tree.worker(bank_account="6222020200112233446")
    stored = every_stored_text()
    assert worker.id_number not in stored
    assert "6222020200112233446" not in stored
    assert worker.id_number_masked in stored  # the masked copy is what lists use


def test_masked_for_officer_but_full_for_city_admin_and_the_worker(tree, login, client):
    worker = tree.worker(bank_account="6222020200112233446")
    officer = tree.staff(Role.ENTERPRISE_OFFICER, tree.tianhe_firm.organisation)
    page = login(officer).get(f"/workers/{worker.pk}/").content.decode()
    assert worker.id_number not in page and worker.id_number_masked in page
    assert "6222020200112233446" not in page
    assert login(officer).get(f"/api/workers/{worker.pk}").json()["id_number"] == worker.id_number_masked
    city_admin = tree.staff(Role.CITY_ADMIN, tree.city)
    assert worker.id_number in login(city_admin).get(f"/workers/{worker.pk}/").content.decode()
    own = tree.worker_login(worker)
    assert "6222020200112233446" in login(own).get("/me/").content.decode()


def test_edit_form_does_not_leak_the_number_and_keeps_it_when_untouched(tree, login):
    worker = tree.worker(name="原名")
    officer = tree.staff(Role.ENTERPRISE_OFFICER, tree.tianhe_firm.organisation)
    client = login(officer)
    form_page = client.get(f"/workers/{worker.pk}/edit/")
    assert worker.id_number not in form_page.content.decode()
    data = {k: v for k, v in form_page.context["form"].initial.items() if v is not None}
    data.update(name="新名", employer=worker.employer_id)
    response = client.post(f"/workers/{worker.pk}/edit/", data)
    assert response.status_code == 302, response.context["form"].errors
    worker.refresh_from_db()
    assert worker.name == "新名" and worker.id_number_masked in worker.__str__()


def test_keys_rotate_without_losing_data(tree, settings):
    worker = tree.worker(bank_account="6222020200112233446")
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, *settings.FIELD_ENCRYPTION_KEYS]
    call_command("rotate_keys")
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM people_worker WHERE id = %s", [worker.pk])
        token = cursor.fetchone()[0]
    assert Fernet(new_key.encode()).decrypt(token.encode()).decode() == worker.id_number
    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # the old key retired
    fresh = Worker.objects.get(pk=worker.pk)
    assert fresh.id_number == worker.id_number and fresh.bank_account == "6222020200112233446"


def test_blind_index_finds_without_decrypting(tree):
    worker = tree.worker()
    assert Worker.objects.get(id_number_index=crypto.blind_index(worker.id_number)) == worker

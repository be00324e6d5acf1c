"""``core.compiled.CompiledInsert``: the row ``save()`` would write, compiled once."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, connection, transaction
from django.db.models import Value, signals
from django.test.utils import CaptureQueriesContext

from tests.builders import bank_card, id_number, mobile
from yuanmeng.accounts.models import UserSession
from yuanmeng.core.compiled import CompiledInsert
from yuanmeng.core.crypto import decrypt
from yuanmeng.notify.models import Message
from yuanmeng.notify.services import notify_worker
from yuanmeng.notify.texts import worker_text
from yuanmeng.people.models import JobCategory, Worker
from yuanmeng.people.services import apply_worker_fields

pytestmark = pytest.mark.django_db


def _new_worker(tree, **fields) -> Worker:
    worker = Worker(employer=tree.tianhe_firm)
    apply_worker_fields(worker, {"name": "王芳", "id_number": id_number(), "mobile": mobile(),
                                 "job_category": JobCategory.FRONT_LINE_PRODUCTION, "bank_name": "工商银行",
                                 "bank_account": bank_card(), **fields})
    return worker


def _row(instance, model=Worker) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in model._meta.concrete_fields}


def test_the_row_is_the_one_save_would_write(tree):
    inserted = _new_worker(tree)
    with transaction.atomic():
        CompiledInsert(Worker)(inserted)
    assert inserted.pk and not inserted._state.adding and inserted._state.db == "default"
    assert inserted.created_at and inserted.updated_at  # auto_now on the instance, as save() sets them
    found = Worker.objects.get(pk=inserted.pk)
    assert _row(found) == _row(inserted)
    assert found.id_number == inserted.id_number and found.bank_account == inserted.bank_account  # decrypted
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, bank_account FROM people_worker WHERE id = %s", [inserted.pk])
        stored = cursor.fetchone()
    assert decrypt(stored[0]) == inserted.id_number and decrypt(stored[1]) == inserted.bank_account  # encrypted
    assert inserted.id_number not in stored


def test_compiled_once_and_logged_as_the_orm_logs_an_insert(tree, monkeypatch):
    insert = CompiledInsert(Worker)
    with transaction.atomic():
        insert(_new_worker(tree))
    compiled = []
    monkeypatch.setattr("django.db.models.sql.compiler.SQLInsertCompiler.as_sql",
                        lambda *args: compiled.append(args))
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        second = _new_worker(tree)
        insert(second)
    assert not compiled
    [logged] = [query["sql"] for query in queries if "INSERT" in query["sql"]]
    assert logged.startswith('INSERT INTO "people_worker"') and f"'{second.mobile}'" in logged


def test_a_duplicate_is_refused_by_the_database_and_spoils_the_transaction(tree):
    first = _new_worker(tree)
    with transaction.atomic():
        CompiledInsert(Worker)(first)
    again = _new_worker(tree, id_number=first.id_number)
    with transaction.atomic():
        with pytest.raises(IntegrityError):
            CompiledInsert(Worker)(again)
        assert connection.needs_rollback  # as save() leaves it: the block is rolled back as it ends
    assert again.pk is None
    assert Worker.objects.filter(id_number_index=first.id_number_index).count() == 1


def test_a_value_written_as_sql_is_refused(tree):
    worker = _new_worker(tree)
    worker.name = Value("王芳")
    with pytest.raises(TypeError, match="name"), transaction.atomic():
        CompiledInsert(Worker)(worker)


def test_a_model_with_save_receivers_is_refused(tree):
    def receiver(**kwargs):
        pass

    signals.post_save.connect(receiver, sender=Worker)
    try:
        with pytest.raises(ImproperlyConfigured, match="signals"), transaction.atomic():
            CompiledInsert(Worker)(_new_worker(tree))
    finally:
        signals.post_save.disconnect(receiver, sender=Worker)
    assert not Worker.objects.filter(name="王芳").exists()


def test_a_database_that_returns_no_columns_is_refused(tree, monkeypatch):
    monkeypatch.setattr(connection.features, "can_return_columns_from_insert", False)
    with pytest.raises(ImproperlyConfigured, match="returns"), transaction.atomic():
        CompiledInsert(Worker)(_new_worker(tree))


def test_an_unsaved_relation_is_refused_as_save_refuses_it(tree):
    worker = _new_worker(tree)
    worker.employer = type(tree.tianhe_firm)(organisation=tree.tianhe_firm.organisation)
    with pytest.raises(ValueError, match="unsaved"), transaction.atomic():
        CompiledInsert(Worker)(worker)


def test_only_new_rows_keyed_by_the_database(tree):
    with pytest.raises(ImproperlyConfigured, match="keyed by the database"):
        CompiledInsert(UserSession)  # its key is the session's, given by Django
    worker = _new_worker(tree)
    worker.pk = 123456
    with pytest.raises(ValueError, match="has its key already"), transaction.atomic():
        CompiledInsert(Worker)(worker)
    assert not Worker.objects.filter(pk=123456).exists()


def test_a_message_queued_is_the_row_written(tree):
    """Every column of the instance is the value the row holds (a JSON column a dict again, not its text)."""
    worker = tree.worker()
    message = notify_worker(worker=worker, subject=worker_text("Study subsidy: %(state)s", state="已批准"),
                            body="您的申请已批准。", about=("application", 7, "广州市2026年求学圆梦补助"))
    assert message.params == {"subject": {"state": "已批准"}, "body": {}}
    assert _row(message, Message) == _row(Message.objects.get(pk=message.pk), Message)
    assert message.shown_subject()

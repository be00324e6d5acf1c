"""Workers registered before the document type existed get theirs from the number's first digits."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE, AFTER = [("people", "0001_initial")], [("people", "0002_document_type")]


@pytest.fixture
def executor():
    """Migrates as the test says, then back to the latest state, for the tests that come after."""
    executor = MigrationExecutor(connection)
    yield executor
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_existing_permits_and_foreign_cards_are_typed_by_the_migration(tree, executor):
    for name in ("陈家豪", "金敏俊", "李明"):
        tree.worker(name=name)
    executor.migrate(BEFORE)
    masked = {"陈家豪": "8100**********0019", "金敏俊": "9444**********0073", "李明": "4401**********0010"}
    with connection.cursor() as cursor:
        for name, mask in masked.items():
            cursor.execute("UPDATE people_worker SET id_number_masked = %s WHERE name = %s", [mask, name])
    executor.loader.build_graph()
    executor.migrate(AFTER)
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, document_type FROM people_worker")
        assert dict(cursor.fetchall()) == {"陈家豪": "hmt_permit", "金敏俊": "foreign_pr", "李明": "resident_id"}


@pytest.mark.django_db(transaction=True)
def test_workers_on_record_before_sign_up_existed_are_confirmed_members(tree, executor):
    tree.worker()
    tree.worker(employer=tree.haizhu_firm)
    executor.migrate([("people", "0002_document_type")])
    executor.loader.build_graph()
    executor.migrate([("people", "0003_worker_membership")])
    with connection.cursor() as cursor:
        cursor.execute("SELECT membership, membership_decline_reason FROM people_worker")
        assert set(cursor.fetchall()) == {("confirmed", "")}

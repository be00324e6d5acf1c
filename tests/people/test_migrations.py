"""Workers registered before the document type existed get theirs from the number's first digits."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE, AFTER = [("people", "0001_initial")], [("people", "0002_document_type")]


@pytest.mark.django_db(transaction=True)
def test_existing_permits_and_foreign_cards_are_typed_by_the_migration(tree):
    for name in ("陈家豪", "金敏俊", "李明"):
        tree.worker(name=name)
    executor = MigrationExecutor(connection)
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

"""The same person registered twice, at once or one after the other: the unique index refuses the second (the
registration asks nothing before its insert), which is told so by the field, and nothing of it stays — also inside
a caller's own transaction, which goes on."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from tests.builders import id_number, in_parallel
from yuanmeng.people.models import Worker

pytestmark = pytest.mark.django_db(transaction=True)


def _register(tree, number, name="李明"):
    return lambda: tree.worker(id_number=number, name=name)


def test_two_registrations_of_one_person_at_once_keep_one(tree):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL")
    number = id_number(serial=417)
    refusals = in_parallel([_register(tree, number, "张甲"), _register(tree, number, "王乙")])
    assert Worker.objects.filter(name__in=["张甲", "王乙"]).count() == 1
    assert len(refusals) == 1 and "id_number" in refusals[0].message_dict


def test_the_index_refusal_leaves_the_callers_transaction_usable(tree):
    """The service's own savepoint takes back its refused insert, and the caller's transaction writes on."""
    number = id_number(serial=418)
    tree.worker(id_number=number, name="先到")
    with transaction.atomic():
        with pytest.raises(ValidationError) as refused:
            tree.worker(id_number=number, name="后到")
        tree.worker(id_number=id_number(serial=419), name="另一人")
    assert "id_number" in refused.value.message_dict
    assert sorted(Worker.objects.filter(name__in=["先到", "后到", "另一人"]).values_list("name", flat=True)) == [
        "先到", "另一人"]

"""The ledger's invariants under any sequence of operations, and under a real race on PostgreSQL."""

import os
import subprocess
import sys
import textwrap

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yuanmeng.funds.models import Budget, EntryKind, FundSource, LedgerEntry
from yuanmeng.funds.services import budget_create, budget_set_total, funds_verify, post

pytestmark = pytest.mark.django_db
OPERATIONS = st.lists(
    st.tuples(st.sampled_from(list(EntryKind.values)), st.integers(min_value=-5_000, max_value=5_000)), max_size=40)
ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")


@pytest.fixture
def budget(tree):
    return budget_create(by=tree.root_user, organisation=tree.city, year=2026, source=FundSource.SPECIAL,
                         name="专项", amount_fen=10_000)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=OPERATIONS)
def test_any_sequence_keeps_the_books_straight(budget, operations):
    """Whatever is attempted: nothing goes below zero, a refused entry leaves no trace, totals = ledger."""
    with transaction.atomic():
        for kind, amount in operations:
            if kind != EntryKind.ALLOCATE and amount <= 0:
                continue
            before = Budget.objects.values_list("allocated_fen", "reserved_fen", "paid_fen").get(pk=budget.pk)
            entries = LedgerEntry.objects.count()
            try:
                with transaction.atomic():
                    post(budget=budget, kind=kind, amount_fen=amount)
            except ValidationError:
                after = Budget.objects.values_list("allocated_fen", "reserved_fen", "paid_fen").get(pk=budget.pk)
                assert after == before and LedgerEntry.objects.count() == entries
            current = Budget.objects.get(pk=budget.pk)
            assert current.reserved_fen >= 0 and current.paid_fen >= 0 and current.available_fen >= 0
        assert funds_verify().ok
        transaction.set_rollback(True)


def test_a_budget_cannot_be_set_below_what_is_committed(tree, budget):
    post(budget=budget, kind=EntryKind.RESERVE, amount_fen=6_000)
    post(budget=budget, kind=EntryKind.PAY, amount_fen=2_000)
    with pytest.raises(ValidationError) as error:
        budget_set_total(by=tree.root_user, budget=budget, total_fen=5_999)
    assert "total_fen" in error.value.message_dict
    assert Budget.objects.get(pk=budget.pk).allocated_fen == 10_000
    budget_set_total(by=tree.root_user, budget=budget, total_fen=6_000)


def test_ledger_entries_are_append_only(budget):
    entry = LedgerEntry.objects.first()
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()


RACER = textwrap.dedent("""
    import os, sys
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yuanmeng.settings")
    import django
    django.setup()
    from django.core.exceptions import ValidationError
    from django.db import transaction
    from yuanmeng.funds.models import Budget, EntryKind
    from yuanmeng.funds.services import post
    budget = Budget.objects.get(pk=int(sys.argv[1]))
    won = 0
    for _ in range(int(sys.argv[2])):
        try:
            with transaction.atomic():
                post(budget=budget, kind=EntryKind.RESERVE, amount_fen=100)
            won += 1
        except ValidationError:
            pass
    print(won)
""")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not ON_POSTGRES, reason="a real race needs PostgreSQL")
def test_many_processes_racing_for_the_last_yuan_never_overspend(tree):
    """8 processes × 60 attempts at 1 yuan each against a 250-yuan budget: exactly 250 succeed."""
    budget = budget_create(by=tree.root_user, organisation=tree.city, year=2030, source=FundSource.SPECIAL,
                           name="抢额度", amount_fen=25_000)
    db = connection.settings_dict
    env = {**os.environ, "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"}
    racers = [subprocess.Popen([sys.executable, "-c", RACER, str(budget.pk), "60"], env=env, stdout=subprocess.PIPE,
                               text=True) for _ in range(8)]
    wins = sum(int(racer.communicate(timeout=120)[0].strip().splitlines()[-1]) for racer in racers)
    budget.refresh_from_db()
    assert wins == 250
    assert budget.reserved_fen == 25_000 and budget.available_fen == 0
    assert LedgerEntry.objects.filter(budget=budget, kind=EntryKind.RESERVE).count() == 250
    assert funds_verify().ok


def test_funds_verify_command(budget, capsys):
    from django.core.management import call_command

    call_command("funds", "verify", "--json")
    assert '"ok": true' in capsys.readouterr().out

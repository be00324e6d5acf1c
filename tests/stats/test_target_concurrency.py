"""Shares given at the same moment: the parent target's row lock lets them through one at a time, so they never add
up to more than the target."""

import os
import threading
import time

import pytest
from django.db import connection

from tests.builders import in_parallel
from yuanmeng.orgs.models import OrgKind
from yuanmeng.orgs.roles import Role
from yuanmeng.orgs.services import organisation_create
from yuanmeng.stats import target_services
from yuanmeng.stats.models import Measure, Target
from yuanmeng.stats.target_services import target_set, target_share_allocate

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not ON_POSTGRES, reason="concurrent transactions: PostgreSQL (SQLite has one writer)")
def test_eight_districts_given_shares_at_once_never_exceed_the_target(tree):
    admin = tree.staff(Role.CITY_ADMIN, tree.city)
    districts = [organisation_create(by=tree.root_user, kind=OrgKind.DISTRICT, code=f"GZ-X{n}", name=f"区{n}",
                                     parent=tree.city) for n in range(8)]
    target = target_set(by=admin, organisation=tree.city, measure=Measure.APPROVED, start_year=2026, end_year=2026,
                        value=1000)
    refusals = in_parallel([lambda d=district: target_share_allocate(by=admin, target=target, organisation=d,
                                                                     value=300) for district in districts])
    assert len(refusals) == 5  # three given
    assert sum(Target.objects.filter(parent=target).values_list("value", flat=True)) == 900


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not ON_POSTGRES, reason="concurrent transactions: PostgreSQL (SQLite has one writer)")
def test_a_share_changed_while_the_parent_shares_it_again_waits_rather_than_deadlocks(tree, monkeypatch):
    """Changing a share and giving it again out of its parent lock the same two rows: both in the same order (the
    parent first), so the second waits for the first instead of the two deadlocking."""
    admin = tree.staff(Role.CITY_ADMIN, tree.city)
    target = target_set(by=admin, organisation=tree.city, measure=Measure.APPROVED, start_year=2026, end_year=2026,
                        value=1000)
    share = target_share_allocate(by=admin, target=target, organisation=tree.tianhe, value=100)
    checked = target_services._check_value
    # Each holds its first lock a while before taking the second: the old order (share, then parent) deadlocked.
    monkeypatch.setattr(target_services, "_check_value", lambda value: (time.sleep(0.5), checked(value)))
    start, outcomes = threading.Barrier(2), []

    def run(name, work):
        try:
            start.wait()
            work()
            outcomes.append(name)
        except Exception as exc:  # noqa: BLE001  (a deadlock is the failure looked for)
            outcomes.append(f"{name}: {type(exc).__name__}")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=("changed", lambda: target_services.target_change(
                   by=admin, target=share, value=200))),
               threading.Thread(target=run, args=("shared", lambda: target_share_allocate(
                   by=admin, target=target, organisation=tree.tianhe, value=300)))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["changed", "shared"]
    assert Target.objects.get(pk=share.pk).value in (200, 300)

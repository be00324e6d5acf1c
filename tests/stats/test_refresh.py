"""The refresh from the command line and as a task; a percentile from a histogram is PostgreSQL's percentile_cont."""

import datetime
import io
import os
import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from yuanmeng.jobs.models import JobState
from yuanmeng.jobs.services import job_execute, job_submit
from yuanmeng.stats.jobs import REFRESH_JOB
from yuanmeng.stats.models import Refresh, WorkerRollup
from yuanmeng.stats.selectors import percentile
from yuanmeng.stats.services import stats_refresh

pytestmark = pytest.mark.django_db
ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")


def test_the_command_refreshes_and_says_as_of_when(tree, policy):
    tree.apply(tree.member(), policy)
    out = io.StringIO()
    call_command("stats", "refresh", stdout=out)
    refresh = Refresh.objects.get()
    assert f"figures as of {refresh.as_of.isoformat()}" in out.getvalue() and refresh.rows > 0
    assert WorkerRollup.objects.filter(organisation=tree.national, dimension="level", value="college",
                                       applying=1).exists()


def test_the_refresh_runs_as_a_task(tree, policy):
    tree.apply(tree.member(), policy)
    job = job_submit(by=tree.root_user, kind=REFRESH_JOB, label="statistics", enqueue=False)
    done = job_execute(job.pk)
    assert done.state == JobState.DONE and done.result["rows"] == Refresh.objects.get().rows > 0


def test_a_second_refresh_replaces_the_rows(tree, policy):
    tree.apply(tree.member(), policy)
    call_command("stats", "refresh", stdout=io.StringIO())
    rows = WorkerRollup.objects.count()
    call_command("stats", "refresh", stdout=io.StringIO())
    assert WorkerRollup.objects.count() == rows and Refresh.objects.count() == 2


@pytest.mark.skipif(not ON_POSTGRES, reason="percentile_cont is PostgreSQL's")
def test_a_histogram_percentile_is_postgresqls_percentile_cont(db):
    values = [0, 0, 1, 3, 3, 3, 7, 12, 12, 40, 41]
    histogram = sorted({v: values.count(v) for v in values}.items())
    with connection.cursor() as cursor:
        for fraction in (0.1, 0.5, 0.9, 0.95):
            cursor.execute("SELECT percentile_cont(%s) WITHIN GROUP (ORDER BY v) FROM unnest(%s::int[]) v",
                           [fraction, values])
            assert percentile(histogram, fraction) == pytest.approx(cursor.fetchone()[0], abs=1e-9)


def test_refreshes_are_kept_for_a_week(db):
    old = Refresh.objects.create(as_of=timezone.now() - datetime.timedelta(days=8), seconds=1.0, rows=0)
    recent = Refresh.objects.create(as_of=timezone.now() - datetime.timedelta(days=6), seconds=1.0, rows=0)
    newest = stats_refresh()
    assert set(Refresh.objects.all()) == {recent, newest} and old not in Refresh.objects.all()


@pytest.mark.skipif(not ON_POSTGRES, reason="concurrent transactions: PostgreSQL (SQLite has one writer)")
@pytest.mark.django_db(transaction=True)
def test_two_refreshes_at_once_both_succeed_one_after_the_other(tree, policy):
    tree.apply(tree.member(), policy)
    errors = []

    def refresh():
        try:
            stats_refresh()
        except Exception as error:  # noqa: BLE001 (the test reports whatever a refresh raised)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=refresh) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and Refresh.objects.count() == 2
    assert WorkerRollup.objects.filter(organisation=tree.national, dimension="level", applying=1).count() == 1

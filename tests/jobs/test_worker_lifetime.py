"""The background worker never hangs on an import checked on several cores: imports one after another through
`yuanmeng worker`, a checking process killed midway, one that hangs, and the worker takes the next task each
time; its children end with their task."""

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.builders import bank_card, id_number
from tests.jobs.test_worker_import import xlsx
from yuanmeng.core import imports
from yuanmeng.jobs.import_job import import_submit
from yuanmeng.jobs.models import Job, JobState
from yuanmeng.jobs.services import DOWNLOAD_RULES, HANDLERS, Outcome, job_execute, job_submit
from yuanmeng.orgs.roles import Role
from yuanmeng.people.imports import WORKERS
from yuanmeng.people.models import Worker

pytestmark = pytest.mark.django_db(transaction=True)


class Sabotaged(type(WORKERS)):
    """The workers import, except that the process checking a row named KILL is killed (SIGKILL) and one
    checking a row named HANG never answers."""

    key = "sabotaged_workers"

    def check_row(self, values, context):
        assert multiprocessing.parent_process() is not None, "checked in the worker itself"
        if values["name"] == "KILL":
            os.kill(os.getpid(), signal.SIGKILL)
        if values["name"] == "HANG":
            time.sleep(3600)
        return super().check_row(values, context)


@pytest.fixture
def officer(tree):
    return tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe)


@pytest.fixture
def parallel(settings, monkeypatch):
    """Every import of more than ten rows checked by several processes, seven rows a batch; nothing inline."""
    settings.IMPORT_INLINE_ROWS = 1
    monkeypatch.setattr(imports, "PARALLEL_ROWS", 10)
    monkeypatch.setattr(imports, "CHUNK", 7)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setitem(imports.IMPORT_KINDS, Sabotaged.key, Sabotaged())


@pytest.fixture
def worker_signals():
    """`yuanmeng worker` installs its own SIGINT/SIGTERM handlers here, as it does in the real process."""
    saved = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for number, handler in saved.items():
        signal.signal(number, handler)


def submit(officer, rows, kind="workers", name="workers.xlsx"):
    return import_submit(by=officer, kind=kind, source=xlsx(rows), file_name=name, all_or_nothing=True)


def rows_named(tree, n, *, first, special=None):
    code = tree.tianhe_firm.credit_code
    rows = [[f"工人{first + i}", id_number(serial=first + i), f"1370000{first + i:04d}", code, "一线生产", "2022-03-01",
             "是", bank_card(first + i, prefix="62220202001")] for i in range(n)]
    if special:
        rows[n // 2][0] = special
    return rows


def test_imports_in_a_row_a_killed_and_a_hung_checker_and_the_worker_takes_the_next(
        tree, officer, parallel, worker_signals, settings):
    settings.JOB_STALL_SECONDS = 10  # the first answer includes starting the process (here importing pytest)
    first = submit(officer, rows_named(tree, 40, first=1))
    killed = submit(officer, rows_named(tree, 40, first=100, special="KILL"), kind=Sabotaged.key)
    second = submit(officer, rows_named(tree, 40, first=200))
    hung = submit(officer, rows_named(tree, 40, first=300, special="HANG"), kind=Sabotaged.key)
    third = submit(officer, rows_named(tree, 40, first=400))
    assert Job.objects.filter(state=JobState.QUEUED).count() == 5

    started = time.monotonic()
    call_command("worker", "--batch", "--no-startup-delay", "--no-reload", "-v0")
    took = time.monotonic() - started

    for job in (first, killed, second, hung, third):
        job.refresh_from_db()
    assert [job.state for job in (first, second, third)] == [JobState.DONE] * 3
    assert [job.result["created"] for job in (first, second, third)] == [40, 40, 40]
    assert killed.state == JobState.FAILED and "意外结束" in killed.error and "-9" in killed.error
    assert hung.state == JobState.FAILED and "10 秒" in hung.error
    assert Worker.objects.count() == 120 and took < 60
    assert not multiprocessing.active_children()  # every checking process ended with its task


@pytest.mark.parametrize("stall_seconds, stalled", [(1, True), (60, False)])
def test_a_task_that_moves_nothing_for_the_stall_time_loses_its_lease(officer, settings, monkeypatch,
                                                                      stall_seconds, stalled):
    """Stuck somewhere without a word: the heartbeat stops renewing the lease, so the task shows as stopped
    instead of running for ever; a task that is only quiet for less than that keeps it."""
    settings.JOB_LEASE_SECONDS, settings.JOB_STALL_SECONDS = 1, stall_seconds
    seen = {}

    def quiet(job, progress):
        time.sleep(3)  # reads nothing, writes nothing, reports nothing
        seen["stalled"] = Job.objects.get(pk=job.pk).stalled
        return Outcome()

    monkeypatch.setitem(HANDLERS, "quiet", quiet)
    monkeypatch.setitem(DOWNLOAD_RULES, "quiet", lambda job, user: False)
    job = job_submit(by=officer, kind="quiet", label="quiet", enqueue=False)
    assert job_execute(job.pk).state == JobState.DONE and seen == {"stalled": stalled}


def doubled(batch: list[int], factor: int) -> list[int]:
    return [n * factor for n in batch]


def test_the_importing_process_killed_midway_leaves_no_checking_process_behind():
    """SIGKILL the process whose rows are being checked: its checking processes see their pipe end and exit."""
    script = """if True:
        import multiprocessing, django
        django.setup()
        from yuanmeng.core.batch_processes import BatchProcesses
        from tests.jobs.test_worker_lifetime import doubled

        def endless():
            while True:
                yield list(range(1000))

        with BatchProcesses(doubled, 2, 2, timeout=60) as processes:
            for number, answer in enumerate(processes.map(endless())):
                assert answer[-1] == 1998
                if number == 20:
                    print(*[process.pid for process in multiprocessing.active_children()], flush=True)
    """
    importer = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                                env=os.environ.copy(), cwd=Path(__file__).parents[2])
    try:
        children = [int(pid) for pid in importer.stdout.readline().split()]
    finally:
        importer.kill()
        importer.wait(10)
    deadline = time.monotonic() + 10
    while any(map(_running, children)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(children) == 2 and not any(map(_running, children))


def _running(pid: int) -> bool:
    """Alive and not a zombie waiting to be reaped."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False

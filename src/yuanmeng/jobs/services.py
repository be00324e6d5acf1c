"""Starting, running and retrying background jobs.

``job_submit`` records the job and hands its id to django-tasks once the transaction commits; the worker
calls ``job_execute``, which claims the job with a conditional UPDATE (so two workers never run the same
job), runs the handler registered for its kind, and records the outcome. Handlers report progress through
``Progress``, which also renews the job's lease.
"""

import datetime
import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connections, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yuanmeng.core.errors import PermissionDenied
from yuanmeng.core.exports import Queued
from yuanmeng.core.storage import private_folder
from yuanmeng.jobs.models import LIVE_STATES, Job, JobState
from yuanmeng.orgs.roles import Capability
from yuanmeng.orgs.scoping import acting_organisation

logger = logging.getLogger(__name__)


@dataclass
class Outcome:
    """What a handler made: figures for the page, and a file to download (relative to MEDIA_ROOT)."""

    result: dict = field(default_factory=dict)
    output_file: str = ""
    output_name: str = ""
    errors: int = 0


HANDLERS: dict[str, Callable[[Job, "Progress"], Outcome]] = {}
# Who may fetch a job's file: its owner, and only while they still may do what made it (see ``handler``).
DOWNLOAD_RULES: dict[str, Callable[[Job, object], bool]] = {}
# Files of a kind that must go sooner than ``jobs_prune``'s age rule (payment files): a sweep deletes them and
# returns how many it deleted.
SWEEPS: dict[str, Callable[[], int]] = {}


def handler(kind: str, *, may_download: Callable[[Job, object], bool], sweep: Callable[[], int] | None = None):
    """Register the function that runs jobs of ``kind`` (``fn(job, progress) -> Outcome``), the rule that says
    whether the job's owner may still download its file (a payment file after they lost the finance role…),
    and the kind's own sweep of files that must not wait for ``jobs_prune``'s age rule."""
    def register(fn):
        HANDLERS[kind] = fn
        DOWNLOAD_RULES[kind] = may_download
        if sweep is not None:
            SWEEPS[kind] = sweep
        return fn
    return register


def may_download(user, job: Job) -> bool:
    return bool(job.output_file) and job.state == JobState.DONE and job.owner_id == user.pk and \
        DOWNLOAD_RULES[job.kind](job, user)


def _lease() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(seconds=settings.JOB_LEASE_SECONDS)


class Progress:
    """Reports rows done (and errors so far) to the job row, at most a few times a second."""

    INTERVAL = 0.5

    def __init__(self, job_id: int, attempt: int, echo: Callable[[int, int, int, str], None] | None = None):
        self.job_id, self.attempt, self.echo, self._last = job_id, attempt, echo, 0.0
        self.total = self.done = 0
        self.moved_at = time.monotonic()  # the last report: the heartbeat keeps the lease only while they come

    def __call__(self, done: int, *, total: int | None = None, errors: int = 0, phase: str = "",
                 force: bool = False) -> None:
        if total is not None:
            self.total = total
        self.done, self.moved_at = done, time.monotonic()
        now = timezone.now().timestamp()
        if not force and now - self._last < self.INTERVAL:
            return
        self._last = now
        fields = {"done": done, "errors": errors, "lease_until": _lease(), "total": max(self.total, done)}
        if phase:
            fields["phase"] = phase
        _this_run(self.job_id, self.attempt).update(**fields)
        if self.echo:
            self.echo(done, max(self.total, done), errors, phase)


def dedupe_key(*, kind: str, owner_id: int, params: dict, fingerprint: str = "") -> str:
    text = json.dumps([kind, owner_id, params, fingerprint], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def job_submit(*, by, kind: str, label: str, params: dict | None = None, input_file: str = "",
               input_name: str = "", fingerprint: str = "", total: int = 0, enqueue: bool = True,
               capability: str | None = None) -> Job:
    """Record a job and queue it. The same job (kind, owner, parameters, input) asked again while it is queued
    or running is that job, not a second one (``job.submitted_now`` tells which); a job whose worker died is
    marked failed and replaced. The job belongs to the union where ``by`` holds ``capability`` (its
    administrators follow it)."""
    if kind not in HANDLERS:
        raise ValueError(f"no handler for job kind {kind!r}")
    params = params or {}
    key = dedupe_key(kind=kind, owner_id=by.pk, params=params, fingerprint=fingerprint)
    with transaction.atomic():
        running = Job.objects.select_for_update().filter(dedupe_key=key, state__in=LIVE_STATES).first()
        if running is not None and not running.stalled:
            running.submitted_now = False
            return running
        if running is not None:
            _mark_stalled(running)
        try:
            with transaction.atomic():
                job = Job.objects.create(kind=kind, label=label[:200], owner=by, params=params, dedupe_key=key,
                                         organisation=acting_organisation(by, capability or None),
                                         input_file=input_file, input_name=input_name[:200], total=total)
        except IntegrityError:  # the same job submitted at the same moment
            running = Job.objects.get(dedupe_key=key, state__in=LIVE_STATES)
            running.submitted_now = False
            return running
        job.submitted_now = True
        if enqueue:
            transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def job_queued(job: Job) -> Queued:
    """What a page or the API answers for a queued job: the job and its page, where its progress shows and its
    file is downloaded when ready."""
    return Queued(task=job.pk, url=reverse("job_detail", kwargs={"job_id": job.pk}))


def _enqueue(job_id: int) -> None:
    from yuanmeng.jobs.tasks import run_job

    run_job.enqueue(job_id)


def _mark_stalled(job: Job) -> None:
    Job.objects.filter(pk=job.pk, state=JobState.RUNNING).update(
        state=JobState.FAILED, finished_at=timezone.now(),
        error=_("The background worker stopped while running this task (its lease ran out). Run it again."))


def jobs_visible(user):
    """The user's own jobs; administrators (who manage roles in a union) also see the jobs of that subtree."""
    managed = Job.objects.restrict(user, Capability.MANAGE_MEMBERS).values("pk")
    return Job.objects.filter(Q(owner=user) | Q(pk__in=managed)).select_related("owner")


def job_retry(*, by, job: Job) -> Job:
    """Run a failed job, or one whose worker died, again (same job, next attempt). Only its owner may: it runs
    with the owner's roles (an administrator who follows the task cannot make it move money for them)."""
    if job.owner_id != by.pk:
        raise PermissionDenied(_("Only the person who started this task can run it again."))
    job.refresh_from_db()
    if not job.may_retry:
        raise ValidationError(_("Only a failed task, or one whose worker stopped, can be run again."))
    retryable = Q(state=JobState.FAILED) | Q(state=JobState.RUNNING, lease_until__lt=timezone.now())
    with transaction.atomic():
        try:
            with transaction.atomic():
                changed = Job.objects.filter(retryable, pk=job.pk).update(
                    state=JobState.QUEUED, done=0, errors=0, phase="", error="", result={}, started_at=None,
                    finished_at=None, lease_until=None)
        except IntegrityError:  # the same job has since been submitted again and is live
            raise ValidationError(_("The same task is already queued or running.")) from None
        if changed:
            transaction.on_commit(lambda: _enqueue(job.pk))
    job.refresh_from_db()
    return job


def _claim(job_id: int) -> int | None:
    """Start a queued job: its attempt number, or None if another worker took it first."""
    claimed = Job.objects.filter(pk=job_id, state=JobState.QUEUED).update(
        state=JobState.RUNNING, started_at=timezone.now(), lease_until=_lease(), attempts=F("attempts") + 1)
    return Job.objects.values_list("attempts", flat=True).get(pk=job_id) if claimed else None


def _this_run(job_id: int, attempt: int):
    """The job while this run still owns it (not finished, not handed to a later attempt)."""
    return Job.objects.filter(pk=job_id, state=JobState.RUNNING, attempts=attempt)


class _Heartbeat(threading.Thread):
    """Renews the lease while the handler works without reporting (a long write, a lock wait) — but not for
    ever: once the handler has reported nothing for ``JOB_STALL_SECONDS`` (300 by default) it is taken as stuck
    and the lease is left to run out, so the task is shown as stopped (and may be run again) instead of running
    for ever.

    On PostgreSQL it renews it whatever the handler does. SQLite has one writer at a time: while the handler
    writes, the renewal waits (or fails and is tried again), so there a write must finish within the lease
    (``JOB_LEASE_SECONDS``, 120 by default) or the task is shown as stopped until it finishes."""

    def __init__(self, job_id: int, attempt: int, progress: Progress):
        super().__init__(daemon=True, name=f"job-{job_id}-heartbeat")
        self.job_id, self.attempt, self.progress, self.stop = job_id, attempt, progress, threading.Event()

    def run(self) -> None:
        try:
            while not self.stop.wait(settings.JOB_LEASE_SECONDS / 3):
                if time.monotonic() - self.progress.moved_at > settings.JOB_STALL_SECONDS:
                    logger.warning("job %s: no progress for %s s, its lease is left to run out", self.job_id,
                                   settings.JOB_STALL_SECONDS)
                    continue
                try:
                    _this_run(self.job_id, self.attempt).update(lease_until=_lease())
                except DatabaseError:  # SQLite busy with the handler's write: next time
                    logger.info("job %s: lease not renewed, the database is busy", self.job_id)
        finally:
            connections.close_all()


def _run(job: Job, progress: Progress) -> dict:
    """The handler's outcome as the job's final fields."""
    try:
        outcome = HANDLERS[job.kind](job, progress)
    except (ValidationError, PermissionDenied) as exc:
        return {"state": JobState.FAILED, "error": " ".join(getattr(exc, "messages", None) or [str(exc)])}
    except Exception:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        return {"state": JobState.FAILED, "error": _unexpected(job)}
    return {"state": JobState.DONE, "result": outcome.result, "output_file": outcome.output_file,
            "output_name": outcome.output_name[:200], "errors": outcome.errors, "done": progress.done,
            "total": max(progress.total, progress.done), "phase": ""}


def _unexpected(job: Job) -> str:
    return _("The task stopped on an unexpected error; the administrators can read the details in the server log "
             "(task %(id)d).") % {"id": job.pk}


def job_execute(job_id: int, *, echo=None) -> Job | None:
    """Run a queued job here and now (the worker, the command line, or a small upload in the request)."""
    attempt = _claim(job_id)
    if attempt is None:
        return None
    job = Job.objects.select_related("owner").get(pk=job_id)
    progress = Progress(job.pk, attempt, echo)
    heartbeat = _Heartbeat(job.pk, attempt, progress)
    heartbeat.start()
    try:
        fields = _run(job, progress)
    finally:
        heartbeat.stop.set()
        heartbeat.join()
    try:
        _this_run(job.pk, attempt).update(finished_at=timezone.now(), lease_until=None, **fields)
    except Exception:
        logger.exception("recording the end of job %s", job.pk)
        _this_run(job.pk, attempt).update(finished_at=timezone.now(), lease_until=None, state=JobState.FAILED,
                                          error=_unexpected(job))
    job.refresh_from_db()
    return job


def jobs_prune(*, older_than_days: int) -> tuple[int, int]:
    """Delete the files of tasks that ended more than ``older_than_days`` ago (the upload, the rows to fix, the
    export or payment file) and blank them on the task, which stays in the list as a record; first each kind's
    sweep (``handler``) of files that must go sooner. Returns (tasks, files deleted)."""
    swept = sum(sweep() for sweep in SWEEPS.values())
    private_folder("")  # MEDIA_ROOT 0700, also where it was made 0755 before files were kept private
    cutoff = timezone.now() - datetime.timedelta(days=older_than_days)
    old = Job.objects.filter(state__in=(JobState.DONE, JobState.FAILED), finished_at__lt=cutoff).exclude(
        input_file="", output_file="")
    files = swept
    for input_file, output_file in old.values_list("input_file", "output_file").iterator(chunk_size=500):
        files += _delete_stored(input_file) + _delete_stored(output_file)
    return swept + old.update(input_file="", output_file=""), files


def job_outputs_discard(*, job_ids: list[int]) -> int:
    """Delete the files these tasks made (a payment file nobody may fetch any more) and blank them on the tasks,
    which stay in the list as a record. Returns the number of tasks whose file went."""
    jobs = Job.objects.filter(pk__in=job_ids).exclude(output_file="")
    for relative in jobs.values_list("output_file", flat=True):
        _delete_stored(relative)
    return jobs.update(output_file="")


def _delete_stored(relative: str) -> int:
    """Delete a task's file under MEDIA_ROOT (never outside it): 1 if there was one, else 0."""
    root = Path(settings.MEDIA_ROOT).resolve()
    path = (root / relative).resolve() if relative else None
    if path and path.is_relative_to(root) and path.is_file():
        path.unlink()
        return 1
    return 0

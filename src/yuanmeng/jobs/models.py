"""Background tasks people can see: imports and exports too big to finish inside a web request.

A ``Job`` is what the user started (kind, parameters, input file) and what became of it (state, progress,
result, output file). django-tasks only carries the job's id to a worker (``yuanmeng worker``); everything
the page shows lives here. A running job renews its lease with every progress report, so a job whose
worker died is seen once the lease has run out, and can be run again.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yuanmeng.core.access import ScopedQuerySet


class JobState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


LIVE_STATES = (JobState.QUEUED, JobState.RUNNING)


class Job(models.Model):
    SCOPE_PATH = "organisation__path"  # administrators over that union see the job too
    SCOPE_OWNER = "owner"

    kind = models.CharField(_("kind"), max_length=40)
    label = models.CharField(_("task"), max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="jobs")
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+")
    params = models.JSONField(default=dict, blank=True)
    # Same kind, owner, parameters and input: the same job. At most one of them queued or running.
    dedupe_key = models.CharField(max_length=64)
    input_file = models.CharField(max_length=300, blank=True)  # relative to MEDIA_ROOT
    input_name = models.CharField(max_length=200, blank=True)  # the name the user's file had
    state = models.CharField(_("state"), max_length=10, choices=JobState.choices, default=JobState.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    phase = models.CharField(max_length=60, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    output_file = models.CharField(max_length=300, blank=True)  # relative to MEDIA_ROOT
    output_name = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "-created_at"])]
        constraints = [models.UniqueConstraint(fields=["dedupe_key"], condition=Q(state__in=("queued", "running")),
                                               name="one_live_job_per_key")]

    def __str__(self) -> str:
        return f"{self.label} ({self.state})"

    @property
    def percent(self) -> int:
        return min(100, int(100 * self.done / self.total)) if self.total else (100 if self.state == "done" else 0)

    @property
    def stalled(self) -> bool:
        """Running, but its worker stopped reporting: the lease ran out."""
        return self.state == JobState.RUNNING and self.lease_until is not None and self.lease_until < timezone.now()

    @property
    def live(self) -> bool:
        return self.state in LIVE_STATES and not self.stalled

    @property
    def may_retry(self) -> bool:
        return self.state == JobState.FAILED or self.stalled

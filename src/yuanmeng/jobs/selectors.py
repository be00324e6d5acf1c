"""Reads of background tasks that pages share."""

from yuanmeng.core.waiting import Waiting, waiting
from yuanmeng.jobs.models import JobState
from yuanmeng.jobs.services import jobs_visible


def job_list(*, user, state: str = ""):
    """The tasks the user follows (``jobs_visible``), newest first; only those in ``state`` when it is one."""
    qs = jobs_visible(user)
    return qs.filter(state=state) if state in JobState.values else qs


def jobs_failed(user) -> Waiting:
    """The user's failed tasks (and those of the subtree an administrator follows): the home page's count,
    linking to ``/tasks/?state=failed``. A task run again successfully is no longer failed."""
    return waiting(jobs_visible(user).filter(state=JobState.FAILED), "created_at")

"""The refresh as a background task (kind ``stats_refresh``), for a page's "refresh now" and the worker's schedule;
``yuanmeng stats refresh`` runs the same service from cron (docs/operations.md)."""

from yuanmeng.jobs.models import Job
from yuanmeng.jobs.services import Outcome, Progress, handler
from yuanmeng.stats.services import stats_refresh

REFRESH_JOB = "stats_refresh"


def _no_file(job: Job, user) -> bool:
    return False


@handler(REFRESH_JOB, may_download=_no_file)
def refresh_job(job: Job, progress: Progress) -> Outcome:
    refresh = stats_refresh()
    return Outcome(result={"as_of": refresh.as_of.isoformat(), "seconds": round(refresh.seconds, 3),
                           "rows": refresh.rows})

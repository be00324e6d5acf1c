"""The refresh as a background task (kind ``stats_refresh``), for a page's "refresh now" and the worker's schedule;
``yuanmeng stats refresh`` runs the same service from cron (docs/operations.md). And the yearly report's PDF of a
large organisation (kind ``stats_report``), downloaded from the task's page."""

import uuid

from django.utils.translation import get_language, override
from django.utils.translation import gettext as _

from yuanmeng.core.access import Capability
from yuanmeng.core.storage import private_file
from yuanmeng.jobs.models import Job
from yuanmeng.jobs.services import Outcome, Progress, handler, job_submit
from yuanmeng.orgs.models import Organisation
from yuanmeng.stats.report_pdf import report_filename, report_generate
from yuanmeng.stats.services import stats_refresh

REFRESH_JOB = "stats_refresh"


def _no_file(job: Job, user) -> bool:
    return False


@handler(REFRESH_JOB, may_download=_no_file)
def refresh_job(job: Job, progress: Progress) -> Outcome:
    refresh = stats_refresh()
    return Outcome(result={"as_of": refresh.as_of.isoformat(), "seconds": round(refresh.seconds, 3),
                           "rows": refresh.rows})


REPORT_JOB = "stats_report"


def report_submit(*, by, organisation_id: int, year: int) -> Job:
    """The yearly report's PDF made by the background worker (an organisation with many children), in the language
    the user asked in."""
    return job_submit(by=by, kind=REPORT_JOB, label=_("Yearly report %(year)d") % {"year": year},
                      params={"organisation_id": organisation_id, "year": year, "language": get_language()},
                      capability=Capability.VIEW)


def _may_download_report(job: Job, user) -> bool:
    """The PDF holds what its owner could read: only while they still may view the organisation (and its funds, if
    the PDF holds the money)."""
    capability = Capability.VIEW_FUNDS if job.result.get("money") else Capability.VIEW
    return Organisation.objects.restrict(user, capability).filter(pk=job.params["organisation_id"]).exists()


@handler(REPORT_JOB, may_download=_may_download_report)
def report_job(job: Job, progress: Progress) -> Outcome:
    progress(0, total=1, force=True)
    with override(job.params["language"]):
        report, pdf = report_generate(by=job.owner, organisation_id=job.params["organisation_id"],
                                      year=job.params["year"])
    relative = f"reports/{job.owner_id}/{uuid.uuid4().hex}.pdf"
    private_file(relative).write_bytes(pdf)
    progress(1, total=1, force=True)
    return Outcome(result={"money": report.money is not None, "bytes": len(pdf)}, output_file=relative,
                   output_name=report_filename(report))

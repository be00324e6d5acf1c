"""The one export page: ``/exports/<name>/?<the list's filters>`` — the list as a workbook, now or in the background."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from yuanmeng.core.exports import query_params
from yuanmeng.jobs.export_job import export_start, job_url
from yuanmeng.jobs.models import Job


@login_required
def export(request, name: str):
    """A short list downloads at once; a long one is written by the background worker, whose page shows its
    progress and then the file. Who may not read the list gets a 404, as on the list's page."""
    started = export_start(name=name, by=request.user, params=query_params(request.GET))
    return redirect(job_url(started)) if isinstance(started, Job) else started

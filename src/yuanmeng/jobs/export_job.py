"""Exports of lists too long to write inside a web request: written by the background worker, downloaded later.

``export_start`` is what the export page and every API export endpoint call: a list of at most
``EXPORT_INLINE_ROWS`` rows is written at once and handed back; a longer one becomes an ``export`` job. The job
runs the same ``export_write`` as its owner, with the filters as they were asked, so the file holds what the
owner may see at the time it is written.
"""

import uuid

from django.conf import settings
from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from yuanmeng.core.errors import PermissionDenied
from yuanmeng.core.exports import Params, export_count, export_filename, export_get, export_response, export_write
from yuanmeng.core.storage import private_file
from yuanmeng.jobs.models import Job
from yuanmeng.jobs.services import Outcome, Progress, handler, job_submit

KIND = "export"


def export_start(*, name: str, by, params: Params) -> FileResponse | Job:
    """The workbook now when the list is short, else the background job writing it (``Http404`` if the user
    may not read the list)."""
    export = export_get(name=name, by=by)
    count = export_count(name=name, by=by, params=params)
    if count <= settings.EXPORT_INLINE_ROWS:
        return export_response(name=name, by=by, params=params)
    return job_submit(by=by, kind=KIND, label=_("Export %(title)s") % {"title": export.title},
                      params={"name": name, "params": params}, total=count, capability=export.capability)


def job_url(job: Job) -> str:
    """The job's page, where its progress shows and its file is downloaded when ready."""
    return reverse("job_detail", kwargs={"job_id": job.pk})


def _may_download(job: Job, user) -> bool:
    """The file holds the list as its owner could read it: only while they still can."""
    try:
        export_get(name=job.params["name"], by=user)
    except Http404:
        return False
    return True


@handler(KIND, may_download=_may_download)
def run_export(job: Job, progress: Progress) -> Outcome:
    name, params = job.params["name"], job.params["params"]
    try:
        export = export_get(name=name, by=job.owner)
    except Http404:
        raise PermissionDenied(_("You may no longer read this list.")) from None
    relative = f"exports/{job.owner_id}/{uuid.uuid4().hex}.xlsx"
    path = private_file(relative)
    try:
        rows = export_write(name=name, by=job.owner, params=params, out=str(path),
                            progress=lambda done: progress(done, total=job.total))
    except Http404:
        path.unlink(missing_ok=True)
        raise PermissionDenied(_("A filter of this export names something you may no longer see.")) from None
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    progress(rows, total=rows, force=True)
    return Outcome(result={"rows": rows}, output_file=relative, output_name=export_filename(export))

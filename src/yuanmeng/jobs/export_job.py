"""Exports of lists too long to write inside a web request: written by the background worker, downloaded later.

``core.exports.export_start`` is what the export page and every API export endpoint call: a list of at most
``EXPORT_INLINE_ROWS`` rows is written at once and handed back; a longer one becomes an ``export`` job, through
``export_queue`` (registered with core in ``JobsConfig.ready()``). The job runs the same ``export_write`` as its
owner, with the filters as they were asked, so the file holds what the owner may see at the time it is written.
"""

import uuid

from django.http import Http404
from django.utils.translation import gettext as _

from yuanmeng.core.errors import PermissionDenied
from yuanmeng.core.exports import ListExport, Params, Queued, export_filename, export_get, export_write
from yuanmeng.core.storage import private_file
from yuanmeng.jobs.models import Job
from yuanmeng.jobs.services import Outcome, Progress, handler, job_queued, job_submit

KIND = "export"


def export_queue(*, export: ListExport, by, params: Params, total: int) -> Queued:
    """The ``export`` job writing a list too long for the request."""
    job = job_submit(by=by, kind=KIND, label=_("Export %(title)s") % {"title": export.title},
                     params={"name": export.name, "params": params}, total=total, capability=export.capability)
    return job_queued(job)


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

"""Payment files for large batches, written by the background worker (`yuanmeng worker`) as a task.

The file the worker wrote holds every payee's full account number, so it is kept only while it is needed: the
officer who holds the batch's issue may fetch it until the bank's results are imported and for
``PAYMENT_FILE_KEEP_HOURS`` after it was written; then nobody may, and ``payment_files_discard`` deletes it
(right after the results are imported, and from ``yuanmeng tasks prune``).
"""

import datetime
import tempfile

from django.conf import settings
from django.http import FileResponse
from django.utils import timezone

from yuanmeng.core.exports import Queued
from yuanmeng.core.storage import private_folder
from yuanmeng.jobs.models import Job
from yuanmeng.jobs.services import Outcome, Progress, handler, job_outputs_discard, job_queued
from yuanmeng.orgs.roles import Capability
from yuanmeng.payouts.files import file_name
from yuanmeng.payouts.models import Batch, BatchStatus
from yuanmeng.payouts.services import PAYMENT_FILE_JOB, payment_file_request, write_batch_file


def needs_background(batch: Batch) -> bool:
    return batch.line_count > settings.PAYMENT_FILE_INLINE_LINES


def payment_file_start(*, by, batch: Batch, fmt: str, reissue: bool = False) -> FileResponse | Queued:
    """The payment file of an ordinary batch now, as a download; of a large one, the background task writing it
    (``payment_file_request``). Raises what ``batch_file_allowed`` (and the writing) refuse."""
    if needs_background(batch):
        return job_queued(payment_file_request(by=by, batch=batch, fmt=fmt, reissue=reissue))
    spool = tempfile.TemporaryFile()
    try:
        written = write_batch_file(by=by, batch=batch, fmt=fmt, out=spool, reissue=reissue)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    response = FileResponse(spool, as_attachment=True, filename=written.filename, content_type=written.content_type)
    response["Cache-Control"] = "private, no-store"
    return response


def _may_download(job: Job, user) -> bool:
    """Only to the officer who holds the batch's current issue (not one a second officer issued again since) and
    still approves payouts over its union, while the bank has not answered, within the time the file is kept."""
    kept_since = timezone.now() - datetime.timedelta(hours=settings.PAYMENT_FILE_KEEP_HOURS)
    if job.finished_at is None or job.finished_at < kept_since:
        return False
    return Batch.objects.restrict(user, Capability.APPROVE_PAYOUTS).filter(
        pk=job.params["batch"], status=BatchStatus.APPROVED, result_imports__isnull=True, file_issued_by=user,
        file_issued_at__lte=job.finished_at).exists()


def payment_files_discard(*, batch_id: int | None = None) -> int:
    """Delete the stored payment files (of one batch, or all) that their owner may no longer fetch; the tasks
    stay as a record. Returns the number of files deleted."""
    done = Job.objects.filter(kind=PAYMENT_FILE_JOB).exclude(output_file="").select_related("owner")
    if batch_id is not None:
        done = done.filter(params__batch=batch_id)
    return job_outputs_discard(job_ids=[job.pk for job in done if not _may_download(job, job.owner)])


@handler(PAYMENT_FILE_JOB, may_download=_may_download, sweep=payment_files_discard)
def write_payment_file(job: Job, progress: Progress) -> Outcome:
    """Write the file into MEDIA_ROOT/payment-files (outside the web root), reporting progress as it goes."""
    batch = Batch.objects.select_related("round__policy__organisation").get(pk=job.params["batch"])
    fmt = job.params["fmt"]
    folder = private_folder("payment-files")
    name = f"{job.pk}-{job.attempts}-{file_name(batch, fmt)}"
    written = write_batch_file(by=job.owner, batch=batch, fmt=fmt, out=folder / name, reissue=job.params["reissue"],
                               progress=lambda lines: progress(lines, total=job.total))
    progress(written.lines, total=written.lines, force=True)
    return Outcome(result={"lines": written.lines, "sha256": written.sha256}, output_file=f"payment-files/{name}",
                   output_name=file_name(batch, fmt))

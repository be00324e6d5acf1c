"""Payment files for large batches, written by the background worker (`yuanmeng db_worker`)."""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import task

from yuanmeng.audit.services import audit_record
from yuanmeng.core.errors import PermissionDenied
from yuanmeng.payouts.files import FORMATS, file_name, write_batch_file
from yuanmeng.payouts.models import Batch, JobStatus, PaymentFileJob
from yuanmeng.payouts.services import batch_file_allowed


def needs_background(batch: Batch) -> bool:
    return batch.line_count > settings.PAYMENT_FILE_INLINE_LINES


@transaction.atomic
def payment_file_request(*, by, batch: Batch, fmt: str, reissue: bool = False) -> PaymentFileJob:
    """Queue the file (checked now, and again when it is written); the same file asked twice is one job."""
    if fmt not in FORMATS:
        raise ValidationError({"fmt": ["xlsx, pain001"]})
    batch_file_allowed(by, batch, reissue=reissue)
    running = PaymentFileJob.objects.filter(batch=batch, fmt=fmt, status__in=(JobStatus.QUEUED, JobStatus.RUNNING))
    if running.exists():
        return running.get()
    try:
        with transaction.atomic():
            job = PaymentFileJob.objects.create(batch=batch, fmt=fmt, reissue=reissue, requested_by=by,
                                                lines_total=batch.line_count)
    except IntegrityError:  # asked twice at the same moment
        return running.get()
    audit_record(actor=by, action="batch.file_request", obj=batch, organisation=batch.round.policy.organisation,
                 after={"format": fmt, "job": job.pk, "lines": batch.line_count})
    transaction.on_commit(lambda: write_payment_file.enqueue(job.pk))
    return job


def _progress(job_id: int):
    def report(lines_done: int) -> None:
        PaymentFileJob.objects.filter(pk=job_id).update(lines_done=lines_done)
    return report


@task()
def write_payment_file(job_id: int) -> None:
    """Write the file into MEDIA_ROOT/payment-files (outside the web root), reporting progress as it goes."""
    job = PaymentFileJob.objects.select_related("batch", "requested_by").get(pk=job_id)
    if job.status != JobStatus.QUEUED:
        return
    PaymentFileJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    folder = Path(settings.MEDIA_ROOT) / "payment-files"
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{job.pk}-{file_name(job.batch, job.fmt)}"
    try:
        written = write_batch_file(by=job.requested_by, batch=job.batch, fmt=job.fmt, out=folder / name,
                                   reissue=job.reissue, progress=_progress(job.pk))
    except (ValidationError, PermissionDenied) as exc:
        PaymentFileJob.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED, error=" ".join(getattr(exc, "messages", None) or [str(exc)]),
            finished_at=timezone.now())
        return
    PaymentFileJob.objects.filter(pk=job.pk).update(
        status=JobStatus.DONE, lines_done=written.lines, file=f"payment-files/{name}", sha256=written.sha256,
        finished_at=timezone.now())

"""Imports as jobs: the uploaded file is kept under MEDIA_ROOT/imports/, checked and written by ``run_import``
in the request when it is small, by the background worker otherwise, and by ``yuanmeng import`` on the
command line."""

import hashlib
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from yuanmeng.core.imports import IMPORT_KINDS, check_file, run_import
from yuanmeng.core.storage import private_file
from yuanmeng.jobs.models import Job
from yuanmeng.jobs.services import Outcome, Progress, handler, job_execute, job_submit

SUFFIXES = (".xlsx", ".xls", ".ods", ".csv")


def _keep(by, source, name: str) -> tuple[str, str]:
    """Copy the upload (or file) under MEDIA_ROOT/imports/<user>/; its relative path and SHA-256."""
    suffix = Path(name).suffix.lower() if Path(name).suffix.lower() in SUFFIXES else ".bin"
    relative = f"imports/{by.pk}/{uuid.uuid4().hex}{suffix}"
    target = private_file(relative)
    digest = hashlib.sha256()
    source.seek(0)
    with open(target, "wb") as out:
        while chunk := source.read(1 << 20):
            digest.update(chunk)
            out.write(chunk)
    return relative, digest.hexdigest()


def import_submit(*, by, kind: str, source, file_name: str, all_or_nothing: bool, params: dict | None = None,
                  inline: bool | None = None, echo=None) -> Job:
    """Record the import as a job; run it now when it is small (or ``inline``), else queue it for the worker.
    A file that cannot be read, or lacks a column, is refused at once (nothing queued). The same file, kind
    and choices submitted again while the first is queued or running is that job."""
    if kind not in IMPORT_KINDS:
        raise ValidationError({"kind": [_("Unknown kind of import.")]})
    if not IMPORT_KINDS[kind].allowed(by, params or {}):
        raise ValidationError(_("You may not import this kind of file here."))
    source.seek(0, 2)
    if source.tell() > settings.MAX_IMPORT_BYTES:
        raise ValidationError({"file": [_("The file is larger than %(mb)d MB: split it into several files.")
                                        % {"mb": settings.MAX_IMPORT_BYTES // (1024 * 1024)}]})
    relative, sha256 = _keep(by, source, file_name)
    try:
        total = check_file(IMPORT_KINDS[kind], Path(settings.MEDIA_ROOT) / relative)
    except ValidationError as exc:
        (Path(settings.MEDIA_ROOT) / relative).unlink(missing_ok=True)
        raise ValidationError({"file": exc.messages}) from None
    if inline is None:
        inline = total <= settings.IMPORT_INLINE_ROWS
    label = _("Import %(kind)s: %(file)s") % {"kind": IMPORT_KINDS[kind].label, "file": file_name}
    job = job_submit(by=by, kind="import", label=label,
                     params={"type": kind, "all_or_nothing": all_or_nothing, **(params or {})},
                     input_file=relative, input_name=file_name, fingerprint=sha256, total=total, enqueue=not inline,
                     capability=IMPORT_KINDS[kind].capability)
    if job.input_file != relative:  # the same import was already under way: keep its copy only
        (Path(settings.MEDIA_ROOT) / relative).unlink(missing_ok=True)
    if inline:  # run it here, unless a worker already has it
        job = job_execute(job.pk, echo=echo) or Job.objects.get(pk=job.pk)
    return job


def _may_download(job: Job, user) -> bool:
    """The rows to fix, to whoever may still import that kind of file."""
    kind = IMPORT_KINDS.get(job.params.get("type"))
    return kind is not None and kind.allowed(user, job.params)


@handler("import", may_download=_may_download)
def run_import_job(job: Job, progress: Progress) -> Outcome:
    kind = IMPORT_KINDS[job.params["type"]]
    report = run_import(kind, by=job.owner, source=Path(settings.MEDIA_ROOT) / job.input_file,
                        all_or_nothing=job.params.get("all_or_nothing", True),
                        params={**job.params, "job": job.pk, "file_name": job.input_name}, progress=progress)
    return Outcome(result=report.as_dict(), output_file=report.error_file,
                   output_name=f"{Path(job.input_name).stem[:150]}-待修改.xlsx" if report.error_file else "",
                   errors=report.errors)


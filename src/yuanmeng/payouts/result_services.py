"""Importing the bank's result file at once, all rows or none: the use case of the API and the command line.

The rules and the set-based application are in ``payouts.results``, the import kind in ``payouts.imports``.
This is not in ``payouts.services``: the kind's writing deletes the issued payment files (``payouts.jobs``),
which ask ``payouts.services`` who may fetch them, so a use case there calling the kind would close a cycle.
"""

import os

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from yuanmeng.core.crypto import file_sha256
from yuanmeng.core.errors import PermissionDenied
from yuanmeng.core.imports import run_import
from yuanmeng.payouts.imports import BANK_RESULTS
from yuanmeng.payouts.models import Batch, ResultImport
from yuanmeng.payouts.results import may_import, refuse_unless_open

MAX_ERRORS = 100


def _refusal(report) -> ValidationError:
    problems = [_("row %(row)d: %(problem)s") % {"row": row, "problem": problem}
                for row, problem in report.first_errors[:MAX_ERRORS]]
    if report.errors > len(problems):
        problems.append(_("… and %(n)d more problems.") % {"n": report.errors - len(problems)})
    return ValidationError({"file": problems})


def result_import(*, by, batch: Batch, upload) -> ResultImport:
    """Apply the bank's result file to a batch, all rows or none, at once (the API and the command line); the
    same file twice changes nothing. The page offers the valid rows too, through ``import_submit``."""
    batch = Batch.objects.select_related("round__policy__organisation").get(pk=batch.pk)
    if not may_import(by, batch):
        raise PermissionDenied(_("Your role cannot import bank results for this policy's union."))
    sha256 = file_sha256(upload)
    earlier = ResultImport.objects.filter(batch=batch, sha256=sha256).first()
    if earlier is not None:
        earlier.already_imported = True
        return earlier
    refuse_unless_open(batch)
    started = timezone.now()
    try:
        report = run_import(BANK_RESULTS, by=by, source=upload, all_or_nothing=True, params={
            "batch": batch.pk, "sha256": sha256, "file_name": os.path.basename(upload.name or "")})
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    if report.errors:
        report.discard_error_file()  # the problems go back in the refusal
        raise _refusal(report)
    imported = ResultImport.objects.get(batch=batch, sha256=sha256)
    imported.already_imported = imported.at < started  # applied by a twin upload in the meantime
    return imported

"""The bank's result file for an approved batch as an import kind (see ``core.imports`` for the steps and
``payouts.results`` for the rules): ``params = {"batch": <id>}``, and the file's ``sha256`` when known.

Each row is checked by ``check_result_row`` against the batch's lines (loaded once, bounded by the batch) and
staged as (line, status, reason); a reference twice in the file is the engine's key check. ``write`` locks
the batch and hands the staged rows to ``apply_results``: the pending lines settle and post their money once,
lines already settled the same way count as unchanged. With "import the valid rows", the good rows are
applied and the bad ones come back in the file of rows to fix; their lines stay pending (and their money
reserved) until the corrected rows are uploaded.
"""

import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yuanmeng.core.crypto import file_sha256
from yuanmeng.core.imports import ERRORS, STAGE, ImportContext, ImportKind, register
from yuanmeng.core.sql import scalar
from yuanmeng.orgs.roles import Capability
from yuanmeng.payouts.models import Batch
from yuanmeng.payouts.results import (
    FIELD_LABELS,
    OPTIONAL,
    REQUIRED,
    apply_results,
    batch_lines,
    check_result_row,
)
from yuanmeng.payouts.services import may_import, refuse_unless_open


def _batch(params: dict, *, lock: bool = False) -> Batch | None:
    try:
        pk = int(params.get("batch") or 0)
    except (TypeError, ValueError):
        return None
    batches = Batch.objects.select_related("round__policy__organisation")
    if lock:
        batches = batches.select_for_update(of=("self",))
    return batches.filter(pk=pk).first()


def _file_sha256(params: dict) -> str:
    """The file's hash: given by the caller, else that of the job's copy of the file."""
    if params.get("sha256"):
        return str(params["sha256"])
    if params.get("job"):
        from yuanmeng.jobs.models import Job

        kept = Job.objects.filter(pk=params["job"]).values_list("input_file", flat=True).first()
        path = Path(settings.MEDIA_ROOT) / kept if kept else None
        if path and path.is_file():
            with path.open("rb") as file:
                return file_sha256(file)
    return uuid.uuid4().hex  # unknown: this import is not recognised again by its hash


class BankResultImport(ImportKind):
    key = "bank_results"
    label = gettext_lazy("Bank results")
    capability = Capability.APPROVE_PAYOUTS
    columns = REQUIRED
    optional = OPTIONAL
    example = {"reference": "YM00012-00000001", "status": "成功", "reason": "", "amount": "1500.00"}
    examples = [example, {"reference": "YM00012-00000002", "status": "失败", "reason": "户名与账号不符",
                          "amount": "1500.00"}]
    stage = (("line_id", "BIGINT"), ("status", "TEXT"), ("reason", "TEXT"))
    key_column = "line_id"
    key_header = FIELD_LABELS["reference"]

    def allowed(self, by, params: dict) -> bool:
        batch = _batch(params)
        return batch is not None and may_import(by, batch)

    def prepare(self, context: ImportContext) -> None:
        batch = _batch(context.params)
        refuse_unless_open(batch)
        context.extra.update(batch=batch, lines=batch_lines(batch), rows=0)

    def check_row(self, values: dict, context: ImportContext) -> tuple:
        context.extra["rows"] += 1
        return check_result_row(values, context.extra["lines"], context.extra["batch"])

    def write(self, context: ImportContext) -> dict[str, int]:
        if not context.extra["rows"]:
            raise ValidationError(_("The file has no rows below the column names: there is nothing to import."))
        batch = _batch(context.params, lock=True)
        refuse_unless_open(batch)
        _imported, counts = apply_results(
            by=context.by, batch=batch, checked=STAGE, file_name=str(context.params.get("file_name", "")),
            sha256=_file_sha256(context.params),
            audit={"rows_with_errors": scalar(f"SELECT COUNT(*) FROM {ERRORS}", []),
                   **({"job": context.params["job"]} if context.params.get("job") else {})})
        return counts


BANK_RESULTS = register(BankResultImport())

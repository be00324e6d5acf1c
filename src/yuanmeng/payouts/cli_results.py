"""`yuanmeng payout results BATCH FILE [--as USERNAME] [--json]`: apply the bank's result file to a batch.

Importing a file already applied to the batch changes nothing and says so (``already_imported``). A refused
file is a command error listing every bad row, one a line.
"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import CommandError
from django.utils import timezone

from yuanmeng.payouts.cli import acting_user, find_batch
from yuanmeng.payouts.services import result_import

HELP = "import the bank's result file for an approved batch: paid lines settle, failed ones go back to the queue"


def add_arguments(parser) -> None:
    parser.add_argument("batch", help="<round code>-<number> (such as GZ-2026-R1-1) or the batch id")
    parser.add_argument("file", help="the bank's result file (xlsx or csv)")


def run(options: dict, stdout) -> dict:
    by = acting_user(options.get("as_user"))
    batch = find_batch(options["batch"])
    path = Path(options["file"])
    if not path.is_file():
        raise CommandError(f"no file {str(path)!r}")
    try:
        with path.open("rb") as handle:
            imported = result_import(by=by, batch=batch, upload=File(handle, name=path.name))
    except ValidationError as exc:
        raise CommandError("the file is refused, nothing was changed:\n" + "\n".join(exc.messages)) from None
    batch.refresh_from_db()
    counts = f"paid {imported.paid}, failed {imported.failed}, unchanged {imported.unchanged}"
    if imported.already_imported:
        message = (f"{batch}: this file was already imported on {timezone.localtime(imported.at):%Y-%m-%d %H:%M} "
                   f"({counts}); nothing changed")
    else:
        message = f"{batch}: {counts}; batch {batch.get_status_display()}"
    if not options.get("json"):  # with --json the registry prints the summary
        stdout.write(message)
    return {"batch": str(batch), "batch_status": batch.status, "import_id": imported.pk, "file": imported.file_name,
            "sha256": imported.sha256, "paid": imported.paid, "failed": imported.failed,
            "unchanged": imported.unchanged, "already_imported": imported.already_imported}

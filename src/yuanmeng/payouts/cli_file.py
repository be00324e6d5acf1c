"""`yuanmeng payout file BATCH --format pain001|xlsx -o PATH`: write an approved batch's payment file."""

from pathlib import Path

from yuanmeng.core.money import fen_to_yuan
from yuanmeng.payouts.cli import acting_user, find_batch
from yuanmeng.payouts.files import FORMATS
from yuanmeng.payouts.services import write_batch_file

HELP = "write the payment file of an approved batch: the bank spreadsheet (xlsx) or ISO 20022 pain.001 (pain001)"


def add_arguments(parser) -> None:
    parser.add_argument("batch", help="<round code>-<number> (such as GZ-2026-R1-1) or the batch id")
    parser.add_argument("--format", dest="fmt", choices=list(FORMATS), required=True)
    parser.add_argument("-o", "--output", required=True, help="where to write the file (replaced if it exists)")
    parser.add_argument("--reissue", action="store_true",
                        help="issue the file again (the bank did not receive it); takes another finance officer")


def run(options: dict, stdout) -> dict:
    by = acting_user(options.get("as_user"))
    batch = find_batch(options["batch"])
    path = Path(options["output"]).resolve()
    written = write_batch_file(by=by, batch=batch, fmt=options["fmt"], out=path, reissue=options["reissue"])
    if not options.get("json"):
        stdout.write(f"{batch}: {written.lines} payments, {fen_to_yuan(written.total_fen)} yuan → {path} "
                     f"(sha256 {written.sha256})")
    return {"batch": str(batch), "path": str(path), "format": written.fmt, "lines": written.lines,
            "total_fen": written.total_fen, "sha256": written.sha256}

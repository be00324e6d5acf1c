"""`yuanmeng import <kind> FILE --as USERNAME`: the same import as the page, with a progress bar.

The file is checked and written here (not by the background worker); the job is recorded like one started
on the page, so it shows in the task list, with its report and its file of rows to fix.
"""

import sys
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from yuanmeng.core.cli import acting_user
from yuanmeng.core.imports import IMPORT_KINDS
from yuanmeng.jobs.import_job import import_submit
from yuanmeng.jobs.models import JobState


def _bar(stream):
    def echo(done: int, total: int, errors: int, phase: str) -> None:
        width = 30
        filled = int(width * done / total) if total else 0
        stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} rows, {errors:,} errors "
                     f"{phase:<24}")
        stream.flush()
    return echo


class Command(BaseCommand):
    help = "Import a spreadsheet (xlsx, xls, ods or csv): " + ", ".join(IMPORT_KINDS) + "."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(IMPORT_KINDS))
        parser.add_argument("file", type=Path)
        parser.add_argument("--as", dest="as_user", help="the user who imports (their roles decide the scope)")
        parser.add_argument("--valid-rows", action="store_true",
                            help="import the valid rows even when others have errors (default: all or nothing)")
        parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                            help="what the kind needs besides the file (school=<id> for rosters…)")

    def handle(self, *args, **options):
        by = acting_user(options["as_user"])
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"no file {path}")
        params = dict(item.split("=", 1) for item in options["param"] if "=" in item)
        try:
            with open(path, "rb") as source:
                job = import_submit(by=by, kind=options["kind"], source=source, file_name=path.name,
                                    all_or_nothing=not options["valid_rows"], params=params, inline=True,
                                    echo=_bar(sys.stderr))
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        sys.stderr.write("\n")
        if job.live:
            raise CommandError(f"the same import is already running as task {job.pk}: follow it at /tasks/{job.pk}/")
        if job.state == JobState.FAILED:
            raise CommandError(job.error)
        report = job.result
        self.stdout.write(f"task {job.pk}: {report['rows']:,} rows, {report['created']:,} created, "
                          f"{report['updated']:,} updated, {report['unchanged']:,} unchanged, "
                          f"{report['errors']:,} with errors; {'written' if report['written'] else 'NOTHING WRITTEN'}")
        for row, message in report["first_errors"][:20]:
            self.stdout.write(f"  row {row}: {message}")
        if job.output_file:
            self.stdout.write(f"rows to fix: {Path(settings.MEDIA_ROOT) / job.output_file}")
        if report["errors"] and not report["written"]:
            raise CommandError("nothing was imported: fix the rows above (or use --valid-rows) and run again")

"""`yuanmeng tasks prune [--days N]`: delete the files of tasks that ended more than N days ago (uploads, rows to
fix, exports, payment files; N is YUANMENG_TASK_FILES_KEEP_DAYS, 7, unless given); the tasks stay listed. It also
deletes the verification codes asked for more than a day ago (accounts.codes.codes_prune). The worker runs it when it
starts; run it from cron as well (docs/operations.md)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from yuanmeng.accounts.codes import codes_prune
from yuanmeng.jobs.services import jobs_prune


class Command(BaseCommand):
    help = "Background tasks: `prune --days N` deletes the files of tasks that ended more than N days ago."

    def add_arguments(self, parser):
        subparsers = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        prune = subparsers.add_parser("prune", help="delete the files of tasks that ended more than --days ago")
        prune.add_argument("--days", type=int, default=None,
                           help=f"default: YUANMENG_TASK_FILES_KEEP_DAYS ({settings.TASK_FILES_KEEP_DAYS})")

    def handle(self, *args, **options):
        days = settings.TASK_FILES_KEEP_DAYS if options["days"] is None else options["days"]
        tasks, files = jobs_prune(older_than_days=days)
        self.stdout.write(f"{files} files of {tasks} tasks deleted (tasks that ended more than {days} days ago)")
        self.stdout.write(f"{codes_prune()} verification codes deleted (asked for more than a day ago)")

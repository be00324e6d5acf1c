"""`yuanmeng tasks prune --days 30`: delete the files of tasks that ended long ago (uploads, rows to fix,
exports, payment files); the tasks stay listed. Run it from cron."""

from django.core.management.base import BaseCommand

from yuanmeng.jobs.services import jobs_prune


class Command(BaseCommand):
    help = "Background tasks: `prune --days N` deletes the files of tasks that ended more than N days ago."

    def add_arguments(self, parser):
        subparsers = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        prune = subparsers.add_parser("prune", help="delete the files of tasks that ended more than --days ago")
        prune.add_argument("--days", type=int, default=30)

    def handle(self, *args, **options):
        tasks, files = jobs_prune(older_than_days=options["days"])
        self.stdout.write(f"{files} files of {tasks} tasks deleted (tasks that ended more than {options['days']} "
                          "days ago)")

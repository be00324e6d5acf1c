"""`yuanmeng stats refresh`: rebuild the dashboards' rollups now (decision 0013). Run it from cron every few minutes
(docs/operations.md); it prints the time the figures are exact as of and how long the refresh took."""

from django.core.management.base import BaseCommand

from yuanmeng.stats.services import stats_refresh


class Command(BaseCommand):
    help = "Statistics: `refresh` rebuilds the dashboards' rollups from the data."

    def add_arguments(self, parser):
        subparsers = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        subparsers.add_parser("refresh", help="rebuild every rollup, exact as of now")

    def handle(self, *args, **options):
        refresh = stats_refresh()
        self.stdout.write(f"figures as of {refresh.as_of.isoformat()}: {refresh.rows} rows in {refresh.seconds:.2f} s")

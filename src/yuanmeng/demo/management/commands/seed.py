import time

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from yuanmeng.demo import build as demo
from yuanmeng.demo.national import NATIONAL_LOGINS, build_national
from yuanmeng.orgs.models import Organisation
from yuanmeng.stats.services import stats_refresh


class Command(BaseCommand):
    help = ("Demo data: `yuanmeng seed demo` builds a believable Guangzhou with one login per role; `yuanmeng seed "
            "national --workers N` the national data set of the benchmarks (every province, N workers).")

    def add_arguments(self, parser):
        parser.add_argument("dataset", choices=["demo", "national"])
        parser.add_argument("--workers", type=int, default=None,
                            help="how many workers to register (default 300 for demo, 3,000,000 for national)")
        parser.add_argument("--applications", type=int, default=None,
                            help="national: how many of the workers apply (default a third of them)")
        parser.add_argument("--fresh", action="store_true",
                            help="national: empty the database first (every table, every row)")

    def handle(self, *args, dataset, workers, applications, fresh, **options):
        workers = workers if workers is not None else {"demo": 300, "national": 3_000_000}[dataset]
        if workers < 1:
            raise CommandError("--workers must be at least 1.")
        if dataset == "national":
            self._national(workers, applications, fresh)
            return
        if demo.already_seeded():
            self.stdout.write(
                f"This database already has a union tree ({demo.NATIONAL_CODE}): nothing changed. If it is the demo, "
                f"log in as {', '.join(demo.DEMO_LOGINS)} with password {demo.PASSWORD}."
            )
            return
        taken = get_user_model().objects.filter(username__in=demo.DEMO_USERNAMES).values_list("username", flat=True)
        if taken:
            raise CommandError(f"These demo usernames are already taken: {', '.join(taken)}. Nothing changed.")
        started = time.monotonic()
        try:
            result = demo.build(workers=workers, progress=lambda step: self.stdout.write(f"… {step}"))
        except ValidationError as exc:
            raise CommandError(f"The demo could not be built, nothing changed: {exc}") from exc
        self._count_figures()
        self.stdout.write(self.style.SUCCESS(
            f"Demo built in {time.monotonic() - started:.1f} s: {result.organisations} organisations, "
            f"{result.enterprises} enterprises, {result.workers} workers, {result.applications} applications."
        ))
        self._print_logins(result.logins)

    def _national(self, workers: int, applications: int | None, fresh: bool) -> None:
        if applications is not None and not 0 <= applications <= workers:
            raise CommandError("--applications must be between 0 and --workers (a worker applies once here).")
        if fresh:
            call_command("flush", interactive=False, verbosity=0)
        elif Organisation.objects.exists() or get_user_model().objects.exists():
            raise CommandError("This database already has data: nothing changed. `yuanmeng seed national --fresh` "
                               "empties it first (every table).")
        result = build_national(workers=workers, applications=applications,
                                progress=lambda step: self.stdout.write(f"… {step}"))
        self._count_figures()
        rows = result.workers + result.applications + result.events
        self.stdout.write(self.style.SUCCESS(
            f"National data set built in {result.seconds:.1f} s: {result.organisations:,} organisations, "
            f"{result.enterprises:,} enterprises, {result.workers:,} workers, {result.applications:,} applications, "
            f"{result.events:,} history rows ({rows / result.seconds:,.0f} rows/s overall). Logins: "
            f"{demo.SUPERUSER}, {', '.join(NATIONAL_LOGINS)}; password {demo.PASSWORD}."))

    def _count_figures(self) -> None:
        """The stats rollups, so that the first home page and dashboards show figures, not "not counted yet"."""
        self.stdout.write("… the figures of the dashboards and home pages (stats refresh)")
        stats_refresh()

    def _print_logins(self, logins):
        self.stdout.write("Every district and industry union also has a reviewer_<code> login (reviewer_hz, "
                          "reviewer_wlkd…), every enterprise union an officerNN login and every school a "
                          "school_<code> login (school_gzhu…), same password.")
        self.stdout.write("")
        self.stdout.write(f"{'login':<20}{'password':<22}{'role':<20}organisation")
        for login in logins:
            self.stdout.write(f"{login.username:<20}{demo.PASSWORD:<22}{login.role:<20}{login.organisation}")

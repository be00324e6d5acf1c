import time

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from yuanmeng.demo import build as demo


class Command(BaseCommand):
    help = "Demo data: `yuanmeng seed demo` builds a believable Guangzhou with one login per role."

    def add_arguments(self, parser):
        parser.add_argument("dataset", choices=["demo"])
        parser.add_argument("--workers", type=int, default=300, help="how many workers to register (default 300)")

    def handle(self, *args, dataset, workers, **options):
        if workers < 1:
            raise CommandError("--workers must be at least 1.")
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
        self.stdout.write(self.style.SUCCESS(
            f"Demo built in {time.monotonic() - started:.1f} s: {result.organisations} organisations, "
            f"{result.enterprises} enterprises, {result.workers} workers, {result.applications} applications."
        ))
        self._print_logins(result.logins)

    def _print_logins(self, logins):
        self.stdout.write("Every district and industry union also has a reviewer_<code> login (reviewer_hz, "
                          "reviewer_wlkd…), every enterprise union an officerNN login and every school a "
                          "school_<code> login (school_gzhu…), same password.")
        self.stdout.write("")
        self.stdout.write(f"{'login':<20}{'password':<22}{'role':<20}organisation")
        for login in logins:
            self.stdout.write(f"{login.username:<20}{demo.PASSWORD:<22}{login.role:<20}{login.organisation}")

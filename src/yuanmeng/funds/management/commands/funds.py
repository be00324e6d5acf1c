import json

from django.core.management.base import BaseCommand, CommandError

from yuanmeng.funds.services import funds_verify


class Command(BaseCommand):
    help = "`yuanmeng funds verify`: every budget's totals re-derived from its ledger and compared."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, action, **options):
        result = funds_verify()
        if options["json"]:
            self.stdout.write(json.dumps({"ok": result.ok, "budgets": result.budgets, "problems": result.problems}))
        elif result.ok:
            self.stdout.write(self.style.SUCCESS(f"ledger and totals agree for {result.budgets} budgets"))
        if not result.ok:
            raise CommandError("; ".join(result.problems))

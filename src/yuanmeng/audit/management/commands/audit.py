import json

from django.core.management.base import BaseCommand, CommandError

from yuanmeng.audit.services import audit_check_run


class Command(BaseCommand):
    help = "Audit trail tools. `yuanmeng audit verify` checks the hash chain end to end."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args, action, **options):
        result = audit_check_run()
        if options["json"]:
            self.stdout.write(json.dumps({"ok": result.ok, "checked": result.checked, "problems": result.problems}))
        elif result.ok:
            self.stdout.write(self.style.SUCCESS(f"audit trail intact: {result.checked} entries verified"))
        if not result.ok:
            if not options["json"]:
                for problem in result.problems:
                    self.stderr.write(problem)
            raise CommandError(f"audit trail broken: {len(result.problems)} problem(s) in {result.checked} entries")

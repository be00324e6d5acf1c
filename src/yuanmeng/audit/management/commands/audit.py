import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from yuanmeng.audit.services import AnchorRefused, audit_anchor, audit_check_run


class Command(BaseCommand):
    help = (
        "Audit trail tools. `yuanmeng audit verify` checks the keyed hash chain end to end and against the last "
        "anchor, then anchors the head; `yuanmeng audit anchor` (from cron) writes the head to the anchor file."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "anchor"])
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args, action, **options):
        if action == "anchor":
            self._anchor()
        else:
            self._verify(as_json=options["json"])

    def _anchor(self):
        try:
            anchor = audit_anchor(note="anchor")
        except AnchorRefused as exc:
            raise CommandError(f"not anchored: {exc}") from exc
        self.stdout.write(self.style.SUCCESS(
            f"anchored entry {anchor.seq} ({anchor.hash}) at {anchor} in {settings.AUDIT_ANCHOR_FILE}"))

    def _verify(self, *, as_json: bool):
        result = audit_check_run()
        if as_json:
            self.stdout.write(json.dumps({"ok": result.ok, "checked": result.checked, "problems": result.problems}))
        elif result.ok:
            self.stdout.write(self.style.SUCCESS(f"audit trail intact: {result.checked} entries verified"))
        if not result.ok:
            if not as_json:
                for problem in result.problems:
                    self.stderr.write(problem)
            raise CommandError(f"audit trail broken: {len(result.problems)} problem(s) in {result.checked} entries")

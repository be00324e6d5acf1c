from django.core.management.base import BaseCommand

from yuanmeng.notify.services import outbox_send


class Command(BaseCommand):
    help = "`yuanmeng notify send`: send queued messages to workers and staff through NOTIFY_BACKEND."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["send"])
        parser.add_argument("--limit", type=int, default=500)

    def handle(self, *args, action, limit, **options):
        result = outbox_send(limit=limit)
        self.stdout.write(f"sent {result.sent}, undeliverable {result.undeliverable}, failed {result.failed}")

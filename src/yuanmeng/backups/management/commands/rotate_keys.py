from django.core.management.base import BaseCommand

from yuanmeng.backups.services import encryption_keys_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypt identity and bank numbers under the first key of YUANMENG_FIELD_KEYS. "
        "Put the new key first, keep the old ones after it, run this, then drop the old keys. "
        "(Audit keys need no run: put a new key first in YUANMENG_AUDIT_KEYS and keep the old ones for ever.)"
    )

    def handle(self, *args, **options):
        rows = encryption_keys_rotate()
        self.stdout.write(self.style.SUCCESS(f"re-encrypted {rows} rows under the current primary key"))

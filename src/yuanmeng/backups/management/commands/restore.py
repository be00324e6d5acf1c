from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from yuanmeng.backups.services import BackupError, backup_restore


class Command(BaseCommand):
    help = ("Restore a folder written by `yuanmeng backup` into an empty database and the uploads folder, with "
            "the keys it was written with already configured; checks every table, file, key and the audit chain. "
            "A backup of an older version is migrated to this one; one of a newer version is refused.")
    # The keys check refuses to start on data the keys cannot read; before a restore there is none to read, and
    # after it the restore itself checks (a damaged database must still be replaceable).
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path, help="the backup folder")
        parser.add_argument("--replace", action="store_true", help="restore over a database that holds data")

    def handle(self, *args, source: Path, replace: bool, **options):
        try:
            manifest = backup_restore(source=source, replace=replace)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(
            f"restored the backup of {manifest['made_at']}: {sum(manifest['rows'].values())} rows, "
            f"{manifest['uploads']['files']} uploaded files, {manifest['audit_head']['seq']} audit entries verified; "
            + ("migrated to this version; " if manifest["migrated"] else "")
            + "the restore is recorded in the audit trail and its anchor file."))

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from yuanmeng.backups.services import BackupError, backup_make, keys_notice


class Command(BaseCommand):
    help = ("Back up the database (SQLite online backup or pg_dump) and the uploaded documents into a new folder "
            "DEST. The keys are never written into it: the command says which ones to keep, and where they are.")

    def add_arguments(self, parser):
        parser.add_argument("dest", type=Path, help="a new (or empty) folder")

    def handle(self, *args, dest: Path, **options):
        try:
            manifest = backup_make(dest=dest)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(
            f"backed up {sum(manifest['rows'].values())} rows, {manifest['uploads']['files']} uploaded files and "
            f"{manifest['audit_head']['seq']} audit entries into {dest}"))
        for line in keys_notice(manifest):
            self.stdout.write(self.style.WARNING(line))

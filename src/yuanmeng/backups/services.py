"""Backup and restore: the database and the uploaded documents, into one folder; never the keys. And the rotation
of the field encryption keys over every app's tables (``encryption_keys_rotate``, at the end).

A backup folder (0700, files 0600) holds:

- ``database.sqlite3``: SQLite's online backup API, a consistent copy taken while the application runs; or
  ``database.pgdump``: ``pg_dump --format=custom`` of a snapshot exported from a repeatable-read transaction, so
  that the row counts written beside it are of the same moment;
- ``uploads.tar.gz``: what is under MEDIA_ROOT except the task files (kept imports, rows to fix, exports, payment
  files), which hold personal numbers in clear and are deleted after their time anyway;
- ``manifest.json``: when, the database kind, the SHA-256 of both files, the rows of every table, the migrations
  applied, the audit chain's head and the fingerprints of the keys the data needs.

The keys are never written into it: a stolen backup reveals no identity or bank number and cannot be re-signed.
Django's dumpdata/loaddata is not used: it writes encrypted fields decrypted (clear numbers in the backup).
"""

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import DatabaseError, connection, models, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from yuanmeng.audit.anchors import anchor_append
from yuanmeng.audit.chain import GENESIS_HASH, configured_keys
from yuanmeng.audit.checks import unreadable_data
from yuanmeng.audit.models import AuditEntry
from yuanmeng.audit.services import audit_record, audit_verify
from yuanmeng.core.crypto import encrypted_fields, file_sha256, key_fingerprint

DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
UPLOADS = "uploads.tar.gz"
MANIFEST = "manifest.json"
TASK_FOLDERS = {"imports", "import-reports", "exports", "payment-files"}


class BackupError(Exception):
    pass


# ---- what a backup records ------------------------------------------------------------------------------

def _tables() -> list[str]:
    """The tables of this version that the database has (one not migrated to this version lacks some)."""
    return sorted({model._meta.db_table for model in apps.get_models(include_auto_created=True)
                   if model._meta.managed and not model._meta.proxy} & set(connection.introspection.table_names()))


def _facts(cursor, tables: list[str]) -> dict:
    """Rows of these tables, the migrations applied, the audit head and the audit keys used, read through a DB-API
    cursor."""
    rows = {}
    for table in tables:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        rows[table] = cursor.fetchone()[0]
    cursor.execute(f'SELECT app, name FROM "{MigrationRecorder.Migration._meta.db_table}" ORDER BY app, name')
    migrations = [f"{app}.{name}" for app, name in cursor.fetchall()]
    entries = AuditEntry._meta.db_table
    cursor.execute(f'SELECT seq, hash FROM "{entries}" ORDER BY seq DESC LIMIT 1')
    seq, head = cursor.fetchone() or (0, GENESIS_HASH)
    cursor.execute(f'SELECT DISTINCT key_id FROM "{entries}" ORDER BY key_id')
    return {"rows": rows, "migrations": migrations, "audit_head": {"seq": seq, "hash": head},
            "audit_keys": [key_id for (key_id,) in cursor.fetchall()]}


def _code_migrations() -> set[str]:
    return {f"{app}.{name}" for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations}


def _keys_needed(audit_keys: list[str]) -> dict:
    return {"field": [key_fingerprint(key) for key in settings.FIELD_ENCRYPTION_KEYS],
            "index": key_fingerprint(settings.BLIND_INDEX_KEY), "audit": audit_keys}


def _missing_keys(needed: dict) -> list[str]:
    configured = {key_fingerprint(key) for key in settings.FIELD_ENCRYPTION_KEYS}
    missing = [f"YUANMENG_FIELD_KEYS: key {fp}" for fp in needed["field"] if fp not in configured]
    if needed["index"] != key_fingerprint(settings.BLIND_INDEX_KEY):
        missing.append(f"YUANMENG_INDEX_KEY: key {needed['index']}")
    missing += [f"YUANMENG_AUDIT_KEYS: key id {kid}" for kid in needed["audit"] if kid not in configured_keys()]
    return missing


def keys_notice(manifest: dict) -> list[str]:
    """What the operator must keep apart from the backup, and where those keys are now."""
    def source(name: str) -> str:
        return "the environment" if os.environ.get(name) else str(Path(settings.VAR_DIR) / "dev-secrets.json")

    keys = manifest["keys"]
    audit_ids = ", ".join(keys["audit"]) or "none yet"
    return [
        "The keys are NOT in this backup. Without them its identity and bank numbers cannot be read and its audit "
        "trail cannot be verified. Keep them apart from it (a password safe, another machine) as long as it is kept:",
        f"  YUANMENG_FIELD_KEYS (keys {', '.join(keys['field'])}), from {source('YUANMENG_FIELD_KEYS')}",
        f"  YUANMENG_INDEX_KEY (key {keys['index']}), from {source('YUANMENG_INDEX_KEY')}",
        f"  YUANMENG_AUDIT_KEYS (key ids {audit_ids}), from {source('YUANMENG_AUDIT_KEYS')}",
        f"  SECRET_KEY (sessions and signed links), from {source('SECRET_KEY')}",
        f"Keep copies of the audit anchor file {settings.AUDIT_ANCHOR_FILE} apart from the database too.",
    ]


# ---- database -------------------------------------------------------------------------------------------

def _pg_command(tool: str, *args: str) -> tuple[list[str], dict]:
    path = shutil.which(tool)
    if path is None:
        raise BackupError(f"{tool} is not on PATH: install the PostgreSQL client of the server's version")
    db = connection.settings_dict
    options = [f"--{name}={db[key]}" for name, key in (("host", "HOST"), ("port", "PORT"), ("username", "USER"))
               if db.get(key)]
    env = {**os.environ, **({"PGPASSWORD": db["PASSWORD"]} if db.get("PASSWORD") else {})}
    return [path, *options, f"--dbname={db['NAME']}", *args], env


def _run(command: tuple[list[str], dict]) -> None:
    args, env = command
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise BackupError(f"{Path(args[0]).name} failed: {done.stderr.strip()[-2000:]}")


def _sqlite_dump(target: Path) -> dict:
    connection.ensure_connection()
    with closing(sqlite3.connect(target)) as copy:
        connection.connection.backup(copy)
        return _facts(copy.cursor(), _tables())


def _postgres_dump(target: Path) -> dict:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        _run(_pg_command("pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={target}"))
        return _facts(cursor, _tables())


def _sqlite_load(source: Path) -> None:
    connection.ensure_connection()
    with closing(sqlite3.connect(source)) as backup:
        backup.backup(connection.connection)


def _postgres_load(source: Path) -> None:
    connection.close()
    _run(_pg_command("pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
                     "--single-transaction", "--exit-on-error", str(source)))


DUMP = {"sqlite": _sqlite_dump, "postgresql": _postgres_dump}
LOAD = {"sqlite": _sqlite_load, "postgresql": _postgres_load}


# ---- uploads --------------------------------------------------------------------------------------------

def _uploads_dump(target: Path) -> int:
    root = Path(settings.MEDIA_ROOT)
    with tarfile.open(target, "w:gz") as archive:
        for child in sorted(root.iterdir()) if root.is_dir() else []:
            if child.name not in TASK_FOLDERS:
                archive.add(child, arcname=child.name)
        return sum(member.isfile() for member in archive.getmembers())


def _uploads_load(source: Path) -> None:
    root = Path(settings.MEDIA_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(source, "r:gz") as archive:
        archive.extractall(root, filter="data")


def _missing_files() -> list[str]:
    """Every stored file that a row names (documents, diploma scans…) and that is not on disk."""
    missing = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                for name in model._default_manager.exclude(**{field.name: ""}).values_list(field.name, flat=True):
                    if not field.storage.exists(name):
                        missing.append(f"{model._meta.label}.{field.name}: {name} is missing")
    return missing


# ---- the two operations ---------------------------------------------------------------------------------

def _private(path: Path) -> None:
    path.chmod(0o600)


def backup_make(*, dest: Path) -> dict:
    """Write a backup folder at ``dest`` (which must not exist, or be empty); return its manifest."""
    kind = connection.vendor
    if kind not in DUMP:
        raise BackupError(f"backups of {kind} databases are not supported")
    if dest.exists() and any(dest.iterdir()):
        raise BackupError(f"{dest} is not empty: give a new folder")
    dest.mkdir(mode=0o700, parents=True, exist_ok=True)
    dest.chmod(0o700)
    database = dest / DATABASE_FILES[kind]
    facts = DUMP[kind](database)
    files = _uploads_dump(dest / UPLOADS)
    manifest = {
        "made_at": datetime.now(UTC).isoformat(),
        "database": {"kind": kind, "file": database.name},
        "uploads": {"file": UPLOADS, "files": files},
        "sha256": {},
        "rows": facts["rows"],
        "migrations": facts["migrations"],
        "audit_head": facts["audit_head"],
        "keys": _keys_needed(facts["audit_keys"]),
    }
    for path in (database, dest / UPLOADS):
        _private(path)
        with path.open("rb") as file:
            manifest["sha256"][path.name] = file_sha256(file)
    (dest / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
    _private(dest / MANIFEST)
    return manifest


def _read_manifest(source: Path) -> dict:
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"{source / MANIFEST} cannot be read: is {source} a backup folder?") from exc
    for name, digest in manifest["sha256"].items():
        path = source / name
        if not path.is_file():
            raise BackupError(f"{path} is missing from the backup")
        with path.open("rb") as file:
            if file_sha256(file) != digest:
                raise BackupError(f"{path} is damaged: its SHA-256 differs from the manifest's")
    return manifest


def _holds_data() -> bool:
    try:
        return AuditEntry.objects.exists()
    except DatabaseError:  # not migrated: empty
        return False


def _copy_problems(manifest: dict) -> list[str]:
    """Whether the database holds what the backup recorded: the rows of the backup's tables, its audit head."""
    with connection.cursor() as cursor:
        facts = _facts(cursor, list(manifest["rows"]))
    problems = [f"table {table}: {facts['rows'][table]} rows, the backup had {rows}"
                for table, rows in manifest["rows"].items() if facts["rows"][table] != rows]
    if facts["audit_head"] != manifest["audit_head"]:
        problems.append(f"the audit head is {facts['audit_head']}, the backup had {manifest['audit_head']}")
    return problems


def _refuse_newer(manifest: dict) -> None:
    if unknown := sorted(set(manifest["migrations"]) - _code_migrations()):
        raise BackupError(f"this backup comes from a newer version of Yuanmeng than this one (its migrations "
                          f"{', '.join(unknown[:5])} are unknown here): install that version or a later one, "
                          "then restore")


def backup_restore(*, source: Path, replace: bool = False) -> dict:
    """Restore a backup folder into this database and MEDIA_ROOT, check that everything came back, migrate a backup
    of an older version to this one (refuse one of a newer version), check that it can be read with the configured
    keys, then record the restore in the audit trail and its anchor file. Returns the manifest, and whether it
    migrated."""
    manifest = _read_manifest(source)
    kind = manifest["database"]["kind"]
    if kind != connection.vendor:
        raise BackupError(f"this backup is of a {kind} database, DATABASE_URL points at {connection.vendor}")
    if missing := _missing_keys(manifest["keys"]):
        raise BackupError("this backup needs keys that are not configured: " + "; ".join(missing)
                          + ". Set them (environment or var/dev-secrets.json) from where you kept them.")
    _refuse_newer(manifest)
    if _holds_data() and not replace:
        raise BackupError("the database already holds data: restore into an empty one, or pass --replace")
    LOAD[kind](source / manifest["database"]["file"])
    ContentType.objects.clear_cache()
    _uploads_load(source / UPLOADS)
    if problems := _copy_problems(manifest):
        raise BackupError("restored, but it does not check out: " + "; ".join(problems[:20]))
    if migrated := bool(_code_migrations() - set(manifest["migrations"])):  # an older backup: to this version
        call_command("migrate", interactive=False, verbosity=0)
    if problems := audit_verify(anchored=False).problems + unreadable_data() + _missing_files():
        raise BackupError("restored, but it does not check out: " + "; ".join(problems[:20]))
    with transaction.atomic():
        entry = audit_record(actor=None, action="system.restore", object_type="backup", object_id=manifest["made_at"],
                             object_label=f"backup of {manifest['made_at']}",
                             after={"entries": manifest["audit_head"]["seq"], "files": manifest["uploads"]["files"]})
    anchor_append(seq=entry.seq, hash=entry.hash, note=f"restore of the backup of {manifest['made_at']}")
    return {**manifest, "migrated": migrated}


# ---- key rotation: every encrypted value re-encrypted under the current primary key ----------------------------

ROTATION_CHUNK = 2000


def _rotate_chunk(model, names: list[str], rows: list[tuple]) -> None:
    for pk, *values in rows:
        model._default_manager.filter(pk=pk).update(**dict(zip(names, values, strict=True)))


def encryption_keys_rotate(*, by=None) -> int:
    """Re-encrypt every encrypted value under the current primary key, chunk by chunk.

    Reading decrypts with whichever configured key matches; writing encrypts with the first.
    Chunks commit separately so that a long rotation neither holds locks nor starts over.
    """
    total = 0
    for model, names in encrypted_fields():
        last_pk = 0
        while True:
            with transaction.atomic():
                chunk = model._default_manager.select_for_update().filter(pk__gt=last_pk).order_by("pk")
                rows = list(chunk.values_list("pk", *names)[:ROTATION_CHUNK])  # locked: no edit slips in between
                _rotate_chunk(model, names, rows)
            if not rows:
                break
            total += len(rows)
            last_pk = rows[-1][0]
    with transaction.atomic():
        audit_record(actor=by, action="keys.rotate", object_type="encryption", object_id="fields",
                     object_label="field encryption keys", after={"rows": total})
    return total

"""`yuanmeng backup` / `yuanmeng restore`: a seeded database and its documents come back whole into an empty one,
readable with the keys kept apart, its audit chain verifying; a restore without the keys is refused."""

import hashlib
import json
import shutil
import stat

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command

from yuanmeng.applications.models import Application, Document
from yuanmeng.audit.anchors import last_anchor
from yuanmeng.audit.models import AuditEntry
from yuanmeng.audit.services import audit_verify
from yuanmeng.core.crypto import key_fingerprint
from yuanmeng.funds.models import LedgerEntry
from yuanmeng.payouts.models import LotteryDraw
from yuanmeng.people.models import Worker

pytestmark = pytest.mark.django_db(transaction=True)


def contents() -> dict:
    """What must come back: workers decrypted, applications, ledger entries, audit entries, document files."""
    return {
        "workers": sorted((w.pk, w.name, w.id_number, w.bank_account) for w in Worker.objects.all()),
        "applications": sorted(Application.objects.values_list("pk", "state", "version")),
        "ledger": sorted(LedgerEntry.objects.values_list("pk", "kind", "amount_fen")),
        "audit": list(AuditEntry.objects.order_by("seq").values_list("seq", "hash")),
        "documents": {d.pk: hashlib.sha256(d.file.open("rb").read()).hexdigest() for d in Document.objects.all()},
    }


def empty_out(settings) -> None:
    call_command("flush", "--no-input")
    shutil.rmtree(settings.MEDIA_ROOT)


def test_a_seeded_database_comes_back_whole_into_an_empty_one(tmp_path, settings, capsys):
    call_command("seed", "demo", "--workers", "40")
    before = contents()
    assert all(before.values()) and len(before["documents"]) > 10
    folder = tmp_path / "backup"

    call_command("backup", str(folder))

    out = capsys.readouterr().out
    assert "keys are NOT in this backup" in out and key_fingerprint(settings.FIELD_ENCRYPTION_KEYS[0]) in out
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert {stat.S_IMODE(path.stat().st_mode) for path in folder.iterdir()} == {0o600}
    keys = [*settings.FIELD_ENCRYPTION_KEYS, settings.BLIND_INDEX_KEY, *settings.AUDIT_KEYS]
    for path in folder.iterdir():
        assert not any(key.encode() in path.read_bytes() for key in keys), path
    empty_out(settings)
    assert not Worker.objects.exists()

    call_command("restore", str(folder))

    after = contents()
    restore_entry = after["audit"].pop()
    assert after == before
    assert AuditEntry.objects.get(seq=restore_entry[0]).action == "system.restore"
    assert audit_verify().ok and last_anchor().seq == restore_entry[0]


@pytest.fixture
def backup(tree, tmp_path, people, policy):
    tree.apply(people.worker, policy)
    call_command("backup", str(tmp_path / "backup"))
    return tmp_path / "backup"


def test_a_restore_without_the_keys_is_refused_before_anything_is_touched(backup, settings):
    empty_out(settings)
    needed = key_fingerprint(settings.FIELD_ENCRYPTION_KEYS[0])
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]  # fresh keys, as a bare machine would make
    with pytest.raises(CommandError, match=f"needs keys that are not configured: YUANMENG_FIELD_KEYS: key {needed}"):
        call_command("restore", str(backup))
    assert not AuditEntry.objects.exists()


def test_a_restore_over_data_or_from_a_damaged_backup_is_refused(backup, settings):
    with pytest.raises(CommandError, match="already holds data"):
        call_command("restore", str(backup))
    empty_out(settings)
    with (backup / "uploads.tar.gz").open("ab") as file:
        file.write(b"x")
    with pytest.raises(CommandError, match="uploads.tar.gz is damaged"):
        call_command("restore", str(backup))


def test_a_backup_goes_into_a_new_folder_only(backup):
    with pytest.raises(CommandError, match="is not empty"):
        call_command("backup", str(backup))


def test_a_backup_of_an_older_version_is_restored_and_migrated(tree, people, policy, tmp_path, settings, capsys):
    tree.apply(people.worker, policy)
    before = contents()
    call_command("migrate", "payouts", "0002", verbosity=0)  # the version before the lottery's tables
    try:
        call_command("backup", str(tmp_path / "backup"))
        manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
        assert LotteryDraw._meta.db_table not in manifest["rows"]
        empty_out(settings)  # the database restored into is empty (not migrated: docs/security.md)

        call_command("restore", str(tmp_path / "backup"))
    finally:
        call_command("migrate", verbosity=0)

    assert "migrated to this version" in capsys.readouterr().out
    after = contents()
    assert after["audit"].pop()[0] == AuditEntry.objects.get(action="system.restore").seq
    assert after == before and not LotteryDraw.objects.exists()
    assert audit_verify().ok


def test_a_backup_of_a_newer_version_is_refused(backup, tmp_path, settings):
    manifest_file = backup / "manifest.json"
    manifest = json.loads(manifest_file.read_text())
    manifest["migrations"].append("payouts.9999_from_a_later_version")
    manifest_file.write_text(json.dumps(manifest))
    empty_out(settings)
    with pytest.raises(CommandError, match="newer version of Yuanmeng than this one .*payouts.9999_from_a_later"):
        call_command("restore", str(backup))
    assert not AuditEntry.objects.exists()

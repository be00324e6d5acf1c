"""Key the audit chain: every entry gets the id of the key that signed it, and the existing (plain SHA-256)
chain is checked and re-signed with the current audit key, in one transaction (decision 0005).

A chain that does not verify as it stands is not re-signed: that would bless the damage. The migration stops
and names the first bad entry; restore the database from a backup taken before the damage.
"""

from django.db import migrations, models

from yuanmeng.audit.anchors import anchor_append
from yuanmeng.audit.chain import GENESIS_HASH, entry_content, legacy_hash, signed_hash, signing_key_id

CHUNK = 2000


class LegacyChainBroken(RuntimeError):
    pass


def _legacy_problem(entry, expected_seq: int, prev_hash: str) -> str | None:
    if entry.seq != expected_seq:
        return f"entries {expected_seq}–{entry.seq - 1} are missing"
    if entry.prev_hash != prev_hash:
        return f"entry {entry.seq} does not follow on from the entry before it"
    if legacy_hash(entry_content(entry)) != entry.hash:
        return f"entry {entry.seq}: content does not match its hash (edited)"
    return None


def resign(apps, schema_editor):
    entries, heads = apps.get_model("audit", "AuditEntry"), apps.get_model("audit", "AuditHead")
    key = signing_key_id()
    legacy_prev, signed_prev, seq = GENESIS_HASH, GENESIS_HASH, 0
    while chunk := list(entries.objects.filter(seq__gt=seq).order_by("seq")[:CHUNK]):
        for entry in chunk:
            if problem := _legacy_problem(entry, seq + 1, legacy_prev):
                raise LegacyChainBroken(f"The audit chain cannot be keyed: {problem}. Restore a backup from before.")
            legacy_prev, seq = entry.hash, entry.seq
            entry.prev_hash, entry.key_id = signed_prev, key
            signed_prev = signed_hash(entry_content(entry), key)
            entries.objects.filter(pk=entry.pk).update(prev_hash=entry.prev_hash, hash=signed_prev, key_id=key)
    head = heads.objects.filter(pk=1).first()
    if head and (head.seq, head.hash) != (seq, legacy_prev):
        raise LegacyChainBroken(f"The audit chain cannot be keyed: its newest entry is {seq} but the head says "
                                f"{head.seq}. Restore a backup from before.")
    heads.objects.filter(pk=1).update(hash=signed_prev)
    if seq:
        anchor_append(seq=seq, hash=signed_prev, note=f"keyed; the unkeyed head was {legacy_prev}")


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_audit_check")]

    operations = [
        migrations.AddField(
            model_name="auditentry", name="key_id", field=models.CharField(default="", max_length=16),
            preserve_default=False,
        ),
        migrations.RunPython(resign, migrations.RunPython.noop),
    ]

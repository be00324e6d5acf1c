"""The chain is keyed (HMAC under a key outside the database) and anchored (head written outside the database):
a database administrator can neither cut off the newest entries nor rewrite and re-hash the chain unnoticed."""

import hashlib
import hmac
import importlib
import json
import os
import stat
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from yuanmeng.audit.anchors import anchor_on, anchors, last_anchor
from yuanmeng.audit.chain import GENESIS_HASH, canonical, entry_content, key_id, legacy_hash
from yuanmeng.audit.models import AuditCheck, AuditEntry
from yuanmeng.audit.services import AnchorRefused, audit_anchor, audit_verify

pytestmark = pytest.mark.django_db

OLD_KEY, NEW_KEY, ATTACKER_KEY = "a1" * 32, "b2" * 32, "c3" * 32
keyed_chain = importlib.import_module("yuanmeng.audit.migrations.0004_keyed_chain")


def raw(sql: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def rewrite_from(seq: int, make_hash, *, signed_by: str = "") -> None:
    """What an attacker's script does: re-link and re-hash every entry from ``seq`` on, then move the head."""
    prev = AuditEntry.objects.get(seq=seq - 1).hash if seq > 1 else GENESIS_HASH
    for entry in AuditEntry.objects.filter(seq__gte=seq).order_by("seq"):
        entry.prev_hash, entry.key_id = prev, signed_by
        prev = make_hash(entry_content(entry), signed_by)
        raw("UPDATE audit_auditentry SET actor_label = %s, prev_hash = %s, hash = %s, key_id = %s WHERE id = %s",
            [entry.actor_label, entry.prev_hash, prev, signed_by, entry.pk])
    raw("UPDATE audit_audithead SET seq = (SELECT MAX(seq) FROM audit_auditentry), hash = %s", [prev])


def plain_sha256(content: dict, signed_by: str) -> str:
    return legacy_hash(content)


def hmac_under(key: str):
    return lambda content, signed_by: hmac.new(key.encode(), canonical({**content, "key_id": signed_by}),
                                               hashlib.sha256).hexdigest()


def edit_actor(seq: int) -> None:
    raw("UPDATE audit_auditentry SET actor_label = %s WHERE seq = %s", ["someone else", seq])


def test_cutting_off_the_newest_entries_and_moving_the_head_back_fails(tree):
    call_command("audit", "verify")  # anchors the head
    anchored = last_anchor().seq
    tree.worker()
    keep = anchored - 2
    newest = AuditEntry.objects.order_by("-seq").first()
    raw("DELETE FROM audit_auditentry WHERE seq > %s", [keep])
    raw("UPDATE audit_audithead SET seq = %s, hash = %s", [keep, AuditEntry.objects.get(seq=keep).hash])
    result = audit_verify()
    assert not result.ok and newest.seq > anchored
    assert any(f"ends at entry {keep} but the anchor" in p and f"recorded {anchored}" in p for p in result.problems)
    with pytest.raises(CommandError, match="audit trail broken"):
        call_command("audit", "verify")
    with pytest.raises(AnchorRefused, match="entries removed at the end"):
        audit_anchor()  # cron does not anchor the shortened chain either


@pytest.mark.parametrize("make_hash, signed_by", [
    (plain_sha256, ""),  # the 20-line script against the old, unkeyed chain
    (hmac_under(ATTACKER_KEY), key_id(ATTACKER_KEY)),  # HMAC under a key of the attacker's own
    (hmac_under(ATTACKER_KEY), "current"),  # ... claiming to be the configured key's id
])
def test_editing_an_entry_and_recomputing_every_later_hash_fails(tree, settings, make_hash, signed_by):
    tree.worker()
    signed_by = key_id(settings.AUDIT_KEYS[0]) if signed_by == "current" else signed_by
    edit_actor(3)
    rewrite_from(3, make_hash, signed_by=signed_by)
    problems = audit_verify().problems
    assert "entry 3: content does not match its hash (edited)" in problems or \
        "entry 3: signed with audit key (none), which is not configured" in problems or \
        f"entry 3: signed with audit key {signed_by}, which is not configured" in problems


def test_rewriting_with_the_key_itself_still_differs_from_the_anchor(tree, settings):
    tree.worker()
    call_command("audit", "verify")
    edit_actor(2)
    current = settings.AUDIT_KEYS[0]  # the thief holds the key too
    rewrite_from(2, hmac_under(current), signed_by=key_id(current))
    problems = audit_verify().problems
    assert len(problems) == 1 and "differs from the anchor" in problems[0]


def test_entries_name_the_key_that_signed_them_and_a_rotated_key_still_verifies_old_ones(tree, settings):
    first_key = settings.AUDIT_KEYS[0]  # signed the tree's entries
    settings.AUDIT_KEYS = [OLD_KEY, first_key]
    first_old = AuditEntry.objects.count() + 1
    tree.worker()
    last_old = AuditEntry.objects.count()
    settings.AUDIT_KEYS = [NEW_KEY, OLD_KEY, first_key]  # rotated: the new key first, the old ones kept to verify
    tree.worker()
    signers = dict(AuditEntry.objects.values_list("seq", "key_id"))
    assert signers[first_old] == signers[last_old] == key_id(OLD_KEY) and signers[last_old + 1] == key_id(NEW_KEY)
    assert audit_verify().ok
    settings.AUDIT_KEYS = [NEW_KEY, first_key]  # the old key dropped: its entries cannot be verified
    unknown = f"entry {first_old}: signed with audit key {key_id(OLD_KEY)}, which is not configured"
    assert audit_verify().problems[0] == unknown


def _make_legacy() -> str:
    """Turn the chain into what the code before keying wrote: plain SHA-256, no key id."""
    rewrite_from(1, plain_sha256)
    return AuditEntry.objects.order_by("-seq").first().hash


def test_a_chain_written_before_keying_is_checked_and_re_signed_by_the_migration(tree):
    tree.worker()
    legacy_head = _make_legacy()
    assert not audit_verify().ok
    keyed_chain.resign(apps, connection.schema_editor())
    assert audit_verify().ok
    anchor = last_anchor()
    assert anchor.seq == AuditEntry.objects.count() and legacy_head in anchor.note


def test_a_broken_chain_written_before_keying_is_not_re_signed(tree):
    tree.worker()
    _make_legacy()
    edit_actor(4)
    with pytest.raises(keyed_chain.LegacyChainBroken, match="entry 4: content does not match"):
        keyed_chain.resign(apps, connection.schema_editor())


def test_the_anchor_file_is_append_only_private_and_answers_by_date(tree, settings):
    call_command("audit", "verify")
    tree.worker()
    call_command("audit", "anchor")
    path = settings.AUDIT_ANCHOR_FILE
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    first, second = list(anchors())
    assert (second.seq, second.hash) == tuple(AuditEntry.objects.order_by("-seq").values_list("seq", "hash")[0])
    assert first.seq < second.seq and [json.loads(line)["note"] for line in path.open()] == ["verify", "anchor"]
    today = timezone.localdate()
    assert anchor_on(today) == second
    assert anchor_on(today - timedelta(days=1)) is None


def test_a_damaged_anchor_file_is_a_problem_not_a_pass(tree, settings):
    settings.AUDIT_ANCHOR_FILE.write_text("not json\n")
    assert "damaged at line 1" in audit_verify().problems[0]


@pytest.mark.django_db(transaction=True)
def test_migrating_a_chain_written_before_keying_keeps_it_verifying(settings):
    """The real migration, on rows written by the unkeyed code's model (plain SHA-256, no key id)."""
    from django.db.migrations.executor import MigrationExecutor

    before = [("audit", "0003_audit_check")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        entries, heads = old.get_model("audit", "AuditEntry"), old.get_model("audit", "AuditHead")
        prev = GENESIS_HASH
        for seq in (1, 2, 3):
            entry = entries(seq=seq, at=timezone.now(), actor_label="system", action="worker.update",
                            object_type="people.worker", object_id=str(seq), after={"name": f"名{seq}"},
                            prev_hash=prev)
            entry.actor_id = entry.organisation_id = None
            entry.hash = prev = legacy_hash(entry_content(entry))
            entry.save()
        heads.objects.update_or_create(pk=1, defaults={"seq": 3, "hash": prev})
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    result = audit_verify()
    assert result.ok and result.checked == 3
    assert set(AuditEntry.objects.values_list("key_id", flat=True)) == {key_id(settings.AUDIT_KEYS[0])}


def test_an_anchor_file_that_cannot_be_written_is_reported(tree, settings, tmp_path):
    settings.AUDIT_ANCHOR_FILE = tmp_path / "not-a-folder" / "anchors.jsonl"
    (tmp_path / "not-a-folder").write_text("")
    with pytest.raises(CommandError, match="audit trail broken"):
        call_command("audit", "verify")
    assert "the anchor file cannot be written" in AuditCheck.objects.get().problems[0]

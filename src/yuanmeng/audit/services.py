"""Writing and verifying the audit trail. ``audit_record`` runs inside the caller's transaction."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db import transaction

from yuanmeng.audit.anchors import Anchor, AnchorFileDamaged, anchor_append, last_anchor
from yuanmeng.audit.chain import GENESIS_HASH, hash_problem
from yuanmeng.audit.models import AuditCheck, AuditEntry, AuditHead
from yuanmeng.core.compiled import CompiledInsert, CompiledOnce

SYSTEM_LABEL = "system"


# The chain's head, locked: every audited change reads it, so its query is compiled once (core.compiled).
_HEAD_LOCKED = CompiledOnce(lambda: AuditHead.objects.select_for_update().filter(pk=1))


def _head_for_update() -> AuditHead:
    head = next(iter(_HEAD_LOCKED()), None)
    if head is None:
        AuditHead.objects.get_or_create(pk=1)
        head = AuditHead.objects.select_for_update().get(pk=1)
    return head


def audit_record(*, actor, action: str, obj=None, organisation=None, before=None, after=None,
                 object_type: str | None = None, object_id: str | None = None,
                 object_label: str | None = None) -> AuditEntry:
    """Append one entry. Must be called inside the transaction that makes the change.

    ``before`` and ``after`` hold only what changed, with personal numbers already masked.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction of the change it records")
    head = _head_for_update()
    entry = AuditEntry(
        seq=head.seq + 1,
        at=datetime.now(UTC),
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=str(actor) if getattr(actor, "pk", None) else SYSTEM_LABEL,
        organisation=organisation,
        action=action,
        object_type=object_type or (obj._meta.label_lower if obj is not None else ""),
        object_id=str(object_id if object_id is not None else getattr(obj, "pk", "")),
        object_label=(object_label if object_label is not None else str(obj or ""))[:200],
        before=before,
        after=after,
        prev_hash=head.hash,
    )
    entry.sign()
    _append(entry)
    return entry


# An entry's INSERT, compiled once: every audited change writes one.
_INSERT_ENTRY = CompiledInsert(AuditEntry)


def _append(entry: AuditEntry) -> None:
    """Insert ``entry`` and move the head to it. On PostgreSQL in one statement, the head's UPDATE in the INSERT's
    ``WITH``: every audited change one round trip shorter, and the head, which every change waits for, held that much
    less. The INSERT is the ORM's, compiled once (``CompiledInsert``); the head's UPDATE is written here: compiling it
    took longer than running the statement."""
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":  # SQLite takes no UPDATE inside a WITH
        _INSERT_ENTRY(entry, connection.alias)
        AuditHead.objects.filter(pk=1).update(seq=entry.seq, hash=entry.hash)
        return
    quote = connection.ops.quote_name
    move = (f"UPDATE {quote(AuditHead._meta.db_table)} SET {quote('seq')} = %s, {quote('hash')} = %s "
            f"WHERE {quote('id')} = 1")
    _INSERT_ENTRY(entry, connection.alias, before=(f"WITH moved AS ({move}) ", (entry.seq, entry.hash)))


def changes(before: dict, after: dict) -> tuple[dict, dict]:
    """The keys whose values differ, as (before, after) pairs of dicts."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


@dataclass
class VerifyResult:
    checked: int = 0
    problems: list[str] = field(default_factory=list)
    head: tuple[int, str] = (0, GENESIS_HASH)  # sequence number and hash of the newest entry walked

    @property
    def ok(self) -> bool:
        return not self.problems


def _last_anchor_or_problem(result: VerifyResult) -> Anchor | None:
    try:
        return last_anchor()
    except AnchorFileDamaged as exc:
        result.problems.append(str(exc))
        return None


def _anchor_problem(anchor: Anchor, hash_at_anchor: str | None, newest: int) -> str | None:
    if anchor.seq > newest:
        return (f"the chain ends at entry {newest} but the anchor of {anchor} recorded {anchor.seq}: "
                "entries removed at the end")
    if anchor.seq and hash_at_anchor != anchor.hash:
        return f"entry {anchor.seq} differs from the anchor of {anchor}: the chain was rewritten"
    return None


def audit_verify(*, max_problems: int = 20, anchored: bool = True) -> VerifyResult:
    """Walk the chain in order: every seq present, every keyed hash recomputed, the head matching, the last
    anchor (outside the database) still in the chain — unless ``anchored`` is off (a restore, whose backup is
    older than the last anchor by design)."""
    result = VerifyResult()
    anchor = _last_anchor_or_problem(result) if anchored else None
    expected_seq, prev_hash, hash_at_anchor = 1, GENESIS_HASH, None
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        if entry.seq != expected_seq:
            result.problems.append(f"entries {expected_seq}–{entry.seq - 1} are missing")
        if entry.prev_hash != prev_hash:
            result.problems.append(f"entry {entry.seq}: does not follow on from the entry before it")
        if problem := hash_problem(entry):
            result.problems.append(problem)
        if anchor and entry.seq == anchor.seq:
            hash_at_anchor = entry.hash
        result.checked += 1
        expected_seq, prev_hash = entry.seq + 1, entry.hash
        if len(result.problems) >= max_problems:
            return result
    result.head = (expected_seq - 1, prev_hash)
    head = AuditHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    if (head_seq, head_hash) != result.head:
        result.problems.append(
            f"the newest entry is {expected_seq - 1} but the chain head says {head_seq}: entries removed at the end"
        )
    if anchor and (problem := _anchor_problem(anchor, hash_at_anchor, expected_seq - 1)):
        result.problems.append(problem)
    return result


class AnchorRefused(Exception):
    pass


def audit_anchor(*, note: str = "") -> Anchor:
    """Write the chain's head to the anchor file, after checking it: the head row matches the newest entry,
    whose keyed hash is right, and the last anchor's entry is still in the chain with its hash. The chain is not
    walked (``audit_verify`` does that): an anchor is cheap enough to take every few minutes from cron."""
    result = VerifyResult()
    anchor = _last_anchor_or_problem(result)
    with transaction.atomic():  # the head row locked: no append between reading it and the newest entry
        head = _head_for_update()
        newest = AuditEntry.objects.order_by("-seq").first()
    newest_seq, newest_hash = (newest.seq, newest.hash) if newest else (0, GENESIS_HASH)
    if (head.seq, head.hash) != (newest_seq, newest_hash):
        result.problems.append(f"the newest entry is {newest_seq} but the chain head says {head.seq}")
    if newest and (problem := hash_problem(newest)):
        result.problems.append(problem)
    if anchor:
        at_anchor = AuditEntry.objects.filter(seq=anchor.seq).values_list("hash", flat=True).first()
        if problem := _anchor_problem(anchor, at_anchor, newest_seq):
            result.problems.append(problem)
    if result.problems:
        raise AnchorRefused("; ".join(result.problems))
    return anchor_append(seq=newest_seq, hash=newest_hash, note=note)


CHECK_INTERVAL = timedelta(minutes=10)


def audit_check_due(user) -> bool:
    """The whole national chain is walked at most every 10 minutes from the page; operators any time."""
    latest = AuditCheck.objects.first()
    return user.is_superuser or latest is None or latest.at < datetime.now(UTC) - CHECK_INTERVAL


def audit_check_run(*, by=None) -> AuditCheck:
    """Verify the chain and keep the result, so that readers see the last check without re-walking it.
    An intact chain's head is anchored (outside the database)."""
    result = audit_verify()
    if result.ok:
        try:
            anchor_append(seq=result.head[0], hash=result.head[1], note="verify")
        except OSError as exc:  # the chain is intact, but the operator must know it is no longer anchored
            result.problems.append(f"the anchor file cannot be written: {exc}")
    return AuditCheck.objects.create(by_label=str(by) if by else SYSTEM_LABEL, checked=result.checked,
                                     ok=result.ok, problems=result.problems)

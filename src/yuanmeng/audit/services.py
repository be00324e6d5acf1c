"""Writing and verifying the audit trail. ``audit_record`` runs inside the caller's transaction."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db import transaction

from yuanmeng.audit.models import GENESIS_HASH, AuditCheck, AuditEntry, AuditHead

SYSTEM_LABEL = "system"


def _head_for_update() -> AuditHead:
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
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
    entry.hash = entry.compute_hash()
    entry.save()
    AuditHead.objects.filter(pk=1).update(seq=entry.seq, hash=entry.hash)
    return entry


def changes(before: dict, after: dict) -> tuple[dict, dict]:
    """The keys whose values differ, as (before, after) pairs of dicts."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


@dataclass
class VerifyResult:
    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def audit_verify(*, max_problems: int = 20) -> VerifyResult:
    """Walk the chain in order: every seq present, every hash recomputed, the head matching."""
    result = VerifyResult()
    expected_seq, prev_hash = 1, GENESIS_HASH
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        if entry.seq != expected_seq:
            result.problems.append(f"entries {expected_seq}–{entry.seq - 1} are missing")
        if entry.prev_hash != prev_hash:
            result.problems.append(f"entry {entry.seq}: does not follow on from the entry before it")
        if entry.compute_hash() != entry.hash:
            result.problems.append(f"entry {entry.seq}: content does not match its hash (edited)")
        result.checked += 1
        expected_seq, prev_hash = entry.seq + 1, entry.hash
        if len(result.problems) >= max_problems:
            return result
    head = AuditHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    if (head_seq, head_hash) != (expected_seq - 1, prev_hash):
        result.problems.append(
            f"the newest entry is {expected_seq - 1} but the chain head says {head_seq}: entries removed at the end"
        )
    return result


CHECK_INTERVAL = timedelta(minutes=10)


def audit_check_due(user) -> bool:
    """The whole national chain is walked at most every 10 minutes from the page; operators any time."""
    latest = AuditCheck.objects.first()
    return user.is_superuser or latest is None or latest.at < datetime.now(UTC) - CHECK_INTERVAL


def audit_check_run(*, by=None) -> AuditCheck:
    """Verify the chain and keep the result, so that readers see the last check without re-walking it."""
    result = audit_verify()
    return AuditCheck.objects.create(by_label=str(by) if by else SYSTEM_LABEL, checked=result.checked,
                                     ok=result.ok, problems=result.problems)

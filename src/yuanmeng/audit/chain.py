"""The keyed hash of an audit entry.

Each entry's ``hash`` is an HMAC-SHA256, under one of ``settings.AUDIT_KEYS``, of its content and the hash of
the entry before it; the entry names the key by ``key_id``. The keys live outside the database, so whoever
administers the database can delete or edit entries but cannot recompute hashes that verify.

Keys rotate like the field keys: the first signs, every configured key verifies. A key's id is derived from
the key itself (an HMAC of a fixed label), so operators name nothing and the id reveals nothing of the key.

Entries written before the chain was keyed held a plain SHA-256 (``legacy_hash``); migration 0004 checked
that chain and re-signed it (decision 0005).
"""

import hashlib
import hmac
import json
from functools import cache

from django.conf import settings

GENESIS_HASH = "0" * 64
_KEY_ID_LABEL = b"yuanmeng audit key id"


def canonical(data: dict) -> bytes:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def entry_content(entry) -> dict:
    """What an entry's hash covers (any object with an audit entry's attributes, also a migration's model)."""
    return {
        "seq": entry.seq,
        "at": entry.at.isoformat(),
        "actor": entry.actor_id,
        "actor_label": entry.actor_label,
        "organisation": entry.organisation_id,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_label": entry.object_label,
        "before": entry.before,
        "after": entry.after,
        "prev_hash": entry.prev_hash,
    }


def key_id(key: str) -> str:
    return hmac.new(key.encode(), _KEY_ID_LABEL, hashlib.sha256).hexdigest()[:16]


@cache
def _keys_by_id(keys: tuple[str, ...]) -> dict[str, bytes]:
    return {key_id(key): key.encode() for key in keys}


def configured_keys() -> dict[str, bytes]:
    """Key id → key, in the configured order (the first signs)."""
    return _keys_by_id(tuple(settings.AUDIT_KEYS))


def signing_key_id() -> str:
    return next(iter(configured_keys()))


def signed_hash(content: dict, signed_by: str) -> str:
    """The HMAC of the content under the key ``signed_by``; ``KeyError`` when that key is not configured."""
    key = configured_keys()[signed_by]
    return hmac.new(key, canonical({**content, "key_id": signed_by}), hashlib.sha256).hexdigest()


def legacy_hash(content: dict) -> str:
    """The unkeyed SHA-256 of entries written before the chain was keyed (read only by migration 0004)."""
    return hashlib.sha256(canonical(content)).hexdigest()


def hash_problem(entry) -> str | None:
    """Why an entry's hash is not right, or None."""
    if entry.key_id not in configured_keys():
        return f"entry {entry.seq}: signed with audit key {entry.key_id or '(none)'}, which is not configured"
    if not hmac.compare_digest(signed_hash(entry_content(entry), entry.key_id), entry.hash):
        return f"entry {entry.seq}: content does not match its hash (edited)"
    return None

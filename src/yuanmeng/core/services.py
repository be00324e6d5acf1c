"""Maintenance of encrypted data."""

from django.apps import apps
from django.db import transaction

from yuanmeng.audit.services import audit_record
from yuanmeng.core.crypto import EncryptedTextField

CHUNK = 2000


def encrypted_fields() -> list[tuple[type, list[str]]]:
    found = []
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if names:
            found.append((model, names))
    return found


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
                rows = list(chunk.values_list("pk", *names)[:CHUNK])  # locked: no edit slips in between
                _rotate_chunk(model, names, rows)
            if not rows:
                break
            total += len(rows)
            last_pk = rows[-1][0]
    with transaction.atomic():
        audit_record(actor=by, action="keys.rotate", object_type="encryption", object_id="fields",
                     object_label="field encryption keys", after={"rows": total})
    return total

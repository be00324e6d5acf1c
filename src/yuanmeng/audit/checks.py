"""Refuse to run on data that the configured keys cannot read.

A database restored without its keys (or started with fresh development keys beside an old database) would
answer every worker page with an error and sign new audit entries that no longer chain to the old ones. So every
management command that runs Django's system checks (``runserver``, ``worker``, ``migrate``, ``audit``, …) and the
WSGI/ASGI application refuse to start while one sampled encrypted value cannot be decrypted or the newest audit
entry was signed with a key that is not configured. Nothing is generated in its place.
"""

from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError

from yuanmeng.audit.chain import hash_problem
from yuanmeng.audit.models import AuditEntry
from yuanmeng.core.crypto import encrypted_fields

RESTORE_KEYS = ("Start with the keys this database was written with (YUANMENG_FIELD_KEYS, YUANMENG_INDEX_KEY, "
                "YUANMENG_AUDIT_KEYS in the environment, or the var/dev-secrets.json kept with the backup); never "
                "with new ones. See docs/security.md, \"Backup and restore\".")


def _unreadable_field() -> str | None:
    for model, names in encrypted_fields():
        for name in names:
            stored = model._default_manager.exclude(**{f"{name}__isnull": True}).exclude(**{name: ""})
            try:
                stored.values_list(name, flat=True).first()
            except ValueError:
                return f"{model._meta.label}.{name}"
    return None


def unreadable_data() -> list[str]:
    """What the configured keys cannot read: one encrypted value per field, and the newest audit entry."""
    try:
        problems = []
        if field := _unreadable_field():
            problems.append(f"Encrypted data ({field}) cannot be decrypted with the configured YUANMENG_FIELD_KEYS.")
        newest = AuditEntry.objects.order_by("-seq").first()
        if newest and (problem := hash_problem(newest)):
            problems.append(f"The audit trail cannot be verified with the configured YUANMENG_AUDIT_KEYS: {problem}.")
        return problems
    except DatabaseError:  # no database yet, or not migrated: nothing to read
        return []


@checks.register("keys")
def keys_read_the_data(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    return [checks.Critical(problem, hint=RESTORE_KEYS, id="yuanmeng.E001") for problem in unreadable_data()]


def refuse_unreadable_data() -> None:
    """For the WSGI and ASGI applications, which do not run system checks."""
    if problems := unreadable_data():
        raise ImproperlyConfigured(" ".join([*problems, RESTORE_KEYS]))

"""The append-only, hash-chained audit trail.

Entry *n* stores ``prev_hash`` (the hash of entry *n-1*) and its own ``hash``, an HMAC over its content
and ``prev_hash`` under a key kept outside the database (``audit/chain.py``). ``AuditHead`` holds the last
sequence number and hash. Editing an entry breaks its hash; deleting one leaves a gap in ``seq`` or a head
that no longer matches; deleting the newest ones and moving the head back leaves the chain shorter than its
last anchor, kept outside the database (``audit/anchors.py``); all are found by ``yuanmeng audit verify``.
Actor and organisation are kept as plain ids (no cascading foreign keys) so that nothing the database does on
its own can rewrite an entry.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yuanmeng.audit.chain import GENESIS_HASH, entry_content, signed_hash, signing_key_id
from yuanmeng.audit.labels import action_label, readable_change
from yuanmeng.core.access import ScopedQuerySet


class AuditEntry(models.Model):
    SCOPE_PATH = "organisation__path"

    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.DO_NOTHING,
        db_constraint=False, null=True, related_name="+",
    )
    actor_label = models.CharField(_("by"), max_length=150)
    organisation = models.ForeignKey(
        "orgs.Organisation", verbose_name=_("organisation"), on_delete=models.DO_NOTHING,
        db_constraint=False, null=True, related_name="+",
    )
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64, db_index=True)
    object_label = models.CharField(_("object"), max_length=200, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    key_id = models.CharField(max_length=16)  # which of settings.AUDIT_KEYS signed it

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-seq"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_label}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise RuntimeError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("audit entries are append-only")

    @property
    def action_label(self) -> str:
        return action_label(self.action)

    @property
    def before_items(self) -> list[tuple[str, str]]:
        return readable_change(self.object_type, self.before)

    @property
    def after_items(self) -> list[tuple[str, str]]:
        return readable_change(self.object_type, self.after)

    def sign(self) -> None:
        """Sign with the current key: the entry's hash covers its content, the hash before it and the key's id."""
        self.key_id = signing_key_id()
        self.hash = signed_hash(entry_content(self), self.key_id)


class AuditHead(models.Model):
    """One row: the sequence number and hash of the newest entry. Locked by every append."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)

    def __str__(self) -> str:
        return f"audit head #{self.seq}"


class AuditCheck(models.Model):
    """The result of one walk of the whole chain (``yuanmeng audit verify`` or the page's button)."""

    at = models.DateTimeField(auto_now_add=True)
    by_label = models.CharField(max_length=150)
    checked = models.BigIntegerField()
    ok = models.BooleanField()
    problems = models.JSONField(default=list)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {'ok' if self.ok else 'BROKEN'}"

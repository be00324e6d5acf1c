"""The outbox: messages to workers and staff, written in the transaction of the change they report,
sent later by a backend (console or e-mail here; SMS gateways plug in the same way)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Message(models.Model):
    # Written a million at a time by payout rounds, from existing workers: no per-row FK triggers.
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="messages", db_constraint=False)
    worker = models.ForeignKey("people.Worker", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="messages", db_constraint=False)
    mobile = models.CharField(max_length=11, blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # The backend has no way to reach the recipient (no address): never sent, never tried again; last_error says why.
    undeliverable_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        # The outbox reads only what is still to send; a payout round writes a million messages at once.
        indexes = [models.Index(fields=["id"], condition=models.Q(sent_at=None, undeliverable_at=None),
                                name="message_to_send")]

    def __str__(self) -> str:
        return self.subject

"""The outbox: messages to workers and staff, written in the transaction of the change they report,
sent later by a backend (console or e-mail here; SMS gateways plug in the same way)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yuanmeng.notify.texts import render


class Message(models.Model):
    # Written a million at a time by payout rounds, from existing workers: no per-row FK triggers.
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="messages", db_constraint=False)
    worker = models.ForeignKey("people.Worker", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="messages", db_constraint=False)
    mobile = models.CharField(max_length=11, blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    # To show the message in the reader's language: the msgids and their values (a value {"msgid": …} is itself
    # translated), and ``detail``, the free text put in as %(reason)s (a reviewer's or the bank's words).
    subject_msgid = models.CharField(max_length=200, blank=True, default="", db_default="")
    body_msgid = models.TextField(blank=True, default="", db_default="")
    params = models.JSONField(default=dict, db_default={})
    detail = models.TextField(blank=True, default="", db_default="")
    # What the message is about, as a generic reference (notify knows no table above it): its kind
    # ("application"), id and name when written.
    about_kind = models.CharField(max_length=30, blank=True, default="", db_default="")
    about_id = models.BigIntegerField(null=True, blank=True)
    about_label = models.CharField(max_length=200, blank=True, default="", db_default="")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # The backend has no way to reach the recipient (no address): never sent, never tried again; last_error says why.
    undeliverable_at = models.DateTimeField(null=True, blank=True)
    # Its text holds a secret (a verification code): the outbox blanks body and params once it is done with it.
    secret = models.BooleanField(default=False, db_default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        # The outbox reads only what is still to send; a payout round writes a million messages at once.
        indexes = [models.Index(fields=["id"], condition=models.Q(sent_at=None, undeliverable_at=None),
                                name="message_to_send")]

    def __str__(self) -> str:
        return self.subject

    def shown_subject(self) -> str:
        """The subject in the active language where it was stored by msgid, else as written."""
        return render(self.subject_msgid, self.params.get("subject", {})) if self.subject_msgid else self.subject

    def shown_body(self) -> str:
        """The text in the active language where it was stored by msgid, else as written."""
        if not self.body_msgid:
            return self.body
        return render(self.body_msgid, self.params.get("body", {}), self.detail)

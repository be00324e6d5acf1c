"""Queue messages (inside the caller's transaction) and send what is queued."""

import logging
from collections import Counter
from typing import NamedTuple

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from yuanmeng.core.sql import execute
from yuanmeng.notify.models import Message

log = logging.getLogger(__name__)


def worker_text(message: str, **values) -> str:
    """``message`` (a msgid) in the workers' language, the site's (not that of the officer whose act sends it),
    with ``values`` put in."""
    with translation.override(settings.LANGUAGE_CODE):
        text = _(message)
        return text % values if values else text


def notify_worker(*, worker, subject: str, body: str) -> Message:
    """Queue a message to a worker: to their login's inbox, and by SMS to their mobile where a gateway is set."""
    return Message.objects.create(recipient_id=worker.user_id, worker=worker, mobile=worker.mobile,
                                  subject=str(subject)[:200], body=str(body))


def notify_workers_selected(*, selection: str, params: list, subject: str, now) -> int:
    """Queue one message for each row that ``selection`` yields, in one INSERT … SELECT; how many were queued.

    ``selection`` is a SELECT of four columns: what ``notify_worker`` reads from a worker — ``recipient_id``
    (their login, or NULL), ``worker_id``, ``mobile`` — and ``body``, the text of each worker's message. The
    caller reads them: it knows where its workers are (an app on this floor knows nothing of the apps above).
    """
    return execute(f"""
        INSERT INTO notify_message (recipient_id, worker_id, mobile, subject, body, created_at, attempts, last_error)
        SELECT m.recipient_id, m.worker_id, m.mobile, %s, m.body, %s, 0, ''
        FROM ({selection}) m""",
                   [str(subject)[:200], connection.ops.adapt_datetimefield_value(now), *params])


class ConsoleBackend:
    def send(self, message: Message) -> None:
        log.warning("message to %s (%s): %s — %s", message.recipient_id, message.mobile, message.subject,
                    message.body)


class Undeliverable(Exception):
    """A backend has no way to reach the message's recipient (no address): trying again cannot help."""


class EmailBackend:
    def send(self, message: Message) -> None:
        if message.recipient is None:
            raise Undeliverable("no e-mail address: the recipient has no login")
        if not message.recipient.email:
            raise Undeliverable("no e-mail address: the recipient's login has none")
        send_mail(message.subject, message.body, None, [message.recipient.email])


class OutboxResult(NamedTuple):
    sent: int
    undeliverable: int
    failed: int


def outbox_send(*, limit: int = 500) -> OutboxResult:
    """Send queued messages oldest first, each in its own transaction. A message is marked sent, undeliverable
    (the backend has no address for it: never tried again) or failed (tried again, five attempts in all)."""
    backend = import_string(settings.NOTIFY_BACKEND)()
    outcomes = Counter()
    to_send = Message.objects.filter(sent_at=None, undeliverable_at=None)
    for message_id in list(to_send.filter(attempts__lt=5).order_by("id").values_list("pk", flat=True)[:limit]):
        with transaction.atomic():
            # Locked while it is sent: two senders running at once never send the same message twice.
            message = to_send.select_for_update(skip_locked=True).filter(pk=message_id).first()
            if message is not None:
                outcomes[_send_one(backend, message)] += 1
    return OutboxResult(outcomes["sent"], outcomes["undeliverable"], outcomes["failed"])


def _send_one(backend, message: Message) -> str:
    """Hand one message to the backend and record on it what came of it: sent, undeliverable or failed."""
    outcome, fields = "sent", {"sent_at": timezone.now()}
    try:
        backend.send(message)
    except Undeliverable as exc:
        outcome, fields = "undeliverable", {"undeliverable_at": timezone.now(), "last_error": str(exc)}
    except Exception as exc:  # noqa: BLE001 - a failing gateway must not stop the rest
        outcome, fields = "failed", {"last_error": str(exc)[:500]}
    Message.objects.filter(pk=message.pk).update(attempts=message.attempts + 1, **fields)
    return outcome

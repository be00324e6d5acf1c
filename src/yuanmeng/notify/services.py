"""Queue messages (inside the caller's transaction) and send what is queued."""

import json
import logging
from collections import Counter
from typing import NamedTuple

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from yuanmeng.core.compiled import CompiledInsert
from yuanmeng.core.sql import execute
from yuanmeng.notify.models import Message
from yuanmeng.notify.texts import worker_text

__all__ = ["worker_text"]  # the callers' one import place for a message's text, beside notify_worker

log = logging.getLogger(__name__)
SEND_ATTEMPTS = 5  # a failing message is tried this many times in all


# A message's INSERT, compiled once: every step of an application queues one.
_INSERT_MESSAGE = CompiledInsert(Message)


def _queued(**columns) -> Message:
    message = Message(**columns)
    _INSERT_MESSAGE(message)
    return message


def _text_columns(subject, body, detail: str = "") -> dict:
    """The columns that let a message be rendered again in its reader's language (empty for a plain text)."""
    params = {"subject": getattr(subject, "values", {}), "body": getattr(body, "values", {})}
    return {"subject_msgid": getattr(subject, "msgid", ""), "body_msgid": getattr(body, "msgid", ""),
            "params": params, "detail": detail}


def notify_worker(*, worker, subject: str, body: str, detail: str = "",
                  about: tuple[str, int, str] | None = None) -> Message:
    """Queue a message to a worker: to their login's inbox, and by SMS to their mobile where a gateway is set.
    ``about``: (kind, id, name) of what it is about (an application), shown and linked with it."""
    kind, about_id, label = about or ("", None, "")
    return _queued(recipient_id=worker.user_id, worker=worker, mobile=worker.mobile, subject=str(subject)[:200],
                   body=str(body), about_kind=kind, about_id=about_id, about_label=label[:200],
                   **_text_columns(subject, body, detail))


def notify_user(*, user, subject: str, body: str, about: tuple[str, int, str] | None = None) -> Message:
    """Queue a message to a staff login (an enterprise union officer told that their training order was taken):
    to its inbox, and by e-mail where the login has an address. ``about`` as for ``notify_worker``."""
    kind, about_id, label = about or ("", None, "")
    return _queued(recipient_id=user.pk, subject=str(subject)[:200], body=str(body), about_kind=kind,
                   about_id=about_id, about_label=label[:200], **_text_columns(subject, body))


def notify_mobile(*, mobile: str, subject: str, body: str, secret: bool = False) -> Message:
    """Queue an SMS to a mobile number that belongs to no worker yet (a sign-up's verification code). A ``secret``
    text is blanked once sent or found undeliverable (``_send_one``): it is not kept in clear."""
    return _queued(mobile=mobile, subject=str(subject)[:200], body=str(body), secret=secret,
                   **_text_columns(subject, body))


def notify_workers_selected(*, selection: str, params: list, subject: str, now, body: str = "",
                            about_kind: str = "") -> int:
    """Queue one message for each row that ``selection`` yields, in one INSERT … SELECT; how many were queued.

    ``selection`` is a SELECT of what ``notify_worker`` reads from a worker — ``recipient_id`` (their login, or
    NULL), ``worker_id``, ``mobile`` — and ``body``, the text of each worker's message, ``detail`` (its
    reason, or ''), ``about_id`` and ``about_label`` (what it is about, of kind ``about_kind``). The caller reads
    them: it knows where its workers are (an app on this floor knows nothing of the apps above). ``body``,
    when the rows' texts are one ``worker_text`` with each row's ``detail`` as its reason, lets them be shown
    in the reader's language.
    """
    columns = _text_columns(subject, body)
    json_param = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    return execute(f"""
        INSERT INTO notify_message (recipient_id, worker_id, mobile, subject, body, created_at, attempts, last_error,
                                    subject_msgid, body_msgid, params, detail, about_kind, about_id, about_label)
        SELECT m.recipient_id, m.worker_id, m.mobile, %s, m.body, %s, 0, '', %s, %s, {json_param}, m.detail, %s,
               m.about_id, m.about_label
        FROM ({selection}) m""",
                   [str(subject)[:200], connection.ops.adapt_datetimefield_value(now), columns["subject_msgid"],
                    columns["body_msgid"], json.dumps(columns["params"]), about_kind, *params])


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
    queued = to_send.filter(attempts__lt=SEND_ATTEMPTS).order_by("id").values_list("pk", flat=True)[:limit]
    for message_id in list(queued):
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
    if message.secret and (outcome != "failed" or message.attempts + 1 >= SEND_ATTEMPTS):
        fields |= {"body": "", "body_msgid": "", "params": {}}  # done with it: the code is not kept in clear
    Message.objects.filter(pk=message.pk).update(attempts=message.attempts + 1, **fields)
    return outcome

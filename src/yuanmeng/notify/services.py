"""Queue messages (inside the caller's transaction) and send what is queued."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from yuanmeng.notify.models import Message

log = logging.getLogger(__name__)


def notify_worker(*, worker, subject: str, body: str) -> Message:
    """Queue a message to a worker: to their login's inbox, and by SMS to their mobile where a gateway is set."""
    return Message.objects.create(recipient_id=worker.user_id, worker=worker, mobile=worker.mobile,
                                  subject=str(subject)[:200], body=str(body))


class ConsoleBackend:
    def send(self, message: Message) -> None:
        log.warning("message to %s (%s): %s — %s", message.recipient_id, message.mobile, message.subject,
                    message.body)


class EmailBackend:
    def send(self, message: Message) -> None:
        address = getattr(message.recipient, "email", "")
        if address:
            send_mail(message.subject, message.body, None, [address])


def outbox_send(*, limit: int = 500) -> tuple[int, int]:
    """Send queued messages oldest first; each is marked sent in its own transaction. Returns (sent, failed)."""
    backend = import_string(settings.NOTIFY_BACKEND)()
    sent = failed = 0
    queued = Message.objects.filter(sent_at=None, attempts__lt=5).order_by("id").values_list("pk", flat=True)
    for message_id in list(queued[:limit]):
        with transaction.atomic():
            # Locked while it is sent: two senders running at once never send the same message twice.
            message = Message.objects.select_for_update(skip_locked=True).filter(pk=message_id, sent_at=None).first()
            if message is None:
                continue
            try:
                backend.send(message)
            except Exception as exc:  # noqa: BLE001 - a failing gateway must not stop the rest
                Message.objects.filter(pk=message.pk).update(attempts=message.attempts + 1,
                                                             last_error=str(exc)[:500])
                failed += 1
                continue
            Message.objects.filter(pk=message.pk).update(sent_at=timezone.now(), attempts=message.attempts + 1)
        sent += 1
    return sent, failed

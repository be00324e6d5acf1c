"""The outbox: each message is sent once, a failing gateway is tried again, and a message the backend has no
address for is marked undeliverable with the reason — never marked sent, never tried again."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from yuanmeng.notify.models import Message
from yuanmeng.notify.services import notify_worker, outbox_send

pytestmark = pytest.mark.django_db
EMAIL = "yuanmeng.notify.services.EmailBackend"


class BrokenGateway:
    def send(self, message):
        raise ConnectionError("gateway timed out")


@pytest.fixture
def messages(tree):
    """One message each to a worker without a login, one whose login has no e-mail address, one who has one."""
    no_login = tree.worker(name="无账号")
    no_address = tree.member(name="无邮箱")
    with_address = tree.member(name="有邮箱")
    get_user_model().objects.filter(pk=with_address.user_id).update(email="you@example.cn")
    return {worker.name: notify_worker(worker=worker, subject="审核通过", body="您的申请已通过。")
            for worker in (no_login, no_address, with_address)}


def test_email_marks_a_message_without_an_address_undeliverable_with_the_reason(messages, settings, mailoutbox):
    settings.NOTIFY_BACKEND = EMAIL
    assert outbox_send() == (1, 2, 0)
    assert [mail.to for mail in mailoutbox] == [["you@example.cn"]]
    outcomes = {m.worker.name: (m.sent_at is not None, m.undeliverable_at is not None, m.attempts, m.last_error)
                for m in Message.objects.select_related("worker")}
    assert outcomes == {
        "无账号": (False, True, 1, "no e-mail address: the recipient has no login"),
        "无邮箱": (False, True, 1, "no e-mail address: the recipient's login has none"),
        "有邮箱": (True, False, 1, ""),
    }


def test_an_undeliverable_message_is_not_tried_again(messages, settings, mailoutbox):
    settings.NOTIFY_BACKEND = EMAIL
    outbox_send()
    assert outbox_send() == (0, 0, 0)
    assert len(mailoutbox) == 1 and set(Message.objects.values_list("attempts", flat=True)) == {1}


def test_a_failing_gateway_is_tried_again_up_to_five_times(messages, settings):
    settings.NOTIFY_BACKEND = f"{__name__}.BrokenGateway"
    for _ in range(6):
        outbox_send()
    assert {(m.attempts, m.last_error, m.sent_at, m.undeliverable_at) for m in Message.objects.all()} == {
        (5, "gateway timed out", None, None)}


def test_the_console_sends_every_message(messages, settings):
    settings.NOTIFY_BACKEND = "yuanmeng.notify.services.ConsoleBackend"
    assert outbox_send() == (3, 0, 0)
    assert not Message.objects.filter(sent_at=None).exists()


def test_the_command_says_what_became_of_the_messages(messages, settings, capsys):
    settings.NOTIFY_BACKEND = EMAIL
    call_command("notify", "send")
    assert capsys.readouterr().out.strip() == "sent 1, undeliverable 2, failed 0"

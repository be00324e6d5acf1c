"""Verification codes beyond the sign-up flow (tests/people/test_sign_up.py): parallel requests cannot beat the
limits (PostgreSQL), the code is not kept in clear once sent, a reset code is the account's, and a deactivated
union's join link signs nobody up."""

import datetime
import os
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone, translation

from tests.builders import in_parallel, mobile
from yuanmeng.accounts import codes
from yuanmeng.accounts.models import CodePurpose, VerificationCode
from yuanmeng.accounts.selectors import enterprise_invited
from yuanmeng.accounts.services import invitation_renew
from yuanmeng.notify.models import Message
from yuanmeng.notify.services import notify_worker, outbox_send
from yuanmeng.orgs.roles import Role
from yuanmeng.people import services

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")
NEW_PASSWORD = "a-new-password-2026"


@pytest.fixture(autouse=True)
def _english():
    translation.activate("en")


def sent_code(number: str) -> str:
    return re.search(r"\d{6}", Message.objects.filter(mobile=number, worker=None).latest("id").body).group()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not ON_POSTGRES, reason="a real race needs PostgreSQL")
def test_parallel_wrong_codes_get_only_the_allowed_tries(tree, monkeypatch):
    number = mobile()
    codes.code_send(purpose=CodePurpose.SIGN_UP, subject=number, mobile=number, address=None)
    right, compared = sent_code(number), []
    real_compare = codes.constant_time_compare
    monkeypatch.setattr(codes, "constant_time_compare", lambda a, b: compared.append(1) or real_compare(a, b))
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    refusals = in_parallel([lambda: codes.code_use(purpose=CodePurpose.SIGN_UP, subject=number, code=wrong)] * 12)
    assert len(refusals) == 12 and len(compared) == codes.MAX_ATTEMPTS
    assert VerificationCode.objects.get().attempts == codes.MAX_ATTEMPTS
    with pytest.raises(ValidationError, match="Too many"):
        codes.code_use(purpose=CodePurpose.SIGN_UP, subject=number, code=right)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not ON_POSTGRES, reason="a real race needs PostgreSQL")
def test_parallel_sends_for_one_subject_issue_one_code(tree):
    number = mobile()
    refusals = in_parallel([lambda: codes.code_send(purpose=CodePurpose.SIGN_UP, subject=number, mobile=number,
                                                    address=None)] * 8)
    assert len(refusals) == 7
    assert VerificationCode.objects.count() == 1 and Message.objects.filter(mobile=number).count() == 1


@pytest.mark.django_db
def test_a_right_code_needs_a_try_left(tree):
    number = mobile()
    codes.code_send(purpose=CodePurpose.SIGN_UP, subject=number, mobile=number, address=None)
    VerificationCode.objects.update(attempts=codes.MAX_ATTEMPTS)
    with pytest.raises(ValidationError, match="Too many"):
        codes.code_use(purpose=CodePurpose.SIGN_UP, subject=number, code=sent_code(number))
    VerificationCode.objects.update(attempts=codes.MAX_ATTEMPTS - 1)
    codes.code_use(purpose=CodePurpose.SIGN_UP, subject=number, code=sent_code(number))
    assert VerificationCode.objects.get().used_at is not None


@pytest.mark.django_db
@pytest.mark.parametrize("backend", ["yuanmeng.notify.services.ConsoleBackend",
                                     "yuanmeng.notify.services.EmailBackend"])
def test_a_code_message_is_blanked_once_sent_or_undeliverable(tree, settings, backend):
    settings.NOTIFY_BACKEND = backend
    number = mobile()
    services.sign_up_code_send(mobile=number, address=None)
    other = notify_worker(worker=tree.worker(), subject="审核通过", body="您的申请已通过。")
    code = sent_code(number)
    outbox_send()
    message = Message.objects.get(mobile=number, worker=None)
    assert message.secret and (message.sent_at or message.undeliverable_at)
    assert message.body == message.body_msgid == "" and message.params == {}
    assert code not in str(Message.objects.filter(pk=message.pk).values().get())
    assert message.shown_body() == "" and message.shown_subject()
    other.refresh_from_db()
    assert other.body == "您的申请已通过。" and not other.secret


@pytest.mark.django_db
def test_a_code_message_that_keeps_failing_is_blanked_at_its_last_try(tree, settings):
    settings.NOTIFY_BACKEND = "tests.notify.test_outbox.BrokenGateway"
    number = mobile()
    services.sign_up_code_send(mobile=number, address=None)
    outbox_send()
    assert Message.objects.get(mobile=number).body  # tried again later
    Message.objects.update(attempts=4)
    outbox_send()
    assert Message.objects.get(mobile=number).body == ""


@pytest.mark.django_db
def test_tasks_prune_deletes_codes_older_than_a_day(tree, capsys):
    for _ in range(2):
        codes.code_send(purpose=CodePurpose.SIGN_UP, subject=mobile(), mobile=None, address=None)
    old = VerificationCode.objects.first()
    VerificationCode.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=1, seconds=1))
    call_command("tasks", "prune")
    assert "1 verification codes deleted" in capsys.readouterr().out
    assert not VerificationCode.objects.filter(pk=old.pk).exists() and VerificationCode.objects.count() == 1


@pytest.mark.django_db
def test_a_reset_code_is_the_accounts_whatever_number_was_typed(tree):
    worker = tree.member()
    services.password_reset_code_send(identifier=worker.mobile, address=None)
    with pytest.raises(ValidationError, match="seconds"):  # the same account: one code at a time
        services.password_reset_code_send(identifier=worker.id_number, address=None)
    first = sent_code(worker.mobile)
    VerificationCode.objects.update(created_at=timezone.now() - codes.RESEND_AFTER)
    services.password_reset_code_send(identifier=worker.id_number, address=None)
    assert VerificationCode.objects.filter(used_at=None).count() == 1  # the first code voided
    second = sent_code(worker.mobile)
    if first != second:
        with pytest.raises(ValidationError):
            services.password_reset_complete(identifier=worker.id_number, code=first, password=NEW_PASSWORD)
    wrong = f"{(int(second) + 1) % 10**6:06d}"
    for identifier in (worker.mobile, worker.id_number, worker.mobile):
        with pytest.raises(ValidationError):
            services.password_reset_complete(identifier=identifier, code=wrong, password=NEW_PASSWORD)
    live = VerificationCode.objects.get(used_at=None)
    assert live.attempts == 3 + (first != second)  # one budget of tries for both numbers
    services.password_reset_complete(identifier=worker.mobile, code=second, password=NEW_PASSWORD)
    worker.user.refresh_from_db()
    assert worker.user.check_password(NEW_PASSWORD)


@pytest.mark.django_db
def test_a_deactivated_unions_join_link_names_no_enterprise(tree):
    officer = tree.staff(Role.ENTERPRISE_OFFICER, tree.tianhe_firm.organisation)
    token = invitation_renew(by=officer, enterprise=tree.tianhe_firm).token
    assert enterprise_invited(token) == tree.tianhe_firm
    type(tree.tianhe_firm.organisation).objects.filter(pk=tree.tianhe_firm.organisation_id).update(is_active=False)
    assert enterprise_invited(token) is None

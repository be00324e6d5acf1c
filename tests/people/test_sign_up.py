"""Workers sign up on their own (mobile code, enterprise by credit code or invitation), the union confirms or
declines; password reset by code. Services only; the pages and the API have their own tests."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from tests.builders import PASSWORD, id_number, mobile
from yuanmeng.accounts import codes
from yuanmeng.accounts.models import CodePurpose, VerificationCode
from yuanmeng.accounts.services import invitation_renew
from yuanmeng.applications.eligibility import check_eligibility
from yuanmeng.audit.models import AuditEntry
from yuanmeng.core.errors import PermissionDenied
from yuanmeng.notify.models import Message
from yuanmeng.orgs.roles import Role
from yuanmeng.people import selectors, services
from yuanmeng.people.models import MembershipState, Worker
from yuanmeng.policies.models import Level

NEW_PASSWORD = "a-new-password-2026"


@pytest.fixture(autouse=True)
def _english():
    """The refusals are read in English here (the site's language is Chinese)."""
    translation.activate("en")


def sent_code(number: str) -> str:
    """The code in the last SMS queued for ``number``, as the worker reads it on their phone."""
    body = Message.objects.filter(mobile=number, worker=None).latest("id").body
    return re.search(r"\d{6}", body).group()


def sign_up(tree, number=None, code=None, **fields):
    number = number or mobile()
    if code is None:
        services.sign_up_code_send(mobile=number, address="10.0.0.1")
        code = sent_code(number)
    values = {"name": "王芳", "id_number": id_number(), "mobile": number, "code": code, "password": PASSWORD,
              "job_category": "production", "credit_code": tree.tianhe_firm.credit_code}
    values.update(fields)
    return services.worker_sign_up(**values)


def field_errors(exc_info) -> dict:
    return exc_info.value.message_dict


def test_a_worker_signs_up_waits_for_the_union_and_logs_in(tree):
    worker = sign_up(tree)
    assert worker.membership == MembershipState.PENDING
    assert worker.employer == tree.tianhe_firm and worker.union_member_since is None
    assert worker.user.check_password(PASSWORD) and worker.user.mobile == worker.mobile
    assert AuditEntry.objects.filter(action="worker.sign_up", object_id=str(worker.pk)).exists()
    assert Message.objects.filter(worker=worker).exists()


def test_the_code_is_kept_only_as_a_digest(tree):
    number = mobile()
    services.sign_up_code_send(mobile=number, address=None)
    code = sent_code(number)
    row = VerificationCode.objects.get()
    assert code not in row.code_digest and number not in row.subject_digest
    assert row.expires_at - row.created_at == codes.CODE_LIFETIME


def test_a_wrong_code_is_counted_and_too_many_kill_the_code(tree):
    number = mobile()
    services.sign_up_code_send(mobile=number, address=None)
    right = sent_code(number)
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    for left in range(codes.MAX_ATTEMPTS - 1, 0, -1):
        with pytest.raises(ValidationError) as exc:
            sign_up(tree, number=number, code=wrong)
        assert str(left) in field_errors(exc)["code"][0]
    with pytest.raises(ValidationError) as exc:
        sign_up(tree, number=number, code=wrong)
    assert "Too many" in field_errors(exc)["code"][0]
    with pytest.raises(ValidationError):
        sign_up(tree, number=number, code=right)  # the right code no longer helps
    assert not Worker.objects.filter(mobile=number).exists()


def test_an_expired_code_is_refused(tree):
    number = mobile()
    services.sign_up_code_send(mobile=number, address=None)
    VerificationCode.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    with pytest.raises(ValidationError) as exc:
        sign_up(tree, number=number, code=sent_code(number))
    assert "expired" in field_errors(exc)["code"][0]


def test_a_code_works_once_and_a_new_code_voids_the_old(tree):
    number = mobile()
    services.sign_up_code_send(mobile=number, address=None)
    first = sent_code(number)
    VerificationCode.objects.update(created_at=timezone.now() - codes.RESEND_AFTER)
    services.sign_up_code_send(mobile=number, address=None)
    if first != sent_code(number):  # one chance in a million that both are alike
        with pytest.raises(ValidationError):
            sign_up(tree, number=number, code=first)
    sign_up(tree, number=number, code=sent_code(number))
    with pytest.raises(ValidationError):
        sign_up(tree, number=number, code=sent_code(number), id_number=id_number())


def test_resending_is_limited_per_mobile_and_per_address(tree):
    number = mobile()
    services.sign_up_code_send(mobile=number, address="10.0.0.2")
    with pytest.raises(ValidationError) as exc:
        services.sign_up_code_send(mobile=number, address="10.0.0.2")
    assert "seconds" in field_errors(exc)["mobile"][0]
    for _ in range(codes.PER_ADDRESS_PER_HOUR):
        services.sign_up_code_send(mobile=mobile(), address="10.0.0.3")
    with pytest.raises(ValidationError) as exc:
        services.sign_up_code_send(mobile=mobile(), address="10.0.0.3")
    assert "Too many" in field_errors(exc)["mobile"][0]


def test_a_typo_does_not_use_up_the_code(tree):
    number = mobile()
    services.sign_up_code_send(mobile=number, address=None)
    with pytest.raises(ValidationError) as exc:
        sign_up(tree, number=number, code=sent_code(number), id_number="440106199003071234", password="123")
    assert {"id_number", "password"} <= set(field_errors(exc))
    assert sign_up(tree, number=number, code=sent_code(number)).pk


def test_an_unknown_credit_code_and_a_stale_invitation_are_refused(tree):
    other = tree.enterprise(tree.tianhe, "别家公司")
    with pytest.raises(ValidationError) as exc:
        sign_up(tree, credit_code="91440106MA5XXXXX0X")
    assert "credit_code" in field_errors(exc)
    Worker.objects.filter(employer=other).delete()
    officer = tree.staff(Role.ENTERPRISE_OFFICER, tree.tianhe_firm.organisation)
    old = invitation_renew(by=officer, enterprise=tree.tianhe_firm).token
    new = invitation_renew(by=officer, enterprise=tree.tianhe_firm).token
    with pytest.raises(ValidationError) as exc:
        sign_up(tree, credit_code="", invitation=old)
    assert "no longer valid" in field_errors(exc)["credit_code"][0]
    assert sign_up(tree, credit_code="", invitation=new).employer == tree.tianhe_firm
    assert AuditEntry.objects.filter(action="invitation.renew").count() == 2


def test_only_the_enterprise_union_renews_its_link(tree):
    stranger = tree.staff(Role.ENTERPRISE_OFFICER, tree.haizhu_firm.organisation)
    with pytest.raises(PermissionDenied):
        invitation_renew(by=stranger, enterprise=tree.tianhe_firm)


def test_a_registered_identity_number_gets_one_answer_whoever_holds_it(tree):
    by_union = tree.worker()
    with_login = tree.member()
    answers = []
    for existing in (by_union, with_login):
        with pytest.raises(services.AlreadyRegistered) as exc:
            sign_up(tree, id_number=existing.id_number)
        answers.append((exc.value.message_dict, exc.value.has_account))
    assert answers[0][0] == answers[1][0]
    assert [has_account for _messages, has_account in answers] == [False, True]
    assert Worker.objects.filter(id_number_index=by_union.id_number_index).count() == 1


def test_the_duplicate_answer_needs_a_right_code_first(tree):
    existing = tree.worker()
    with pytest.raises(ValidationError) as exc:
        sign_up(tree, id_number=existing.id_number, code="000000")
    assert not isinstance(exc.value, services.AlreadyRegistered)


@pytest.fixture
def waiting(tree):
    return sign_up(tree)


def test_the_officer_confirms_a_waiting_member_who_can_then_apply(tree, waiting):
    officer = tree.staff(Role.ENTERPRISE_OFFICER, tree.tianhe_firm.organisation)
    policy = tree.policy(min_membership_months=0)
    refused = check_eligibility(worker=waiting, policy=policy, level=Level.COLLEGE)
    assert "has not confirmed your membership" in " ".join(c.message for c in refused.failures)
    assert list(selectors.members_to_confirm(officer)) == [waiting]
    services.member_confirm(by=officer, worker=waiting)
    waiting.refresh_from_db()
    assert waiting.membership == MembershipState.CONFIRMED and waiting.union_member_since == timezone.localdate()
    assert check_eligibility(worker=waiting, policy=policy, level=Level.COLLEGE).ok
    assert tree.apply(waiting, policy).pk
    assert not selectors.members_to_confirm(officer).exists()
    assert AuditEntry.objects.filter(action="worker.membership_confirm").exists()
    with pytest.raises(ValidationError):
        services.member_confirm(by=officer, worker=waiting)


def test_a_declined_member_cannot_apply_and_reads_the_reason(tree, waiting):
    officer = tree.staff(Role.ENTERPRISE_OFFICER, tree.tianhe_firm.organisation)
    with pytest.raises(ValidationError) as exc:
        services.member_decline(by=officer, worker=waiting, reason="  ")
    assert "reason" in field_errors(exc)
    services.member_decline(by=officer, worker=waiting, reason="不是本企业职工")
    waiting.refresh_from_db()
    assert waiting.membership == MembershipState.DECLINED
    assert "不是本企业职工" in Message.objects.filter(worker=waiting).latest("id").body
    assert not check_eligibility(worker=waiting, policy=tree.policy(min_membership_months=0),
                                 level=Level.COLLEGE).ok
    assert AuditEntry.objects.filter(action="worker.membership_decline").exists()


def test_an_officer_of_another_enterprise_sees_no_queue_and_cannot_decide(tree, waiting):
    stranger = tree.staff(Role.ENTERPRISE_OFFICER, tree.haizhu_firm.organisation)
    assert not selectors.members_to_confirm(stranger).exists()
    with pytest.raises(Worker.DoesNotExist):
        selectors.worker_get(user=stranger, worker_id=waiting.pk)
    with pytest.raises(PermissionDenied):
        services.member_confirm(by=stranger, worker=waiting)


def test_union_registered_workers_are_confirmed(tree):
    assert tree.worker().membership == MembershipState.CONFIRMED


def test_a_worker_resets_the_password_by_mobile_or_identity_number(tree):
    worker = tree.member()
    for identifier in (worker.mobile, worker.id_number):
        VerificationCode.objects.update(created_at=timezone.now() - codes.RESEND_AFTER)
        services.password_reset_code_send(identifier=identifier, address=None)
        services.password_reset_complete(identifier=identifier, code=sent_code(worker.mobile),
                                         password=NEW_PASSWORD)
        worker.user.refresh_from_db()
        assert worker.user.check_password(NEW_PASSWORD)
    assert AuditEntry.objects.filter(action="user.password_reset").count() == 2


def test_a_reset_lifts_the_lock_out_of_a_worker_who_forgot_the_password(tree, client):
    worker = tree.member()
    for _ in range(5):
        client.post("/login/", {"username": worker.mobile, "password": "not-the-password"})
    assert client.post("/login/", {"username": worker.mobile, "password": PASSWORD}).status_code == 429
    services.password_reset_code_send(identifier=worker.mobile, address=None)
    services.password_reset_complete(identifier=worker.mobile, code=sent_code(worker.mobile), password=NEW_PASSWORD)
    assert client.post("/login/", {"username": worker.mobile, "password": NEW_PASSWORD}).status_code == 302


def test_a_reset_for_an_unknown_number_answers_like_a_known_one(tree):
    unknown = mobile()
    services.password_reset_code_send(identifier=unknown, address=None)  # no error: same answer
    assert not Message.objects.filter(mobile=unknown).exists()
    assert VerificationCode.objects.filter(purpose=CodePurpose.PASSWORD_RESET).count() == 1
    with pytest.raises(ValidationError) as exc:
        services.password_reset_code_send(identifier=unknown, address=None)
    assert "seconds" in field_errors(exc)["identifier"][0]  # limited like a known number
    with pytest.raises(ValidationError) as exc:
        services.password_reset_complete(identifier=unknown, code="123456", password=NEW_PASSWORD)
    assert "code" in field_errors(exc)


def test_a_wrong_decline_is_put_right_by_confirming(tree, waiting):
    """Declined is not final: the union (or the district above it) confirms the worker after all, audited with
    the state left; a confirmed member cannot be declined."""
    officer = tree.staff(Role.ENTERPRISE_OFFICER, tree.tianhe_firm.organisation)
    services.member_decline(by=officer, worker=waiting, reason="弄错了")
    assert list(selectors.members_to_confirm(officer, MembershipState.DECLINED)) == [waiting]
    with pytest.raises(ValidationError):
        services.member_decline(by=officer, worker=waiting, reason="again")
    services.member_confirm(by=tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe), worker=waiting)
    waiting.refresh_from_db()
    assert waiting.membership == MembershipState.CONFIRMED and waiting.membership_decline_reason == ""
    entry = AuditEntry.objects.filter(action="worker.membership_confirm").latest("id")
    assert entry.before == {"membership": MembershipState.DECLINED}
    with pytest.raises(ValidationError):
        services.member_decline(by=officer, worker=waiting, reason="x")

"""The sign-up, password reset, members-to-confirm and invitation pages: thin, but each answer checked."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.builders import PASSWORD, id_number, mobile
from tests.people.test_sign_up import sent_code
from yuanmeng.accounts import codes
from yuanmeng.accounts.models import Invitation, VerificationCode
from yuanmeng.accounts.services import invitation_renew
from yuanmeng.notify.models import Message
from yuanmeng.orgs.roles import Role
from yuanmeng.people.models import MembershipState, Worker

pytestmark = pytest.mark.django_db


def _form(tree, number, **fields):
    return {"name": "王芳", "document_type": "resident_id", "id_number": id_number(), "job_category": "service",
            "credit_code": tree.tianhe_firm.credit_code, "mobile": number, "password": PASSWORD,
            "register": "1", **fields}


def _with_code(client, tree, number, **fields):
    client.post(reverse("sign_up"), {"mobile": number, "send_code": "1"})
    return client.post(reverse("sign_up"), _form(tree, number, code=sent_code(number), **fields))


def test_send_code_needs_only_the_mobile_and_judges_nothing_else(client, tree):
    number = mobile()
    answer = client.post(reverse("sign_up"), {"mobile": number, "name": "王芳", "send_code": "1"})
    assert answer.status_code == 200 and 'class="error"' not in answer.content.decode()
    assert Message.objects.filter(mobile=number, worker=None).exists()
    assert 'value="王芳"' in answer.content.decode()  # the form comes back as it was


def test_a_worker_signs_up_and_is_logged_in(client, tree):
    answer = _with_code(client, tree, mobile())
    assert answer.status_code == 302 and answer.url == reverse("home")
    assert Worker.objects.get(user__isnull=False, membership=MembershipState.PENDING).name == "王芳"
    assert client.get(reverse("home")).status_code == 200


def test_the_registered_answer_is_one_page_apart_from_the_reset_link(client, tree):
    pages = {}
    for existing in (tree.worker(), tree.member()):
        answer = _with_code(client, tree, mobile(), id_number=existing.id_number)
        pages[existing.user_id is not None] = re.sub(r"csrfmiddlewaretoken\" value=\"\w+", "",
                                                     answer.content.decode())
    assert reverse("password_reset") in pages[True] and reverse("password_reset") not in pages[False]
    assert [line for line in pages[False].splitlines() if line not in pages[True]] == []
    assert tree.tianhe_firm.legal_name not in pages[True] + pages[False]


def test_the_join_link_names_the_enterprise_and_a_renewed_one_is_refused(client, tree):
    officer = tree.staff(Role.ENTERPRISE_OFFICER, tree.tianhe_firm.organisation)
    old = invitation_renew(by=officer, enterprise=tree.tianhe_firm).token
    new = invitation_renew(by=officer, enterprise=tree.tianhe_firm).token
    assert tree.tianhe_firm.legal_name in client.get(reverse("join", args=[new])).content.decode()
    stale = client.get(reverse("join", args=[old])).content.decode()
    assert tree.tianhe_firm.legal_name not in stale and 'name="credit_code"' in stale


def test_the_reset_answers_alike_for_a_known_and_an_unknown_number(client, tree):
    worker = tree.member()
    answers = [client.post(reverse("password_reset"), {"identifier": number}) for number in (worker.mobile, mobile())]
    assert [a.status_code for a in answers] == [302, 302] and answers[0].url == answers[1].url
    VerificationCode.objects.update(created_at=timezone.now() - codes.RESEND_AFTER)  # one code a minute per account
    client.post(reverse("password_reset"), {"identifier": worker.id_number})
    done = client.post(reverse("password_reset_code"),
                       {"code": sent_code(worker.mobile), "password": "b-new-pass-2026"})
    assert done.status_code == 302
    worker.user.refresh_from_db()
    assert worker.user.check_password("b-new-pass-2026")


def test_the_officer_confirms_from_the_queue_and_renews_the_link(client, tree, login):
    _with_code(client, tree, mobile())
    waiting = Worker.objects.get(membership=MembershipState.PENDING)
    client.logout()
    officer = login(tree.staff(Role.ENTERPRISE_OFFICER, tree.tianhe_firm.organisation))
    assert waiting.name in officer.get(reverse("members_to_confirm")).content.decode()
    assert officer.post(reverse("member_confirm", args=[waiting.pk])).status_code == 302
    waiting.refresh_from_db()
    assert waiting.membership == MembershipState.CONFIRMED
    assert officer.post(reverse("invitation")).status_code == 302
    page = officer.get(reverse("invitation")).content.decode()
    assert "<svg" in page and Invitation.objects.get().token in page


def test_the_members_pages_do_not_exist_for_workers_and_decisions_are_403_for_auditors(client, tree, login):
    worker = tree.member()
    login(worker.user)
    assert client.get(reverse("members_to_confirm")).status_code == 404
    assert client.get(reverse("invitation")).status_code == 404
    login(tree.staff(Role.AUDITOR, tree.city))
    assert client.get(reverse("members_to_confirm")).status_code == 404
    assert client.post(reverse("member_decline", args=[worker.pk]), {"reason": "x"}).status_code == 403


def test_the_reset_password_check_tells_nothing_about_the_number(client, tree):
    """A password made of the number ("w" + mobile) gets the same refusal for a known and an unknown number,
    before any code: the validators judge a stand-in, never the real account."""
    answers = []
    for number in (tree.member().mobile, mobile()):
        client.post(reverse("password_reset"), {"identifier": number})
        page = client.post(reverse("password_reset_code"), {"code": "000000", "password": f"w{number}"})
        answers.append(re.sub(r"csrfmiddlewaretoken\" value=\"\w+|\d{11}", "", page.content.decode()))
    assert answers[0] == answers[1] and 'class="error"' in answers[0]


def test_a_stale_join_link_signs_up_with_the_typed_credit_code(client, tree):
    officer = tree.staff(Role.ENTERPRISE_OFFICER, tree.tianhe_firm.organisation)
    old = invitation_renew(by=officer, enterprise=tree.tianhe_firm).token
    invitation_renew(by=officer, enterprise=tree.tianhe_firm)
    number = mobile()
    client.post(reverse("join", args=[old]), {"mobile": number, "send_code": "1"})
    answer = client.post(reverse("join", args=[old]), _form(tree, number, code=sent_code(number)))
    assert answer.status_code == 302
    assert Worker.objects.get(mobile=number).employer == tree.tianhe_firm


def test_the_declined_tab_lists_the_declined_and_confirms_them(client, tree, login):
    _with_code(client, tree, mobile())
    worker = Worker.objects.get(membership=MembershipState.PENDING)
    client.logout()
    officer = login(tree.staff(Role.ENTERPRISE_OFFICER, tree.tianhe_firm.organisation))
    officer.post(reverse("member_decline", args=[worker.pk]), {"reason": "不是本企业职工"})
    listed = f"<strong>{worker.name}</strong>"
    assert listed not in officer.get(reverse("members_to_confirm")).content.decode()
    declined = officer.get(reverse("members_to_confirm") + "?membership=declined").content.decode()
    assert listed in declined and "不是本企业职工" in declined
    officer.post(reverse("member_confirm", args=[worker.pk]))
    worker.refresh_from_db()
    assert worker.membership == MembershipState.CONFIRMED

"""On a phone: a worker signs up through the union's invitation link (the code read from the outbox, as the SMS
would bring it), the enterprise union confirms the membership, and the worker applies for the open policy."""

import datetime
import re

import pytest

from tests.builders import PASSWORD, Tree, id_number
from tests.e2e.test_roles import log_in
from yuanmeng.accounts.services import invitation_renew
from yuanmeng.applications.models import Application
from yuanmeng.notify.models import Message
from yuanmeng.orgs.roles import Role
from yuanmeng.people.models import MembershipState, Worker

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
MOBILE = "13800138077"


@pytest.fixture
def setting(transactional_db):
    tree = Tree()
    tree.policy(title="广州市职工求学圆梦资助", min_membership_months=0)
    officer = tree.staff(Role.ENTERPRISE_OFFICER, tree.tianhe_firm.organisation, username="signup_officer")
    return tree, officer, invitation_renew(by=officer, enterprise=tree.tianhe_firm)


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 391


def test_a_worker_signs_up_on_a_phone_is_confirmed_and_applies(live_server, setting, phone, browser, screenshots,
                                                               tmp_path):
    tree, officer, invitation = setting
    phone.goto(f"{live_server.url}/join/{invitation.token}/")
    assert tree.tianhe_firm.legal_name in phone.content()
    phone.fill("#id_name", "黄小燕")
    phone.fill("#id_id_number", id_number("440106", "19960812"))
    phone.select_option("#id_job_category", "service")
    phone.fill("#id_mobile", MOBILE)
    with phone.expect_navigation():
        phone.click("button[name=send_code]")
    code = re.search(r"\d{6}", Message.objects.filter(mobile=MOBILE, worker=None).latest("id").body).group()
    phone.fill("#id_code", code)
    phone.fill("#id_password", PASSWORD)
    phone.screenshot(path=str(screenshots / "sign-up-phone.png"), full_page=True)
    assert fits_the_phone(phone)
    phone.click("button[name=register]")
    phone.wait_for_url(f"{live_server.url}/")
    worker = Worker.objects.get(mobile=MOBILE)
    assert worker.membership == MembershipState.PENDING and worker.employer == tree.tianhe_firm
    phone.goto(f"{live_server.url}/subsidy/")
    assert "尚未确认您的会员身份" in phone.content()  # may look, may not apply yet
    phone.screenshot(path=str(screenshots / "sign-up-waiting-phone.png"), full_page=True)

    union = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN").new_page()
    log_in(union, live_server.url, "signup_officer")
    union.goto(f"{live_server.url}/members/confirm/")
    assert "黄小燕" in union.content() and fits_the_phone(union)
    union.screenshot(path=str(screenshots / "members-to-confirm-phone.png"), full_page=True)
    with union.expect_navigation():
        union.click(f"form[action='/members/{worker.pk}/confirm/'] button")
    assert "暂无待确认的会员" in union.content()
    union.context.close()
    worker.refresh_from_db()
    assert worker.membership == MembershipState.CONFIRMED

    proof = tmp_path / "录取通知书.pdf"
    proof.write_bytes(PDF)
    phone.goto(f"{live_server.url}/subsidy/")
    phone.click("a.button.primary >> nth=0")
    phone.select_option("#id_programme_type", "open_university")
    phone.select_option("#id_school", label="广州开放大学")
    phone.fill("#id_major", "工商管理")
    phone.select_option("#id_study_mode", "part_time")
    phone.fill("#id_enrolment_date", (datetime.date.today() - datetime.timedelta(days=90)).isoformat())
    phone.fill("#id_student_number", "2026440106077")
    phone.set_input_files("#id_document_enrolment_proof", str(proof))
    phone.click("button[type=submit].primary")
    phone.wait_for_url("**/applications/*/")
    assert Application.objects.filter(worker=worker).exists()

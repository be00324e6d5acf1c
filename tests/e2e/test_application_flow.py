"""In a real browser: a worker applies on a phone; officers approve it through every level."""

import datetime

import pytest

from tests.builders import PASSWORD, Tree
from tests.e2e.test_roles import log_in
from yuanmeng.applications.models import Application
from yuanmeng.applications.workflow import State
from yuanmeng.orgs.roles import Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def setting(transactional_db):
    tree = Tree()
    tree.policy(title="广州市职工求学圆梦资助")
    worker = tree.member(name="黎小红", mobile="13800138002")
    staff = {role: tree.staff(role, where, username=f"flow_{role}") for role, where in (
        (Role.ENTERPRISE_OFFICER, tree.tianhe_firm.organisation), (Role.DISTRICT_REVIEWER, tree.tianhe),
        (Role.CITY_ADMIN, tree.city))}
    return tree, worker, staff


def decide(browser, base_url, username: str, application_id: int, button: str, screenshots, shot: str):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    log_in(page, base_url, username)
    page.goto(f"{base_url}/applications/")
    page.click(f"a[href='/applications/{application_id}/'] >> nth=0")
    with page.expect_navigation():
        page.click(f"button[value={button}]")
    page.screenshot(path=str(screenshots / shot), full_page=True)
    context.close()


def test_worker_applies_on_a_phone_and_it_is_approved_through_all_levels(
        live_server, setting, phone, browser, screenshots, tmp_path):
    tree, worker, staff = setting
    proof = tmp_path / "录取通知书.pdf"
    proof.write_bytes(PDF)
    log_in(phone, live_server.url, "13800138002")
    phone.click("label.nav-button")
    with phone.expect_navigation():
        phone.click("nav >> text=求学补助")
    assert "还有名额" in phone.content()
    phone.click("a.button.primary >> nth=0")  # apply for the first level offered
    phone.select_option("#id_programme_type", "open_university")
    phone.select_option("#id_school", label="广州开放大学")
    phone.fill("#id_major", "机电一体化技术")
    phone.select_option("#id_study_mode", "part_time")
    phone.fill("#id_enrolment_date", (datetime.date.today() - datetime.timedelta(days=90)).isoformat())
    phone.fill("#id_student_number", "2025440106001")
    phone.set_input_files("#id_document_enrolment_proof", str(proof))
    phone.screenshot(path=str(screenshots / "apply-form-phone.png"), full_page=True)
    phone.click("button[type=submit].primary")
    phone.wait_for_url("**/applications/*/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 391
    application = Application.objects.get(worker=worker)
    assert application.state == State.SUBMITTED

    for role, button in ((Role.ENTERPRISE_OFFICER, "confirm"), (Role.DISTRICT_REVIEWER, "review"),
                         (Role.CITY_ADMIN, "approve")):
        decide(browser, live_server.url, f"flow_{role}", application.pk, button, screenshots, f"decide-{button}.png")
    assert Application.objects.get(pk=application.pk).state == State.APPROVED

    phone.reload()
    timeline = phone.locator("ol.timeline").inner_text()
    for step in ("已提交", "企业工会已确认", "区级已审核", "已批准"):
        assert step in timeline, step
    phone.screenshot(path=str(screenshots / "application-timeline-phone.png"), full_page=True)
    assert PASSWORD

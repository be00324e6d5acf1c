"""In a real browser: a district builds a needs survey and sends it to its workers; a worker answers it on a phone
(a required question left empty is named first); the district reads the results with their chart."""

import pytest

from tests.builders import Tree
from tests.e2e.test_roles import log_in
from yuanmeng.orgs.roles import Role
from yuanmeng.people.services import worker_account_create
from yuanmeng.surveys.models import Answer, Survey

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def setting(transactional_db):
    tree = Tree()
    tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe, username="survey_reviewer")
    worker = tree.worker(name="答卷人", mobile="13900001111")
    worker_account_create(by=tree.root_user, worker=worker, password="test-password-2026")
    return tree, worker


def test_a_worker_answers_a_survey_on_the_phone(live_server, setting, phone, browser, screenshots):
    tree, _worker = setting
    base = live_server.url
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    log_in(desk, base, "survey_reviewer")
    desk.goto(f"{base}/surveys/new/")
    desk.select_option("#id_organisation", label=tree.tianhe.name)
    desk.fill("#id_title", "职工培训需求")
    desk.select_option("#id_audience", "workers")
    desk.fill("#id_opens_at", "2020-01-01T08:00")
    desk.fill("#id_closes_at", "2099-01-01T08:00")
    desk.click("button[type=submit].primary")
    desk.wait_for_url("**/surveys/*/")
    survey = Survey.objects.get()
    desk.select_option("#id_kind", "single")
    desk.fill("#id_text", "最想学的技能")
    desk.fill("#id_options", "电工\n焊接\n数控")
    with desk.expect_navigation():
        desk.click(f"form[action='/surveys/{survey.pk}/questions/'] button[type=submit]")
    desk.fill("#id_codes", tree.tianhe_firm.organisation.code)
    with desk.expect_navigation():
        desk.click(f"form[action='/surveys/{survey.pk}/send/'] button[type=submit]")
    assert Survey.objects.get().status == "sent"

    log_in(phone, base, "13900001111")
    phone.goto(f"{base}/surveys/answer/")
    phone.click("text=作答")
    with phone.expect_navigation():
        phone.click("button.primary.wide")
    assert phone.locator("p.error").inner_text() == "这道题必须作答。"
    phone.check("label:has-text('焊接') input")
    phone.screenshot(path=str(screenshots / "survey-answer-phone.png"), full_page=True)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 391
    phone.click("button.primary.wide")
    phone.wait_for_url("**/surveys/answer/")
    assert Answer.objects.get().option.label == "焊接"

    desk.goto(f"{base}/surveys/{survey.pk}/")
    desk.wait_for_selector(f"#chart-q{survey.questions.get().pk} canvas, #chart-q{survey.questions.get().pk} svg")
    assert "100.0" in desk.content()
    desk.screenshot(path=str(screenshots / "survey-results.png"), full_page=True)

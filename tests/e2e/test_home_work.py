"""In a real browser on a phone: a district reviewer's home counts the applications waiting for them; they open the
count, review the oldest, and back home the count is one less."""

import re

import pytest

from tests.builders import Tree
from tests.e2e.test_roles import log_in
from yuanmeng.applications.services import application_transition
from yuanmeng.applications.workflow import Action
from yuanmeng.orgs.roles import Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
WAITING = 3


@pytest.fixture
def confirmed(transactional_db):
    tree = Tree()
    policy = tree.policy()
    officer = tree.staff(Role.ENTERPRISE_OFFICER, tree.tianhe_firm.organisation)
    tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe, username="home_reviewer")
    return [application_transition(by=officer, application=tree.apply(tree.member(name=f"职工{n}"), policy),
                                   action=Action.CONFIRM) for n in range(WAITING)]


def review_count(page) -> str:
    card = page.locator(".work-list a", has_text="待审核的申请")
    return card.locator("strong").inner_text().strip()


def test_reviewer_home_count_goes_down_as_they_review(live_server, confirmed, phone, screenshots):
    log_in(phone, live_server.url, "home_reviewer")
    assert review_count(phone) == str(WAITING)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    phone.screenshot(path=str(screenshots / "home-work-reviewer-before.png"), full_page=True)
    phone.locator(".work-list a", has_text="待审核的申请").click()
    phone.wait_for_url(re.compile(r".*/applications/\?waiting=review$"))
    oldest = confirmed[0]
    first_link = phone.locator("a[href^='/applications/'][href$='/']").filter(
        has_text=re.compile(r"职工\d")).first
    assert first_link.get_attribute("href") == f"/applications/{oldest.pk}/"  # the oldest first
    first_link.click()
    with phone.expect_navigation():
        phone.click("button[value=review]")
    phone.goto(f"{live_server.url}/")
    assert review_count(phone) == str(WAITING - 1)
    phone.screenshot(path=str(screenshots / "home-work-reviewer-after.png"), full_page=True)



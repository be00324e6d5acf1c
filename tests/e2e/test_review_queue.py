"""The review queue on a phone: the filters fold behind one button so the first application shows on the first
screen; the header box ticks the page, the count follows, and the decision asks first naming how many; the
decision then moves them all."""

import pytest

from tests.e2e.test_roles import log_in
from yuanmeng.applications.models import Application
from yuanmeng.applications.workflow import State
from yuanmeng.orgs.roles import Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_reviewer_selects_all_and_confirms_on_a_phone(live_server, tree, phone, screenshots):
    policy = tree.policy()
    applications = [tree.apply(tree.member(name=f"工人{i}"), policy) for i in range(3)]
    tree.staff(Role.ENTERPRISE_OFFICER, tree.tianhe_firm.organisation, username="e2e_queue")
    log_in(phone, live_server.url, "e2e_queue")
    phone.goto(f"{live_server.url}/applications/")
    first_row = phone.locator("tbody tr").first
    assert first_row.bounding_box()["y"] + first_row.bounding_box()["height"] <= 844  # on the first screen
    assert not phone.locator("select[name=level]").is_visible()  # folded
    phone.click("details.filter-fold > summary")
    assert phone.locator("select[name=level]").is_visible()
    phone.click("details.filter-fold > summary")
    phone.check("[data-select-all]")
    assert phone.locator("[data-selected-count]").inner_text() == "已选 3 份"
    phone.screenshot(path=str(screenshots / "review-queue-phone.png"))
    phone.click("#bulk-form button[type=submit]")
    dialog = phone.locator("dialog#confirm-dialog")
    assert dialog.is_visible() and "3 份申请" in dialog.inner_text() and "确认" in dialog.inner_text()
    with phone.expect_navigation():
        dialog.locator("button[value=confirm]").click()
    states = set(Application.objects.filter(pk__in=[a.pk for a in applications]).values_list("state", flat=True))
    assert states == {State.CONFIRMED}

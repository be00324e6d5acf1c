"""In a real browser on a phone: a worker under a city policy topped up by their district and enterprise unions
sees on their home page the total they will receive (city + district + enterprise), not only the city's part;
without a bank account on file, the blocking step and its form come first."""

import pytest

from tests.builders import Tree
from tests.e2e.test_roles import log_in
from yuanmeng.policies.services import policy_create, policy_publish

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(transactional_db):
    tree = Tree()
    policy = tree.policy(title="广州市职工求学圆梦资助")
    for org, code, amount in ((tree.tianhe, "TH-M", 50_000), (tree.tianhe_firm.organisation, "FIRM-M", 30_000)):
        matching = policy_create(by=tree.root_user, organisation=org, code=code, year=policy.year, title=code,
                                 parent=policy, amount_college_fen=amount, amount_bachelor_fen=amount)
        policy_publish(by=tree.root_user, policy=matching)
    worker = tree.member(name="黎小红", mobile="13800138009", bank_name="", bank_account="")
    tree.apply(worker, policy)
    return worker


def test_the_worker_sees_the_total_with_top_ups_and_enters_a_bank_account_on_a_phone(live_server, worker, phone,
                                                                                       screenshots):
    log_in(phone, live_server.url, "13800138009")
    money = phone.locator("section.money")
    assert "2,300.00" in money.locator("[data-total]").inner_text()
    text = money.inner_text()
    assert "1,500.00" in text and "500.00" in text and "300.00" in text
    assert phone.locator("#bank-account").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    phone.screenshot(path=str(screenshots / "worker-home-money.png"), full_page=True)

    phone.fill("#id_bank_name", "工商银行 天河支行")
    phone.fill("#id_bank_account", "6222020200112233445")  # a wrong check digit
    with phone.expect_navigation():
        phone.click("text=保存我的银行账户")
    assert "校验位" in phone.content()
    phone.fill("#id_bank_name", "工商银行 天河支行")
    phone.fill("#id_bank_account", "6222020200112233446")
    phone.click("text=保存我的银行账户")
    phone.wait_for_url(f"{live_server.url}/")
    assert phone.locator("#bank-account").count() == 0
    phone.screenshot(path=str(screenshots / "worker-home-bank-saved.png"), full_page=True)

"""Pages whose one-click POST cannot be undone carry the question confirm.js asks (templates/base.html holds the
dialog); tests/e2e/test_confirm.py shows the dialog itself in a browser."""

import pytest

from yuanmeng.accounts.services import invitation_renew
from yuanmeng.orgs.roles import Role

pytestmark = pytest.mark.django_db


def test_every_page_has_the_dialog_with_translated_buttons(tree, login):
    page = login(tree.staff(Role.CITY_ADMIN, tree.city)).get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<dialog id="confirm-dialog"' in page and "yuanmeng/confirm" in page
    assert 'value="cancel">取消</button>' in page and 'value="confirm" class="primary">确认</button>' in page


def test_renewing_the_sign_up_link_asks_first_but_making_the_first_does_not(tree, login):
    client = login(tree.staff(Role.ENTERPRISE_OFFICER, tree.tianhe_firm.organisation))
    assert "data-confirm=" not in client.get("/invitation/").content.decode()
    invitation_renew(by=tree.root_user, enterprise=tree.tianhe_firm)
    assert "更新报名链接？原链接及其二维码立即失效" in client.get("/invitation/").content.decode()

"""Pages whose one-click POST cannot be undone carry the question confirm.js asks (templates/base.html holds the
dialog); tests/e2e/test_confirm.py shows the dialog itself in a browser."""

import pytest

from yuanmeng.accounts.services import invitation_renew
from yuanmeng.orgs.roles import Role
from yuanmeng.policies.services import policy_supersede

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


def test_publishing_a_new_version_says_the_old_one_closes(tree, login):
    old = tree.policy(title="2026 旧版")
    draft = policy_supersede(by=tree.root_user, policy=old, code="P-NEW")
    page = login(tree.staff(Role.CITY_ADMIN, tree.city)).get(f"/policies/{draft.pk}/").content.decode()
    assert f"发布资助政策“{draft.title}”？发布后职工即可据此申请，政策条款不能再修改。 “2026 旧版”将同时关闭。" in page

"""Users' text inside <script> blocks (chart data) is JSON that no name can break out of."""

import json
import re

import pytest

from yuanmeng.funds.models import FundSource
from yuanmeng.funds.services import budget_create
from yuanmeng.orgs.roles import Role

pytestmark = pytest.mark.django_db

HOSTILE = "</script><h1>x</h1>"


def test_an_enterprise_named_like_markup_does_not_break_the_budget_page(tree, login):
    firm = tree.enterprise(tree.tianhe, HOSTILE)
    budget_create(by=tree.root_user, organisation=firm.organisation, year=2026, source=FundSource.MATCHING,
                  name="配套", amount_fen=500_000)
    page = login(tree.staff(Role.CITY_ADMIN, tree.city)).get("/payouts/").content.decode()
    assert "<h1>x</h1>" not in page
    block = re.search(r'<script id="budget-chart-data" type="application/json">(.*?)</script>', page, re.S)
    assert HOSTILE[:12] in json.loads(block.group(1))["categories"][0]

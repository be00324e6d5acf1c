"""The public notice (公示) of a payout round: published without log-in, masked, searchable by enterprise (limited
per address), paged, and ended."""

import datetime
import re

import pytest
from django.template.loader import render_to_string
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from tests.payouts.scale import id_number, verified_applications
from yuanmeng.funds.models import FundSource
from yuanmeng.funds.services import budget_create
from yuanmeng.payouts import selectors
from yuanmeng.payouts.models import Round
from yuanmeng.payouts.services import (
    lottery_announce,
    lottery_draw,
    lottery_freeze,
    lottery_seed_confirm,
    lottery_seed_enter,
    round_commit,
)

pytestmark = pytest.mark.django_db
YUAN = 100


@pytest.fixture
def noticed(tree):
    """A round of 30 workers on a 5-day public notice, run by the city union (with its contact on file)."""
    tree.city.contact_phone, tree.city.address = "020-83551234", "广州市越秀区东风中路 1 号"
    tree.city.save(update_fields=["contact_phone", "address"])
    policy = tree.policy(notice_days=5)
    budget = budget_create(by=tree.root_user, organisation=tree.city, year=policy.year, source=FundSource.SPECIAL,
                           name="市总专项资金", amount_fen=1_000_000 * YUAN)
    verified_applications(tree, policy, 30)
    return round_commit(by=tree.root_user, policy=policy, budget=budget, limit_fen=45_000 * YUAN, code="GZ-N1")


def test_the_notice_is_public_and_listed(client, noticed):
    index = client.get(reverse("notice_index"))
    assert index.status_code == 200 and reverse("notice_public", args=["GZ-N1"]) in index.content.decode()
    html = client.get(reverse("notice_public", args=["GZ-N1"])).content.decode()
    assert "GZ-N1" in html and "广州市职工求学圆梦资助" in html
    assert "020-83551234" in html and "东风中路" in html  # how to object: the union's contact
    assert "天河精密制造有限公司" in html and "职*0" in html  # masked name, the enterprise
    assert "天河精密制造有限公司工会" not in html  # the enterprise by its legal name, not its union's
    assert "45,000.00" in html  # the total


def test_no_full_identity_number_or_name_in_the_page(client, noticed):
    html = client.get(reverse("notice_public", args=["GZ-N1"])).content.decode()
    for n in range(30):
        assert id_number(n) not in html and f"职工{n}<" not in html
    assert re.search(r"4401\*{10}\d{4}", html)


@override_settings(PAGE_SIZE=10)
def test_the_list_is_paged(client, noticed):
    page3 = client.get(reverse("notice_public", args=["GZ-N1"]), {"page": 3})
    assert len(page3.context["page"].object_list) == 10
    assert [line["rank"] for line in page3.context["page"].object_list] == list(range(21, 31))


def test_search_finds_an_enterprise_never_a_person(client, noticed):
    url = reverse("notice_public", args=["GZ-N1"])
    assert client.get(url, {"q": "精密"}).context["page"].paginator.count == 30
    assert client.get(url, {"q": "海珠物流"}).context["page"].paginator.count == 0
    for name in ("职工7", "职工"):  # a full name would confirm a guess of the masked characters (职*7)
        assert client.get(url, {"q": name}).context["page"].paginator.count == 0


def test_searches_are_limited_per_address_paging_is_not(client, noticed, settings):
    settings.NOTICE_SEARCH_LIMIT = 2
    url = reverse("notice_public", args=["GZ-N1"])
    assert [client.get(url, {"q": "精密"}).status_code for _ in range(2)] == [200, 200]
    refused = client.get(url, {"q": "精密"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert refused.status_code == 429 and refused.context["page"] is None
    assert "搜索次数过多" in refused.content.decode() and "职*0" not in refused.content.decode()
    assert client.get(url, {"page": 2}).status_code == 200  # the list itself stays open
    assert client.get(url, {"q": "精密"}, REMOTE_ADDR="10.0.0.9").status_code == 200  # another address


def test_a_lottery_notice_keeps_chinese_punctuation(client, tree, monkeypatch):
    """The seed source's colon is part of the translation: "种子来源：…", never a Latin colon after Chinese."""
    policy = tree.policy(selection="lottery", notice_days=5)
    budget = budget_create(by=tree.root_user, organisation=tree.city, year=policy.year, source=FundSource.SPECIAL,
                           name="市总专项资金", amount_fen=1_000_000 * YUAN)
    verified_applications(tree, policy, 3)
    admin, second = tree.staff("city_admin", tree.city), tree.staff("city_admin", tree.city)
    seed_date = timezone.localdate() + datetime.timedelta(days=3)
    draw = lottery_freeze(by=admin, draw=lottery_announce(
        by=admin, policy=policy, budget=budget, code="GZ-L9", limit_fen=3_000 * YUAN, quota=2, seed_date=seed_date,
        seed_source="中国福利彩票 双色球 第2026138期 开奖号码"))
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: seed_date)
    lottery_seed_enter(by=admin, draw=draw, values="03 07 12 19 25 33 + 09")
    lottery_seed_confirm(by=second, draw=draw, values="03 07 12 19 25 33 + 09")
    lottery_draw(by=admin, draw=draw)
    code = Round.objects.get(policy=policy).code
    chinese = client.get(reverse("notice_public", args=[code]), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "种子来源：中国福利彩票" in chinese
    assert not re.search(r"[\u4e00-\u9fff]: ", re.sub(r"<[^>]+>", "", chinese))
    english = client.get(reverse("notice_public", args=[code]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Seed source: 中国福利彩票" in english


def test_an_ended_notice_says_so_without_the_list(client, noticed):
    Round.objects.filter(pk=noticed.pk).update(notice_ends_on=datetime.date.today() - datetime.timedelta(days=1))
    response = client.get(reverse("notice_public", args=["GZ-N1"]))
    html = response.content.decode()
    assert response.status_code == 200 and response.context["page"] is None
    assert "职*0" not in html and "4401**" not in html
    assert reverse("notice_public", args=["GZ-N1"]) not in client.get(reverse("notice_index")).content.decode()


def test_a_round_never_on_notice_is_not_found(client, tree, noticed):
    Round.objects.filter(pk=noticed.pk).update(notice_starts_on=None, notice_ends_on=None)
    assert client.get(reverse("notice_public", args=["GZ-N1"])).status_code == 404
    assert client.get(reverse("notice_public", args=["NO-SUCH"])).status_code == 404


def test_the_worker_sees_their_own_line(noticed):
    line = noticed.lines.get(rank=3)
    mine = selectors.notice_line_for_worker(line.application.worker)
    assert mine.pk == line.pk and mine.days_left == 6 and mine.matching_fen == 0
    html = render_to_string("payouts/notice_for_worker.html", {"line": mine})
    assert reverse("notice_public", args=["GZ-N1"]) in html and "1,500.00" in html

"""The lottery (RFC 3797's method, adapted): a frozen list, a seed from a public draw announced before it, four
eyes on the seed, an order nobody can steer, and a check anyone can run."""

import datetime
import hashlib
import itertools
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError
from django.utils import timezone

from tests.payouts.scale import verified_applications
from yuanmeng.applications.models import Application
from yuanmeng.applications.workflow import State
from yuanmeng.audit.models import AuditEntry
from yuanmeng.core.sql import rows
from yuanmeng.funds.models import FundSource, LedgerEntry
from yuanmeng.funds.services import budget_create, budget_set_total, funds_verify
from yuanmeng.payouts import planning, services
from yuanmeng.payouts.lottery import list_digest, normalise_seed, winners
from yuanmeng.payouts.models import LotteryDraw, LotteryEntry, PaymentLine
from yuanmeng.payouts.planning import PlanInput, ranked_sql
from yuanmeng.payouts.services import (
    lottery_announce,
    lottery_draw,
    lottery_freeze,
    lottery_seed_confirm,
    lottery_seed_enter,
    plan_input,
)
from yuanmeng.people.models import Worker

pytestmark = pytest.mark.django_db
YUAN = 100
SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "lottery_verify.py"
VALUES = "03 07 12 19 25 33 + 09"


@pytest.fixture
def lottery(tree):
    policy = tree.policy(selection="lottery")
    budget = budget_create(by=tree.root_user, organisation=tree.city, year=policy.year, source=FundSource.SPECIAL,
                           name="市总专项资金", amount_fen=15_000_000 * YUAN)
    return policy, budget


@pytest.fixture
def officers(tree):
    return tree.staff("city_admin", tree.city), tree.staff("city_admin", tree.city)


def _on(monkeypatch, day: datetime.date) -> None:
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)


def _announce(tree, policy, budget, **terms):
    values = {"code": "GZ-L1", "limit_fen": 15_000 * YUAN, "seed_source": "中国福利彩票 双色球 第2026138期 开奖号码",
              "seed_date": timezone.localdate() + datetime.timedelta(days=3)}
    values.update(terms)
    return lottery_announce(by=tree.root_user, policy=policy, budget=budget, **values)


def _drawn(tree, policy, budget, officers, monkeypatch, draw=None, **terms):
    draw = lottery_freeze(by=tree.root_user, draw=draw or _announce(tree, policy, budget, **terms))
    _on(monkeypatch, draw.seed_date)
    lottery_seed_enter(by=officers[0], draw=draw, values=VALUES)
    lottery_seed_confirm(by=officers[1], draw=draw, values="33 25 19 12 7 3 / 09")
    lottery_draw(by=tree.root_user, draw=draw)
    draw.refresh_from_db()
    return draw


def _sql_winners(draw, seed: str) -> list[int]:
    """The winners' application ids as the database orders them, for any seed (nothing is written)."""
    draw.seed = seed
    plan = PlanInput(policy=draw.policy, limit_fen=draw.limit_fen, quota=draw.quota, draw=draw)
    sql, params = ranked_sql(plan)
    return [r["id"] for r in rows(f"SELECT id FROM ({sql}) ranked WHERE funded = 1 ORDER BY rn", params)]


def test_the_seed_is_written_in_rfc_3797_form():
    assert normalise_seed(VALUES) == "3.7.12.19.25.33./9./"
    assert normalise_seed("０９ / 33,25，19、12 7 3") == "9./3.7.12.19.25.33./"  # full-width, any separator
    assert normalise_seed("3.7.12.19.25.33./9./") == "3.7.12.19.25.33./9./"  # already in normal form
    for wrong in ("", "  / ", "3 7 x 12", "三 七"):
        with pytest.raises(ValidationError) as exc:
            normalise_seed(wrong)
        assert "values" in exc.value.message_dict


def test_a_lottery_round_is_announced_frozen_seeded_by_four_eyes_and_drawn(tree, lottery, officers, monkeypatch):
    policy, budget = lottery
    verified_applications(tree, policy, 40)
    with pytest.raises(ValidationError) as exc:  # no ranked round for a lottery policy
        plan_input(policy, 15_000 * YUAN, None)
    assert "抽签" in str(exc.value)
    with pytest.raises(ValidationError) as exc:  # the public draw must be later than today
        _announce(tree, policy, budget, seed_date=timezone.localdate())
    assert "seed_date" in exc.value.message_dict
    draw = _announce(tree, policy, budget)
    with pytest.raises(ValidationError):  # one open draw at a time
        _announce(tree, policy, budget, code="GZ-L2")
    with pytest.raises(ValidationError):  # no seed for a list not frozen
        lottery_seed_enter(by=officers[0], draw=draw, values=VALUES)

    draw = lottery_freeze(by=tree.root_user, draw=draw)
    assert draw.candidate_count == 40 and len(draw.list_sha256) == 64
    with pytest.raises(ValidationError):  # frozen once
        lottery_freeze(by=tree.root_user, draw=draw)
    with pytest.raises(ValidationError) as exc:  # the values before the draw's date
        lottery_seed_enter(by=officers[0], draw=draw, values=VALUES)
    assert "values" in exc.value.message_dict

    _on(monkeypatch, draw.seed_date)
    lottery_seed_enter(by=officers[0], draw=draw, values=VALUES)
    with pytest.raises(ValidationError):  # not drawn before a second officer confirms
        lottery_draw(by=tree.root_user, draw=draw)
    with pytest.raises(ValidationError):  # the officer who entered them cannot confirm them
        lottery_seed_confirm(by=officers[0], draw=draw, values=VALUES)
    with pytest.raises(ValidationError) as exc:  # the second officer's numbers must be the same
        lottery_seed_confirm(by=officers[1], draw=draw, values="03 07 12 19 25 34 + 09")
    assert "values" in exc.value.message_dict
    draw = lottery_seed_confirm(by=officers[1], draw=draw, values="33,25,19,12,07,03 / 9")
    with pytest.raises(ValidationError):  # and then it never changes
        lottery_seed_enter(by=officers[1], draw=draw, values="1 2 3 + 4")

    round_ = lottery_draw(by=tree.root_user, draw=draw)
    assert round_.code == "GZ-L1" and round_.lottery_seed == "3.7.12.19.25.33./9./" and round_.funded_count == 10
    entries = list(LotteryEntry.objects.filter(draw=draw).order_by("position").values_list("reference", "amount_fen"))
    expected = list(winners("3.7.12.19.25.33./9./", entries, limit_fen=15_000 * YUAN, quota=None))
    assert len(expected) == 10
    lines = PaymentLine.objects.filter(round=round_).order_by("rank")
    assert [str(line.application_id) for line in lines] == expected  # by hand, from the published data alone
    assert [line.rank for line in lines] == list(range(1, 11))
    assert list(draw.entries.filter(place__isnull=False).order_by("place").values_list("reference", flat=True)) \
        == expected
    actions = set(AuditEntry.objects.filter(action__startswith="lottery.").values_list("action", flat=True))
    assert actions == {"lottery.announce", "lottery.freeze", "lottery.seed_enter", "lottery.seed_confirm",
                       "lottery.draw"}
    with pytest.raises(ValidationError):
        lottery_draw(by=tree.root_user, draw=draw)


def test_the_list_is_frozen_before_the_seed_can_be_known(tree, lottery, monkeypatch):
    policy, budget = lottery
    verified_applications(tree, policy, 5)
    draw = _announce(tree, policy, budget)
    _on(monkeypatch, draw.seed_date)
    with pytest.raises(ValidationError) as exc:  # on the draw's day its numbers may be out
        lottery_freeze(by=tree.root_user, draw=draw)
    assert "以后日期" in str(exc.value)
    assert not LotteryEntry.objects.exists()


def test_later_changes_to_applications_never_change_a_frozen_list(tree, lottery):
    policy, budget = lottery
    first = verified_applications(tree, policy, 6)
    draw = lottery_freeze(by=tree.root_user, draw=_announce(tree, policy, budget))
    before = list(LotteryEntry.objects.filter(draw=draw).order_by("position").values())
    from yuanmeng.people.services import worker_update

    worker_update(by=tree.root_user, worker=first[0].worker, name="改了名字")
    verified_applications(tree, policy, 3, start=100)  # verified after the freeze: a later round
    assert list(LotteryEntry.objects.filter(draw=draw).order_by("position").values()) == before
    entries = LotteryEntry.objects.filter(draw=draw).order_by("position").values_list("reference", "amount_fen")
    assert list_digest(entries) == draw.list_sha256
    assert before[0]["name_masked"] == "职*0" and "*" in before[0]["id_masked"]


def test_the_frozen_list_leaves_out_accounts_the_bank_refused(tree, lottery):
    """Frozen with the candidates a round ranks: an account on file that the bank refused could never be paid."""
    policy, budget = lottery
    first, refused = verified_applications(tree, policy, 2)
    Worker.objects.filter(pk=refused.worker_id).update(bank_account_refused_at=timezone.now())
    draw = lottery_freeze(by=tree.root_user, draw=_announce(tree, policy, budget))
    assert list(LotteryEntry.objects.filter(draw=draw).values_list("application_id", flat=True)) == [first.pk]
    assert draw.candidate_count == 1


def test_a_winner_who_left_the_queue_is_not_paid_and_nobody_moves_up(tree, lottery, officers, monkeypatch,
                                                                     client):
    policy, budget = lottery
    verified_applications(tree, policy, 12)
    draw = lottery_freeze(by=tree.root_user, draw=_announce(tree, policy, budget, limit_fen=4_500 * YUAN))
    _on(monkeypatch, draw.seed_date)
    lottery_seed_enter(by=officers[0], draw=draw, values=VALUES)
    draw = lottery_seed_confirm(by=officers[1], draw=draw, values=VALUES)
    drawn = _sql_winners(draw, draw.seed)
    Application.objects.filter(pk=drawn[0]).update(state=State.DIPLOMA_RETURNED)  # taken out after the seed is known
    round_ = lottery_draw(by=tree.root_user, draw=draw)
    assert set(PaymentLine.objects.filter(round=round_).values_list("application_id", flat=True)) == set(drawn[1:])
    assert draw.entries.filter(place__isnull=False).count() == 3  # the place stays with the winner, unpaid
    call_command("lottery", "verify", "GZ-L1")
    page = client.get("/lottery/GZ-L1/?list=winners").content.decode()
    assert page.count("不予发放") == 1 and "抽中第 1 名；抽签时已不在待发队列" in page


def test_the_database_orders_exactly_as_the_published_method(tree, lottery):
    policy, budget = lottery
    verified_applications(tree, policy, 30)
    draw = lottery_freeze(by=tree.root_user, draw=_announce(tree, policy, budget, limit_fen=10**9))
    entries = list(draw.entries.order_by("position").values_list("reference", "amount_fen"))
    for values in ("1 2 3 + 4", "10 20 30 31 32 33 + 16", "5"):
        seed = normalise_seed(values)
        by_hand = sorted(entries, key=lambda e: hashlib.sha256((seed + e[0]).encode()).digest())
        assert [str(i) for i in _sql_winners(draw, seed)] == [ref for ref, _amount in by_hand]


def test_one_changed_seed_character_changes_the_winners(tree, lottery):
    policy, budget = lottery
    verified_applications(tree, policy, 40)
    draw = lottery_freeze(by=tree.root_user, draw=_announce(tree, policy, budget))
    seed = normalise_seed(VALUES)
    assert set(_sql_winners(draw, seed)) != set(_sql_winners(draw, seed.replace("33.", "32.")))
    assert set(_sql_winners(draw, seed)) != set(_sql_winners(draw, seed.replace("9./", "8./")))


# The 0.999 quantiles of chi-square (a deterministic test fails by chance once in a thousand seed sets; these
# seeds are fixed, so it either always passes or always fails).
CHI2_999 = {9: 27.877, 44: 78.750}


def _chi_square(counts: Counter, categories: list, total: int) -> float:
    expected = total / len(categories)
    return sum((counts[c] - expected) ** 2 / expected for c in categories)


def test_every_candidate_and_every_pair_is_equally_likely():
    """Ten candidates, two places, 3,600 fixed seeds. Who comes first: uniform over the 10 (9 degrees of
    freedom); who wins together: uniform over the 45 pairs (44). The old order, (id·a + k) mod p, drew only
    neighbours on one circle: 10 of the 45 pairs, never the others."""
    entries = [(str(1000 + n), 150_000) for n in range(10)]
    firsts, pairs = Counter(), Counter()
    seeds = [normalise_seed(f"{a} {b} + {c}") for a, b, c in itertools.islice(
        itertools.product(range(1, 34), range(1, 34), range(1, 17)), 0, 3_600 * 7, 7)]
    for seed in seeds:
        drawn = list(winners(seed, entries, limit_fen=300_000, quota=None))
        firsts[drawn[0]] += 1
        pairs[frozenset(drawn)] += 1
    references = [ref for ref, _amount in entries]
    assert _chi_square(firsts, references, len(seeds)) < CHI2_999[9]
    all_pairs = [frozenset(p) for p in itertools.combinations(references, 2)]
    assert _chi_square(pairs, all_pairs, len(seeds)) < CHI2_999[44]


def test_the_old_modular_order_is_gone(tree, lottery):
    assert not hasattr(planning, "LOTTERY_MODULUS") and not hasattr(planning, "lottery_key")
    policy, budget = lottery
    draw = LotteryDraw(pk=1, policy=policy, limit_fen=1, seed="1./")
    sql, _params = ranked_sql(PlanInput(policy=policy, limit_fen=1, draw=draw))
    assert "sha256" in sql and "%%" not in sql


def test_the_command_and_the_standalone_script_agree(tree, lottery, officers, monkeypatch, client, tmp_path):
    policy, budget = lottery
    verified_applications(tree, policy, 25)
    draw = _drawn(tree, policy, budget, officers, monkeypatch, quota=7)
    call_command("lottery", "verify", draw.code)
    download = tmp_path / "draw.json"
    download.write_bytes(b"".join(client.get(f"/lottery/{draw.code}/data.json").streaming_content))
    data = json.loads(download.read_text())
    assert len(data["entries"]) == 25 and len(data["winners"]) == 7 and data["seed"] == "3.7.12.19.25.33./9./"
    script = subprocess.run([sys.executable, str(SCRIPT), str(download)], capture_output=True, text=True)
    assert script.returncode == 0, script.stdout

    # A committed result that is not the method's: both say so.
    first, second = draw.entries.filter(place__in=(1, 2)).order_by("place")
    LotteryEntry.objects.filter(pk=first.pk).update(place=2)
    LotteryEntry.objects.filter(pk=second.pk).update(place=1)
    with pytest.raises(CommandError, match="DOES NOT MATCH"):
        call_command("lottery", "verify", draw.code)
    download.write_bytes(b"".join(client.get(f"/lottery/{draw.code}/data.json").streaming_content))
    script = subprocess.run([sys.executable, str(SCRIPT), str(download)], capture_output=True, text=True)
    assert script.returncode == 1 and "winners: DIFFERS" in script.stdout
    LotteryEntry.objects.filter(draw=draw).update(amount_fen=1)  # a list edited after the freeze
    with pytest.raises(CommandError, match="SHA-256"):
        call_command("lottery", "verify", draw.code)


def test_the_public_page_needs_no_login_and_shows_no_full_number(tree, lottery, officers, monkeypatch, client):
    policy, budget = lottery
    applications = verified_applications(tree, policy, 15)
    draw = _drawn(tree, policy, budget, officers, monkeypatch)
    page = client.get(f"/lottery/{draw.code}/")
    text = page.content.decode()
    assert page.status_code == 200
    for shown in (draw.list_sha256, draw.seed, draw.seed_source, str(officers[0]), str(officers[1]),
                  "职*"):
        assert shown in text
    assert not any(a.worker.id_number in text for a in applications)
    assert applications[0].worker.name not in text
    winners_page = client.get(f"/lottery/{draw.code}/?list=winners").content.decode()
    assert "#10" in winners_page and "#11" not in winners_page
    english = client.get(f"/lottery/{draw.code}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Frozen candidate list" in english
    assert "冻结" in client.get(f"/lottery/{draw.code}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert client.get("/lottery/NO-SUCH/").status_code == 404


def _detail_page(client, draw) -> str:
    return client.get(f"/payouts/lottery/{draw.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_staff_pages_announce_freeze_enter_confirm_and_draw(tree, lottery, officers, monkeypatch, client):
    policy, budget = lottery
    verified_applications(tree, policy, 8)
    first, second = officers
    client.force_login(first)
    assert "Announce a draw" in client.get(f"/policies/{policy.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Announce this draw? Its money is reserved" in client.get(
        f"/payouts/lottery/new/{policy.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()  # asks first
    day = timezone.localdate() + datetime.timedelta(days=2)
    answer = client.post(f"/payouts/lottery/new/{policy.pk}/", {
        "code": "GZ-L9", "limit_fen": "6000", "seed_source": "中国福利彩票 双色球 第2026140期", "seed_date": day,
        "max_lines_per_batch": 2200})
    draw = LotteryDraw.objects.get(code="GZ-L9")
    assert answer.status_code == 302 and draw.limit_fen == 6000 * YUAN
    assert "Freeze the candidate list of draw GZ-L9 now?" in _detail_page(client, draw)  # asks first
    client.post(f"/payouts/lottery/{draw.pk}/freeze/")
    _on(monkeypatch, day)
    client.post(f"/payouts/lottery/{draw.pk}/enter/", {"values": VALUES})
    client.post(f"/payouts/lottery/{draw.pk}/confirm/", {"values": VALUES})  # refused: the same officer
    draw.refresh_from_db()
    assert draw.frozen_at and draw.seed_entered_by == first and draw.seed_confirmed_at is None
    client.force_login(second)
    assert "Confirm the numbers you typed as the seed?" in _detail_page(client, draw)
    client.post(f"/payouts/lottery/{draw.pk}/confirm/", {"values": VALUES})
    assert "Draw GZ-L9 now? The round is committed at once with the first of the 8 candidates, up to 6,000.00 yuan" \
        in _detail_page(client, draw)
    client.post(f"/payouts/lottery/{draw.pk}/draw/")
    draw.refresh_from_db()
    assert draw.round.funded_count == 4
    assert client.get(f"/payouts/lottery/{draw.pk}/").status_code == 200


def test_the_public_page_runs_the_same_queries_whatever_the_list(tree, lottery, officers, monkeypatch, client,
                                                                 django_assert_num_queries):
    policy, budget = lottery
    verified_applications(tree, policy, 40)
    draw = _drawn(tree, policy, budget, officers, monkeypatch)
    with django_assert_num_queries(3):  # the draw, the page's count and its rows (each says whether it is paid)
        client.get(f"/lottery/{draw.code}/")
    with django_assert_num_queries(3):
        client.get(f"/lottery/{draw.code}/?list=winners&page=2")


def test_an_error_placing_the_winners_surfaces_itself_and_the_draw_can_be_retried(tree, lottery, officers,
                                                                                     monkeypatch):
    policy, budget = lottery
    verified_applications(tree, policy, 8)
    draw = lottery_freeze(by=tree.root_user, draw=_announce(tree, policy, budget))
    _on(monkeypatch, draw.seed_date)
    lottery_seed_enter(by=officers[0], draw=draw, values=VALUES)
    lottery_seed_confirm(by=officers[1], draw=draw, values=VALUES)
    execute = services._execute

    def duplicate_winner(sql, params):  # a real failing statement: on PostgreSQL it aborts the transaction
        if sql.startswith("INSERT INTO ym_won_"):
            return execute(f"INSERT INTO {sql.split()[2]} VALUES (1, 1), (1, 2)", [])
        return execute(sql, params)

    monkeypatch.setattr(services, "_execute", duplicate_winner)
    with pytest.raises(IntegrityError):  # not "current transaction is aborted" from cleaning up
        lottery_draw(by=tree.root_user, draw=draw)
    monkeypatch.setattr(services, "_execute", execute)
    assert lottery_draw(by=tree.root_user, draw=draw).funded_count == 8  # nothing of the failed draw was left


def _tampered(draw, expected: str) -> None:
    with pytest.raises(CommandError, match=expected):
        call_command("lottery", "verify", draw.code)


def test_verify_rebuilds_the_seed_from_the_entered_numbers(tree, lottery, officers, monkeypatch):
    policy, budget = lottery
    verified_applications(tree, policy, 25)
    draw = lottery_freeze(by=tree.root_user, draw=_announce(tree, policy, budget, limit_fen=6_000 * YUAN))
    _on(monkeypatch, draw.seed_date)
    lottery_seed_enter(by=officers[0], draw=draw, values=VALUES)
    lottery_seed_confirm(by=officers[1], draw=draw, values=VALUES)
    LotteryDraw.objects.filter(pk=draw.pk).update(seed=normalise_seed("1 2 3 + 4"))  # a seed nobody published
    lottery_draw(by=tree.root_user, draw=draw)  # winners, places and lines all follow the stored seed
    _tampered(draw, "the seed from the entered numbers is 3.7.12.19.25.33./9./, not the stored 1.2.3./4./")


def test_verify_compares_the_candidate_count_and_the_list(tree, lottery, officers, monkeypatch):
    policy, budget = lottery
    verified_applications(tree, policy, 25)
    draw = _drawn(tree, policy, budget, officers, monkeypatch, quota=7)
    LotteryDraw.objects.filter(pk=draw.pk).update(candidate_count=24)
    _tampered(draw, "25 candidates in the frozen list, not the 24 stored at the freeze")

    LotteryDraw.objects.filter(pk=draw.pk).update(candidate_count=25)
    LotteryEntry.objects.filter(draw=draw, place=None).order_by("-position").first().delete()  # a loser removed
    entries = draw.entries.order_by("position").values_list("reference", "amount_fen")
    LotteryDraw.objects.filter(pk=draw.pk).update(list_sha256=list_digest(entries))  # and the digest rewritten
    _tampered(draw, "24 candidates in the frozen list, not the 25 stored at the freeze")


def test_the_announced_money_is_reserved_until_the_draw_turns_it_into_the_rounds(tree, lottery, officers,
                                                                                 monkeypatch):
    policy, budget = lottery
    verified_applications(tree, policy, 12)
    draw = _announce(tree, policy, budget, limit_fen=4_000 * YUAN)
    budget.refresh_from_db()
    assert budget.reserved_fen == 4_000 * YUAN
    with pytest.raises(ValidationError) as exc:  # the budget cannot fall below what the draw holds
        budget_set_total(by=tree.root_user, budget=budget, total_fen=3_000 * YUAN)
    assert "total_fen" in exc.value.message_dict
    budget_set_total(by=tree.root_user, budget=budget, total_fen=4_000 * YUAN)  # all of it spoken for: allowed
    with pytest.raises(ValidationError) as exc:  # and no second draw can spend it
        _announce(tree, tree.policy(selection="lottery"), budget, code="GZ-L2", limit_fen=1 * YUAN)
    assert "limit_fen" in exc.value.message_dict

    draw = _drawn(tree, policy, budget, officers, monkeypatch, draw=draw)
    round_ = draw.round
    budget.refresh_from_db()
    assert round_.funded_count == 2 and budget.reserved_fen == round_.total_fen == 3_000 * YUAN  # the rest released
    ledger = list(LedgerEntry.objects.filter(budget=budget).exclude(kind="allocate").order_by("pk")
                  .values_list("kind", "amount_fen", "reference"))
    assert ledger == [("reserve", 4_000 * YUAN, "lottery:GZ-L1"), ("release", 4_000 * YUAN, "lottery:GZ-L1"),
                      ("reserve", 3_000 * YUAN, "round:GZ-L1")]
    assert funds_verify().ok
    announced, drawn = (AuditEntry.objects.get(action=action) for action in ("lottery.announce", "lottery.draw"))
    assert announced.after["reserved_fen"] == drawn.after["released_fen"] == 4_000 * YUAN
    call_command("lottery", "verify", draw.code)


def test_a_draw_announced_before_reservations_gives_back_nobody_elses_money(tree, lottery, officers, monkeypatch):
    policy, budget = lottery
    verified_applications(tree, policy, 4)
    _announce(tree, tree.policy(selection="lottery"), budget, code="GZ-L9")  # money another draw holds
    unreserved = LotteryDraw.objects.create(
        policy=policy, code="GZ-L1", budget=budget, limit_fen=3_000 * YUAN, seed_source="双色球",
        seed_date=timezone.localdate() + datetime.timedelta(days=3), announced_by=tree.root_user,
        announced_at=timezone.now())
    draw = _drawn(tree, policy, budget, officers, monkeypatch, draw=unreserved)
    budget.refresh_from_db()
    assert budget.reserved_fen == 15_000 * YUAN + draw.round.total_fen == 18_000 * YUAN
    assert AuditEntry.objects.get(action="lottery.draw").after["released_fen"] == 0

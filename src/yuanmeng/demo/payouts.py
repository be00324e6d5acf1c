"""The money side of the demo: budgets at three levels, a committed round, an approved batch, a bank result file,
and a round drawn by lottery.

The round funds the first verified applications (priority groups first); the finance officer approves its
batch; the bank's answer pays all but two lines, whose workers find their application back in the queue
with the bank's reason. A second, small round waits for approval; what stays verified and unpaid is there
to plan the next round on the page.

The lottery is a second city policy whose places are drawn: its story took ten days, so its first steps run on
a clock set back (the applications, the announcement of the welfare-lottery draw a week ago, the frozen list);
the numbers of that draw are entered and confirmed by two officers today, and the round is drawn, in public
notice, with its public page at /lottery/<code>/.
"""

import datetime
import io
from contextlib import contextmanager
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from yuanmeng.funds.models import FundSource
from yuanmeng.funds.services import budget_create
from yuanmeng.payouts.models import LineStatus
from yuanmeng.payouts.planning import simulate
from yuanmeng.payouts.selectors import special_budget
from yuanmeng.payouts.services import (
    batch_approve,
    lottery_announce,
    lottery_draw,
    lottery_freeze,
    lottery_seed_confirm,
    lottery_seed_enter,
    plan_input,
    result_import,
    round_commit,
)
from yuanmeng.policies.models import Selection
from yuanmeng.policies.services import policy_create, policy_publish

ROUND_WORKERS = 24
NEXT_ROUND_WORKERS = 4
FAILURES = {1: "户名与账号不符", 2: "账户已销户"}  # the bank's reasons for the lines at these places from the end
LOTTERY_CANDIDATES, LOTTERY_PLACES = 12, 5
LOTTERY_NUMBERS = "05 11 16 22 27 31 + 08"  # the (made-up) result of the announced welfare-lottery draw


def build_payouts(*, admin, city_admin, finance, policy, district, enterprise) -> None:
    year = policy.year
    city_budget = budget_create(by=admin, organisation=policy.organisation, year=year, source=FundSource.SPECIAL,
                                name=f"{year}年求学圆梦专项资金", amount_fen=1_500_000_000)
    for organisation, amount, name in ((district, 5_000_000, "天河区配套资金"),
                                       (enterprise, 1_000_000, "企业学历提升奖励资金")):
        budget_create(by=admin, organisation=organisation, year=year, source=FundSource.MATCHING,
                      name=f"{year}年{name}", amount_fen=amount)
    per_worker = policy.amount_fen("college")
    if simulate(plan_input(policy, per_worker * (ROUND_WORKERS + NEXT_ROUND_WORKERS), None)).funded < \
            ROUND_WORKERS + NEXT_ROUND_WORKERS:
        return  # a demo built with very few workers has too few verified diplomas for rounds
    round_ = round_commit(by=city_admin, policy=policy, budget=city_budget, limit_fen=per_worker * ROUND_WORKERS,
                          code=f"{policy.code}-R1", max_lines_per_batch=ROUND_WORKERS)
    batch = round_.batches.get()
    batch_approve(by=finance, batch=batch)
    result_import(by=finance, batch=batch, upload=bank_answer(batch))
    round_commit(by=city_admin, policy=policy, budget=city_budget, limit_fen=per_worker * NEXT_ROUND_WORKERS,
                 code=f"{policy.code}-R2")  # committed, its batch waiting for the finance officer


def bank_answer(batch) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(["业务参考号", "状态", "失败原因", "金额"])
    lines = list(batch.lines.filter(status=LineStatus.PENDING).order_by("rank"))
    for place, line in enumerate(reversed(lines), start=1):
        reason = FAILURES.get(place)
        sheet.append([line.reference, "失败" if reason else "成功", reason or "", f"{line.total_fen / 100:.2f}"])
    data = io.BytesIO()
    book.save(data)
    return SimpleUploadedFile("银行代发结果.xlsx", data.getvalue())


@contextmanager
def _days_ago(days: int):
    """Run services as if ``days`` ago (the records' times and the date rules; the audit trail keeps real time)."""
    then = timezone.now() - datetime.timedelta(days=days)
    with mock.patch.object(timezone, "now", lambda: then), \
            mock.patch.object(timezone, "localdate", lambda *args, **kwargs: timezone.localtime(then).date()):
        yield


def build_lottery(*, subsidy, city_admin, workers) -> None:
    """A city policy whose places are drawn: 12 verified candidates, 5 places, the whole RFC 3797 sequence."""
    admin, year = subsidy.admin, timezone.localdate().year
    today = timezone.localdate()
    policy = policy_create(
        by=admin, organisation=subsidy.orgs["GZ"], code=f"GZ-{year}-XJY", year=year,
        title=f"广州市{year}年新就业形态劳动者学历提升资助（名额抽签）", amount_college_fen=100_000,
        amount_bachelor_fen=100_000, annual_budget_fen=50_000_000, selection=Selection.LOTTERY, notice_days=3,
        programme_types=["open_university", "adult_higher", "self_study", "online"], min_membership_months=6,
        opens_on=today - datetime.timedelta(days=120), closes_on=today + datetime.timedelta(days=30),
        required_documents=["enrolment_proof", "diploma"],
        description="名额少于申请人数时，按 RFC 3797 的方法公开抽签：先预告种子来源，再冻结名单，任何人都能核验结果。")
    policy_publish(by=admin, policy=policy)
    waiting = [w for w in workers if w.union_member_since and w.union_member_since <= today - datetime.timedelta(
        days=200) and not w.applications.exists()][:LOTTERY_CANDIDATES]
    if len(waiting) < LOTTERY_CANDIDATES:
        return  # a demo built with very few workers has nobody left to apply
    with _days_ago(12):
        subsidy.verified_applications(policy, waiting)
    with _days_ago(10):
        draw = lottery_announce(by=city_admin, policy=policy, budget=special_budget(policy), code=f"GZ-{year}-L1",
                                limit_fen=LOTTERY_PLACES * 100_000, seed_date=today - datetime.timedelta(days=7),
                                seed_source=f"中国福利彩票 双色球 第{year}138期 开奖号码")
        draw = lottery_freeze(by=city_admin, draw=draw)
    draw = lottery_seed_enter(by=city_admin, draw=draw, values=LOTTERY_NUMBERS)
    draw = lottery_seed_confirm(by=admin, draw=draw, values=LOTTERY_NUMBERS)
    lottery_draw(by=city_admin, draw=draw)

"""The money side of the demo: budgets at three levels, a committed round, an approved batch, a bank result file.

The round funds the first verified applications (priority groups first); the finance officer approves its
batch; the bank's answer pays all but two lines, whose workers find their application back in the queue
with the bank's reason. A second, small round waits for approval; what stays verified and unpaid is there
to plan the next round on the page.
"""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from yuanmeng.funds.models import FundSource
from yuanmeng.funds.services import budget_create
from yuanmeng.payouts.models import LineStatus
from yuanmeng.payouts.planning import simulate
from yuanmeng.payouts.results import result_import
from yuanmeng.payouts.services import batch_approve, plan_input, round_commit

ROUND_WORKERS = 24
NEXT_ROUND_WORKERS = 4
FAILURES = {1: "户名与账号不符", 2: "账户已销户"}  # the bank's reasons for the lines at these places from the end


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
    result_import(by=finance, batch=batch, upload=_bank_answer(batch))
    round_commit(by=city_admin, policy=policy, budget=city_budget, limit_fen=per_worker * NEXT_ROUND_WORKERS,
                 code=f"{policy.code}-R2")  # committed, its batch waiting for the finance officer


def _bank_answer(batch) -> SimpleUploadedFile:
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

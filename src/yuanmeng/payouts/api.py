"""Budgets, round simulation and commitment, batches, approvals, objections and bank results over the API.

Amounts are integer fen (分) everywhere.
"""

import datetime
from typing import Annotated, Literal

from django.db.models import prefetch_related_objects
from django.shortcuts import get_object_or_404
from ninja import Field, File, Path, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from yuanmeng.core.access import get_for_action
from yuanmeng.core.api import EXPORT, Pages, TaskQueued, export_answer, task_answer
from yuanmeng.core.api_answers import answers
from yuanmeng.core.exports import Queued
from yuanmeng.funds import selectors as fund_selectors
from yuanmeng.funds.models import Budget, FundSource
from yuanmeng.funds.services import budget_create, budget_set_total
from yuanmeng.orgs.models import Organisation, OrgKind
from yuanmeng.orgs.roles import Capability
from yuanmeng.payouts import selectors, services
from yuanmeng.payouts.files import FORMATS
from yuanmeng.payouts.jobs import payment_file_start
from yuanmeng.payouts.models import Batch, LineStatus, Round
from yuanmeng.payouts.planning import AMOUNT_LABELS, shortfall, simulate
from yuanmeng.policies.models import Policy

router = Router(tags=["funds and payouts"])
Id = Annotated[int, Path(ge=1, le=2**62)]
Fen = Field(..., ge=0, le=10**14, description="integer fen (分)")


class BudgetOut(Schema):
    id: int
    organisation_id: int
    organisation_name: str = Field(..., alias="organisation.name")
    year: int
    source: FundSource
    name: str
    allocated_fen: int
    reserved_fen: int
    paid_fen: int
    available_fen: int


class BudgetIn(Schema):
    organisation_id: int = Field(..., ge=1, le=2**62)
    year: int = Field(..., ge=2000, le=2100)
    source: FundSource
    name: str = Field("", max_length=120)
    amount_fen: int = Fen


class BudgetTotalIn(Schema):
    total_fen: int = Fen
    note: str = Field("", max_length=200)


class PlanIn(Schema):
    policy_id: int = Field(..., ge=1, le=2**62)
    limit_fen: int = Fen
    quota: int | None = Field(None, ge=1, le=10_000_000)


class CommitIn(PlanIn):
    budget_id: int = Field(..., ge=1, le=2**62)
    code: str = Field(..., max_length=40)
    max_lines_per_batch: int = Field(2200, ge=1, le=100_000)


def amount(name: str, more: str = "") -> object:
    """A money field described by the one label pages and the command line use for it (planning.AMOUNT_LABELS)."""
    return Field(..., description=f"{AMOUNT_LABELS[name]}{more}, integer fen (分)")


class GroupRow(Schema):
    key: str | int | None
    applicants: int
    funded: int
    funded_fen: int = amount("city_fen", " of the funded")
    matching_fen: int = amount("matching_fen", " of the funded")
    total_fen: int = amount("total_fen", " of the funded")


class SimulationOut(Schema):
    candidates: int
    funded: int
    funded_fen: int = amount("city_fen", " of the funded: what the round's money limits")
    matching_fen: int = amount("matching_fen", ": what the matching policies add while their budgets last")
    total_fen: int = amount("total_fen", " paid to the funded")
    available_fen: int | None = Field(..., description="what the policy's special fund has left, integer fen (分); "
                                                      "null when the union has no special fund for the year")
    warning: str = Field(..., description="why the round cannot be committed as asked (more money than is "
                                          "available); empty when it can")
    left_out: int
    no_bank_account: int
    by_priority_group: list[GroupRow]
    by_area: list[GroupRow]
    by_level: list[GroupRow]


class BatchOut(Schema):
    id: int
    number: int
    status: str
    line_count: int
    total_fen: int = amount("total_fen", " of the batch's live lines")
    approvals: list[str] = []

    @staticmethod
    def resolve_approvals(obj: Batch) -> list[str]:
        return [approval.user.username for approval in obj.approvals.all()]


ROUND_BATCHES = "batches__approvals__user"


class RoundOut(Schema):
    id: int
    code: str
    policy_id: int
    budget_id: int
    status: str
    limit_fen: int
    quota: int | None
    lottery_seed: str
    funded_count: int
    total_fen: int = amount("total_fen", " of the round's live lines")
    notice_starts_on: datetime.date | None
    notice_ends_on: datetime.date | None
    batches: list[BatchOut] = []

    @staticmethod
    def resolve_batches(obj: Round) -> list[Batch]:
        prefetch_related_objects([obj], ROUND_BATCHES)  # nothing more when the list fetched them for its page
        return list(obj.batches.all())


class LineOut(Schema):
    id: int
    rank: int
    reference: str
    application_id: int
    payee_name: str
    account_masked: str
    bank_name: str
    priority_group: str
    level: str
    city_fen: int = amount("city_fen")
    district_fen: int = amount("matching_fen", ": the district's (or street's) part")
    enterprise_fen: int = amount("matching_fen", ": the enterprise's part")
    total_fen: int = amount("total_fen")
    status: LineStatus
    failure_reason: str


class ObjectionIn(Schema):
    reason: str = Field(..., max_length=500)


class ResultOut(Schema):
    id: int
    batch_id: int
    file_name: str
    paid: int
    failed: int
    unchanged: int


@router.get("/budgets", response=answers(list[BudgetOut], 422), summary="Budgets in my scope")
@paginate(Pages)
def list_budgets(request, year: int | None = None):
    return fund_selectors.budget_list(user=request.user, year=year)


@router.get("/budgets/export", summary="Budgets in my scope, as an Excel workbook", **EXPORT)
def export_budgets(request, year: int | None = None):
    return export_answer(request, "budgets", year=year)


@router.post("/budgets", response=answers({201: BudgetOut}, 403, 404, 422),
             summary="Create a budget (allocates its amount)")
def create_budget(request, payload: BudgetIn):
    organisation = get_object_or_404(Organisation.objects.restrict(request.user).exclude(
        kind__in=(OrgKind.SCHOOL, OrgKind.PROVIDER)), pk=payload.organisation_id)
    return Status(201, budget_create(by=request.user, organisation=organisation, year=payload.year,
                                     source=payload.source, name=payload.name, amount_fen=payload.amount_fen))


@router.put("/budgets/{budget_id}/total", response=answers(BudgetOut, 403, 404, 422),
            summary="Raise or lower a budget's allocation")
def set_budget_total(request, budget_id: Id, payload: BudgetTotalIn):
    budget = get_object_or_404(Budget.objects.restrict(request.user, Capability.VIEW_FUNDS), pk=budget_id)
    return budget_set_total(by=request.user, budget=budget, total_fen=payload.total_fen, note=payload.note)


def _policy(request, policy_id: Id) -> Policy:
    return get_object_or_404(Policy.objects.restrict(request.user, Capability.MANAGE_FUNDS), pk=policy_id)


@router.post("/simulate", response=answers(SimulationOut, 404, 422), summary="Simulate a payout round (writes nothing)")
def simulate_round(request, payload: PlanIn):
    plan = services.plan_input(_policy(request, payload.policy_id), payload.limit_fen, payload.quota)
    result = simulate(plan)
    return {**vars(result), "by_priority_group": result.by_group, "available_fen": plan.available_fen,
            "warning": shortfall(plan)}


@router.post("/rounds", response=answers({201: RoundOut}, 403, 404, 422), summary="Commit a payout round into batches")
def commit_round(request, payload: CommitIn):
    budget = get_object_or_404(Budget.objects.restrict(request.user, Capability.MANAGE_FUNDS), pk=payload.budget_id)
    round_ = services.round_commit(by=request.user, policy=_policy(request, payload.policy_id), budget=budget,
                                   limit_fen=payload.limit_fen, quota=payload.quota, code=payload.code,
                                   max_lines_per_batch=payload.max_lines_per_batch)
    return Status(201, round_)


@router.get("/rounds", response=answers(list[RoundOut], 422), summary="Payout rounds in my scope")
@paginate(Pages)
def list_rounds(request):
    return selectors.round_list(user=request.user).prefetch_related(ROUND_BATCHES)


@router.get("/rounds/export", summary="Payout rounds in my scope, as an Excel workbook", **EXPORT)
def export_rounds(request):
    return export_answer(request, "rounds")


@router.get("/rounds/{round_id}", response=answers(RoundOut, 404, 422), summary="One round with its batches")
def get_round(request, round_id: Id):
    return get_object_or_404(selectors.round_list(user=request.user), pk=round_id)


@router.post("/rounds/{round_id}/release", response=answers(RoundOut, 403, 404, 422), summary="End the public notice")
def release_round(request, round_id: Id):
    round_ = get_for_action(selectors.round_list(user=request.user), round_id, user=request.user,
                            capability=Capability.MANAGE_FUNDS)
    return services.round_release(by=request.user, round_=round_)


@router.get("/rounds/{round_id}/lines", response=answers(list[LineOut], 404, 422),
            summary="A round's payment lines (masked)")
@paginate(Pages)
def round_lines(request, round_id: Id, status: LineStatus | None = None):
    round_ = get_object_or_404(selectors.round_list(user=request.user), pk=round_id)  # unknown or out of scope: 404
    return selectors.line_list(round_=round_, status=status or "")


@router.get("/rounds/{round_id}/lines/export", summary="A round's payment lines (masked), as a workbook", **EXPORT)
def export_round_lines(request, round_id: Id, status: LineStatus | None = None):
    return export_answer(request, "payment-lines", round=round_id, status=status)


@router.post("/lines/{line_id}/objection", response=answers(LineOut, 403, 404, 422),
             summary="An objection during the public notice")
def raise_objection(request, line_id: Id, payload: ObjectionIn):
    line = get_for_action(selectors.lines_visible(user=request.user), line_id, user=request.user,
                          capability=Capability.MANAGE_FUNDS)
    return services.objection_raise(by=request.user, line=line, reason=payload.reason)


@router.post("/batches/{batch_id}/approve", response=answers(BatchOut, 403, 404, 422),
             summary="Approve a batch (finance officer)")
def approve_batch(request, batch_id: Id):
    batch = get_for_action(selectors.batches_visible(user=request.user), batch_id, user=request.user,
                           capability=Capability.APPROVE_PAYOUTS)
    return services.batch_approve(by=request.user, batch=batch)


FILE_OPENAPI = {"responses": {200: {
    "description": "the payment file, with every payee's full account number",
    "content": {FORMATS[fmt].content_type: {"schema": {"type": "string", "format": "binary"}} for fmt in FORMATS}}}}


@router.post("/batches/{batch_id}/file/{fmt}", response=answers({202: TaskQueued}, 403, 404, 422),
             openapi_extra=FILE_OPENAPI, summary="Issue an approved batch's payment file, or fetch your issue again",
             description="The bank spreadsheet (`xlsx`) or ISO 20022 `pain001`: two encodings of one issue. The first "
                         "finance officer to ask issues it and may fetch it again, in either format, until the bank's "
                         "results are imported; `reissue=true` issues it again (the bank did not receive it) and "
                         "takes another finance officer. The person who committed the round may not (403). An "
                         "ordinary batch's file comes back at once (200); a large one is written in the background "
                         "(202, the task's id and page).")
def batch_file(request, batch_id: Id, fmt: Literal[tuple(FORMATS)], reissue: bool = False):
    batch = get_object_or_404(selectors.batches_visible(user=request.user), pk=batch_id)
    started = payment_file_start(by=request.user, batch=batch, fmt=fmt, reissue=reissue)
    return task_answer(started) if isinstance(started, Queued) else started


@router.post("/batches/{batch_id}/results", response=answers(ResultOut, 403, 404, 422),
             summary="Import the bank's result file")
def import_results(request, batch_id: Id, file: File[UploadedFile]):
    batch = get_for_action(selectors.batches_visible(user=request.user), batch_id, user=request.user,
                           capability=Capability.APPROVE_PAYOUTS)
    return services.result_import(by=request.user, batch=batch, upload=file)

"""Subsidy policies over the API: read what is in scope (or open to a worker), draft, publish, close, supersede.

Money is an integer number of fen (分): 150000 is ¥1,500.00.
"""

import datetime
from typing import Annotated

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import StringConstraints, field_validator

from yuanmeng.core.access import get_for_action
from yuanmeng.core.api import EXPORT, Pages, export_answer
from yuanmeng.core.api_answers import answers
from yuanmeng.orgs.models import Organisation
from yuanmeng.orgs.roles import Capability
from yuanmeng.people.models import JobCategory, Worker
from yuanmeng.policies import selectors, services
from yuanmeng.policies.models import DocumentKind, Policy, PolicyStatus, PriorityGroup, ProgrammeType, Selection

router = Router(tags=["policies"])
# A row id: bounded, so a 20-digit number is a 422 rather than an integer overflow in the database driver.
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]

FEN = "integer fen (分): 150000 = ¥1,500.00"
MAX_AMOUNT_FEN = 10**10  # ¥100 million: far above any subsidy, well inside every integer column
MAX_BUDGET_FEN = 10**15
NonBlank40 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
NonBlank200 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class PolicyOut(Schema):
    id: int
    organisation_id: int
    organisation_name: str = Field(..., alias="organisation.name")
    code: str
    title: str
    year: int
    description: str
    status: PolicyStatus
    parent_id: int | None = Field(..., description="the policy this one tops up (a matching policy)")
    supersedes_id: int | None
    superseded_by_id: int | None = Field(None, description="the new version, once one is drafted")
    amount_college_fen: int | None = Field(..., description=f"per person, {FEN}")
    amount_bachelor_fen: int | None = Field(..., description=f"per person, {FEN}")
    levels: list[str] = Field(..., description="education levels with an amount")
    programme_types: list[str]
    min_membership_months: int
    job_categories: list[str] = Field(..., description="empty: every job category")
    min_age: int | None
    max_age: int | None
    first_diploma_only: bool
    local_employment_only: bool
    opens_on: datetime.date | None
    closes_on: datetime.date | None
    required_documents: list[str]
    priority_groups: list[str] = Field(..., description="in order of priority")
    annual_budget_fen: int = Field(..., description=FEN)
    max_applicants: int | None
    max_approvals: int | None
    selection: Selection
    notice_days: int
    dual_approval_above_fen: int | None
    applicant_count: int
    approval_count: int
    published_at: datetime.datetime | None
    closed_at: datetime.datetime | None

    @staticmethod
    def resolve_superseded_by_id(obj: Policy) -> int | None:
        newer = getattr(obj, "superseded_by", None)  # joined by the selectors: no query per row
        return newer.pk if newer else None


def _reject_control_characters(value):
    """Text as stored: trimmed, without the control characters (NUL among them) PostgreSQL or readers choke on."""
    if not isinstance(value, str):
        return value
    if any(ord(c) < 32 and c not in "\n\r\t" for c in value):
        raise ValueError("control characters are not allowed")
    return value.strip()


class _PolicyFields(Schema):
    description: str = Field("", max_length=5000)
    parent_id: Id | None = Field(None, description="for a matching policy (配套): the policy it tops up, "
                                  "of a union above this one")
    amount_college_fen: int | None = Field(None, ge=1, le=MAX_AMOUNT_FEN, description=f"per person, {FEN}")
    amount_bachelor_fen: int | None = Field(None, ge=1, le=MAX_AMOUNT_FEN, description=f"per person, {FEN}")
    programme_types: list[ProgrammeType] = Field([], max_length=len(ProgrammeType.values))
    min_membership_months: int = Field(0, ge=0, le=600)
    job_categories: list[JobCategory] = Field([], max_length=len(JobCategory.values),
                                              description="empty: every job category")
    min_age: int | None = Field(None, ge=16, le=70)
    max_age: int | None = Field(None, ge=16, le=70)
    first_diploma_only: bool = True
    local_employment_only: bool = True
    opens_on: datetime.date | None = None
    closes_on: datetime.date | None = None
    required_documents: list[DocumentKind] = Field([], max_length=len(DocumentKind.values))
    priority_groups: list[PriorityGroup] = Field([], max_length=len(PriorityGroup.values),
                                                 description="in order of priority")
    annual_budget_fen: int = Field(0, ge=0, le=MAX_BUDGET_FEN, description=FEN)
    max_applicants: int | None = Field(None, ge=1, le=10_000_000, description="the channel closes at this many")
    max_approvals: int | None = Field(None, ge=1, le=10_000_000)
    selection: Selection = Selection.RANKING
    notice_days: int = Field(0, ge=0, le=60, description="days of public notice before a round may be paid")
    dual_approval_above_fen: int | None = Field(None, ge=0, le=MAX_BUDGET_FEN,
                                                description=f"rounds above this need two approvers, {FEN}")

    @field_validator("description", mode="after")
    @classmethod
    def _no_control(cls, value):
        return _reject_control_characters(value)


class PolicyIn(_PolicyFields):
    organisation_id: Id = Field(..., description="the union that pays (in your scope)")
    code: NonBlank40 = Field(..., description="unique, e.g. GZ-2026-XL")
    title: NonBlank200
    year: int = Field(..., ge=2000, le=2100)

    @field_validator("code", "title", mode="after")
    @classmethod
    def _no_control_title(cls, value):
        return _reject_control_characters(value)


class PolicyPatch(Schema):
    """Only the fields sent change; send null to clear a field that may be empty."""

    # Fields that may not be empty are typed without None: a null for them is a 422 naming the field.
    code: NonBlank40 = None
    title: NonBlank200 = None
    year: int = Field(None, ge=2000, le=2100)
    description: str = Field(None, max_length=5000)
    parent_id: Id | None = None
    amount_college_fen: int | None = Field(None, ge=1, le=MAX_AMOUNT_FEN, description=f"per person, {FEN}")
    amount_bachelor_fen: int | None = Field(None, ge=1, le=MAX_AMOUNT_FEN, description=f"per person, {FEN}")
    programme_types: list[ProgrammeType] = Field(None, max_length=len(ProgrammeType.values))
    min_membership_months: int = Field(None, ge=0, le=600)
    job_categories: list[JobCategory] = Field(None, max_length=len(JobCategory.values))
    min_age: int | None = Field(None, ge=16, le=70)
    max_age: int | None = Field(None, ge=16, le=70)
    first_diploma_only: bool = None
    local_employment_only: bool = None
    opens_on: datetime.date | None = None
    closes_on: datetime.date | None = None
    required_documents: list[DocumentKind] = Field(None, max_length=len(DocumentKind.values))
    priority_groups: list[PriorityGroup] = Field(None, max_length=len(PriorityGroup.values))
    annual_budget_fen: int = Field(None, ge=0, le=MAX_BUDGET_FEN, description=FEN)
    max_applicants: int | None = Field(None, ge=1, le=10_000_000)
    max_approvals: int | None = Field(None, ge=1, le=10_000_000)
    selection: Selection = None
    notice_days: int = Field(None, ge=0, le=60)
    dual_approval_above_fen: int | None = Field(None, ge=0, le=MAX_BUDGET_FEN)

    @field_validator("code", "title", "description", mode="after")
    @classmethod
    def _no_control(cls, value):
        return _reject_control_characters(value)


class SupersedeIn(Schema):
    code: NonBlank40 = Field(..., description="the new version's code")

    @field_validator("code", mode="after")
    @classmethod
    def _no_control(cls, value):
        return _reject_control_characters(value)


def _fields(data: dict, organisation: Organisation) -> dict:
    """The payload as service keyword arguments: enum members as plain values, parent_id as a policy."""
    if "parent_id" in data:
        parent_id = data.pop("parent_id")
        data["parent"] = None
        if parent_id is not None:
            data["parent"] = selectors.policies_above(organisation).filter(pk=parent_id).first()
            if data["parent"] is None:
                raise ValidationError({"parent_id": [_("No such policy of this union or a union above it.")]})
    for name, value in data.items():
        if isinstance(value, list):
            data[name] = [str(v) for v in value]
        elif isinstance(value, str):
            data[name] = str(value)
    return data


def _policy_to_manage(request, policy_id: int) -> Policy:
    """404 for a policy the caller cannot read (``GET /{policy_id}``), 403 for one they read but may not manage."""
    return get_for_action(selectors.policies_visible_to(request.user), policy_id, user=request.user,
                          capability=Capability.MANAGE_POLICIES)


@router.get("", response=answers(list[PolicyOut], 422), summary="Policies of the unions in my scope")
@paginate(Pages)
def list_policies(request, year: int | None = None, status: PolicyStatus | None = None):
    return selectors.policy_list(user=request.user, year=year, status=status or "")


@router.get("/export", summary="Policies of the unions in my scope, as an Excel workbook", **EXPORT)
def export_policies(request, year: int | None = None, status: PolicyStatus | None = None):
    return export_answer(request, "policies", year=year, status=status)


@router.get("/open", response=answers(list[PolicyOut], 404, 422), summary="Published policies that apply to a worker",
            description="For a worker: the published policies of every union above their employer. "
                        "Staff may pass `worker_id` of a worker in their scope (to apply on their behalf).")
@paginate(Pages)
def open_policies(request, worker_id: Id | None = None, year: int | None = None):
    if worker_id is not None:
        worker = get_object_or_404(Worker.objects.restrict(request.user).select_related("employer__organisation"),
                                   pk=worker_id)
    else:
        worker = Worker.objects.select_related("employer__organisation").filter(user=request.user).first()
        if worker is None:
            raise ValidationError({"worker_id": [_("You have no worker record: give the worker_id.")]})
    return selectors.policies_open_to(worker, year=year)


@router.get("/{policy_id}", response=answers(PolicyOut, 404, 422), summary="One policy")
def get_policy(request, policy_id: int):
    return get_object_or_404(selectors.policies_visible_to(request.user), pk=policy_id)


@router.post("", response=answers({201: PolicyOut}, 403, 404, 422), summary="Draft a policy")
def create_policy(request, payload: PolicyIn):
    organisation = Organisation.objects.restrict(request.user).filter(pk=payload.organisation_id).first()
    if organisation is None:
        raise ValidationError({"organisation_id": [_("No such union in your scope.")]})
    fields = _fields(payload.dict(exclude={"organisation_id"}), organisation)
    policy = services.policy_create(by=request.user, organisation=organisation, **fields)
    return Status(201, policy)


@router.patch("/{policy_id}", response=answers(PolicyOut, 403, 404, 422), summary="Change a draft",
              description="Only a draft can change; a published policy is superseded by a new version.")
def update_policy(request, policy_id: int, payload: PolicyPatch):
    policy = _policy_to_manage(request, policy_id)
    fields = _fields(payload.dict(exclude_unset=True), policy.organisation)
    return services.policy_update(by=request.user, policy=policy, **fields)


@router.post("/{policy_id}/publish", response=answers(PolicyOut, 403, 404, 422), summary="Publish a draft",
             description="Freezes its terms; if it supersedes a policy, that one closes at the same moment.")
def publish_policy(request, policy_id: int):
    return services.policy_publish(by=request.user, policy=_policy_to_manage(request, policy_id))


@router.post("/{policy_id}/close", response=answers(PolicyOut, 403, 404, 422),
             summary="Close a published policy to new applications")
def close_policy(request, policy_id: int):
    return services.policy_close(by=request.user, policy=_policy_to_manage(request, policy_id))


@router.post("/{policy_id}/supersede", response=answers({201: PolicyOut}, 403, 404, 422),
             summary="Draft a new version of a published policy",
             description="A draft copy under a new code; publishing it closes the original.")
def supersede_policy(request, policy_id: int, payload: SupersedeIn):
    draft = services.policy_supersede(by=request.user, policy=_policy_to_manage(request, policy_id), code=payload.code)
    return Status(201, get_object_or_404(selectors.policy_list(user=request.user), pk=draft.pk))

import datetime

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from yuanmeng.accounts.backends import client_address
from yuanmeng.core.access import get_for_action
from yuanmeng.core.api import EXPORT, Pages, export_answer, written
from yuanmeng.core.api_answers import ERRORS, answers
from yuanmeng.core.validators import DocumentType
from yuanmeng.orgs.models import Enterprise, Organisation
from yuanmeng.orgs.roles import Capability
from yuanmeng.orgs.scoping import CompiledInScope
from yuanmeng.people import selectors, services
from yuanmeng.people.models import HonourLevel, JobCategory, MembershipState, Worker

router = Router(tags=["workers"])


class WorkerOut(Schema):
    id: int
    name: str
    document_type: DocumentType
    id_number: str = Field(..., description="the document's number; masked unless your role may see it in full")
    birth_date: datetime.date | None = Field(..., description="only where the identity number is shown in full")
    birth_year: int
    sex: str = Field(..., description="M or F, read from the identity number")
    mobile: str = Field(..., description="masked unless your role may see it in full or contacts workers")
    employer_id: int | None
    employer_name: str | None
    union_member_since: datetime.date | None
    job_category: JobCategory
    is_migrant_worker: bool
    is_new_employment_form: bool
    model_worker_level: str
    labour_medal_level: str
    bank_name: str
    bank_account: str = Field(..., description="masked unless your role may see it in full")

    @staticmethod
    def resolve_id_number(obj: Worker, context) -> str:
        return selectors.worker_numbers(obj, context["request"].user)["id_number"]

    @staticmethod
    def resolve_birth_date(obj: Worker, context) -> datetime.date | None:
        return selectors.worker_numbers(obj, context["request"].user)["birth_date"]

    @staticmethod
    def resolve_birth_year(obj: Worker) -> int:
        return obj.birth_date.year

    @staticmethod
    def resolve_mobile(obj: Worker, context) -> str:
        return selectors.worker_mobile(obj, context["request"].user)

    @staticmethod
    def resolve_bank_account(obj: Worker, context) -> str:
        return selectors.worker_numbers(obj, context["request"].user)["bank_account"]

    @staticmethod
    def resolve_employer_name(obj: Worker) -> str | None:
        return obj.employer.legal_name if obj.employer_id else None


class WorkerIn(Schema):
    name: str = Field(..., max_length=50)
    document_type: DocumentType = Field(DocumentType.RESIDENT_ID, description="the document the number is of")
    id_number: str = Field(..., max_length=30, description="the document's 18-character number (GB 11643 layout)")
    mobile: str = Field(..., max_length=20)
    employer_id: int
    job_category: JobCategory
    union_member_since: datetime.date | None = None
    is_migrant_worker: bool = False
    is_new_employment_form: bool = False
    model_worker_level: HonourLevel = HonourLevel.NONE
    labour_medal_level: HonourLevel = HonourLevel.NONE
    bank_name: str = Field("", max_length=60)
    bank_account: str = Field("", max_length=40)


class WorkerPatch(Schema):
    name: str | None = Field(None, max_length=50)
    document_type: DocumentType | None = None
    id_number: str | None = Field(None, max_length=30)
    mobile: str | None = Field(None, max_length=20)
    employer_id: int | None = None
    job_category: JobCategory | None = None
    union_member_since: datetime.date | None = None
    is_migrant_worker: bool | None = None
    is_new_employment_form: bool | None = None
    model_worker_level: HonourLevel | None = None
    labour_medal_level: HonourLevel | None = None
    bank_name: str | None = Field(None, max_length=60)
    bank_account: str | None = Field(None, max_length=40)


# The employer a registration or a change names, in the caller's scope: compiled once per shape of scope and
# prepared (every registration asks it).
_EMPLOYER = CompiledInScope(lambda user, pk: Enterprise.objects.restrict(user).select_related("organisation")
                            .filter(pk=pk), Enterprise, by_key=True, pk=int)


def _fields(request, data: dict) -> dict:
    if "employer_id" in data:
        found = _EMPLOYER(request.user, pk=data.pop("employer_id"))
        if not found:
            raise Http404
        data["employer"] = found[0]
    return data


@router.get("", response=answers(list[WorkerOut], 404, 422), summary="Workers in my scope")
@paginate(Pages)
def list_workers(request, q: str = "", organisation_id: int | None = None, job_category: JobCategory | None = None):
    organisation = None
    if organisation_id:
        organisation = get_object_or_404(Organisation.objects.restrict(request.user), pk=organisation_id)
    return selectors.worker_list(user=request.user, search=q, organisation=organisation,
                                 job_category=job_category or "")


@router.get("/export", summary="Workers in my scope, as an Excel workbook", **EXPORT)
def export_workers(request, q: str = "", organisation_id: int | None = None, job_category: JobCategory | None = None):
    return export_answer(request, "workers", q=q, org=organisation_id, job_category=job_category)


@router.post("", response=answers({201: WorkerOut}, 403, 404, 422), summary="Register a worker")
@written(WorkerOut, status=201)
def create_worker(request, payload: WorkerIn):
    worker = services.worker_register(by=request.user, **_fields(request, payload.dict()))
    return Status(201, worker)


@router.get("/{worker_id}", response=answers(WorkerOut, 404, 422), summary="One worker")
def get_worker(request, worker_id: int):
    return get_object_or_404(selectors.worker_list(user=request.user), pk=worker_id)


@router.patch("/{worker_id}", response=answers(WorkerOut, 403, 404, 422), summary="Change a worker's record")
def update_worker(request, worker_id: int, payload: WorkerPatch):
    worker = get_object_or_404(selectors.worker_list(user=request.user), pk=worker_id)
    fields = _fields(request, payload.dict(exclude_unset=True, exclude_none=True))
    return services.worker_update(by=request.user, worker=worker, **fields)


# ── Sign-up (no log-in) and the members to confirm ──────────────────────────────────────────────────────────

PUBLIC = {"auth": None}
# Mounted at /workers before ``router``, whose "/{worker_id}" would take "sign-up" and "members-to-confirm" for ids.
signup_router = Router(tags=["workers"])


class SignUpCodeIn(Schema):
    mobile: str = Field(..., max_length=20, description="the mobile number the 6-digit code is sent to")


class SignUpIn(Schema):
    name: str = Field(..., max_length=50)
    document_type: DocumentType = DocumentType.RESIDENT_ID
    id_number: str = Field(..., max_length=30)
    mobile: str = Field(..., max_length=20)
    code: str = Field(..., max_length=6, description="the code sent to the mobile (valid 10 minutes, 5 tries)")
    password: str = Field(..., max_length=128)
    job_category: JobCategory
    credit_code: str = Field("", max_length=30, description="the enterprise's unified social credit code, "
                                                               "unless `invitation` names it")
    invitation: str = Field("", max_length=32, description="the token of the enterprise union's sign-up link")


class SignedUpOut(Schema):
    id: int
    membership: MembershipState = Field(..., description="`pending` until the enterprise union confirms")
    employer_name: str

    @staticmethod
    def resolve_employer_name(obj: Worker) -> str:
        return obj.employer.legal_name


class SentOut(Schema):
    detail: str


class MemberOut(Schema):
    id: int
    name: str
    id_number: str = Field(..., alias="id_number_masked", description="masked")
    employer_id: int
    employer_name: str
    job_category: JobCategory
    signed_up_at: datetime.datetime = Field(..., alias="created_at")

    @staticmethod
    def resolve_employer_name(obj: Worker) -> str:
        return obj.employer.legal_name


class ConfirmIn(Schema):
    since: datetime.date | None = Field(None, description="membership date; today by default")


class DeclineIn(Schema):
    reason: str = Field(..., max_length=200, description="the worker reads it")


@signup_router.post("/sign-up/code", response={202: SentOut, 422: ERRORS[422]}, summary="Send a sign-up code by SMS",
             **PUBLIC)
def sign_up_code(request, payload: SignUpCodeIn):
    services.sign_up_code_send(mobile=payload.mobile, address=client_address(request))
    return Status(202, {"detail": "sent"})


@signup_router.post("/sign-up", response={201: SignedUpOut, 422: ERRORS[422]},
             summary="Sign up as a worker (the union confirms the membership later)", **PUBLIC)
def sign_up(request, payload: SignUpIn):
    """An identity number already on record answers 422 with one message on `id_number`, whoever holds it."""
    return Status(201, services.worker_sign_up(**payload.dict()))


@signup_router.get("/members-to-confirm", response=answers(list[MemberOut], 422),
                   summary="Signed-up workers my union confirms")
@paginate(Pages)
def members_to_confirm(request):
    return selectors.members_to_confirm(request.user)


def _member(request, worker_id: int) -> Worker:
    return get_for_action(selectors.worker_list(user=request.user), worker_id, user=request.user,
                          capability=Capability.CHANGE_WORKERS)


@signup_router.post("/{worker_id}/confirm", response=answers(WorkerOut, 403, 404, 422),
             summary="Confirm a signed-up worker as a member")
def confirm_member(request, worker_id: int, payload: ConfirmIn):
    return services.member_confirm(by=request.user, worker=_member(request, worker_id), since=payload.since)


@signup_router.post("/{worker_id}/decline", response=answers(WorkerOut, 403, 404, 422),
             summary="Decline a signed-up worker, saying why")
def decline_member(request, worker_id: int, payload: DeclineIn):
    return services.member_decline(by=request.user, worker=_member(request, worker_id), reason=payload.reason)

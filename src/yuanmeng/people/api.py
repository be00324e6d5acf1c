import datetime

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from yuanmeng.core.api import EXPORT, Pages, export_answer
from yuanmeng.core.api_answers import answers
from yuanmeng.core.validators import DocumentType
from yuanmeng.orgs.models import Enterprise, Organisation
from yuanmeng.people import selectors, services
from yuanmeng.people.models import HonourLevel, JobCategory, Worker

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


def _fields(request, data: dict) -> dict:
    if "employer_id" in data:
        data["employer"] = get_object_or_404(
            Enterprise.objects.restrict(request.user).select_related("organisation"), pk=data.pop("employer_id")
        )
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

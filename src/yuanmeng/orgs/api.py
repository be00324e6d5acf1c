from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from yuanmeng.core.api import EXPORT, Pages, export_answer
from yuanmeng.core.api_answers import answers
from yuanmeng.orgs import selectors, services
from yuanmeng.orgs.models import EnterpriseSize, Industry, Organisation, OrgKind
from yuanmeng.orgs.roles import Capability

router = Router(tags=["organisations"])


class OrganisationOut(Schema):
    id: int
    code: str
    name: str
    kind: OrgKind
    parent_id: int | None
    depth: int
    region_code: str
    address: str


class EnterpriseOut(Schema):
    id: int
    organisation_id: int
    legal_name: str
    credit_code: str
    industry: Industry
    size: EnterpriseSize
    address: str = Field(..., alias="organisation.address")
    worker_count: int = 0


class EnterpriseIn(Schema):
    parent_id: int = Field(..., description="district, street or industry union the enterprise belongs to")
    legal_name: str = Field(..., max_length=120)
    credit_code: str = Field(..., max_length=30, description="18-character unified social credit code (GB 32100)")
    industry: Industry
    size: EnterpriseSize
    address: str = Field("", max_length=200)


@router.get("", response=answers(list[OrganisationOut], 422), summary="Organisations in my scope")
@paginate(Pages)
def list_organisations(request, kind: OrgKind | None = None, parent_id: int | None = None, q: str = ""):
    return selectors.organisation_list(user=request.user, kind=kind or "", parent_id=parent_id, search=q)


@router.get("/export", summary="Organisations in my scope, as an Excel workbook", **EXPORT)
def export_organisations(request, kind: OrgKind | None = None, parent_id: int | None = None, q: str = ""):
    return export_answer(request, "organisations", kind=kind, parent_id=parent_id, q=q)


@router.get("/enterprises", response=answers(list[EnterpriseOut], 422), summary="Enterprises in my scope")
@paginate(Pages)
def list_enterprises(request, industry: Industry | None = None, q: str = ""):
    return selectors.enterprise_list(user=request.user, industry=industry or "", search=q)


@router.get("/enterprises/export", summary="Enterprises in my scope, as an Excel workbook", **EXPORT)
def export_enterprises(request, industry: Industry | None = None, q: str = ""):
    return export_answer(request, "enterprises", industry=industry, q=q)


@router.post("/enterprises", response=answers({201: EnterpriseOut}, 403, 404, 422),
             summary="Register an enterprise and its union")
def create_enterprise(request, payload: EnterpriseIn):
    parent = get_object_or_404(Organisation.objects.restrict(request.user), pk=payload.parent_id)
    enterprise = services.enterprise_register(by=request.user, parent=parent, **payload.dict(exclude={"parent_id"}))
    return Status(201, enterprise)


@router.get("/{org_id}", response=answers(OrganisationOut, 404, 422), summary="One organisation")
def get_organisation(request, org_id: int):
    return get_object_or_404(Organisation.objects.restrict(request.user, Capability.VIEW), pk=org_id)

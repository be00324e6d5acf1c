"""Changes to the union tree, enterprises, schools and roles — each audited."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from yuanmeng.audit.services import audit_record
from yuanmeng.core.errors import PermissionDenied, clean_each
from yuanmeng.core.text import clean_text
from yuanmeng.core.validators import validate_credit_code
from yuanmeng.orgs.models import ALLOWED_PARENTS, Enterprise, Membership, Organisation, OrgKind, School
from yuanmeng.orgs.roles import ROLE_ORG_KINDS, Capability
from yuanmeng.orgs.scoping import has_capability


def _require(by, capability: str, organisation: Organisation | None, message: str) -> None:
    path = organisation.path if organisation else None
    if organisation is None and not getattr(by, "is_superuser", False):
        raise PermissionDenied(message)
    if organisation is not None and not has_capability(by, capability, path):
        raise PermissionDenied(message)


def _check_placement(kind: str, parent: Organisation | None) -> None:
    allowed = ALLOWED_PARENTS[kind]
    if parent is None and allowed:
        raise ValidationError({"parent": [_("This kind of organisation needs a parent.")]})
    if parent is not None and parent.kind not in allowed:
        raise ValidationError(
            {"parent": [_("A %(kind)s cannot sit under a %(parent)s.")
                        % {"kind": OrgKind(kind).label, "parent": OrgKind(parent.kind).label}]}
        )


def _check_text_fields(limits: dict[str, tuple[str, int, bool]]) -> dict[str, str]:
    """``{field: (value, max length, required)}`` → cleaned values, or every problem at once."""
    return clean_each(limits, lambda _name, spec: clean_text(spec[0], max_length=spec[1], required=spec[2]))


def _check_org_fields(*, code: str, name: str, region_code: str = "", address: str = "") -> dict[str, str]:
    cleaned = _check_text_fields({"code": (code, 32, True), "name": (name, 150, True),
                                  "region_code": (region_code, 6, False), "address": (address, 200, False)})
    region = cleaned["region_code"]
    if region and not (len(region) == 6 and region.isdigit()):
        raise ValidationError({"region_code": [_("A region code has 6 digits.")]})
    return cleaned


def _insert(org: Organisation) -> Organisation:
    try:
        with transaction.atomic():
            org.save()
    except IntegrityError:
        raise ValidationError({"code": [_("This organisation code is already in use.")]}) from None
    org.depth = org.parent.depth + 1 if org.parent else 0
    org.path = f"{org.parent.path if org.parent else '/'}{org.pk}/"
    Organisation.objects.filter(pk=org.pk).update(path=org.path, depth=org.depth)
    return org


def _org_snapshot(org: Organisation) -> dict:
    return {"code": org.code, "name": org.name, "kind": org.kind, "parent": org.parent_id,
            "region_code": org.region_code, "address": org.address}


@transaction.atomic
def organisation_create(*, by, kind: str, code: str, name: str, parent: Organisation | None = None,
                        region_code: str = "", address: str = "", contact_phone: str = "") -> Organisation:
    _require(by, Capability.CHANGE_ORGS, parent, _("You may add organisations only within your own organisation."))
    fields = _check_org_fields(code=code, name=name, region_code=region_code, address=address)
    _check_placement(kind, parent)
    org = _insert(Organisation(kind=kind, parent=parent, contact_phone=clean_text(contact_phone, max_length=30),
                               **fields))
    audit_record(actor=by, action="organisation.create", obj=org, organisation=org, after=_org_snapshot(org))
    return org


@transaction.atomic
def enterprise_register(*, by, parent: Organisation, legal_name: str, credit_code: str, industry: str,
                        size: str, address: str = "", union_name: str = "", code: str = "") -> Enterprise:
    """An enterprise and its union, placed under a district, street or industry union."""
    _require(by, Capability.CHANGE_ORGS, parent, _("You may add enterprises only within your own organisation."))
    errors = {}
    try:
        credit_code = validate_credit_code(credit_code)
    except ValidationError as exc:
        errors["credit_code"] = exc.messages
    try:
        text = _check_text_fields({"legal_name": (legal_name, 120, True), "address": (address, 200, False)})
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    legal_name, address = text["legal_name"], text["address"]
    if Enterprise.objects.filter(credit_code=credit_code).exists():
        raise ValidationError({"credit_code": [_("An enterprise with this credit code is already registered.")]})
    _check_placement(OrgKind.ENTERPRISE, parent)
    org = _insert(Organisation(kind=OrgKind.ENTERPRISE, code=code or f"E{credit_code}",
                               name=union_name or f"{legal_name}工会",
                               parent=parent, address=address, region_code=credit_code[2:8]))
    enterprise = Enterprise.objects.create(organisation=org, legal_name=legal_name,
                                           credit_code=credit_code, industry=industry, size=size)
    audit_record(actor=by, action="enterprise.register", obj=enterprise, organisation=org,
                 after={**_org_snapshot(org), "credit_code": credit_code, "industry": industry, "size": size})
    return enterprise


@transaction.atomic
def school_register(*, by, parent: Organisation, name: str, code: str, school_type: str,
                    school_code: str | None = None, address: str = "", region_code: str = "") -> School:
    _require(by, Capability.CHANGE_ORGS, parent, _("You may add schools only within your own organisation."))
    fields = _check_org_fields(code=code, name=name, region_code=region_code, address=address)
    if school_code and not (len(school_code) == 5 and school_code.isdigit()):
        raise ValidationError({"school_code": [_("A national school code has 5 digits.")]})
    _check_placement(OrgKind.SCHOOL, parent)
    org = _insert(Organisation(kind=OrgKind.SCHOOL, parent=parent, **fields))
    school = School.objects.create(organisation=org, school_code=school_code or None, school_type=school_type)
    audit_record(actor=by, action="school.register", obj=school, organisation=org,
                 after={**_org_snapshot(org), "school_code": school_code, "school_type": school_type})
    return school


@transaction.atomic
def membership_grant(*, by, user, organisation: Organisation, role: str) -> Membership:
    _require(by, Capability.MANAGE_MEMBERS, organisation, _("You may give roles only within your own organisation."))
    if organisation.kind not in ROLE_ORG_KINDS[role]:
        raise ValidationError({"role": [_("This role cannot be held at this kind of organisation.")]})
    membership, created = Membership.objects.get_or_create(user=user, organisation=organisation, role=role)
    if created:
        audit_record(actor=by, action="role.grant", obj=membership, organisation=organisation,
                     after={"user": user.pk, "username": user.username, "role": role})
    return membership

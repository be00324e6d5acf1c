"""Enterprises and organisations as spreadsheets, with the list's filters."""

from django.utils.translation import gettext_lazy as _

from yuanmeng.core.exports import Column, ListExport, param_choice, param_int, register
from yuanmeng.orgs import selectors
from yuanmeng.orgs.models import OrgKind

ENTERPRISE_COLUMNS = [
    Column(_("Enterprise"), lambda e: e.legal_name, 30), Column(_("Credit code"), lambda e: e.credit_code, 22),
    Column(_("Industry"), lambda e: e.get_industry_display(), 20), Column(_("Size"), lambda e: e.get_size_display()),
    Column(_("Belongs to"), lambda e: e.organisation.parent and e.organisation.parent.name, 24),
    Column(_("Address"), lambda e: e.organisation.address, 30), Column(_("Workers"), lambda e: e.worker_count, 10),
]

ORGANISATION_COLUMNS = [
    Column(_("Code"), lambda o: o.code), Column(_("Name"), lambda o: o.name, 30),
    Column(_("Kind"), lambda o: o.get_kind_display()), Column(_("Parent"), lambda o: o.parent and o.parent.name, 24),
    Column(_("Region code"), lambda o: o.region_code, 10), Column(_("Address"), lambda o: o.address, 30),
    Column(_("Contact phone"), lambda o: o.contact_phone), Column(_("Active"), lambda o: o.is_active, 8),
]


def enterprise_rows(user, params):
    """The enterprise page's and ``GET /api/orgs/enterprises``'s filters: ``industry``, ``q``."""
    return selectors.enterprise_list(user=user, industry=params.get("industry", ""), search=params.get("q", ""))


def organisation_rows(user, params):
    """``GET /api/orgs``'s filters: ``kind``, ``parent_id`` (the organisations listed below one), ``q``."""
    return selectors.organisation_list(user=user, kind=param_choice(params, "kind", OrgKind),
                                       parent_id=param_int(params, "parent_id"), search=params.get("q", ""))


register(ListExport(name="enterprises", title=_("Enterprises"), filename="enterprises",
                    columns=lambda user: ENTERPRISE_COLUMNS, rows=enterprise_rows))
register(ListExport(name="organisations", title=_("Organisations"), filename="organisations",
                    columns=lambda user: ORGANISATION_COLUMNS, rows=organisation_rows))

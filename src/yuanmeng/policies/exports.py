"""Policies as a spreadsheet, with the list's filters."""

from django.utils.translation import gettext_lazy as _

from yuanmeng.core.exports import Column, ListExport, param_choice, param_int, register, yuan
from yuanmeng.policies import selectors
from yuanmeng.policies.models import PolicyStatus

POLICY_COLUMNS = [
    Column(_("Code"), lambda p: p.code), Column(_("Policy"), lambda p: p.title, 30),
    Column(_("Union"), lambda p: p.organisation.name, 24), Column(_("Year"), lambda p: p.year, 8),
    Column(_("College (yuan)"), lambda p: yuan(p.amount_college_fen)),
    Column(_("Bachelor (yuan)"), lambda p: yuan(p.amount_bachelor_fen)),
    Column(_("Applications open"), lambda p: p.opens_on and p.opens_on.isoformat()),
    Column(_("Applications close"), lambda p: p.closes_on and p.closes_on.isoformat()),
    Column(_("Status"), lambda p: p.get_status_display()),
    Column(_("Annual budget (yuan)"), lambda p: yuan(p.annual_budget_fen), 16),
    Column(_("Applicants so far"), lambda p: p.applicant_count),
    Column(_("Approvals so far"), lambda p: p.approval_count),
]


def policy_rows(user, params):
    """The policy page's and ``GET /api/policies``'s filters: ``status``, ``year``."""
    return selectors.policy_list(user=user, year=param_int(params, "year"),
                                 status=param_choice(params, "status", PolicyStatus))


register(ListExport(name="policies", title=_("Subsidy policies"), filename="policies",
                    columns=lambda user: POLICY_COLUMNS, rows=policy_rows))

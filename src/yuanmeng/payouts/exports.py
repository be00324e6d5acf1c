"""Budgets, payout rounds and payment lines as spreadsheets, with the pages' and the API's filters.

Accounts stay masked in a list of payment lines, for every role: the full numbers go to the bank only, in the
approved batch's payment file.
"""

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yuanmeng.core.exports import Column, ListExport, param_choice, param_int, register, yuan
from yuanmeng.funds import selectors as fund_selectors
from yuanmeng.orgs.roles import Capability
from yuanmeng.payouts import selectors
from yuanmeng.payouts.models import Batch, LineStatus, Round
from yuanmeng.policies.models import Level, PriorityGroup

BUDGET_COLUMNS = [
    Column(_("Union"), lambda b: b.organisation.name, 24), Column(_("Year"), lambda b: b.year, 8),
    Column(_("Source"), lambda b: b.get_source_display()), Column(_("Name"), lambda b: b.name, 24),
    Column(_("Allocated (yuan)"), lambda b: yuan(b.allocated_fen), 16),
    Column(_("Reserved (yuan)"), lambda b: yuan(b.reserved_fen), 16),
    Column(_("Paid (yuan)"), lambda b: yuan(b.paid_fen), 16),
    Column(_("Available (yuan)"), lambda b: yuan(b.available_fen), 16),
]

ROUND_COLUMNS = [
    Column(_("Round"), lambda r: r.code), Column(_("Policy"), lambda r: r.policy.title, 30),
    Column(_("Budget"), lambda r: str(r.budget.organisation.name), 24),
    Column(_("Status"), lambda r: r.get_status_display()),
    Column(_("Money for this round (yuan)"), lambda r: yuan(r.limit_fen), 16),
    Column(_("Head-count quota"), lambda r: r.quota), Column(_("Workers"), lambda r: r.funded_count),
    Column(_("Total (yuan)"), lambda r: yuan(r.total_fen), 16),
    Column(_("Public notice from"), lambda r: r.notice_starts_on and r.notice_starts_on.isoformat()),
    Column(_("Public notice until"), lambda r: r.notice_ends_on and r.notice_ends_on.isoformat()),
    Column(_("Committed"), lambda r: timezone.localtime(r.committed_at).strftime("%Y-%m-%d %H:%M"), 18),
    Column(_("Lottery seed"), lambda r: r.lottery_seed, 20),
]

LINE_COLUMNS = [
    Column(_("Place"), lambda line: line.rank, 8), Column(_("Reference"), lambda line: line.reference, 20),
    Column(_("Payee"), lambda line: line.payee_name), Column(_("Account"), lambda line: line.account_masked, 24),
    Column(_("Bank"), lambda line: line.bank_name, 18),
    Column(_("Priority group"), lambda line: PriorityGroup(line.priority_group).label if line.priority_group else ""),
    Column(_("Level"), lambda line: Level(line.level).label if line.level in Level.values else line.level),
    Column(_("Area"), lambda line: line.area and line.area.name, 20),
    Column(_("City (yuan)"), lambda line: yuan(line.city_fen)),
    Column(_("District (yuan)"), lambda line: yuan(line.district_fen)),
    Column(_("Enterprise (yuan)"), lambda line: yuan(line.enterprise_fen)),
    Column(_("Total (yuan)"), lambda line: yuan(line.total_fen)),
    Column(_("Status"), lambda line: line.get_status_display()),
    Column(_("Reason"), lambda line: line.failure_reason, 30),
]


def line_rows(user, params):
    """A round's lines (``round``, as on its page and in ``GET /api/payouts/rounds/{id}/lines``) or a batch's
    (``batch``), with the ``status`` filter. A round or batch the user may not see is a 404, as its page."""
    round_id, batch_id = param_int(params, "round"), param_int(params, "batch")
    if round_id is None and batch_id is None:
        raise Http404
    try:
        round_ = selectors.round_get(user=user, round_id=round_id) if round_id is not None else None
        batch = selectors.batch_get(user=user, batch_id=batch_id) if batch_id is not None else None
    except (Round.DoesNotExist, Batch.DoesNotExist):
        raise Http404 from None
    return selectors.line_list(round_=round_, batch=batch, status=param_choice(params, "status", LineStatus))


register(ListExport(name="budgets", title=_("Budgets"), filename="budgets", columns=lambda user: BUDGET_COLUMNS,
                    rows=lambda user, params: fund_selectors.budget_list(user=user, year=param_int(params, "year")),
                    capability=Capability.VIEW_FUNDS))
register(ListExport(name="rounds", title=_("Payout rounds"), filename="payout-rounds",
                    columns=lambda user: ROUND_COLUMNS, rows=lambda user, params: selectors.round_list(user=user),
                    capability=Capability.VIEW_FUNDS))
register(ListExport(name="payment-lines", title=_("Payment lines"), filename="payment-lines",
                    columns=lambda user: LINE_COLUMNS, rows=line_rows, capability=Capability.VIEW_FUNDS))

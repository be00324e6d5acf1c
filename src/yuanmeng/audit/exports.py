"""The audit trail as a spreadsheet, with the page's filters (action, person, object, days)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yuanmeng.audit.selectors import audit_filters, audit_list
from yuanmeng.core.access import Capability
from yuanmeng.core.exports import Column, ListExport, register


def _change(items: list[tuple[str, str]]) -> str:
    return "; ".join(f"{label}: {value}" for label, value in items)


AUDIT_COLUMNS = [
    Column("#", lambda e: e.seq, 8),
    Column(_("time"), lambda e: timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"), 20),
    Column(_("by"), lambda e: e.actor_label, 16), Column(_("action"), lambda e: str(e.action_label), 24),
    Column(_("action code"), lambda e: e.action, 24),
    Column(_("object type"), lambda e: e.object_type, 20), Column(_("object id"), lambda e: e.object_id, 10),
    Column(_("object"), lambda e: e.object_label, 24),
    Column(_("before"), lambda e: _change(e.before_items), 40),
    Column(_("after"), lambda e: _change(e.after_items), 40),
    Column(_("hash"), lambda e: e.hash, 20),
]

register(ListExport(name="audit", title=_("Audit trail"), filename="audit",
                    columns=lambda user: AUDIT_COLUMNS,
                    rows=lambda user, params: audit_list(user=user, **audit_filters(params)),
                    capability=Capability.VIEW_AUDIT))

"""The audit trail as a spreadsheet, with the page's filter (``action``, a prefix such as ``worker.``)."""

import json

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yuanmeng.audit.selectors import audit_list
from yuanmeng.core.access import Capability
from yuanmeng.core.exports import Column, ListExport, register


def _json(value) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


AUDIT_COLUMNS = [
    Column("#", lambda e: e.seq, 8),
    Column(_("time"), lambda e: timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"), 20),
    Column(_("by"), lambda e: e.actor_label, 16), Column(_("action"), lambda e: e.action, 24),
    Column(_("object type"), lambda e: e.object_type, 20), Column(_("object id"), lambda e: e.object_id, 10),
    Column(_("object"), lambda e: e.object_label, 24),
    Column(_("before"), lambda e: _json(e.before), 40), Column(_("after"), lambda e: _json(e.after), 40),
    Column(_("hash"), lambda e: e.hash, 20),
]

register(ListExport(name="audit", title=_("Audit trail"), filename="audit",
                    columns=lambda user: AUDIT_COLUMNS,
                    rows=lambda user, params: audit_list(user=user, action=params.get("action", "").strip()),
                    capability=Capability.VIEW_AUDIT))

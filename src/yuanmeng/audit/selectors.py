from yuanmeng.audit.models import AuditEntry
from yuanmeng.core.access import Capability
from yuanmeng.core.text import clean_search


def audit_list(*, user, action: str = "", object_type: str = "", object_id: str = ""):
    qs = AuditEntry.objects.restrict(user, Capability.VIEW_AUDIT)
    action = clean_search(action)
    if action:
        qs = qs.filter(action__startswith=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    return qs


def entries_for(*, user, obj):
    """The history of one object as the user may read it (staff with audit rights, or change rights)."""
    qs = AuditEntry.objects.restrict(user, Capability.VIEW_AUDIT) | AuditEntry.objects.restrict(
        user, Capability.CHANGE_WORKERS
    )
    return qs.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).order_by("-seq")

from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from yuanmeng.audit.models import AuditEntry
from yuanmeng.core.access import Capability
from yuanmeng.core.text import clean_search

MAX_MATCHING_PEOPLE = 50


def _day(value: str):
    try:
        return datetime.strptime(value.strip(), "%Y-%m-%d").date()
    except (ValueError, AttributeError):
        return None


def _start_of(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _actor_ids(person: str) -> list[int]:
    """The accounts whose login or display name contains ``person`` (a few; the audit table is filtered by the
    indexed actor id, not by text)."""
    users = get_user_model().objects.filter(Q(username__icontains=person) | Q(display_name__icontains=person))
    return list(users.values_list("pk", flat=True)[:MAX_MATCHING_PEOPLE])


def audit_list(*, user, action: str = "", object_type: str = "", object_id: str = "", person: str = "",
               object_text: str = "", date_from: str = "", date_to: str = ""):
    """The entries the user may read, filtered: action (a code or a prefix such as ``worker.``), person (login or
    name of who acted), object (type, id, words of its label) and days from/to (inclusive, local time)."""
    qs = AuditEntry.objects.restrict(user, Capability.VIEW_AUDIT)
    action = clean_search(action)
    if action:
        qs = qs.filter(action__startswith=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    person = clean_search(person)
    if person:
        qs = qs.filter(actor_id__in=_actor_ids(person))
    object_text = clean_search(object_text)
    if object_text:
        qs = qs.filter(object_label__icontains=object_text)
    if start := _day(date_from):
        qs = qs.filter(at__gte=_start_of(start))
    if end := _day(date_to):
        qs = qs.filter(at__lt=_start_of(end + timedelta(days=1)))
    return qs


def audit_filters(params) -> dict[str, str]:
    """The page's (and its export's) filters from a query dict (read key by key: the access matrix test reads
    the keys pages take from a query)."""
    filters = {"action": params.get("action", ""), "object_type": params.get("object_type", ""),
               "person": params.get("person", ""), "object_text": params.get("object_text", ""),
               "date_from": params.get("date_from", ""), "date_to": params.get("date_to", "")}
    return {name: str(value).strip() for name, value in filters.items()}


def entries_for(*, user, obj):
    """The history of one object as the user may read it (staff with audit rights, or change rights)."""
    qs = AuditEntry.objects.restrict(user, Capability.VIEW_AUDIT) | AuditEntry.objects.restrict(
        user, Capability.CHANGE_WORKERS
    )
    return qs.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).order_by("-seq")

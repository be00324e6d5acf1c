from django.contrib import admin

from yuanmeng.audit.models import AuditEntry
from yuanmeng.core.access import Capability
from yuanmeng.core.admin import ScopedAdmin


@admin.register(AuditEntry)
class AuditEntryAdmin(ScopedAdmin):
    view_capability = Capability.VIEW_AUDIT
    list_display = ["seq", "at", "actor_label", "action", "object_label"]
    list_filter = ["action"]
    search_fields = ["object_label", "actor_label", "object_id"]

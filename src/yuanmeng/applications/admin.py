from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from yuanmeng.applications.models import Application, Roster
from yuanmeng.core.admin import ScopedAdmin


@admin.register(Application)
class ApplicationAdmin(ScopedAdmin):
    """Read-only here: every move goes through the review pages, which record history and audit."""

    list_display = ["id", "worker", "organisation", "level", "state", "priority_group", "submitted_at"]
    list_filter = ["state", "level", "priority_group"]
    search_fields = ["worker__name", "student_number", "certificate_number"]
    list_select_related = ["worker", "organisation"]
    exclude = ["worker"]
    readonly_fields = ["worker_masked"]

    @admin.display(description=_("worker"))
    def worker_masked(self, obj):
        return str(obj.worker)  # name and masked identity number


@admin.register(Roster)
class RosterAdmin(ScopedAdmin):
    list_display = ["school", "file_name", "uploaded_at", "rows", "matched", "mismatched"]
    list_select_related = ["school__organisation"]

from django.contrib import admin

from yuanmeng.core.admin import ScopedAdmin
from yuanmeng.policies.models import Policy


@admin.register(Policy)
class PolicyAdmin(ScopedAdmin):
    """Read-only here: policies are drafted, published and superseded on their own pages (audited)."""

    list_display = ["code", "title", "organisation", "year", "status", "amount_college_fen", "amount_bachelor_fen"]
    list_filter = ["status", "year"]
    search_fields = ["code", "title"]
    list_select_related = ["organisation"]

from django.contrib import admin

from yuanmeng.policies.models import Policy
from yuanmeng.web.admin import ScopedAdmin


@admin.register(Policy)
class PolicyAdmin(ScopedAdmin):
    """Read-only here: policies are drafted, published and superseded on their own pages (audited)."""

    list_display = ["code", "title", "organisation", "year", "status", "amount_college_fen", "amount_bachelor_fen"]
    list_filter = ["status", "year"]
    search_fields = ["code", "title"]
    list_select_related = ["organisation"]

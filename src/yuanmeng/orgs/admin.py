from django.contrib import admin

from yuanmeng.core.admin import ScopedAdmin
from yuanmeng.orgs.models import Enterprise, Membership, Organisation, School


@admin.register(Organisation)
class OrganisationAdmin(ScopedAdmin):
    list_display = ["name", "kind", "code", "parent", "region_code", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code"]
    list_select_related = ["parent"]


@admin.register(Enterprise)
class EnterpriseAdmin(ScopedAdmin):
    list_display = ["legal_name", "credit_code", "industry", "size", "organisation"]
    list_filter = ["industry", "size"]
    search_fields = ["legal_name", "credit_code"]
    list_select_related = ["organisation"]


@admin.register(School)
class SchoolAdmin(ScopedAdmin):
    list_display = ["organisation", "school_code", "school_type"]
    list_select_related = ["organisation"]


@admin.register(Membership)
class MembershipAdmin(ScopedAdmin):
    list_display = ["user", "role", "organisation", "created_at"]
    list_filter = ["role"]
    list_select_related = ["user", "organisation"]

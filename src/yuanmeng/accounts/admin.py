from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from yuanmeng.accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Accounts are operators' business: only superusers see them here."""

    fieldsets = [*DjangoUserAdmin.fieldsets, (_("Yuanmeng"), {"fields": ["mobile", "display_name"]})]
    list_display = ["username", "display_name", "mobile", "is_staff", "is_active", "last_login"]

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    has_change_permission = has_add_permission = has_view_permission

    def has_delete_permission(self, request, obj=None):
        return False

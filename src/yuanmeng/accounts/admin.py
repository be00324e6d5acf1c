from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from yuanmeng.accounts.models import User
from yuanmeng.core.admin import SuperusersOnlyAdmin


@admin.register(User)
class UserAdmin(SuperusersOnlyAdmin, DjangoUserAdmin):
    """Accounts are operators' business: only superusers see them here, read-only."""

    fieldsets = [*DjangoUserAdmin.fieldsets, (_("Yuanmeng"), {"fields": ["mobile", "display_name"]})]
    list_display = ["username", "display_name", "mobile", "is_staff", "is_active", "last_login"]

    # Accounts and roles change only through audited services (pages, `yuanmeng` commands), never here.
    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

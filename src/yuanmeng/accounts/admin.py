from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from yuanmeng.accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Accounts are operators' business: only superusers see them here, read-only."""

    fieldsets = [*DjangoUserAdmin.fieldsets, (_("Yuanmeng"), {"fields": ["mobile", "display_name"]})]
    list_display = ["username", "display_name", "mobile", "is_staff", "is_active", "last_login"]

    def get_queryset(self, request):  # else its history page tells others which account ids exist (403, not 302)
        queryset = super().get_queryset(request)
        return queryset if request.user.is_superuser else queryset.none()

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    # Accounts and roles change only through audited services (pages, `yuanmeng` commands), never here.
    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

"""The Django admin of every app, scoped like every other screen: querysets through ``restrict()``, permissions
from our capabilities (not Django's model permissions), no deletions (history lives in the audit trail)."""

from functools import reduce

from django.contrib import admin

from yuanmeng.core.access import Capability, has_capability, model_scope_paths


def scope_paths_of(obj) -> list[str]:
    """Follow the model's SCOPE_PATH lookups (``employer__organisation__path``) from one row."""
    paths = []
    for lookup in model_scope_paths(type(obj)):
        try:
            paths.append(reduce(getattr, lookup.split("__"), obj))
        except AttributeError:
            continue
    return [p for p in paths if p]


class ScopedAdmin(admin.ModelAdmin):
    view_capability = Capability.VIEW
    change_capability: str | None = None

    def get_queryset(self, request):
        return super().get_queryset(request).restrict(request.user, self.view_capability)

    def _allowed(self, request, capability, obj) -> bool:
        if capability is None or not (request.user.is_active and request.user.is_staff):
            return False
        if obj is None:
            return has_capability(request.user, capability)
        paths = scope_paths_of(obj)
        if not paths:
            return request.user.is_superuser
        return any(has_capability(request.user, capability, path) for path in paths)

    def has_module_permission(self, request):
        return self._allowed(request, self.view_capability, None)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request, self.view_capability, obj)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request, self.change_capability, obj)

    def has_add_permission(self, request):
        return self._allowed(request, self.change_capability, None)

    def has_delete_permission(self, request, obj=None):
        return False

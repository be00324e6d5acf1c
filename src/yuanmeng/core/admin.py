"""The Django admin of every app, scoped like every other screen: querysets through ``restrict()``, permissions
from our capabilities (not Django's model permissions), no deletions (history lives in the audit trail).

What Django and the installed packages register (groups, axes' logs, task results) and the accounts are for
superusers only; to anyone else they hold no rows, so no page of theirs tells which ids exist (Django's admin
answers 403 for an object that exists and the user may not see, a redirect for one that does not).
"""

from functools import reduce

from django.contrib import admin

from yuanmeng.core.access import Capability, has_capability, has_capability_over, model_scope_paths


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
        return has_capability_over(request.user, capability, scope_paths_of(obj))

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


class SuperusersOnlyAdmin(admin.ModelAdmin):
    """A model admin only superusers use: to anyone else it is hidden, holds no rows and allows nothing, whatever
    Django model permissions (``auth.add_group``) the user was given."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset if request.user.is_superuser else queryset.none()

    def has_module_permission(self, request):
        return request.user.is_superuser and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return request.user.is_superuser and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


def superusers_only_outside(package: str, site: admin.AdminSite = admin.site) -> None:
    """Register every model of ``site`` that comes from outside ``package`` again, its admin class on
    ``SuperusersOnlyAdmin``."""
    for model, model_admin in list(site._registry.items()):
        if model.__module__.startswith(f"{package}.") or isinstance(model_admin, SuperusersOnlyAdmin):
            continue
        site.unregister(model)
        site.register(model, type(type(model_admin).__name__, (SuperusersOnlyAdmin, type(model_admin)),
                                {"__module__": __name__}))

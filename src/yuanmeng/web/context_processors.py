"""The navigation bar: what each user's roles let them reach."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from yuanmeng.accounts.services import can_use_api_tokens
from yuanmeng.orgs.roles import Capability, Role
from yuanmeng.orgs.scoping import grants, has_capability
from yuanmeng.training_orders.views import sees_orders, sees_teachers


def _is_worker(user) -> bool:
    return hasattr(user, "worker")


def _area_staff(user) -> bool:
    """Union staff of an area (not a school's): they work with workers, enterprises and policies."""
    return any(g.role != Role.SCHOOL_STAFF for g in grants(user)) or user.is_superuser


def _staff(user) -> bool:
    return bool(grants(user)) or user.is_superuser


# (label, url name, who sees it). The same rule answers the page itself: a page of the menu that a user's roles
# do not show answers 404 (``web.middleware.MenuPagesMiddleware``), rather than an empty list.
NAVIGATION = [
    (_("Home"), "home", lambda u: True),
    (_("Study subsidy"), "open_policies", _is_worker),
    (_("My record"), "my_record", _is_worker),
    (_("Messages"), "my_messages", _is_worker),
    (_("Training near me"), "training_near", _is_worker),
    (_("Courses"), "training_courses", lambda u: True),
    (_("My learning"), "training_mine", _is_worker),
    (_("Surveys to answer"), "surveys_to_answer",
     lambda u: _is_worker(u) or has_capability(u, Capability.ORDER_TRAINING)),
    (_("Applications"), "review_queue", lambda u: has_capability(u, Capability.VIEW)),
    (_("Workers"), "worker_list", _area_staff),
    (_("Enterprises"), "enterprise_list", _area_staff),
    (_("Organisations"), "organisation_index", _staff),
    (_("Policies"), "policy_list", _area_staff),
    (_("Training network"), "training_manage", lambda u: has_capability(u, Capability.MANAGE_TRAINING)),
    (_("Surveys"), "survey_list", lambda u: has_capability(u, Capability.MANAGE_SURVEYS)),
    (_("Projects"), "project_list", lambda u: has_capability(u, Capability.VIEW)),
    (_("Funds"), "payouts_overview", lambda u: has_capability(u, Capability.VIEW_FUNDS)),
    (_("Dashboard"), "dashboard_home", lambda u: _area_staff(u) and has_capability(u, Capability.VIEW)),
    (_("Training orders"), "training_order_list", sees_orders),
    (_("Teachers"), "teacher_list", sees_teachers),
    (_("Rosters"), "rosters", lambda u: has_capability(u, Capability.MANAGE_ROSTERS)),
    (_("Tasks"), "job_list", _staff),
    (_("Audit trail"), "audit_log", lambda u: has_capability(u, Capability.VIEW_AUDIT)),
    (_("Account"), "account", can_use_api_tokens),
    (_("Admin"), "admin:index", lambda u: u.is_staff),
]
MENU_PAGES = {name: visible for _label, name, visible in NAVIGATION if name != "admin:index"}


def may_open(user, view_name: str) -> bool:
    """Whether the user's menu offers this page (pages outside the menu check their own objects)."""
    visible = MENU_PAGES.get(view_name)
    return visible is None or visible(user)


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    current = request.resolver_match.view_name if request.resolver_match else ""
    items = [
        {"label": label, "url": reverse(name), "active": name == current}
        for label, name, visible in NAVIGATION
        if visible(user)
    ]
    return {"nav_items": items}

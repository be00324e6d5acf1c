"""The navigation bar: what each user's roles let them reach."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from yuanmeng.accounts.services import can_use_api_tokens
from yuanmeng.orgs.roles import Capability
from yuanmeng.orgs.scoping import grants, has_capability

# (label, url name, who sees it)
NAVIGATION = [
    (_("Home"), "home", lambda u: True),
    (_("Study subsidy"), "open_policies", lambda u: hasattr(u, "worker")),
    (_("My record"), "my_record", lambda u: hasattr(u, "worker")),
    (_("Messages"), "my_messages", lambda u: hasattr(u, "worker")),
    (_("Applications"), "review_queue", lambda u: has_capability(u, Capability.VIEW)),
    (_("Workers"), "worker_list", lambda u: has_capability(u, Capability.VIEW)),
    (_("Enterprises"), "enterprise_list", lambda u: has_capability(u, Capability.VIEW)),
    (_("Organisations"), "organisation_index", lambda u: has_capability(u, Capability.VIEW)),
    (_("Policies"), "policy_list", lambda u: has_capability(u, Capability.VIEW)),
    (_("Funds"), "payouts_overview", lambda u: has_capability(u, Capability.VIEW_FUNDS)),
    (_("Rosters"), "rosters", lambda u: has_capability(u, Capability.MANAGE_ROSTERS)),
    (_("Tasks"), "job_list", lambda u: bool(grants(u)) or u.is_superuser),
    (_("Audit trail"), "audit_log", lambda u: has_capability(u, Capability.VIEW_AUDIT)),
    (_("Account"), "account", can_use_api_tokens),
    (_("Admin"), "admin:index", lambda u: u.is_staff),
]


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

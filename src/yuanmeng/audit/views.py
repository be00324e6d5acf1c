from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from yuanmeng.audit.labels import action_choices, object_type_choices
from yuanmeng.audit.models import AuditCheck
from yuanmeng.audit.selectors import audit_filters, audit_list
from yuanmeng.audit.services import audit_check_due, audit_check_run
from yuanmeng.core.access import Capability, has_capability
from yuanmeng.core.pages import paginate


def _require_audit_reader(request):
    if not has_capability(request.user, Capability.VIEW_AUDIT):
        raise Http404


@login_required
def audit_log(request):
    _require_audit_reader(request)
    filters = audit_filters(request.GET)
    entries = audit_list(user=request.user, **filters)
    return render(request, "audit/audit_log.html", {"page": paginate(request, entries), "filters": filters,
                                                    "actions": action_choices(),
                                                    "object_types": object_type_choices()})


@login_required
def audit_check(request):
    _require_audit_reader(request)
    if request.method == "POST":
        if audit_check_due(request.user):
            audit_check_run(by=request.user)
        else:
            messages.info(request, _("The chain was checked less than 10 minutes ago; its result is below."))
        return redirect("audit_verify")
    return render(request, "audit/audit_verify.html", {"result": AuditCheck.objects.first(),
                                                       "can_run": audit_check_due(request.user)})

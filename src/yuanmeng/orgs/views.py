from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from yuanmeng.core.pages import paginate, submit
from yuanmeng.orgs import selectors, services
from yuanmeng.orgs.forms import EnterpriseForm
from yuanmeng.orgs.models import Industry, Membership, Organisation
from yuanmeng.orgs.roles import Capability
from yuanmeng.orgs.scoping import has_capability


@login_required
def organisation_index(request):
    roots = selectors.home_organisations(request.user)
    if len(roots) == 1:
        return redirect("organisation_detail", org_id=roots[0].pk)
    return render(request, "orgs/organisation_index.html", {"roots": roots})


@login_required
def organisation_detail(request, org_id: int):
    org = get_object_or_404(Organisation.objects.restrict(request.user).select_related("parent"), pk=org_id)
    children = org.children.annotate(child_count=Count("children")).order_by("kind", "name")
    parent_visible = org.parent and has_capability(request.user, Capability.VIEW, org.parent.path)
    return render(request, "orgs/organisation_detail.html", {
        "org": org,
        "parent_visible": parent_visible,
        "page": paginate(request, children, per_page=50),
        "members": Membership.objects.filter(organisation=org).select_related("user").order_by("role")
        if has_capability(request.user, Capability.MANAGE_MEMBERS, org.path) else None,
        "enterprise": getattr(org, "enterprise", None),
        "school": getattr(org, "school", None),
    })


@login_required
def enterprise_list(request):
    enterprises = selectors.enterprise_list(
        user=request.user, industry=request.GET.get("industry", ""), search=request.GET.get("q", "")
    )
    return render(request, "orgs/enterprise_list.html", {
        "page": paginate(request, enterprises),
        "industries": Industry.choices,
        "can_add": has_capability(request.user, Capability.CHANGE_ORGS),
    })


@login_required
def enterprise_add(request):
    if not has_capability(request.user, Capability.CHANGE_ORGS):
        raise Http404
    form = EnterpriseForm(request.POST or None, by=request.user)
    if request.method == "POST" and form.is_valid():
        enterprise = submit(form, lambda: services.enterprise_register(by=request.user, **form.cleaned_data))
        if enterprise is not None:
            messages.success(request, _("Registered %(name)s.") % {"name": enterprise.legal_name})
            return redirect("organisation_detail", org_id=enterprise.organisation_id)
    return render(request, "orgs/enterprise_form.html", {"form": form})

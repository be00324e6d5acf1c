from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yuanmeng.core.access import get_for_action
from yuanmeng.core.pages import paginate, run_with_message, submit
from yuanmeng.core.text import clean_text
from yuanmeng.orgs.roles import Capability
from yuanmeng.orgs.scoping import has_capability
from yuanmeng.people.models import JobCategory
from yuanmeng.policies import selectors, services
from yuanmeng.policies.forms import PolicyForm
from yuanmeng.policies.models import DocumentKind, Policy, PolicyStatus, PriorityGroup, ProgrammeType


def _visible(request):
    """What the API's GET /api/policies/{id} reads too: a worker sees the policies open to them."""
    return selectors.policies_visible_to(request.user).select_related("parent", "supersedes")


def _policy_or_404(request, policy_id: int) -> Policy:
    return get_object_or_404(_visible(request), pk=policy_id)


def _policy_to_manage(request, policy_id: int) -> Policy:
    """404 for a policy the user cannot see, 403 for one they see but may not manage."""
    return get_for_action(_visible(request), policy_id, user=request.user, capability=Capability.MANAGE_POLICIES)


@login_required
def policy_list(request):
    status = request.GET.get("status", "")
    policies = selectors.policy_list(user=request.user, status=status if status in PolicyStatus.values else "")
    return render(request, "policies/policy_list.html", {
        "page": paginate(request, policies), "statuses": PolicyStatus.choices,
        "can_manage": has_capability(request.user, Capability.MANAGE_POLICIES),
    })


@login_required
def policy_detail(request, policy_id: int):
    policy = _policy_or_404(request, policy_id)
    return render(request, "policies/policy_detail.html", {
        "policy": policy,
        "programme_type_labels": [ProgrammeType(t).label for t in policy.programme_types],
        "job_category_labels": [JobCategory(c).label for c in policy.job_categories],
        "document_labels": [DocumentKind(d).label for d in policy.required_documents],
        "group_labels": [PriorityGroup(g).label for g in policy.priority_groups],
        "can_manage": has_capability(request.user, Capability.MANAGE_POLICIES, policy.organisation.path),
        "matching": policy.matching_policies.restrict(request.user).select_related("organisation"),
        "draws": policy.lottery_draws.restrict(request.user, Capability.VIEW_FUNDS).select_related("round"),
        "can_draw": has_capability(request.user, Capability.MANAGE_FUNDS, policy.organisation.path),
    })


@login_required
def policy_edit(request, policy_id: int | None = None):
    policy = _policy_to_manage(request, policy_id) if policy_id else None
    if policy is None and not has_capability(request.user, Capability.MANAGE_POLICIES):
        raise Http404
    if policy is not None and policy.status != PolicyStatus.DRAFT:
        messages.error(request, _("A published policy cannot be edited; supersede it with a new version."))
        return redirect("policy_detail", policy_id=policy.pk)
    initial = PolicyForm.initial_from(policy) if policy else {"organisation": None}
    form = PolicyForm(request.POST or None, initial=initial, by=request.user)
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        saved = submit(form, lambda: services.policy_update(by=request.user, policy=policy, **fields) if policy
                       else services.policy_create(by=request.user, organisation=form.cleaned_data["organisation"],
                                                   **fields))
        if saved is not None:
            messages.success(request, _("Saved %(policy)s.") % {"policy": saved})
            return redirect("policy_detail", policy_id=saved.pk)
    return render(request, "policies/policy_form.html", {"form": form, "policy": policy})


POLICY_ACTIONS = {"publish": services.policy_publish, "close": services.policy_close}


@login_required
@require_POST
def policy_action(request, policy_id: int, action: str):
    policy = _policy_to_manage(request, policy_id)
    if action == "supersede":
        draft = run_with_message(request, lambda: services.policy_supersede(
            by=request.user, policy=policy, code=clean_text(request.POST.get("code"), max_length=40, required=True)))
        if draft is not None:
            messages.success(request, _("Drafted %(policy)s; edit it and publish it to replace the old terms.")
                             % {"policy": draft})
            return redirect("policy_edit", policy_id=draft.pk)
    elif action in POLICY_ACTIONS:
        if run_with_message(request, lambda: POLICY_ACTIONS[action](by=request.user, policy=policy)):
            messages.success(request, _("Done."))
    else:
        raise Http404
    return redirect("policy_detail", policy_id=policy.pk)

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yuanmeng.core.access import get_for_action
from yuanmeng.core.pages import paginate, run_with_message, submit
from yuanmeng.orgs.roles import Capability
from yuanmeng.orgs.scoping import has_capability
from yuanmeng.people.models import Worker
from yuanmeng.projects import selectors, services
from yuanmeng.projects.forms import ParticipantsForm, ProjectForm
from yuanmeng.projects.models import Project, ProjectKind, ProjectParticipant, ProjectStatus
from yuanmeng.projects.workflow import ACTIONS, actions_from


def _project(request, project_id: int, capability: str = Capability.VIEW) -> Project:
    """404 outside the user's sight; 403 when they see it but may not ``capability`` there."""
    return get_for_action(selectors.project_list(user=request.user), project_id, user=request.user,
                          capability=capability)


@login_required
def project_list(request):
    filters = {"status": request.GET.get("status", ""), "kind": request.GET.get("kind", ""),
               "search": request.GET.get("q", "")}
    filters["status"] = filters["status"] if filters["status"] in ProjectStatus.values else ""
    filters["kind"] = filters["kind"] if filters["kind"] in ProjectKind.values else ""
    return render(request, "projects/project_list.html", {
        "page": paginate(request, selectors.project_list(user=request.user, **filters)),
        "statuses": ProjectStatus.choices, "kinds": ProjectKind.choices,
        "can_manage": has_capability(request.user, Capability.MANAGE_PROJECTS)})


@login_required
def project_detail(request, project_id: int):
    project = _project(request, project_id)
    can_manage = has_capability(request.user, Capability.MANAGE_PROJECTS, project.lead.path)
    return render(request, "projects/project_detail.html", {
        "project": project, "partners": project.partners.order_by("kind", "code"),
        "participants": paginate(request, selectors.participants(project), per_page=20),
        "can_manage": can_manage, "participants_form": ParticipantsForm(),
        "actions": [(action, ACTIONS[action]) for action in actions_from(project.status)] if can_manage else []})


@login_required
def project_edit(request, project_id: int | None = None):
    project = _project(request, project_id, Capability.MANAGE_PROJECTS) if project_id else None
    if project is None and not has_capability(request.user, Capability.MANAGE_PROJECTS):
        raise Http404
    form = ProjectForm(request.POST or None, initial=ProjectForm.initial_from(project) if project else {},
                       by=request.user)
    if project is not None:
        form.fields["lead"].disabled = True
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        lead, fields["partners"] = fields.pop("lead"), fields.pop("partner_codes")
        saved = submit(form, lambda: services.project_update(by=request.user, project=project, **fields)
                       if project else services.project_create(by=request.user, lead=lead, **fields))
        if saved is not None:
            return redirect("project_detail", project_id=saved.pk)
    return render(request, "projects/project_form.html", {"form": form, "project": project})


@login_required
@require_POST
def project_action(request, project_id: int, action: str):
    project = _project(request, project_id, Capability.MANAGE_PROJECTS)
    if action not in ACTIONS:
        raise Http404
    if run_with_message(request, lambda: services.project_transition(by=request.user, project=project,
                                                                     action=action)):
        messages.success(request, _("Done."))
    return redirect("project_detail", project_id=project.pk)


@login_required
@require_POST
def project_participants_add(request, project_id: int):
    project = _project(request, project_id, Capability.MANAGE_PROJECTS)
    form = ParticipantsForm(request.POST)
    if form.is_valid():
        mobiles = list(dict.fromkeys(form.cleaned_data["mobiles"].split()))
        found = {w.mobile: w for w in Worker.objects.restrict(request.user).filter(mobile__in=mobiles)}
        unknown = [m for m in mobiles if m not in found]
        if unknown:
            messages.error(request, _("No worker in your organisation with the mobile number %(numbers)s.")
                           % {"numbers": "、".join(unknown)})
        else:
            added = run_with_message(request, lambda: services.project_participants_add(
                by=request.user, project=project, workers=list(found.values())))
            if added is not None:
                messages.success(request, _("%(n)d workers added.") % {"n": added})
    return redirect("project_detail", project_id=project.pk)


@login_required
@require_POST
def project_participant_remove(request, participant_id: int):
    named = get_object_or_404(ProjectParticipant.objects.select_related("worker"), pk=participant_id)
    project = _project(request, named.project_id, Capability.MANAGE_PROJECTS)
    if run_with_message(request, lambda: services.project_participant_remove(by=request.user, project=project,
                                                                             worker=named.worker)):
        messages.success(request, _("%(name)s is no longer a participant.") % {"name": named.worker.name})
    return redirect("project_detail", project_id=project.pk)

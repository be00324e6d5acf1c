from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yuanmeng.audit.selectors import entries_for
from yuanmeng.core.exports import Column, xlsx_response
from yuanmeng.orgs.models import Organisation
from yuanmeng.orgs.roles import Capability
from yuanmeng.orgs.scoping import has_capability
from yuanmeng.people import selectors, services
from yuanmeng.people.forms import ImportForm, WorkerForm
from yuanmeng.people.imports import EXAMPLE, template_columns, workers_import
from yuanmeng.people.models import JobCategory, Worker
from yuanmeng.people.permissions import can_change_worker
from yuanmeng.web.forms import submit
from yuanmeng.web.pagination import paginate

PRIORITY_FILTERS = [
    ("migrant", gettext_lazy("Migrant workers")),
    ("new_form", gettext_lazy("New employment forms")),
    ("model_worker", gettext_lazy("Model workers")),
    ("labour_medal", gettext_lazy("May Day Labour Medal holders")),
]


def worker_columns(user) -> list[Column]:
    """The worker list as a spreadsheet; personal numbers as the user may see them (masked for most roles)."""
    def number(field):
        return lambda w: selectors.worker_numbers(w, user)[field]

    return [
        Column(_("Full name"), lambda w: w.name), Column(_("Identity number"), number("id_number"), 22),
        Column(_("Mobile"), lambda w: w.mobile),
        Column(_("Employer"), lambda w: w.employer and w.employer.legal_name, 30),
        Column(_("Parent union"), lambda w: w.employer and w.employer.organisation.parent.name, 20),
        Column(_("Union member since"), lambda w: w.union_member_since and w.union_member_since.isoformat()),
        Column(_("Job category"), lambda w: w.get_job_category_display()),
        Column(_("Migrant worker"), lambda w: w.is_migrant_worker),
        Column(_("New employment form"), lambda w: w.is_new_employment_form),
        Column(_("Model worker"), lambda w: w.get_model_worker_level_display()),
        Column(_("May Day Labour Medal"), lambda w: w.get_labour_medal_level_display()),
        Column(_("Bank"), lambda w: w.bank_name), Column(_("Bank account"), number("bank_account"), 24),
    ]


def _worker_or_404(request, worker_id: int) -> Worker:
    try:
        return selectors.worker_get(user=request.user, worker_id=worker_id)
    except Worker.DoesNotExist:
        raise Http404 from None


@login_required
def worker_list(request):
    organisation = None
    org_id = request.GET.get("org", "")
    if org_id:
        if not org_id.isdigit():
            raise Http404
        organisation = get_object_or_404(Organisation.objects.restrict(request.user), pk=int(org_id))
    workers = selectors.worker_list(
        user=request.user, search=request.GET.get("q", ""), organisation=organisation,
        job_category=request.GET.get("job_category", ""), priority=request.GET.get("priority", ""),
    )
    if request.GET.get("format") == "xlsx":
        return xlsx_response(filename="workers.xlsx", sheet_name=_("Workers"), columns=worker_columns(request.user),
                             rows=workers.iterator(chunk_size=2000))
    return render(request, "people/worker_list.html", {
        "page": paginate(request, workers),
        "organisation": organisation,
        "job_categories": JobCategory.choices,
        "priority_filters": PRIORITY_FILTERS,
        "can_register": has_capability(request.user, Capability.CHANGE_WORKERS),
    })


@login_required
def worker_detail(request, worker_id: int):
    worker = _worker_or_404(request, worker_id)
    return render(request, "people/worker_detail.html", {
        "worker": worker,
        "numbers": selectors.worker_numbers(worker, request.user),
        "can_change": can_change_worker(request.user, worker)[0],
        "history": entries_for(user=request.user, obj=worker)[:20],
    })


@login_required
def worker_edit(request, worker_id: int | None = None):
    worker = _worker_or_404(request, worker_id) if worker_id else None
    if worker is not None and not can_change_worker(request.user, worker)[0]:
        raise Http404
    if worker is None and not has_capability(request.user, Capability.CHANGE_WORKERS):
        raise Http404
    form = WorkerForm(request.POST or None, instance=worker, by=request.user)
    if request.method == "POST" and form.is_valid():
        fields = form.changed_fields()
        saved = submit(form, lambda: services.worker_update(by=request.user, worker=worker, **fields)
                       if worker else services.worker_register(by=request.user, **fields))
        if saved is not None:
            messages.success(request, _("Saved %(name)s.") % {"name": saved.name})
            return redirect("worker_detail", worker_id=saved.pk)
    return render(request, "people/worker_form.html", {"form": form, "worker": worker})


def _require_registrar(request) -> None:
    if not has_capability(request.user, Capability.CHANGE_WORKERS):
        raise Http404


@login_required
def worker_import(request):
    """Upload a spreadsheet of workers; the report says what was registered and which rows to fix."""
    _require_registrar(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = submit(form, lambda: workers_import(by=request.user, upload=form.cleaned_data["file"],
                                                     all_or_nothing=form.cleaned_data["mode"] == "all"))
    return render(request, "people/worker_import.html", {"form": form, "report": report})


@login_required
def worker_import_template(request):
    _require_registrar(request)
    return xlsx_response(filename="workers-template.xlsx", sheet_name=_("Workers"), columns=template_columns(),
                         rows=[EXAMPLE])


@login_required
def worker_import_errors(request, name: str):
    """The annotated copy of an import's bad rows, for the person who uploaded it only."""
    _require_registrar(request)
    path = Path(settings.MEDIA_ROOT) / "import-reports" / str(request.user.pk) / name
    if not name.endswith(".xlsx") or "/" in name or not path.is_file():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename="import-errors.xlsx")

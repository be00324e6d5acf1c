"""Pages for imports and for the background tasks behind them: upload, follow, download, run again."""

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from yuanmeng.core.errors import PermissionDenied
from yuanmeng.core.exports import xlsx_response
from yuanmeng.core.files import missing_file_page
from yuanmeng.core.imports import IMPORT_KINDS
from yuanmeng.core.pages import paginate, submit
from yuanmeng.jobs.forms import ImportForm
from yuanmeng.jobs.import_job import import_submit
from yuanmeng.jobs.selectors import job_list as job_list_for
from yuanmeng.jobs.services import job_retry, jobs_visible, may_download


def _kind_or_404(request, kind: str):
    if kind not in IMPORT_KINDS or not IMPORT_KINDS[kind].allowed(request.user, {}):
        raise Http404
    return IMPORT_KINDS[kind]


@login_required
def import_upload(request, kind: str):
    """Upload a file; small ones are imported at once, large ones by the background worker. Either way the
    browser goes to the task's page, which shows the progress and then the report."""
    import_kind = _kind_or_404(request, kind)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = submit(form, lambda: import_submit(by=request.user, kind=kind, source=upload, file_name=upload.name,
                                                 all_or_nothing=form.cleaned_data["mode"] == "all"))
        if job is not None:
            return redirect("job_detail", job_id=job.pk)
    return render(request, "jobs/import_upload.html", {"form": form, "kind": import_kind,
                                                      "recent": jobs_visible(request.user).filter(
                                                          owner=request.user, kind="import",
                                                          params__type=kind)[:5]})


@login_required
@require_GET
def import_template(request, kind: str):
    import_kind = _kind_or_404(request, kind)
    return xlsx_response(filename=f"{kind}-template.xlsx", sheet_name=str(import_kind.label),
                         columns=import_kind.template_columns(), rows=[import_kind.example])


def _job_or_404(request, job_id: int):
    return get_object_or_404(jobs_visible(request.user), pk=job_id)


@login_required
@require_GET
def job_list(request):
    """The tasks the user follows; ``?state=failed`` (the home page's count of failed tasks) only those."""
    jobs = job_list_for(user=request.user, state=request.GET.get("state", ""))
    return render(request, "jobs/job_list.html", {"page": paginate(request, jobs)})


@login_required
@require_GET
def job_detail(request, job_id: int):
    """The task's state; while it is queued or running, the status part refreshes itself every second."""
    job = _job_or_404(request, job_id)
    template = "jobs/job_status.html" if request.headers.get("HX-Request") else "jobs/job_detail.html"
    return render(request, template, {"job": job, "report": job.result if job.kind == "import" else None,
                                      "can_download": may_download(request.user, job),
                                      "may_rerun": job.may_retry and job.owner_id == request.user.pk,
                                      "again": _import_again(job)})


def _import_again(job) -> str:
    """Where to import another file of the same kind: the generic page, or the page that chooses its school or
    batch."""
    kind = job.params.get("type") if job.kind == "import" else None
    if kind == "bank_results" and job.params.get("batch"):
        return reverse("batch_detail", args=[job.params["batch"]])
    if kind in ("graduate_roster", "enrolment_roster"):
        return reverse("rosters")
    return reverse("import_upload", args=[kind]) if kind else ""


@login_required
@require_GET
def job_download(request, job_id: int):
    job = _job_or_404(request, job_id)
    if not may_download(request.user, job):  # administrators follow others' tasks, they do not fetch their files
        raise Http404
    path = (Path(settings.MEDIA_ROOT) / job.output_file).resolve()
    if not path.is_relative_to(Path(settings.MEDIA_ROOT).resolve()):
        raise Http404
    if not path.is_file():
        return missing_file_page(request, name=job.output_name or path.name)
    return FileResponse(path.open("rb"), as_attachment=True, filename=job.output_name or path.name)


@login_required
@require_POST
def job_rerun(request, job_id: int):
    job = _job_or_404(request, job_id)
    try:
        job_retry(by=request.user, job=job)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", None) or [str(exc)]))
    else:
        messages.success(request, _("The task is queued again."))
    return redirect("job_detail", job_id=job.pk)

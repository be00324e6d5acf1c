"""The yearly report's pages: the printable report of an organisation for a year, and its PDF (made at once for an
organisation with few children, by the background worker for a larger one; ``report.INLINE_CHILDREN``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from yuanmeng.core.access import Capability
from yuanmeng.stats.jobs import report_submit
from yuanmeng.stats.report import INLINE_CHILDREN, report_assemble, report_year
from yuanmeng.stats.report_pdf import report_filename, report_generate
from yuanmeng.stats.selectors import highest_organisation, visible_organisations


@login_required
@require_GET
def report_index(request):
    """The report of the highest organisation the user may view, for this year."""
    return redirect("stats_report", organisation_id=highest_organisation(request.user).pk)


def _year_or_page(request, organisation_id: int, asked):
    """The year asked for, or the page saying what is wrong with it (400) — for an organisation the user may view
    only: 404 outside, whatever the year."""
    get_object_or_404(visible_organisations(request.user, Capability.VIEW), pk=organisation_id)
    try:
        return report_year(asked), None
    except ValidationError as exc:
        return None, render(request, "stats/report.html", {
            "year_asked": asked, "year_error": exc.message_dict["year"][0], "this_year": timezone.localdate().year,
        }, status=400)


@login_required
@require_GET
def report_page(request, organisation_id: int):
    this_year = timezone.localdate().year
    year, error_page = _year_or_page(request, organisation_id, request.GET.get("year", this_year))
    if error_page:
        return error_page
    report = report_assemble(user=request.user, organisation_id=organisation_id, year=year)
    return render(request, "stats/report.html", {"report": report, "year_asked": year, "this_year": this_year,
                                                 "inline_children": INLINE_CHILDREN})


@login_required
@require_POST
def report_download(request, organisation_id: int):
    year, error_page = _year_or_page(request, organisation_id, request.POST.get("year", ""))
    if error_page:
        return error_page
    children = visible_organisations(request.user, Capability.VIEW).filter(parent_id=organisation_id).count()
    if children > INLINE_CHILDREN:
        job = report_submit(by=request.user, organisation_id=organisation_id, year=year)
        messages.info(request, _("The PDF is being made in the background; download it here when it is ready."))
        return redirect("job_detail", job_id=job.pk)
    report, pdf = report_generate(by=request.user, organisation_id=organisation_id, year=year)
    return HttpResponse(pdf, content_type="application/pdf", headers={
        "Content-Disposition": content_disposition_header(True, report_filename(report))})

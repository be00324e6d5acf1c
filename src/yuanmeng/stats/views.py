"""The dashboards: an organisation's figures for a year or a range of years, each chart with its table and its
xlsx export, drilling down into each child organisation and back up by the breadcrumbs (decision 0013, issue 13)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yuanmeng.core.access import Capability
from yuanmeng.core.exports import xlsx_response
from yuanmeng.core.pages import paginate
from yuanmeng.stats.dashboard import FRESH_FOR, Dashboard, dashboard_for, may_refresh, refresh_submit
from yuanmeng.stats.labels import dimension_label
from yuanmeng.stats.rollups import DIMENSIONS
from yuanmeng.stats.selectors import highest_organisation, visible_organisations

MAX_YEARS = 10


class YearsForm(forms.Form):
    """Which years (summed) and which dimension the workers are shown by; the current year by default."""

    year_from = forms.IntegerField(label=gettext_lazy("from year"), min_value=2000, max_value=2100, required=False)
    year_to = forms.IntegerField(label=gettext_lazy("to year"), min_value=2000, max_value=2100, required=False)
    by = forms.ChoiceField(label=gettext_lazy("workers by"), required=False,
                           choices=[(dimension, dimension) for dimension in DIMENSIONS])

    def clean(self):
        data = super().clean()
        this_year = timezone.localdate().year
        first = data.get("year_from") or data.get("year_to") or this_year
        last = data.get("year_to") or first
        if last < first:
            self.add_error("year_to", _("The last year comes before the first."))
        elif last - first >= MAX_YEARS:
            self.add_error("year_to", _("At most %(n)d years at once.") % {"n": MAX_YEARS})
        data["years"] = (first, last)
        data["by"] = data.get("by") or next(iter(DIMENSIONS))
        return data


def _dashboard(request, organisation_id: int) -> tuple[YearsForm, Dashboard | None]:
    form = YearsForm(request.GET)
    if not form.is_valid():
        return form, None
    return form, dashboard_for(request.user, organisation_id=organisation_id, years=form.cleaned_data["years"],
                               dimension=form.cleaned_data["by"])


@login_required
def dashboard_home(request):
    """The dashboard of the highest organisation where the user may view."""
    organisation = highest_organisation(request.user)
    query = request.GET.urlencode()
    return redirect(reverse("dashboard", kwargs={"organisation_id": organisation.pk}) + (f"?{query}" if query else ""))


@login_required
def dashboard(request, organisation_id: int):
    form, found = _dashboard(request, organisation_id)
    children = paginate(request, found.children) if found else None
    if found:
        found.page_of(children.object_list)
    return render(request, "stats/dashboard.html", {
        "form": form, "dashboard": found, "children_page": children, "may_refresh": may_refresh(request.user),
        "dimensions": [(dimension, dimension_label(dimension)) for dimension in DIMENSIONS],
        "query": request.GET.urlencode()})


@login_required
def dashboard_export(request, organisation_id: int, table: str):
    """One table of the dashboard as xlsx: the same rows as the page, for the same user and years."""
    form, found = _dashboard(request, organisation_id)
    chosen = found.table(table) if found else None
    if chosen is None:
        raise Http404
    first, last = found.years
    years = str(first) if first == last else f"{first}-{last}"
    return xlsx_response(filename=f"{table}-{found.organisation.code}-{years}.xlsx", sheet_name=table,
                         columns=chosen.columns(), rows=chosen.rows)


@login_required
@require_POST
def dashboard_refresh(request, organisation_id: int):
    """Queue a refresh and come back to the dashboard, which shows the new figures once the task is done."""
    get_object_or_404(visible_organisations(request.user, Capability.VIEW), pk=organisation_id)
    job = refresh_submit(by=request.user)
    if job is None:
        messages.info(request, _("The figures were counted less than %(minutes)d minutes ago.") % {
            "minutes": FRESH_FOR.seconds // 60})
    else:
        messages.success(request, _("The figures are being counted again (task %(task)d); the page shows them once "
                                    "it is done.") % {"task": job.pk})
    return redirect("dashboard", organisation_id=organisation_id)

"""The targets' pages, under /stats/targets/: an organisation's targets with its progress, pace and forecast (and the
way up and down the tree), setting a target, and one target with its shares to the unions below."""

import datetime
from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from yuanmeng.core.access import Capability
from yuanmeng.core.errors import PermissionDenied
from yuanmeng.core.exports import Column, xlsx_response
from yuanmeng.core.money import yuan_to_fen
from yuanmeng.core.pages import add_service_errors, paginate, run_with_message, submit
from yuanmeng.orgs.models import Organisation
from yuanmeng.orgs.scoping import has_capability
from yuanmeng.stats import target_services
from yuanmeng.stats.dashboard import yuan
from yuanmeng.stats.models import Measure, Target
from yuanmeng.stats.selectors import highest_organisation, latest_as_of, visible_organisations
from yuanmeng.stats.targets import (
    MONEY_MEASURES,
    Progress,
    capability_for,
    children_for,
    period_end,
    progress_day,
    progress_for,
    progress_of,
    reached_by_year,
    share_candidates,
    shares_of,
    shown,
)


def target_value(measure: str, text: str) -> int:
    """A target as typed: yuan for money (stored in fen), a whole number otherwise."""
    if measure in MONEY_MEASURES:
        return yuan_to_fen(text)
    try:
        return int(str(text).replace(",", "").strip())
    except ValueError:
        raise ValidationError(_("Enter a whole number, such as 4126.")) from None


class ValueForm(forms.Form):
    value = forms.CharField(label=gettext_lazy("target"), max_length=24,
                            help_text=gettext_lazy("Money in yuan; other measures as a number."))
    note = forms.CharField(label=gettext_lazy("note"), max_length=200, required=False)

    def __init__(self, *args, measure: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.measure = measure

    def clean(self):
        data = super().clean()
        measure = data.get("measure", self.measure)
        if "value" in data and measure:
            try:
                data["value"] = target_value(measure, data["value"])
            except ValidationError as exc:
                self.add_error("value", exc)
        return data


class TargetForm(ValueForm):
    measure = forms.ChoiceField(label=gettext_lazy("measure"), choices=Measure.choices)
    start_year = forms.IntegerField(label=gettext_lazy("first year"))
    end_year = forms.IntegerField(label=gettext_lazy("last year"))
    field_order = ["measure", "start_year", "end_year", "value", "note"]


class ShareForm(ValueForm):
    organisation = forms.ModelChoiceField(label=gettext_lazy("union"), queryset=Organisation.objects.none())
    field_order = ["organisation", "value", "note"]


def _measured_on(view):
    """The view with ``on``: the day of ?on=YYYY-MM-DD (``progress_day``: today, or the end of a past year), else
    today; a 400 naming what is wrong with another."""
    @wraps(view)
    def checked(request, *args, **kwargs):
        text = request.GET.get("on", "")
        try:
            try:
                asked = datetime.date.fromisoformat(text) if text else None
            except ValueError:
                raise ValidationError({"on": [_("Enter the day as YYYY-MM-DD.")]}) from None
            on = progress_day(asked)
        except ValidationError as exc:
            return HttpResponseBadRequest(f"on: {exc.message_dict['on'][0]}", content_type="text/plain; charset=utf-8")
        return view(request, *args, on=on, **kwargs)
    return checked


def _days() -> list[datetime.date]:
    """The days progress may be measured on (``progress_day``) offered on the page: today and the ends of the ten
    years before."""
    today = timezone.localdate()
    return [today, *(datetime.date(year, 12, 31) for year in range(today.year - 1, today.year - 11, -1))]


def _organisation(request, organisation_id: int) -> Organisation:
    return get_object_or_404(visible_organisations(request.user, Capability.VIEW), pk=organisation_id)


def _crumbs(user, organisation: Organisation) -> list[Organisation]:
    """The ancestors the user may view, outermost first (one query)."""
    ids = organisation.ancestor_ids()
    return list(visible_organisations(user, Capability.VIEW).filter(pk__in=ids).order_by("depth"))


def _chart(progress: list[Progress]) -> dict:
    """Per target: the part reached, where the straight line to the target stands today, and the forecast at the
    end, each as a percentage of the target (so counts and money share one axis)."""
    rows = [item for item in progress if item.target.value]
    return {"title": _("Progress against the targets"), "unit": "%", "linear": True,
            "categories": [f"{item.target.get_measure_display()} {item.target.start_year}–{item.target.end_year}"
                           for item in rows],
            "series": [
                {"name": _("Reached"), "data": [round(item.percent, 1) for item in rows]},
                {"name": _("On the straight line to the target"), "data": [round(item.percent_expected, 1)
                                                                            for item in rows]},
                {"name": _("Forecast at the end"),
                 "data": [round(100 * (item.forecast or 0) / item.target.value, 1) for item in rows]},
            ]}


def _line(progress: Progress, reached: list[tuple[datetime.date, int]]) -> dict:
    """One target over its years: what was reached by each year's end, the target, and from today the pace needed
    and the pace so far carried on (money in yuan)."""
    scale = 100 if progress.is_money else 1
    end = period_end(progress.target)
    today = reached[-1]

    def points(rows):
        return [[day.isoformat(), value / scale] for day, value in rows]

    series = [{"name": _("Reached"), "data": points(reached), "tone": 0}]
    if progress.months_left > 0:
        series.append({"name": _("Pace needed"), "data": points([today, (end, progress.target.value)]), "tone": 1,
                       "dashed": True})
    if progress.months_left > 0 and progress.forecast is not None:  # none before the period began
        series.append({"name": _("Forecast at the pace so far"), "data": points([today, (end, progress.forecast)]),
                       "tone": 0, "dashed": True})
    return {"kind": "line", "title": str(progress.target.get_measure_display()), "series": series,
            "caps": [{"name": _("Target"), "value": progress.target.value / scale, "tone": 1}]}


@login_required
@require_GET
def targets_index(request):
    return redirect("stats_targets", organisation_id=highest_organisation(request.user).pk)


@login_required
@require_GET
@_measured_on
def targets_page(request, organisation_id: int, on: datetime.date):
    organisation = _organisation(request, organisation_id)
    progress = progress_for(user=request.user, organisation=organisation, on=on)
    children = paginate(request, visible_organisations(request.user, Capability.VIEW)
                        .filter(parent_id=organisation.pk, is_active=True).order_by("kind", "name"))
    return render(request, "stats/targets.html", {
        "organisation": organisation, "crumbs": _crumbs(request.user, organisation), "children": children,
        "progress": progress, "on": on, "days": _days(), "as_of": latest_as_of(), "chart": _chart(progress),
        "can_set": has_capability(request.user, Capability.SET_TARGETS, organisation.path),
    })


@login_required
def target_new(request, organisation_id: int):
    organisation = _organisation(request, organisation_id)
    if not has_capability(request.user, Capability.SET_TARGETS, organisation.path):
        raise PermissionDenied(_("You may set targets only of your own union and the unions below it."))
    year = timezone.localdate().year
    form = TargetForm(request.POST or None, initial={"start_year": year, "end_year": year})
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in ("measure", "start_year", "end_year", "value", "note")}
        target = submit(form, lambda: target_services.target_set(by=request.user, organisation=organisation,
                                                                 **fields))
        if target is not None:
            messages.success(request, _("Target set."))
            return redirect("stats_target", target_id=target.pk)
    return render(request, "stats/target_form.html", {"form": form, "organisation": organisation,
                                                       "crumbs": _crumbs(request.user, organisation)})


def _target(request, target_id: int) -> Target:
    """A target of an organisation where the user may read its measure (404 otherwise)."""
    target = get_object_or_404(Target.objects.select_related("organisation", "parent__organisation"), pk=target_id)
    if not has_capability(request.user, capability_for(target.measure), target.organisation.path):
        raise Http404
    return target


def _post(request, target: Target, change: ValueForm, share: ShareForm):
    """Run the button pressed; the target's page again (or the organisation's, once removed) if it worked."""
    action = request.POST.get("action")
    if action == "remove":
        if run_with_message(request, lambda: target_services.target_remove(by=request.user, target=target)) is None:
            return redirect("stats_target", target_id=target.pk)
        messages.success(request, _("Target removed."))
        return redirect("stats_targets", organisation_id=target.organisation_id)
    form = change if action == "change" else share
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        if action == "change":
            target_services.target_change(by=request.user, target=target, value=data["value"], note=data["note"])
        else:
            target_services.target_share_allocate(by=request.user, target=target, organisation=data["organisation"],
                                                  value=data["value"], note=data["note"])
    except (ValidationError, PermissionDenied) as exc:
        add_service_errors(form, exc)
        return None
    messages.success(request, _("Saved."))
    return redirect("stats_target", target_id=target.pk)


@login_required
@_measured_on
def target_page(request, target_id: int, on: datetime.date):
    target = _target(request, target_id)
    can_change = has_capability(request.user, Capability.SET_TARGETS,
                                (target.parent.organisation if target.parent_id else target.organisation).path)
    can_share = has_capability(request.user, Capability.SET_TARGETS, target.organisation.path)
    posted = request.POST if request.method == "POST" else None
    change = ValueForm(posted if posted and posted.get("action") == "change" else None, measure=target.measure,
                       initial={"value": shown(target.measure, target.value).replace(",", ""), "note": target.note},
                       prefix="change")
    share = ShareForm(posted if posted and posted.get("action") == "share" else None, measure=target.measure)
    share.fields["organisation"].queryset = share_candidates(target)
    if posted is not None:
        if not (can_change or can_share):
            raise PermissionDenied(_("You may set targets only of your own union and the unions "
                                                     "below it."))
        done = _post(request, target, change, share)
        if done is not None:
            return done
    progress = progress_of(target, on)
    children = paginate(request, children_for(request.user, target))
    return render(request, "stats/target_detail.html", {
        "target": target, "progress": progress, "progress_list": [progress],
        "chart": _line(progress, reached_by_year(target, on)),
        "rows": shares_of(target, list(children.object_list), on), "children": children, "on": on,
        "as_of": latest_as_of(),
        "crumbs": [*_crumbs(request.user, target.organisation), target.organisation],
        "can_change": can_change, "can_share": can_share, "change_form": change, "share_form": share,
        "is_money": target.measure in MONEY_MEASURES,
    })


def _amount(measure: str, value):
    """A figure of the workbook: yuan for money, the count otherwise; empty for none."""
    if value is None:
        return None
    return yuan(round(value)) if measure in MONEY_MEASURES else round(value)


@login_required
@require_GET
@_measured_on
def target_shares_export(request, target_id: int, on: datetime.date):
    """The target's page as a workbook: each union below (all of them, not a page), its share and progress."""
    target = _target(request, target_id)
    measure = target.measure

    def percent(row):
        return round(row.progress.percent, 1) if row.share and row.progress.percent is not None else None

    columns = [Column(_("Union"), lambda row: row.organisation.name, 28),
               Column(_("Share"), lambda row: _amount(measure, row.share.value) if row.share else None),
               Column(_("Reached"), lambda row: _amount(measure, row.progress.done)),
               Column("%", percent, 8),
               Column(_("Forecast at the end"), lambda row: _amount(measure, row.progress.forecast))]
    rows = shares_of(target, list(children_for(request.user, target)), on)
    return xlsx_response(filename=f"target-{target.pk}-shares-{on:%Y%m%d}.xlsx", sheet_name=_("Shares"),
                         columns=columns, rows=rows)

"""Pages for workers (apply, follow, submit the diploma — on a phone) and for reviewers (queue, detail)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from yuanmeng.applications import services
from yuanmeng.applications.documents import download_name, request_too_large
from yuanmeng.applications.eligibility import check_eligibility, worker_history
from yuanmeng.applications.forms import ApplicationForm, DiplomaForm, RosterForm
from yuanmeng.applications.jobs import bulk_decision_start
from yuanmeng.applications.models import Application, Document
from yuanmeng.applications.review import bulk_actions_for, queue_for, queue_page_rows, review_filters
from yuanmeng.applications.selectors import application_pay, roster_list
from yuanmeng.applications.transitions import allowed_actions
from yuanmeng.applications.workflow import NEEDS_REASON, STEPS, Action, State
from yuanmeng.core.errors import PermissionDenied
from yuanmeng.core.exports import query_params
from yuanmeng.core.files import missing_file_page
from yuanmeng.core.pages import paginate, run_with_message, submit
from yuanmeng.jobs.import_job import import_submit
from yuanmeng.jobs.models import Job
from yuanmeng.orgs.models import School
from yuanmeng.orgs.roles import Capability
from yuanmeng.orgs.scoping import has_capability
from yuanmeng.people.selectors import worker_numbers
from yuanmeng.policies.models import Level, PriorityGroup
from yuanmeng.policies.selectors import policies_open_to

TOO_LARGE = 413


def _too_large(request) -> HttpResponse:
    return HttpResponse(_("The upload is too large: each file may be at most 10 MB."), status=TOO_LARGE)


def _own_worker(request):
    worker = getattr(request.user, "worker", None)
    if worker is None:
        raise Http404
    return worker


def _application_or_404(request, application_id: int) -> Application:
    return get_object_or_404(
        Application.objects.restrict(request.user).select_related(
            "worker", "worker__employer", "worker__employer__organisation", "policy", "policy__organisation",
            "organisation", "school__organisation"),
        pk=application_id)


# ---- workers --------------------------------------------------------------------------------------

@login_required
def open_policies(request):
    """The policies this worker can apply to, each level with its eligibility verdict and reasons."""
    worker = _own_worker(request)
    history = worker_history(worker)
    offers = [(policy, [(level, check_eligibility(worker=worker, policy=policy, level=level, history=history))
                        for level in policy.levels])
              for policy in policies_open_to(worker).filter(parent=None)]
    applications = worker.applications.select_related("policy", "school__organisation").order_by("-submitted_at")
    return render(request, "applications/open_policies.html", {"offers": offers, "applications": applications})


@login_required
def apply(request, policy_id: int):
    worker = _own_worker(request)
    policy = get_object_or_404(policies_open_to(worker).filter(parent=None), pk=policy_id)
    if request.method == "POST" and request_too_large(request):
        return _too_large(request)
    form = ApplicationForm(request.POST or None, request.FILES or None, policy=policy,
                           initial={"level": request.GET.get("level")})
    if request.method == "POST" and form.is_valid():
        application = submit(form, lambda: services.application_submit(
            by=request.user, worker=worker, policy=policy, documents=form.documents(), **form.enrolment_fields()))
        if application is not None:
            messages.success(request, _("Your application has been submitted."))
            return redirect("application_detail", application_id=application.pk)
    level = request.POST.get("level") or request.GET.get("level") or (policy.levels or [Level.COLLEGE])[0]
    return render(request, "applications/apply_form.html", {
        "form": form, "policy": policy, "eligibility": check_eligibility(worker=worker, policy=policy, level=level),
    })


def _require_move(user, application: Application, action: str) -> None:
    """404 when the application's state has no such move, 403 with the reason when the user may not make it."""
    check = allowed_actions(user, application).get(action)
    if check is None:
        raise Http404
    allowed, reason = check
    if not allowed:
        raise PermissionDenied(reason)


@login_required
def resubmit(request, application_id: int):
    application = _application_or_404(request, application_id)
    _require_move(request.user, application, Action.RESUBMIT)
    if request.method == "POST" and request_too_large(request):
        return _too_large(request)
    initial = {name: getattr(application, name) for name in services.ENROLMENT_FIELDS}
    form = ApplicationForm(request.POST or None, request.FILES or None, policy=application.policy,
                           initial=initial, documents_required=False)
    if request.method == "POST" and form.is_valid():
        done = submit(form, lambda: services.application_resubmit(
            by=request.user, application=application, documents=form.documents(), **form.enrolment_fields()))
        if done is not None:
            messages.success(request, _("Your corrected application has been sent back for review."))
            return redirect("application_detail", application_id=application.pk)
    return render(request, "applications/apply_form.html", {"form": form, "policy": application.policy,
                                                            "application": application})


@login_required
def diploma(request, application_id: int):
    application = _application_or_404(request, application_id)
    _require_move(request.user, application, Action.SUBMIT_DIPLOMA)
    if request.method == "POST" and request_too_large(request):
        return _too_large(request)
    form = DiplomaForm(request.POST or None, request.FILES or None,
                       scan_required=services.diploma_scan_missing(application))
    if request.method == "POST" and form.is_valid():
        done = submit(form, lambda: services.application_submit_diploma(
            by=request.user, application=application, certificate_number=form.cleaned_data["certificate_number"],
            graduation_date=form.cleaned_data["graduation_date"], scan=form.cleaned_data["scan"]))
        if done is not None:
            messages.success(request, _("Your diploma has been submitted."))
            return redirect("application_detail", application_id=application.pk)
    return render(request, "applications/diploma_form.html", {"form": form, "application": application})


# ---- everyone in scope --------------------------------------------------------------------------

def _timeline(application: Application) -> list[dict]:
    """What happened, then the steps still ahead on the normal path."""
    events = list(application.events.all())
    done = [{"state": e.to_state, "label": State(e.to_state).label, "at": e.at, "by": e.actor_label,
             "reason": e.reason, "action": e.action} for e in events]
    ahead = STEPS[STEPS.index(application.state) + 1:] if application.state in STEPS else []
    return done + [{"state": s, "label": State(s).label, "future": True} for s in ahead]


def _bank_account(worker) -> dict:
    """The account the subsidy will be paid to, for the reviewer: on file (masked, always), missing, or refused by
    the bank on the last payment and not corrected since."""
    if not worker.bank_account_masked:
        return {"status": "missing", "label": _("missing")}
    on_file = {"account": worker.bank_account_masked, "bank": worker.bank_name}
    if worker.bank_account_refused_at is not None:
        return {"status": "failed", "label": _("the bank refused the last payment"), **on_file}
    return {"status": "ok", "label": _("on file"), **on_file}


@login_required
def application_detail(request, application_id: int):
    application = _application_or_404(request, application_id)
    checks = allowed_actions(request.user, application)
    actions = [action for action, (allowed, _reason) in checks.items() if allowed]
    is_applicant = application.worker.user_id == request.user.pk  # the reviewer's facts are not for the worker
    return render(request, "applications/detail.html", {
        "application": application,
        "numbers": worker_numbers(application.worker, request.user),
        "timeline": _timeline(application),
        "pay": application_pay(application),
        "documents": application.documents.all(),
        "decisions": [(a, Action(a).label) for a in actions if a not in services.DEDICATED_SERVICES],
        "asks_reason": any(a in NEEDS_REASON for a in actions),
        "can_resubmit": Action.RESUBMIT in actions,
        "can_submit_diploma": Action.SUBMIT_DIPLOMA in actions,
        "needs_reason": NEEDS_REASON,
        "refusals": [(Action(action).label, reason) for action, (allowed, reason) in checks.items() if not allowed],
        "is_applicant": is_applicant,
        "eligibility": None if is_applicant else check_eligibility(
            worker=application.worker, policy=application.policy, level=application.level,
            programme_type=application.programme_type, exclude_application=application.pk),
        "bank": _bank_account(application.worker),
        "roster_warning": services.roster_warning(application) if Action.VERIFY_DIPLOMA in actions else "",
    })


@login_required
@require_POST
def application_act(request, application_id: int):
    application = _application_or_404(request, application_id)
    action = request.POST.get("action", "")
    seen = request.POST.get("version", "")
    if run_with_message(request, lambda: services.application_transition(
            by=request.user, application=application, action=action, reason=request.POST.get("reason", ""),
            seen_version=int(seen) if seen.isascii() and seen.isdigit() else None,
            checked_by_hand=bool(request.POST.get("checked_by_hand")))):
        messages.success(request, _("Done: %(state)s.") % {"state": application.get_state_display()})
    return redirect("application_detail", application_id=application.pk)


@login_required
def document_download(request, document_id: int):
    visible = Application.objects.restrict(request.user)
    document = get_object_or_404(Document.objects.filter(application__in=visible), pk=document_id)
    try:
        stored = document.file.open("rb")
    except FileNotFoundError:
        return missing_file_page(request, name=document.original_name)
    response = FileResponse(stored, content_type=document.content_type, as_attachment=True,
                            filename=download_name(document))
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response


# ---- reviewers ------------------------------------------------------------------------------------

# The queue's filters beyond the state (which opens on the reviewer's own step): how many narrow the list shows
# on the folded "Filter" button.
NARROWING_FILTERS = ("org", "level", "priority_group", "from", "to", "q")


@login_required
def review_queue(request):
    if not has_capability(request.user, Capability.VIEW):
        raise Http404
    if request.GET.get("format") == "xlsx":  # the old export link: the one export page now
        return redirect(f"{reverse('export', args=['applications'])}?{urlencode(query_params(request.GET))}")
    drawn_at = timezone.now()  # before the count: "all N matching" decides only what this page could count
    filters = review_filters(request.user, request.GET)
    applications = queue_for(request.user, filters)
    return render(request, "applications/queue.html", {
        "page": paginate(request, queue_page_rows(applications, filters)), "filters": filters, "drawn_at": drawn_at,
        "active_filters": sum(1 for key in NARROWING_FILTERS if request.GET.get(key)),
        "bulk_actions": [(a, Action(a).label) for a in bulk_actions_for(request.user, filters.state)],
        "states": State.choices, "levels": Level.choices, "groups": PriorityGroup.choices,
        "can_import": has_capability(request.user, Capability.CONFIRM_APPLICATIONS),
    })


def _id_and_version(value: str) -> tuple[int | None, int | None]:
    """A ticked row posts ``id:version`` (what the list showed)."""
    parts = value.split(":")
    if len(parts) != 2 or not all(p.isascii() and p.isdigit() and len(p) < 12 for p in parts):
        return None, None
    return int(parts[0]), int(parts[1])


def _bulk_selection(request) -> tuple[list[int], dict[int, int]]:
    """The applications a bulk decision is for, and the versions the list showed: the ticked rows, or with
    ``all_matching`` the N the queue counted."""
    if request.POST.get("all_matching"):
        return _all_shown(request), {}
    seen = dict(_id_and_version(value) for value in request.POST.getlist("ids")[:500])
    seen.pop(None, None)
    return list(seen), seen


def _all_shown(request) -> list[int]:
    """"All N matching" as the reviewer confirmed it: the applications the queue's filters (``querystring``) match
    that have not changed since the page was drawn (``drawn_at``), refused unless they are still the ``shown`` N.
    One that arrived or moved into the list since is left for the next look; one decided or changed meanwhile
    makes the count differ, so nothing is decided on a list the reviewer did not see."""
    shown, drawn_at = request.POST.get("shown", ""), _aware(request.POST.get("drawn_at", ""))
    count = int(shown) if shown.isascii() and shown.isdigit() and len(shown) < 12 else None
    if count is not None and count > services.BULK_DECISION_MAX:
        raise ValidationError(_("At most %(n)s applications can be decided at once: narrow the filters.")
                              % {"n": f"{services.BULK_DECISION_MAX:,}"})
    ids = []
    if count is not None and drawn_at is not None:
        filters = review_filters(request.user, QueryDict(request.POST.get("querystring", "")), with_areas=False)
        ids = list(queue_for(request.user, filters).filter(updated_at__lte=drawn_at)
                   .values_list("id", flat=True)[:count + 1])
    if not ids or len(ids) != count:
        raise ValidationError(_("The list changed since it was shown: look at it again before deciding."))
    return ids


def _aware(value: str):
    """The page's ``drawn_at`` (ISO 8601 with its offset), or None."""
    try:
        moment = parse_datetime(value)
    except ValueError:
        return None
    return moment if moment is not None and timezone.is_aware(moment) else None


SHOWN_REFUSALS = 10  # messages for the first refused applications; a count for the rest


@login_required
@require_POST
def review_bulk(request):
    def decide():
        ids, seen = _bulk_selection(request)
        return bulk_decision_start(by=request.user, ids=ids, action=request.POST.get("action", ""),
                                   reason=request.POST.get("reason", ""), seen_versions=seen)

    outcome = run_with_message(request, decide)
    if isinstance(outcome, Job):
        return redirect("job_detail", job_id=outcome.pk)
    if outcome is not None and outcome.done:
        messages.success(request, ngettext("%(n)d application done.", "%(n)d applications done.",
                                           len(outcome.done)) % {"n": len(outcome.done)})
    failed = sorted(outcome.failed.items()) if outcome is not None else []
    for application_id, reason in failed[:SHOWN_REFUSALS]:
        messages.error(request, _("#%(id)d not changed: %(reason)s") % {"id": application_id, "reason": reason})
    if len(failed) > SHOWN_REFUSALS:
        more = len(failed) - SHOWN_REFUSALS
        messages.error(request, ngettext("… and %(n)d more application not changed.",
                                         "… and %(n)d more applications not changed.", more) % {"n": more})
    return redirect(f"{reverse('review_queue')}?{request.POST.get('querystring', '')}")


@login_required
def rosters(request):
    """Upload a graduate or enrolment roster for one of the user's schools: imported like any import (a task,
    in the background when large), the browser then follows the task's page with its report."""
    schools = School.objects.restrict(request.user, Capability.MANAGE_ROSTERS).select_related("organisation")
    if not schools.exists():
        raise Http404
    form = RosterForm(request.POST or None, request.FILES or None, schools=schools)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = submit(form, lambda: import_submit(
            by=request.user, kind=form.cleaned_data["kind"], source=upload, file_name=upload.name,
            all_or_nothing=form.cleaned_data["mode"] == "all", params={"school": form.cleaned_data["school"].pk}))
        if job is not None:
            return redirect("job_detail", job_id=job.pk)
    return render(request, "applications/rosters.html", {
        "form": form, "page": paginate(request, roster_list(user=request.user)),
    })

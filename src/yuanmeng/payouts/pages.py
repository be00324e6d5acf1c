"""Budgets, round planning with its simulation, rounds, batches: the city union's and finance's pages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from yuanmeng.core.access import get_for_action
from yuanmeng.core.crypto import file_sha256
from yuanmeng.core.errors import PermissionDenied, refusal_text
from yuanmeng.core.exports import xlsx_response
from yuanmeng.core.money import fen_to_yuan
from yuanmeng.core.pages import paginate, run_with_message, submit
from yuanmeng.funds import selectors as fund_selectors
from yuanmeng.funds.services import budget_create
from yuanmeng.jobs.import_job import import_submit
from yuanmeng.jobs.models import JobState
from yuanmeng.orgs.models import Organisation
from yuanmeng.orgs.roles import Capability
from yuanmeng.orgs.scoping import has_capability
from yuanmeng.payouts import selectors, services
from yuanmeng.payouts.files import FORMATS
from yuanmeng.payouts.forms import BudgetForm, CommitForm, PlanForm, ResultsForm
from yuanmeng.payouts.imports import BANK_RESULTS
from yuanmeng.payouts.models import Batch, BatchStatus, LineStatus, ResultImport, Round, RoundStatus
from yuanmeng.payouts.planning import shortfall, simulate
from yuanmeng.policies.models import Level, PriorityGroup


def _require(request, capability: str) -> None:
    if not has_capability(request.user, capability):
        raise Http404


def chart(title: str, categories: list[str], series: list[tuple[str, list]], unit: str = "") -> dict:
    """A chart's data, for the template's ``json_script`` (never ``|safe``: names are users' text)."""
    return {"title": title, "categories": categories, "unit": unit,
            "series": [{"name": name, "data": data} for name, data in series]}


@login_required
def overview(request):
    _require(request, Capability.VIEW_FUNDS)
    budgets = list(fund_selectors.budget_list(user=request.user)[:200])
    form = BudgetForm(request.POST or None, by=request.user) if has_capability(
        request.user, Capability.MANAGE_FUNDS) else None
    if request.method == "POST" and form is not None and form.is_valid():
        data = form.cleaned_data
        if submit(form, lambda: budget_create(by=request.user, organisation=data["organisation"], year=data["year"],
                                              source=data["source"], name=data["name"],
                                              amount_fen=data["amount"])):
            messages.success(request, _("Budget created."))
            return redirect("payouts_overview")
    names = [str(b.organisation.name)[:12] + f" {b.year}" for b in budgets[:12]]
    return render(request, "payouts/overview.html", {
        "budgets": budgets, "form": form,
        "rounds": paginate(request, selectors.round_list(user=request.user)),
        "can_plan": has_capability(request.user, Capability.MANAGE_FUNDS),
        "chart": chart(_("Budgets (yuan)"), names, [
            (_("paid"), [b.paid_fen / 100 for b in budgets[:12]]),
            (_("reserved"), [b.reserved_fen / 100 for b in budgets[:12]]),
            (_("available"), [b.available_fen / 100 for b in budgets[:12]])]),
    })


def _label_rows(rows: list[dict], labels: dict) -> list[dict]:
    return [{**row, "label": labels.get(row["key"], row["key"] or "—")} for row in rows]


def _simulation_context(plan, simulation) -> dict:
    areas = dict(Organisation.objects.filter(pk__in=[r["key"] for r in simulation.by_area if r["key"]])
                 .values_list("pk", "name"))
    groups = _label_rows(simulation.by_group, {**dict(PriorityGroup.choices), "": _("no priority group")})
    return {
        "simulation": simulation, "plan": plan, "warning": shortfall(plan),
        "by_group": groups,
        "by_area": _label_rows(simulation.by_area, areas),
        "by_level": _label_rows(simulation.by_level, dict(Level.choices)),
        "chart": chart(_("Funded and left out, by priority group"), [str(g["label"]) for g in groups], [
            (_("funded"), [g["funded"] for g in groups]),
            (_("left out"), [g["applicants"] - g["funded"] for g in groups])], _("workers")),
    }


@login_required
def plan(request):
    """Simulate a round (nothing is written) and, when the union is content, commit it."""
    _require(request, Capability.MANAGE_FUNDS)
    form = PlanForm(request.GET or None, by=request.user)
    context = {"form": form, "commit_form": CommitForm(request.POST or None)}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        plan_input = submit(form, lambda: services.plan_input(data["policy"], data["limit"], data["quota"]))
        if plan_input is not None:
            context.update(_simulation_context(plan_input, simulate(plan_input)))
            if request.method == "POST" and context["commit_form"].is_valid():
                commit = context["commit_form"].cleaned_data
                round_ = submit(context["commit_form"], lambda: services.round_commit(
                    by=request.user, policy=data["policy"], budget=data["budget"], limit_fen=data["limit"],
                    quota=data["quota"], code=commit["code"], max_lines_per_batch=commit["max_lines_per_batch"]))
                if round_ is not None:
                    messages.success(request, _("Round %(code)s committed: %(n)d workers, %(yuan)s yuan.") % {
                        "code": round_.code, "n": round_.funded_count, "yuan": fen_to_yuan(round_.total_fen)})
                    return redirect("round_detail", round_id=round_.pk)
    return render(request, "payouts/plan.html", context)


def _lines_page(request, **where):
    """One page of a round's or a batch's lines, filtered by the status in the query string."""
    status = request.GET.get("status", "")
    return paginate(request, selectors.line_list(status=status if status in LineStatus.values else "", **where))


@login_required
def round_detail(request, round_id: int):
    try:
        round_ = selectors.round_get(user=request.user, round_id=round_id)
    except Round.DoesNotExist:
        raise Http404 from None
    return render(request, "payouts/round.html", {
        "round": round_, "batches": round_.batches.all(), "amounts": selectors.round_amounts(round_),
        "page": _lines_page(request, round_=round_),
        "statuses": LineStatus.choices,
        "can_manage": has_capability(request.user, Capability.MANAGE_FUNDS, round_.policy.organisation.path),
        "objections_open": round_.status == RoundStatus.IN_NOTICE,
    })


@login_required
@require_POST
def round_release(request, round_id: int):
    round_ = get_for_action(selectors.round_list(user=request.user), round_id, user=request.user,
                            capability=Capability.MANAGE_FUNDS)
    if run_with_message(request, lambda: services.round_release(by=request.user, round_=round_)):
        messages.success(request, _("Released: the batches can now be approved."))
    return redirect("round_detail", round_id=round_id)


@login_required
@require_POST
def line_objection(request, line_id: int):
    line = get_for_action(selectors.lines_visible(user=request.user), line_id, user=request.user,
                          capability=Capability.MANAGE_FUNDS)
    if run_with_message(request, lambda: services.objection_raise(by=request.user, line=line,
                                                                  reason=request.POST.get("reason", ""))):
        messages.success(request, _("%(name)s was taken out of the round and goes back to review.") % {
            "name": line.payee_name})
    return redirect("round_detail", round_id=line.round_id)


def _file_offer(user, batch: Batch) -> dict:
    """What the payment-file buttons do for this user (``file_offer``, a ``FileAccess``: issue it, issue it again,
    or fetch another copy of the issue they hold), or why there are none (``file_refusal``)."""
    if batch.status != BatchStatus.APPROVED or not has_capability(user, Capability.APPROVE_PAYOUTS,
                                                                 batch.round.policy.organisation.path):
        return {}
    issued_by_another = bool(batch.file_issued_at) and batch.file_issued_by_id != user.pk
    try:
        return {"file_offer": services.batch_file_allowed(user, batch, reissue=issued_by_another),
                "file_formats": FORMATS.items()}
    except (ValidationError, PermissionDenied) as exc:
        return {"file_refusal": refusal_text(exc)}


@login_required
@require_GET
def batch_list(request):
    """The batches in scope, oldest first; ``?waiting=<step>`` keeps those waiting at that step (the finance
    officer's home page links here with each count)."""
    _require(request, Capability.VIEW_FUNDS)
    key = request.GET.get("waiting", "")
    work = selectors.WAITING_BATCHES.get(key)
    return render(request, "payouts/batch_list.html", {
        "page": paginate(request, selectors.batch_list(user=request.user, key=key)), "work": work,
        "steps": selectors.WAITING_BATCHES.values(),
    })


@login_required
def batch_detail(request, batch_id: int):
    try:
        batch = selectors.batch_get(user=request.user, batch_id=batch_id)
    except Batch.DoesNotExist:
        raise Http404 from None
    return render(request, "payouts/batch.html", {
        "batch": batch, "page": _lines_page(request, batch=batch), "statuses": LineStatus.choices,
        "approvals": batch.approvals.select_related("user"), "needed": services.approvals_needed(batch),
        "can_approve": has_capability(request.user, Capability.APPROVE_PAYOUTS, batch.round.policy.organisation.path),
        "approved": batch.status != BatchStatus.AWAITING_APPROVAL,
        **_file_offer(request.user, batch),
        "results_open": batch.status == BatchStatus.APPROVED,
        "results_form": ResultsForm(), "imports": batch.result_imports.select_related("imported_by"),
    })


@login_required
@require_POST
def batch_approve(request, batch_id: int):
    batch = get_for_action(selectors.batches_visible(user=request.user), batch_id, user=request.user,
                           capability=Capability.APPROVE_PAYOUTS)
    approved = run_with_message(request, lambda: services.batch_approve(by=request.user, batch=batch))
    if approved is not None:
        messages.success(request, _("Approved.") if approved.status == BatchStatus.APPROVED else
                         _("Your approval is recorded; a second finance officer must approve too."))
    return redirect("batch_detail", batch_id=batch_id)


@login_required
@require_POST
def batch_results(request, batch_id: int):
    """The bank's result file, through the import engine: all or nothing, or the valid rows. A small file is
    imported at once; a clean import comes back here with its counts, anything else (rows to fix, a large
    file in the background) goes to the task's page with its report and the annotated file."""
    batch = get_for_action(selectors.batches_visible(user=request.user), batch_id, user=request.user,
                           capability=Capability.APPROVE_PAYOUTS)
    form = ResultsForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose the bank's result file."))
        return redirect("batch_detail", batch_id=batch_id)
    upload = form.cleaned_data["file"]
    sha256 = file_sha256(upload)
    job = run_with_message(request, lambda: import_submit(
        by=request.user, kind=BANK_RESULTS.key, source=upload, file_name=upload.name,
        all_or_nothing=form.cleaned_data["mode"] != "valid", params={"batch": batch.pk, "sha256": sha256}))
    if job is None:
        return redirect("batch_detail", batch_id=batch_id)
    report = job.result or {}
    done = (ResultImport.objects.filter(batch=batch, sha256=sha256).first()
            if job.state == JobState.DONE and report.get("written") and not report.get("errors") else None)
    if done is None:
        return redirect("job_detail", job_id=job.pk)
    if done.at < job.created_at:
        messages.info(request, _("This file was already imported on %(at)s; nothing changed.") % {
            "at": timezone.localtime(done.at).strftime("%Y-%m-%d %H:%M")})
    else:
        messages.success(request, _("Results imported: %(paid)d paid, %(failed)d failed, %(same)d unchanged.") % {
            "paid": done.paid, "failed": done.failed, "same": done.unchanged})
    return redirect("batch_detail", batch_id=batch_id)


@login_required
@require_GET
def bank_results_template(request):
    """The layout of a bank result file, with example rows."""
    _require(request, Capability.APPROVE_PAYOUTS)
    return xlsx_response(filename="bank-results-template.xlsx", sheet_name=str(BANK_RESULTS.label),
                         columns=BANK_RESULTS.template_columns(), rows=BANK_RESULTS.examples)

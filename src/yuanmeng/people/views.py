from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yuanmeng.audit.selectors import entries_for
from yuanmeng.core.access import get_for_action
from yuanmeng.core.exports import query_params
from yuanmeng.core.pages import paginate, submit
from yuanmeng.orgs.models import Organisation
from yuanmeng.orgs.roles import Capability
from yuanmeng.orgs.scoping import has_capability
from yuanmeng.people import selectors, services
from yuanmeng.people.forms import BankAccountForm, WorkerForm
from yuanmeng.people.models import JobCategory, Worker
from yuanmeng.people.permissions import can_change_worker

PRIORITY_FILTERS = [
    ("migrant", gettext_lazy("Migrant workers")),
    ("new_form", gettext_lazy("New employment forms")),
    ("model_worker", gettext_lazy("Model workers")),
    ("labour_medal", gettext_lazy("May Day Labour Medal holders")),
]


def _worker_or_404(request, worker_id: int) -> Worker:
    try:
        return selectors.worker_get(user=request.user, worker_id=worker_id)
    except Worker.DoesNotExist:
        raise Http404 from None


@login_required
def worker_list(request):
    try:
        workers, organisation = selectors.worker_list_filtered(user=request.user, params=request.GET)
    except Organisation.DoesNotExist:
        raise Http404 from None
    if request.GET.get("format") == "xlsx":  # the old export link: the one export page now
        return redirect(f"{reverse('export', args=['workers'])}?{urlencode(query_params(request.GET))}")
    page = paginate(request, workers)
    return render(request, "people/worker_list.html", {
        "page": page,
        "mobiles": {worker.pk: selectors.worker_mobile(worker, request.user) for worker in page.object_list},
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
    worker = get_for_action(selectors.worker_list(user=request.user), worker_id, user=request.user,
                            capability=Capability.CHANGE_WORKERS) if worker_id else None
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




@login_required
def my_bank_account(request):
    """A worker enters or corrects their own bank account (the home page shows the same form when one is needed)."""
    worker = getattr(request.user, "worker", None)
    if worker is None:
        raise Http404
    form = BankAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        saved = submit(form, lambda: services.bank_account_change(by=request.user, worker=worker,
                                                                    **form.cleaned_data))
        if saved is not None:
            messages.success(request, _("Your bank account is saved: %(account)s.") % {
                "account": saved.bank_account_masked})
            return redirect("home")
    return render(request, "people/bank_account.html", {"form": form, "worker": worker})

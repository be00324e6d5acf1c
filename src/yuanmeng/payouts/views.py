"""Payment files: issued by a POST from the batch's page (a link from elsewhere cannot use up the one issue), then
written at once for an ordinary batch, by the background worker for a large one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from yuanmeng.core.errors import PermissionDenied, refusal_text
from yuanmeng.core.exports import Queued
from yuanmeng.payouts import selectors
from yuanmeng.payouts.files import FORMATS
from yuanmeng.payouts.jobs import payment_file_start
from yuanmeng.payouts.models import Batch


def _back(request, batch: Batch):
    """Back to the page the link was on (same site only), else the batch's page, else home."""
    referer = request.headers.get("Referer", "")
    if url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return redirect(referer)
    try:
        return redirect(reverse("batch_detail", args=[batch.pk]))
    except NoReverseMatch:
        return redirect("home")


@login_required
@require_POST
def batch_file(request, batch_id: int, fmt: str):
    """Issue the batch's payment file (``reissue=1``: issue it again), or fetch another copy of the issue one
    holds, in either format: 404 outside the user's scope, 403 for one who may not release it, 405 for a GET."""
    if fmt not in FORMATS:
        raise Http404
    batch = get_object_or_404(selectors.batches_visible(user=request.user), pk=batch_id)
    try:
        started = payment_file_start(by=request.user, batch=batch, fmt=fmt,
                                     reissue=request.POST.get("reissue") == "1")
    except PermissionDenied as exc:
        return HttpResponseForbidden(str(exc), content_type="text/plain; charset=utf-8")
    except ValidationError as exc:
        messages.error(request, refusal_text(exc))
        return _back(request, batch)
    if isinstance(started, Queued):
        return redirect(started.url)
    return started

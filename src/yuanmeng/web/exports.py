"""The one export page: ``/exports/<name>/?<the list's filters>`` — the list as a workbook, now or in the background."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from yuanmeng.core.exports import Queued, export_start, query_params


@login_required
def export(request, name: str):
    """A short list downloads at once; a long one is written by the background worker, whose page shows its
    progress and then the file. Who may not read the list gets a 404, as on the list's page; filters that make
    no sense (an end date before the start) go back to the list with the reason."""
    try:
        started = export_start(name=name, by=request.user, params=query_params(request.GET))
    except ValidationError as exc:
        reason = " ".join(exc.messages)
        referer = request.headers.get("Referer", "")
        if url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
            messages.error(request, reason)
            return redirect(referer)
        return HttpResponseBadRequest(reason, content_type="text/plain; charset=utf-8")
    return redirect(started.url) if isinstance(started, Queued) else started

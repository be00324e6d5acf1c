"""What every app's pages share: one page of a list, and a service's refusal shown on the form or as a message."""

from collections.abc import Callable

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator

from yuanmeng.core.errors import PermissionDenied, refusal_text


def paginate(request, queryset, per_page: int | None = None):
    """One page of ``queryset`` (two queries: a count and the page), with the query string kept for links."""
    page = Paginator(queryset, per_page or settings.PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    page.querystring = params.urlencode()
    return page


def add_service_errors(form: forms.Form, exc: ValidationError | PermissionDenied) -> None:
    """Show a service's refusal on the form, each message beside the field it names."""
    if isinstance(exc, PermissionDenied):
        form.add_error(None, str(exc))
        return
    errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
    for field, field_messages in errors.items():
        form.add_error(field if field in form.fields else None, field_messages)


def submit(form: forms.Form, service: Callable[[], object]):
    """Call the service; on refusal put its errors on the form and return None."""
    try:
        return service()
    except (ValidationError, PermissionDenied) as exc:
        add_service_errors(form, exc)
        return None


def run_with_message(request, service: Callable[[], object]):
    """Call the service for a button (no form): on refusal show its reason as a message and return None."""
    try:
        return service()
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, refusal_text(exc))
        return None

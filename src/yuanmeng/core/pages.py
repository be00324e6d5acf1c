"""What every app's pages share: one page of a list, and a service's refusal shown on the form or as a message."""

from collections.abc import Callable

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.utils.functional import cached_property

from yuanmeng.core.errors import PermissionDenied, refusal_text


def count_up_to(rows, cap: int) -> int:
    """The rows counted, at most ``cap + 1`` (so "more than ``cap``" can be told): for a queryset one COUNT over a
    LIMIT subquery of ids, unordered and without the columns and joins a page shows."""
    if isinstance(rows, QuerySet):
        return rows.order_by().values("pk")[: cap + 1].count()
    return len(rows[: cap + 1])


COUNTED = "_counted_up_to"


def page_counted_up_to(rows: QuerySet, offset: int, limit: int, cap: int, shape=None) -> tuple[list, int]:
    """A page of ``rows`` and their count up to ``cap + 1`` (as ``count_up_to``) in one query: the count rides on
    the page's rows as a scalar subquery the database works out once, so a list costs one round trip to the database
    instead of two. ``shape``: what the page reads of each row (e.g. ``QuerySet.values``), applied to the page —
    the sliced query — only, so that the count reads the ids alone, without the joins the page's columns need. A page
    past the end has no row to carry the count: only then is it asked on its own."""
    if rows.query.is_empty():
        return [], 0
    if rows.query.combinator or rows.query.group_by is not None:  # a count cannot ride on a union's or a group's rows
        page = rows[offset:offset + limit]
        return list(shape(page) if shape else page), count_up_to(rows, cap)
    return counted_page(list(counted_page_query(rows, offset, limit, cap, shape)), lambda: count_up_to(rows, cap))


def counted_page_query(rows: QuerySet, offset: int, limit: int, cap: int | None, shape=None) -> QuerySet:
    """The query of ``page_counted_up_to``: the page's rows, each with the count up to ``cap + 1`` beside it (none for
    a query that can have none, or when ``cap`` is None: the page alone)."""
    if rows.query.is_empty():
        return rows
    page = rows[offset:offset + limit]
    page = shape(page) if shape else page
    if cap is not None:
        sql, params = rows.order_by().values("pk")[: cap + 1].query.sql_with_params()
        page = page.annotate(**{COUNTED: RawSQL(f"SELECT COUNT(*) FROM ({sql}) capped", params)})
    return page


def counted_page(items: list, count_alone: Callable[[], int]) -> tuple[list, int]:
    """The page's rows read by ``counted_page_query`` and their count, taken off them (``count_alone()`` for a page
    past the end, which has no row to carry it)."""
    if not items:
        return items, count_alone()
    if isinstance(items[0], dict):
        counted = items[0][COUNTED]
        for item in items:
            del item[COUNTED]
        return items, counted
    return items, getattr(items[0], COUNTED)


class CappedPaginator(Paginator):
    """A paginator whose count is exact only up to ``cap`` rows: above it the list says "more than 10,000".

    An exact ``COUNT(*)`` over a national scope reads every row in it (seconds at a million); counting the first
    ``cap + 1`` rows of the query without its order reads at most that many along an index. Above the cap the pages
    go on to the cap's last page (previous and next work), so no page asks for an offset beyond ``cap`` rows either:
    the rest is found by narrowing the filters."""

    def __init__(self, object_list, per_page, cap: int):
        super().__init__(object_list, per_page)
        self.cap = cap

    @cached_property
    def counted(self) -> int:
        return count_up_to(self.object_list, self.cap)

    @property
    def over_cap(self) -> bool:
        return self.counted > self.cap

    @cached_property
    def count(self) -> int:
        return min(self.counted, self.cap)

    @property
    def pages_shown(self) -> str:
        """The number of pages as the pager says it: "400+" above the cap."""
        return f"{self.num_pages}+" if self.over_cap else str(self.num_pages)

    @property
    def cap_shown(self) -> str:
        return f"{self.cap:,}"


def paginate(request, queryset, per_page: int | None = None):
    """One page of ``queryset`` (two queries: a count bounded by ``PAGE_COUNT_CAP`` and the page), with the query
    string kept for links."""
    paginator = CappedPaginator(queryset, per_page or settings.PAGE_SIZE, settings.PAGE_COUNT_CAP)
    page = paginator.get_page(request.GET.get("page"))
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

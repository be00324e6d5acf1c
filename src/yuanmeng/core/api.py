"""Shared API pieces: the paginator every list endpoint uses, and the answer of every list's export."""

import datetime
import functools
import json
import types
import typing
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from django.http import HttpResponse, HttpResponseBase
from ninja import Field, Schema, Status
from ninja.pagination import PageNumberPagination
from ninja.renderers import BaseRenderer
from ninja.responses import NinjaJSONEncoder
from ninja.schema import DjangoGetter
from pydantic import ModelWrapValidatorHandler, ValidationInfo, model_validator
from pydantic_core import PydanticSerializationError, to_json

from yuanmeng.core.api_answers import answers
from yuanmeng.core.exports import XLSX, Queued, export_start
from yuanmeng.core.pages import count_up_to, page_counted_up_to
from yuanmeng.core.sql import JSONText


class JSONRenderer(BaseRenderer):
    """The API's answers written as JSON by pydantic's core rather than by ``json.dumps`` with ninja's encoder, which
    calls Python for every date and moment (a page of 50 applications: 0.63 ms against 0.13 ms). Text goes as UTF-8,
    not ``\\u`` escapes; a moment keeps its microseconds (ISO 8601, ``Z`` for UTC). What pydantic does not know (a
    lazy translation) goes to ninja's encoder, and text it cannot write as UTF-8 (a lone surrogate, which a JSON
    request may carry) to ninja's ``json.dumps``."""

    media_type = "application/json"

    def render(self, request, data, *, response_status: int) -> bytes:
        try:
            return to_json(data, fallback=_NINJA_ENCODER.default)
        except PydanticSerializationError:
            return json.dumps(data, cls=NinjaJSONEncoder).encode()


_NINJA_ENCODER = NinjaJSONEncoder()
ANSWER_TYPE = f"{JSONRenderer.media_type}; charset={JSONRenderer.charset}"  # as ninja's create_response writes it


class Values(Schema):
    """An answer whose rows come as dicts of values (``QuerySet.values``, or built so): pydantic validates each dict
    itself, in its compiled core, instead of through ninja's ``DjangoGetter``, which looks every field of every row
    up in Python (a page of 50 applications: 1.8 ms against 0.2 ms). The schema's resolvers still run, on the dict;
    a model instance or any other object goes ninja's way."""

    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(cls, values: Any, handler: ModelWrapValidatorHandler, info: ValidationInfo) -> Any:
        if not isinstance(values, dict):
            return super()._run_root_validator(values, handler, info)
        if cls._ninja_resolvers:
            getter = DjangoGetter(values, cls, info.context)
            values = {**values, **{name: resolve(getter) for name, resolve in cls._ninja_resolvers.items()}}
        return handler(values)


JSON_ROW = "json_row"  # the one value of a row the database wrote as its answer's JSON (``answer_json``)


def answer_json(schema: type[Schema], sources: dict) -> JSONText:
    """``schema``'s JSON of a row written by PostgreSQL (``core.sql.JSONText``) from ``sources``, an expression for
    each of its fields by the name a row gives it (its alias, if it has one), a resolver's field included. A list
    whose rows ask for it by ``values(**{JSON_ROW: answer_json(…)})`` is answered without a Python value per field
    (``written``). The kind of each value follows the field's type: a number or a truth, a text, an enumeration's
    value or a date, a moment."""
    fields = []
    for name, field in schema.model_fields.items():
        source = field.alias or name
        if source not in sources:
            raise ImproperlyConfigured(f"answer_json of {schema.__name__}: no expression for {source!r}")
        fields.append((name, _json_kind(schema, name, field.annotation), sources[source]))
    return JSONText(fields)


def _json_kind(schema, name: str, annotation) -> str:
    optional = typing.get_origin(annotation) in (typing.Union, types.UnionType)  # ``X | None``
    kinds = {kind for kind in (typing.get_args(annotation) if optional else (annotation,)) if kind is not type(None)}
    if kinds <= {int, bool}:
        return "scalar"
    kind = kinds.pop() if len(kinds) == 1 else None
    if isinstance(kind, type) and issubclass(kind, datetime.datetime):
        return "moment"
    if isinstance(kind, type) and issubclass(kind, str | datetime.date):
        return "text"
    raise ImproperlyConfigured(f"answer_json of {schema.__name__}: {name!r} is of a type PostgreSQL does not write")


def written(schema: type[Schema], status: int = 200):
    """A view whose answer is checked against ``schema`` and written as JSON by pydantic's core in one step, for the
    API's busiest answers. ninja checks an answer into a model, turns the model back into Python values and hands
    those to the renderer (a queue page of 50 applications: 0.56–0.78 ms); checking it and writing the checked model
    straight to JSON takes 0.35–0.38 ms. A page whose rows the database wrote (``answer_json``) is put together as
    it is, unchecked: tests/api/test_api_under_load.py holds it to the same bytes. ``schema`` is the answer's
    (``paged(…)`` for a list), answered with ``status`` (a view may return it as ``Status(status, …)``); put it
    between the route and ``paginate``. An answer that is already a response, or another status, goes ninja's way.
    The route's own writing options (``by_alias``, ``exclude_none``…) are not applied: leave them at ninja's
    defaults."""

    def decorate(view):
        @functools.wraps(view)
        def write(request, **kwargs):
            answer = view(request, **kwargs)
            if isinstance(answer, Status) and answer.status_code == status:
                answer = answer.value
            if isinstance(answer, HttpResponseBase | Status):
                return answer
            if _rows_written_in_json(answer):
                return HttpResponse(_page_of_json_rows(answer), content_type=ANSWER_TYPE, status=status)
            checked = schema.model_validate(answer, context={"request": request, "response_status": status})
            try:
                return HttpResponse(checked.model_dump_json(), content_type=ANSWER_TYPE, status=status)
            except PydanticSerializationError:
                return Status(status, checked)  # ninja writes it, by json.dumps if needs be (JSONRenderer)
        return write

    return decorate


def _rows_written_in_json(answer) -> bool:
    items = answer.get("items") if isinstance(answer, dict) else None
    return bool(items) and isinstance(items[0], dict) and items[0].keys() == {JSON_ROW}


def _page_of_json_rows(page: dict) -> bytes:
    """``Pages.Output`` as pydantic writes it, its rows as the database wrote them (``answer_json``)."""
    rows = ",".join(row[JSON_ROW] for row in page["items"])
    return f'{{"items":[{rows}],"count":{int(page["count"])},"more":{"true" if page["more"] else "false"}}}'.encode()


class Pages(PageNumberPagination):
    """Page-number pagination, 50 a page (up to 200), with the page number bounded (a huge one is a 422, not a 500).

    The count is exact up to ``PAGE_COUNT_CAP`` rows, as on the pages (``core/pages.py``): an exact ``COUNT(*)``
    over a national scope reads every row of it on every call, so the count reads at most the cap and one more
    (unordered, along an index), and ``more`` says when rows lie beyond it."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int | None = Field(None, ge=1, le=200)

    class Output(Schema):
        items: list[Any]
        count: int = Field(..., description="the rows that match, counted up to PAGE_COUNT_CAP (10,000 by default)")
        more: bool = Field(..., description="more rows match than `count` says: page on, narrow the filters or "
                           "export the list")

    def __init__(self, page_size: int = 50, shape: Callable[[QuerySet], QuerySet] | None = None, **kwargs):
        """``shape``: what a page reads of each row (``@paginate(Pages, shape=…)``), e.g. a ``values()`` of the
        answer's fields, so that no model is built per row; the count reads the rows unshaped."""
        super().__init__(page_size=page_size, max_page_size=200, **kwargs)
        self.shape = shape

    def paginate_queryset(self, queryset, pagination, request, **params):
        cap = settings.PAGE_COUNT_CAP
        page_size = self._get_page_size(pagination.page_size)
        offset = (pagination.page - 1) * page_size
        if isinstance(queryset, QuerySet):
            items, counted = page_counted_up_to(queryset, offset, page_size, cap, self.shape)
        elif hasattr(queryset, "counted_page"):  # a list whose pages are compiled once (orgs.scoping.CallersList)
            items, counted = queryset.counted_page(offset, page_size, cap, self.shape)
        else:
            page = super().paginate_queryset(queryset, pagination, request, **params)
            items, counted = page[self.items_attribute], page["count"]
        return {self.items_attribute: items, "count": min(counted, cap), "more": counted > cap}

    def _items_count(self, queryset) -> int:
        return count_up_to(queryset, settings.PAGE_COUNT_CAP)


@functools.cache
def paged(item: type[Schema]) -> type[Schema]:
    """``Pages``' answer with rows of ``item``, as ninja makes it from a list's ``response`` for its OpenAPI."""
    return type(f"Paged{item.__name__}", (Pages.Output,), {"__annotations__": {"items": list[item]}})


# ---- exports: every list endpoint has an ``/export`` twin with the same filters -------------------------------

class TaskQueued(Schema):
    job: int = Field(..., description="the background task writing the file")
    url: str = Field(..., description="its page: progress, then the download")


def task_answer(queued: Queued) -> Status:
    """202: a file is being written in the background by this task."""
    return Status(202, {"job": queued.task, "url": queued.url})


EXPORT_RESPONSES = answers({202: TaskQueued}, 404, 422)  # 404: a list (or a filter's object) you may not read
EXPORT_OPENAPI = {"responses": {200: {
    "description": "the list as an Excel workbook (personal numbers masked unless your role may see them)",
    "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}}}}}
EXPORT_DESCRIPTION = ("The list with the same filters, as an xlsx workbook: at most EXPORT_INLINE_ROWS rows (5,000 by "
                      "default) come back at once (200); a longer list is written in the background (202, with the "
                      "task's id and page).")


def _text(value) -> str:
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(getattr(value, "value", value))


def export_answer(request, name: str, **filters):
    """The export of list ``name`` with the endpoint's filters (those not given are left out): the workbook, or
    202 and the background task."""
    params = {key: _text(value) for key, value in filters.items() if value is not None and value != ""}
    started = export_start(name=name, by=request.user, params=params)
    return task_answer(started) if isinstance(started, Queued) else started


EXPORT = {"response": EXPORT_RESPONSES, "description": EXPORT_DESCRIPTION, "openapi_extra": EXPORT_OPENAPI}

"""What an API operation answers besides its success, declared in the OpenAPI document (``answers``).

The exception handlers in ``yuanmeng.api`` give the bodies: 401 without a valid session or token, 403 when the
caller's role may not do this (``PermissionDenied``), 404 for what does not exist or lies outside the caller's
scope (never 403: that would tell it exists), 422 for bad input (a service's ``ValidationError`` by field, or
the request's own checks of types and ranges).
"""

from typing import Any

from ninja import Field, Schema


class ErrorOut(Schema):
    detail: str = Field(..., description="what went wrong")


class InvalidOut(Schema):
    detail: str | list[dict[str, Any]] = Field(
        ..., description='"invalid input", with `errors`; or, for a value of the wrong type, shape or range, the '
                         "list of problems, each with its `loc` (where) and `msg`")
    errors: dict[str, list[str]] | None = Field(
        None, description="field → messages (`__all__`: the request as a whole)")


ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: InvalidOut}


def answers(success: Any, *errors: int) -> dict:
    """An operation's ``response``: its success (a schema for 200, or ``{status: schema}``), 401 (every operation
    needs a log-in) and the errors it can give — 403, 404, 422."""
    declared = dict(success) if isinstance(success, dict) else {200: success}
    return {**declared, **{status: ERRORS[status] for status in (401, *errors)}}

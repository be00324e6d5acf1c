"""The errors that services raise — bad input (field → messages) and a refused action — shown by pages and the API
alike."""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError


class PermissionDenied(DjangoPermissionDenied):
    """The caller's role does not allow this action; ``str()`` says why. The API answers 403 with the reason; a
    page that lets it through answers Django's 403 (Django's own ``PermissionDenied`` is its base)."""


def refusal_text(exc: ValidationError | PermissionDenied) -> str:
    """A service's refusal as one line for a message or a page."""
    return " ".join(getattr(exc, "messages", None) or [str(exc)])


def clean_each(values: dict, clean_one: Callable[[str, Any], Any]) -> dict:
    """Clean every field with ``clean_one(name, value)``; one ValidationError names every bad field at once."""
    cleaned, errors = {}, {}
    for name, value in values.items():
        try:
            cleaned[name] = clean_one(name, value)
        except ValidationError as exc:
            errors[name] = exc.messages
    if errors:
        raise ValidationError(errors)
    return cleaned

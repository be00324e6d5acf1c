"""The error that services raise for bad input: field → messages, shown by pages and the API alike."""

from django.core.exceptions import ValidationError


def field_error(field: str, message) -> ValidationError:
    return ValidationError({field: [message]})


class PermissionDenied(Exception):
    """The caller's role or scope does not allow this action; ``str()`` says why."""

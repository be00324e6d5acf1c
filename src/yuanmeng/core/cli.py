"""What management commands share."""

import sys

from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.management.base import CommandError, SystemCheckError


def acting_user(username: str | None):
    """The user named by --as; without it, the only active superuser (the services check roles either way)."""
    users = get_user_model().objects.filter(is_active=True)
    if username:
        user = users.filter(username=username).first()
        if user is None:
            raise CommandError(f"no active user named {username!r}")
        return user
    superusers = list(users.filter(is_superuser=True).order_by("pk")[:2])
    if len(superusers) != 1:
        raise CommandError("say who acts with --as USERNAME "
                           f"(there is {'more than one' if superusers else 'no'} active superuser)")
    return superusers[0]


def refusal(exc: ValidationError) -> str:
    """A service's refusal as one line, each message after the field it is about ("budget: …")."""
    if not hasattr(exc, "error_dict"):
        return " ".join(exc.messages)
    return "; ".join(message if field == NON_FIELD_ERRORS else f"{field}: {message}"
                     for field, messages in exc.message_dict.items() for message in messages)


def in_one_line(execute):
    """A command's execute() that answers a refusal with one line "error: …" on stderr and exit status 1.

    The console script wraps every command with it; argument errors keep argparse's exit status 2, and
    --traceback still shows the whole exception.
    """
    def run(*args, **options):
        try:
            return execute(*args, **options)
        except (CommandError, ValidationError, PermissionDenied) as exc:
            if options.get("traceback") or isinstance(exc, SystemCheckError):
                raise
            text = refusal(exc) if isinstance(exc, ValidationError) else str(exc)
            sys.stderr.write(f"error: {' '.join(text.split())}\n")
            sys.exit(getattr(exc, "returncode", 1))
    return run

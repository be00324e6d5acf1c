"""What management commands share."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError


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

"""What the `yuanmeng payout …` subcommands share: the acting user and finding a batch by its name."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from yuanmeng.payouts.models import Batch


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


def find_batch(name: str) -> Batch:
    """A batch by "<round code>-<number>" (GZ-2026-R1-1) or by its numeric id."""
    name = (name or "").strip()
    batches = Batch.objects.select_related("round__policy__organisation")
    if name.isascii() and name.isdigit() and len(name) < 19:
        batch = batches.filter(pk=int(name)).first()
    else:
        code, _sep, number = name.rpartition("-")
        valid = code and number.isascii() and number.isdigit() and len(number) < 6
        batch = batches.filter(round__code=code, number=int(number)).first() if valid else None
    if batch is None:
        raise CommandError(f"no batch {name!r}: give <round code>-<number> (such as GZ-2026-R1-1) or the batch id")
    return batch

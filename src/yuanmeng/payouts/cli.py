"""What the `yuanmeng payout …` subcommands share: the acting user and finding a batch by its name."""

from django.core.management.base import CommandError

from yuanmeng.core.cli import acting_user  # noqa: F401 - the subcommands import it from here
from yuanmeng.payouts.models import Batch


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

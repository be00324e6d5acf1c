"""Work waiting for someone: how many rows (counted up to a cap) and since when the oldest has waited.

A home page shows a count per kind of work. At national scale a scope can hold a million rows, so a count is
never exact above ``WAITING_CAP``: the page says "1000+". One query per count: the first ``WAITING_CAP + 1``
dates, oldest first, read along an index on (state, date) and stopped at the cap.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

WAITING_CAP = 1000


@dataclass(frozen=True)
class Waiting:
    count: int  # at most WAITING_CAP + 1
    oldest: datetime.datetime | None

    @property
    def over_cap(self) -> bool:
        return self.count > WAITING_CAP

    @property
    def shown(self) -> str:
        return f"{WAITING_CAP}+" if self.over_cap else str(self.count)

    @property
    def oldest_days(self) -> int | None:
        """Whole days the oldest has waited (0 today)."""
        return None if self.oldest is None else (timezone.now() - self.oldest).days


def waiting(queryset, date_field: str) -> Waiting:
    """Count (bounded) and the oldest ``date_field`` of ``queryset``, in one query."""
    dates = list(queryset.order_by(date_field, "pk").values_list(date_field, flat=True)[:WAITING_CAP + 1])
    return Waiting(count=len(dates), oldest=dates[0] if dates else None)

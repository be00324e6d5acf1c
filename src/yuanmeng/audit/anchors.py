"""Anchors: the audit chain's head (entries counted, newest hash, time) written outside the database.

An append-only file of JSON lines (``settings.AUDIT_ANCHOR_FILE``, created 0600) that ``yuanmeng audit verify``
and ``yuanmeng audit anchor`` (from cron) append to. Each anchor's entry must still be in the chain with the same
hash, so removing the newest entries and moving the head back, or rebuilding the chain, shows against the last
anchor even for someone holding the key. The operator keeps the file, and copies of it, away from the database.
"""

import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone


@dataclass(frozen=True)
class Anchor:
    at: datetime
    seq: int
    hash: str
    note: str = ""

    def line(self) -> str:
        return json.dumps({**asdict(self), "at": self.at.isoformat()}, ensure_ascii=False) + "\n"

    def __str__(self) -> str:
        return f"{timezone.localtime(self.at):%Y-%m-%d %H:%M:%S}"


class AnchorFileDamaged(ValueError):
    pass


def _path() -> Path:
    return Path(settings.AUDIT_ANCHOR_FILE)


def anchors() -> Iterator[Anchor]:
    """Every anchor, oldest first."""
    if not _path().exists():
        return
    with _path().open(encoding="utf-8") as file:
        for number, line in enumerate(file, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                yield Anchor(at=datetime.fromisoformat(data["at"]), seq=int(data["seq"]), hash=str(data["hash"]),
                             note=str(data.get("note", "")))
            except (ValueError, KeyError, TypeError) as exc:
                raise AnchorFileDamaged(f"the anchor file {_path()} is damaged at line {number}") from exc


def last_anchor() -> Anchor | None:
    latest = None
    for latest in anchors():  # noqa: B007 (the last one is wanted)
        pass
    return latest


def anchor_on(day: date) -> Anchor | None:
    """The last anchor taken on or before ``day`` (local time): the year's end anchor is ``anchor_on(31 Dec)``."""
    end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    found = None
    for anchor in anchors():
        if anchor.at >= end:
            break
        found = anchor
    return found


def anchor_append(*, seq: int, hash: str, note: str = "") -> Anchor:
    """Append one anchor; the file is created readable by its owner only."""
    anchor = Anchor(at=datetime.now(UTC), seq=seq, hash=hash, note=note)
    _path().parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(_path(), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(anchor.line())
        file.flush()
        os.fsync(file.fileno())
    return anchor

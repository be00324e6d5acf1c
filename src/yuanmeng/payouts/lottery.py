"""The lottery's arithmetic (RFC 3797's method, adapted): the seed's normal form, the list's digest, the order.

Everything here is exact and public, so that anyone can redo it with the standard library alone
(docs/lottery_verify.py does, from the public page's download):

- The seed: the values of the announced public draw, source by source. Each source's numbers are written in
  decimal without leading zeros, sorted ascending, each followed by ``.``; each source is followed by ``/``.
  ``03 07 12 19 25 33 + 09`` becomes ``3.7.12.19.25.33./9./`` (RFC 3797, section 4).
- The frozen list: its entries in published order; its digest is SHA-256 over the UTF-8 bytes of one line
  ``<reference>,<amount in fen>\\n`` per entry.
- The order: ascending SHA-256 over the UTF-8 bytes of ``seed + reference`` (the seed ends with ``/``, which
  no reference contains), compared as bytes; equal digests (never seen) fall back to the published position.
- The winners: in that order, while the running total of the amounts fits the round's money and the place
  fits its quota (the same cut as a ranked round): a prefix of the order.
"""

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Iterator

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext as _

SOURCE_SEPARATORS = re.compile(r"[/+;|\n]")
NUMBER_SEPARATORS = re.compile(r"[\s,.、，]+")


def normalise_seed(values: str) -> str:
    """The seed in RFC 3797's form from the values as an officer types them (sources apart by ``/`` or ``+``)."""
    text = unicodedata.normalize("NFKC", str(values or ""))
    sources = [part for part in SOURCE_SEPARATORS.split(text) if part.strip()]
    if not sources:
        raise ValidationError({"values": [_("Enter the numbers of the announced draw.")]})
    seed = ""
    for source in sources:
        numbers = [n for n in NUMBER_SEPARATORS.split(source.strip()) if n]
        if not all(n.isascii() and n.isdigit() for n in numbers):
            raise ValidationError({"values": [_("Only whole numbers, separated by spaces; separate the draw's "
                                                "parts (such as red and blue balls) with “+” or “/”.")]})
        seed += "".join(f"{int(n)}." for n in sorted(numbers, key=int)) + "/"
    if len(seed) > 200:
        raise ValidationError({"values": [_("At most 200 characters once written in normal form.")]})
    return seed


def list_line(reference: str, amount_fen: int) -> bytes:
    return f"{reference},{int(amount_fen)}\n".encode()


def list_digest(entries: Iterable[tuple[str, int]]) -> str:
    """SHA-256 (hex) of the frozen list: its (reference, amount) entries in published order, streamed."""
    digest = hashlib.sha256()
    for reference, amount_fen in entries:
        digest.update(list_line(reference, amount_fen))
    return digest.hexdigest()


def draw_key(seed: str, reference: str) -> bytes:
    return hashlib.sha256((seed + reference).encode()).digest()


def winners(seed: str, entries: Iterable[tuple[str, int]], *, limit_fen: int, quota: int | None) -> Iterator[str]:
    """The winners' references in drawn order, from (reference, amount) entries in published order.

    Each entry is kept as one integer (digest, then position) so that a million of them sort in ~100 MB.
    """
    amounts, references, keys = [], [], []
    for position, (reference, amount_fen) in enumerate(entries):
        references.append(reference)
        amounts.append(int(amount_fen))
        keys.append(int.from_bytes(draw_key(seed, reference), "big") << 32 | position)
    keys.sort()
    running = 0
    for place, key in enumerate(keys, start=1):
        position = key & 0xFFFFFFFF
        running += amounts[position]
        if running > limit_fen or (quota is not None and place > quota):
            return
        yield references[position]


def draw_key_sql(seed_param: str, reference_column: str) -> str:
    """The same key in SQL: PostgreSQL's sha256(); SQLite's is the one ``add_sqlite_sha256`` gives it."""
    if connection.vendor == "postgresql":
        return f"sha256(convert_to({seed_param} || {reference_column}, 'UTF8'))"
    return f"ym_sha256({seed_param} || {reference_column})"


def add_sqlite_sha256(sender, connection, **kwargs) -> None:
    """SQLite has no SHA-256: give each new connection ours (bytes, compared by memcmp like PostgreSQL's bytea)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "ym_sha256", 1, lambda text: hashlib.sha256(text.encode()).digest(), deterministic=True)

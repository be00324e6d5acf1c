"""`yuanmeng lottery verify ROUND`: redo a lottery from its published list and seed; exit 1 if anything differs.

It reads only what the public page publishes (the frozen entries, the numbers as entered, the money and the
quota) and recomputes, with the standard library, the seed's normal form, the list's count and SHA-256 and the
winners in drawn order; then it compares them with what was stored and committed: the seed, the count and the
digest stored at the freeze, the winners' places, the round's payment lines. Nothing stored is trusted.
"""

import hashlib
import itertools

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Exists, OuterRef

from yuanmeng.payouts.lottery import list_line, normalise_seed, winners
from yuanmeng.payouts.models import LotteryDraw, LotteryEntry, PaymentLine
from yuanmeng.payouts.selectors import draw_entries


def verify_draw(draw: LotteryDraw) -> list[str]:
    """What differs between the draw as committed and as recomputed (nothing: an empty list)."""
    if not draw.round_id:
        raise CommandError(f"{draw.code} is not drawn yet")
    try:
        seed = normalise_seed(draw.seed_values)
    except ValidationError:
        raise CommandError(f"{draw.code}: the entered numbers {draw.seed_values!r} do not give a seed") from None
    digest = hashlib.sha256()
    count = 0

    def published():
        nonlocal count
        for reference, amount_fen in draw_entries(draw).values_list("reference", "amount_fen").iterator(
                chunk_size=20_000):
            digest.update(list_line(reference, amount_fen))
            count += 1
            yield reference, amount_fen

    recomputed = list(winners(seed, published(), limit_fen=draw.limit_fen, quota=draw.quota))
    problems = []
    if seed != draw.seed:
        problems.append(f"the seed from the entered numbers is {seed}, not the stored {draw.seed}")
    if count != draw.candidate_count:
        problems.append(f"{count} candidates in the frozen list, not the {draw.candidate_count} stored at the freeze")
    if digest.hexdigest() != draw.list_sha256:
        problems.append(f"the list's SHA-256 is {digest.hexdigest()}, not the {draw.list_sha256} published at "
                        "the freeze")
    committed = draw_entries(draw, winners=True).values_list("reference", flat=True).iterator(chunk_size=20_000)
    pairs = itertools.zip_longest(committed, recomputed)
    first = next((place for place, (a, b) in enumerate(pairs, start=1) if a != b), None)
    if first is not None:
        problems.append(f"the committed winners differ from the {len(recomputed)} recomputed ones from place {first}")
    at_place = LotteryEntry.objects.filter(draw=draw, place=OuterRef("rank"), application_id=OuterRef("application_id"))
    stray = PaymentLine.objects.filter(round_id=draw.round_id).exclude(Exists(at_place))
    if stray.exists():
        problems.append(f"{stray.count()} payment lines of the round are not winners at their place")
    return problems


class Command(BaseCommand):
    help = "Lotteries: `verify ROUND` recomputes a drawn round's winners from its published list and seed."

    def add_arguments(self, parser):
        subparsers = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        verify = subparsers.add_parser("verify", help="recompute the winners and compare them with the committed ones")
        verify.add_argument("round", metavar="ROUND", help="the round's code, e.g. GZ-2026-L1")

    def handle(self, *args, subcommand, round, **options):
        draw = LotteryDraw.objects.filter(code=round).first()
        if draw is None:
            raise CommandError(f"no lottery round {round!r}")
        problems = verify_draw(draw)
        if problems:
            raise CommandError(f"{draw.code}: DOES NOT MATCH: " + "; ".join(problems))
        self.stdout.write(f"{draw.code}: matches. {draw.candidate_count} candidates, list SHA-256 "
                          f"{draw.list_sha256}; seed {draw.seed} ({draw.seed_source}); "
                          f"{draw.entries.filter(place__isnull=False).count()} winners recomputed in the committed "
                          "order, every payment line among them.")

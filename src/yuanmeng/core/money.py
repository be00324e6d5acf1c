"""Money is integer fen everywhere; yuan exist only at the edges (forms, screens, files)."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_YUAN = 10**12  # a trillion yuan: beyond any union's budget, well inside a 64-bit count of fen


def yuan_to_fen(value) -> int:
    try:
        amount = Decimal(str(value).replace(",", "").strip())
        exact = amount.is_finite() and amount == amount.quantize(Decimal("0.01"))
    except InvalidOperation:
        exact = False
    if not exact:
        raise ValidationError(_("Enter an amount in yuan with at most two decimals, such as 1500 or 1500.50."))
    if not 0 <= amount <= MAX_YUAN:
        raise ValidationError(_("Enter an amount between 0 and %(max)s yuan.") % {"max": f"{MAX_YUAN:,}"})
    return int(amount * 100)


def fen_to_yuan(fen: int | None) -> str:
    """``150000`` → ``1,500.00``."""
    if fen is None:
        return "—"
    return f"{Decimal(fen) / 100:,.2f}"

"""Money is integer fen everywhere; yuan exist only at the edges (forms, screens, files)."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def yuan_to_fen(value) -> int:
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise ValidationError(_("Enter an amount in yuan, such as 1500 or 1500.50.")) from None
    if amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise ValidationError(_("Enter an amount in yuan with at most two decimals."))
    return int(amount * 100)


def fen_to_yuan(fen: int | None) -> str:
    """``150000`` → ``1,500.00``."""
    if fen is None:
        return "—"
    return f"{Decimal(fen) / 100:,.2f}"

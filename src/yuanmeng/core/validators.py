"""Normalising validators for the numbers people type: identity numbers, credit codes, mobiles.

Each takes raw input (full-width digits, spaces, lower-case x are forgiven) and returns the
normalised value, or raises ``django.core.exceptions.ValidationError`` with a message that
says what is wrong.
"""

import datetime
import re
import time
import unicodedata
from functools import cache

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric, uscc


def normalise_text(value: str) -> str:
    """Full-width to half-width, surrounding and inner spaces removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value or ""))


@cache
def region_existed(region: str, year: int) -> bool:
    """Did this county code exist in that year (so a number issued to someone born then may carry it)?

    python-stdnum's region table answers; a lookup costs about 0.3 ms, and an import asks it for every row
    about the same few hundred (region, year) pairs, hence the cache.
    """
    probe = f"{region}{year}0101001"
    try:
        ric.get_birth_place(probe + ric.calc_check_digit(probe + "0"))
    except (stdnum_errors.InvalidComponent, KeyError, ValueError):  # its region table raises KeyError too
        return False
    return True


_today: tuple[float, datetime.date | None] = (0.0, None)


def today() -> datetime.date:
    """``timezone.localdate()``, read again at most once a second: an import asks for it on every row."""
    global _today
    now = time.monotonic()
    if _today[1] is None or now - _today[0] > 1:
        _today = (now, timezone.localdate())
    return _today[1]


def validate_id_number(value: str) -> str:
    """GB 11643 with python-stdnum's pieces: length, digits, check digit, a real birth date, a known region."""
    number = normalise_text(value).upper()
    if len(number) != 18:
        raise ValidationError(_("An identity number has 18 characters."), code="length")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError(_("An identity number is 17 digits followed by a digit or X."), code="format")
    if number[17] != ric.calc_check_digit(number):
        raise ValidationError(_("The check digit of this identity number is wrong."), code="checksum")
    try:
        born = ric.get_birth_date(number)
    except stdnum_errors.InvalidComponent:
        born = None
    if born is None or not region_existed(number[:6], born.year):
        raise ValidationError(
            _("This identity number has an impossible birth date or an unknown region code."), code="component")
    if born > today():
        raise ValidationError(_("The birth date in this identity number is in the future."), code="future")
    return number


def birth_date_and_sex(id_number: str) -> tuple[datetime.date, str]:
    """Birth date from digits 7–14 of a valid number; sex from the parity of digit 17 (odd: male)."""
    born = datetime.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    return born, ("M" if int(id_number[16]) % 2 else "F")


_USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def validate_credit_code(value: str) -> str:
    """GB 32100 unified social credit code.

    python-stdnum's ``cn.uscc`` demands digits in the first two places, which refuses real codes
    of registration authorities written as letters (A, N, Y…); we check the layout ourselves and
    borrow only its check-digit calculation.
    """
    code = normalise_text(value).upper()
    if len(code) != 18:
        raise ValidationError(_("A unified social credit code has 18 characters."), code="length")
    if any(c not in _USCC_CHARSET for c in code) or not code[2:8].isdigit():
        raise ValidationError(
            _("A unified social credit code uses digits and capital letters other than I, O, S, V, Z, "
              "with a 6-digit region code in places 3 to 8."),
            code="format",
        )
    if code[-1] != uscc.calc_check_digit(code[:17]):
        raise ValidationError(_("The check character of this credit code is wrong."), code="checksum")
    return code


_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def validate_mobile(value: str) -> str:
    number = normalise_text(value)
    number = number.removeprefix("+86").removeprefix("0086")
    if not _MOBILE.match(number):
        raise ValidationError(
            _("A mainland mobile number has 11 digits and starts with 13 to 19."), code="mobile"
        )
    return number


def validate_bank_account(value: str) -> str:
    number = normalise_text(value).replace("-", "")
    if not number.isdigit() or not 12 <= len(number) <= 30:
        raise ValidationError(_("A bank account number is 12 to 30 digits."), code="bank_account")
    return number

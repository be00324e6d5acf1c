"""Normalising validators for the numbers people type: identity document numbers, credit codes, mobiles.

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
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_errors
from stdnum import luhn, numdb
from stdnum.cn import ric, uscc


def normalise_text(value: str) -> str:
    """Full-width to half-width, surrounding and inner spaces removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value or ""))


class DocumentType(models.TextChoices):
    """Documents whose 18-character number follows GB 11643 (six-digit code, birth date, serial, MOD 11-2 check)."""

    RESIDENT_ID = "resident_id", _("Resident identity card")
    HMT_PERMIT = "hmt_permit", _("Residence permit for Hong Kong, Macao and Taiwan residents")
    FOREIGN_PR = "foreign_pr", _("Foreign permanent resident ID card")


# Residence permits of Hong Kong, Macao and Taiwan residents carry these codes in place of a county's.
HMT_PERMIT_CODES = ("810000", "820000", "830000")


@cache
def known_region(code: str) -> bool:
    """Is this six-digit code, or was it ever, an administrative code (python-stdnum's table of them)?

    Any period counts: the code is that of the office that issued the number, which may have been created
    after its holder was born (天河区 440106 in 1985; 增城区 440118 since 2014, to people of every age), so
    python-stdnum's own check that the code existed in the birth year would refuse real people.
    """
    return any("county" in names for _part, names in numdb.get("cn/loc").info(code))


def document_type_of(number: str) -> str:
    """Which document an 18-character number belongs to, told by its first digits: 9 opens the foreign
    permanent resident ID card (2023 design), 810000/820000/830000 the residence permits, anything else is a
    resident identity card (the first digit of a province code, 1 to 8)."""
    if number.startswith("9"):
        return DocumentType.FOREIGN_PR
    if number[:6] in HMT_PERMIT_CODES:
        return DocumentType.HMT_PERMIT
    return DocumentType.RESIDENT_ID


_today: tuple[float, datetime.date | None] = (0.0, None)


def today() -> datetime.date:
    """``timezone.localdate()``, read again at most once a second: an import asks for it on every row."""
    global _today
    now = time.monotonic()
    if _today[1] is None or now - _today[0] > 1:
        _today = (now, timezone.localdate())
    return _today[1]


def validate_id_number(value: str, document_type: str | None = None) -> str:
    """An 18-character GB 11643 number: its layout, check character, a real and past birth date, and the code
    its document carries; ``document_type``, when given, must be the document the number belongs to.

    The three documents share the layout from the 7th character on (birth date, serial whose last digit is odd
    for men, MOD 11-2 check character); they differ in the first six: a county-level code that is or ever
    was one (resident card), 810000/820000/830000 (residence permits), or 9, the province code of the issuing
    office and a three-digit nationality code (foreign permanent resident card of 2023).
    """
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
    if born is None or born.year < 1900:
        raise ValidationError(_("The birth date in this identity number is not a real date."), code="birth_date")
    if born > today():
        raise ValidationError(_("The birth date in this identity number is in the future."), code="future")
    found = document_type_of(number)
    if document_type and document_type != found and _code_problem(number, found) is None:
        raise ValidationError(
            _("This number is that of a document “%(found)s”, not “%(chosen)s”: choose the document type that "
              "matches.")
            % {"found": DocumentType(found).label, "chosen": DocumentType(document_type).label},
            code="document_type")
    problem = _code_problem(number, document_type or found)
    if problem:
        raise ValidationError(problem, code="region")
    return number


def _code_problem(number: str, document_type: str) -> str | None:
    """What is wrong with the characters before the birth date, for a number of that document; None if nothing."""
    if document_type == DocumentType.HMT_PERMIT and number[:6] not in HMT_PERMIT_CODES:
        return _("The number of a residence permit for Hong Kong, Macao and Taiwan residents starts with 810000, "
                 "820000 or 830000.")
    if document_type == DocumentType.FOREIGN_PR and not (
            number.startswith("9") and number[1:3] < "70" and known_region(number[1:3] + "0000")):
        return _("A foreign permanent resident ID card's number starts with 9 and the code of a province (944 for "
                 "Guangdong); %(start)s is not such a start.") % {"start": number[:3]}
    if document_type == DocumentType.RESIDENT_ID and not known_region(number[:6]):
        return _("%(code)s is not a region code, now or in the past.") % {"code": number[:6]}
    return None


def birth_date_and_sex(id_number: str) -> tuple[datetime.date, str]:
    """Birth date from digits 7–14 of a valid number; sex from the parity of digit 17 (odd: male). All three
    document types carry both there."""
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


def is_bank_card(number: str) -> bool:
    """A bank card number (UnionPay's IIN range 62, 16 to 19 digits) carries a Luhn check digit; other account
    numbers (passbooks, corporate-style settlement accounts of 12 to 30 digits) carry none we can check."""
    return number.startswith("62") and 16 <= len(number) <= 19


def validate_bank_card(value: str) -> str:
    """``validate_bank_account``, and for a bank card number its Luhn check digit: what a worker types when they
    enter or correct their own account (a mistyped digit would send the payment back)."""
    number = validate_bank_account(value)
    if is_bank_card(number) and not luhn.is_valid(number):
        raise ValidationError(_("This card number's last digit does not match the others: check it against your "
                                "card."), code="bank_card")
    return number

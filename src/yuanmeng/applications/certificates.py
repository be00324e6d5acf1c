"""Diploma certificate numbers: one way of writing them for every comparison, and a format check that only warns."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from yuanmeng.core.text import clean_text
from yuanmeng.core.validators import normalise_text
from yuanmeng.orgs.models import School


def certificate_key(value) -> str:
    """A certificate number as compared everywhere: full-width folded, spaces and dashes gone, upper case."""
    number = normalise_text(clean_text(value, max_length=60, required=True)).replace("-", "").upper()
    if not number or len(number) > 40:
        raise ValidationError(_("A certificate number has at most 40 letters and digits."))
    return number


DIPLOMA_PATTERN = re.compile(r"^(\d{5})([1567])(\d{4})(0[56])(\d{5,6})$")
LEVEL_CODES = {"05": "bachelor", "06": "college"}


def diploma_format_warning(number: str, *, level: str, school: School) -> str:
    """A note when a number does not read like a national diploma number; never a refusal."""
    match = DIPLOMA_PATTERN.match(number)
    if not match:
        return _("The number does not follow the usual national layout (school code, type, year, level, serial).")
    school_code, _type, _year, level_code, _serial = match.groups()
    notes = []
    if school.school_code and school_code != school.school_code:
        notes.append(_("It starts with school code %(code)s, not the school's %(school)s.") % {
            "code": school_code, "school": school.school_code})
    if LEVEL_CODES[level_code] != level:
        notes.append(_("Its level digits say a different education level."))
    return " ".join(notes)

"""Free text from people: trimmed, bounded, and free of the NUL character PostgreSQL refuses."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def clean_text(value, *, max_length: int, required: bool = False) -> str:
    text = " ".join(str(value or "").replace("\x00", "").split())
    if required and not text:
        raise ValidationError(_("This field is required."))
    if len(text) > max_length:
        raise ValidationError(
            _("At most %(max)d characters (this has %(n)d).") % {"max": max_length, "n": len(text)}
        )
    return text


def clean_search(value) -> str:
    """A search term: never an error, just the usable part."""
    return " ".join(str(value or "").replace("\x00", "").split())[:100]

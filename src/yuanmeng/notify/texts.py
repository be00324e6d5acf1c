"""A message's text in the workers' language when it is written, and again in its reader's language when it is
shown: ``worker_text`` remembers the msgid and values it was made from, the outbox stores them, ``render`` puts
them back together in the active language."""

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _


class WorkerText(str):
    """A text in the workers' language that remembers how it was made (its msgid and values), so that a message
    can be shown again in its reader's language (``render``)."""

    msgid: str = ""
    values: dict = {}


def _storable(value):
    """A value as stored beside a msgid: a lazily translated label as its msgid (translated when shown),
    dates as ISO text, anything else as text."""
    if isinstance(value, Promise):
        with translation.override(None):
            return {"msgid": str(value)}
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def worker_text(message: str, **values) -> WorkerText:
    """``message`` (a msgid) in the workers' language, the site's (not that of the officer whose act sends it),
    with ``values`` put in."""
    with translation.override(settings.LANGUAGE_CODE):
        text = _(message)
        text = WorkerText(text % values if values else text)
    text.msgid, text.values = str(message), {name: _storable(value) for name, value in values.items()}
    return text


def render(msgid: str, values: dict, detail: str = "") -> str:
    """A stored message text in the active language: ``msgid`` with ``values`` (each ``{"msgid": …}``
    translated) and ``detail`` as its reason."""
    shown = {name: _(value["msgid"]) if isinstance(value, dict) else value for name, value in values.items()}
    if detail:
        shown["reason"] = detail
    text = _(msgid)
    return text % shown if values or detail else text

"""Cleaning the editable fields a service is given and recording them for the audit trail, alike for every
model a service edits field by field."""

import datetime
import decimal
from collections.abc import Callable, Iterable
from typing import Any

from yuanmeng.core.errors import clean_each


def clean_editable(fields: dict, editable: Iterable[str], clean_one: Callable[[str, Any], Any]) -> dict:
    """``fields`` cleaned by ``clean_one``; a name not in ``editable`` is a programming error (TypeError)."""
    unknown = set(fields) - set(editable)
    if unknown:
        raise TypeError(f"not editable fields: {sorted(unknown)}")
    return clean_each(fields, clean_one)


def clean_description(value) -> str:
    """A free description: no NUL (PostgreSQL refuses it), at most 5,000 characters."""
    return (value or "").replace("\x00", "")[:5000]


def snapshot(obj, names: Iterable[str]) -> dict:
    """The ``names`` of ``obj`` as JSON values for an audit record (dates and times in ISO form, decimals as text; a
    foreign key by its id)."""
    values = {}
    for name in names:
        field = obj._meta.get_field(name)
        values[name] = getattr(obj, field.attname)
    return {k: v.isoformat() if isinstance(v, datetime.date) else str(v) if isinstance(v, decimal.Decimal) else v
            for k, v in values.items()}

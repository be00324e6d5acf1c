"""The xAPI (Experience API 1.0.3) statements a provider's platform sends us, read into what we record.

We accept the statement shape (actor, verb, object, result) for three ADL verbs, and only what we need of it:

- ``actor.account.name`` is the enrolment's learner reference (``Enrolment.learner_ref``), which the provider reads
  from its course's list of enrolments; ``actor.account.homePage`` is the provider's own and not checked. No
  identity number, name or mobile number is exchanged.
- ``object.id`` is the course's IRI, ``<our site>/training/courses/<id>``: the trailing id is what counts.
- ``result.duration`` (ISO 8601, e.g. ``PT1H30M``) is the learning time, rounded to whole minutes; a ``completed``
  statement without it counts the course's hours not yet recorded.
- ``id`` (a UUID) makes a statement idempotent: sent again, it is recorded once.
"""

import datetime
import re
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_duration
from django.utils.translation import gettext as _

from yuanmeng.training.models import LearningVerb

ADL_VERBS = {f"http://adlnet.gov/expapi/verbs/{verb}": verb for verb in LearningVerb.values}
COURSE_IRI = re.compile(r"/training/courses/(\d{1,18})/?$")


@dataclass(frozen=True)
class Statement:
    statement_id: uuid.UUID | None
    learner_ref: str
    verb: str
    course_id: int
    minutes: int | None


def _duration_minutes(text: str) -> int:
    duration = parse_duration(text) if text.startswith("P") else None
    if duration is None or duration < datetime.timedelta(0):
        raise ValidationError({"result.duration": [_("An ISO 8601 duration, e.g. PT1H30M.")]})
    return round(duration.total_seconds() / 60)


def statement_read(*, statement_id: uuid.UUID | None, account_name: str, verb_id: str, object_id: str,
                   duration: str | None) -> Statement:
    """The parts of one statement we record, each checked; a bad part is named by its path in the statement."""
    errors = {}
    verb = ADL_VERBS.get(verb_id)
    if verb is None:
        errors["verb.id"] = [_("One of %(verbs)s.") % {"verbs": ", ".join(ADL_VERBS)}]
    match = COURSE_IRI.search(object_id)
    if match is None:
        errors["object.id"] = [_("The course's address, ending in /training/courses/<id>.")]
    minutes = None
    if duration is not None:
        try:
            minutes = _duration_minutes(duration)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return Statement(statement_id, account_name.strip(), verb, int(match.group(1)), minutes)


def prefixed(exc: ValidationError, index: int | None) -> ValidationError:
    """A statement's errors named by its place in a batch: ``[2].actor.account.name``."""
    if index is None:
        return exc
    return ValidationError({f"[{index}].{name}": messages for name, messages in exc.message_dict.items()})

"""Building, sending and answering needs surveys. Questions change only while the survey is a draft; a sent
survey takes one response per respondent within its window."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from yuanmeng.audit.services import audit_record, changes
from yuanmeng.core.editing import clean_description, clean_editable, snapshot
from yuanmeng.core.errors import PermissionDenied, clean_each
from yuanmeng.core.pages import count_up_to
from yuanmeng.core.text import clean_text
from yuanmeng.orgs.models import OrgKind
from yuanmeng.orgs.roles import Capability
from yuanmeng.orgs.scoping import has_capability, within
from yuanmeng.people.models import Worker
from yuanmeng.surveys.models import (
    CHOICE_KINDS,
    RECIPIENT_CAP,
    Answer,
    Audience,
    Option,
    Question,
    QuestionKind,
    Response,
    Survey,
    SurveyStatus,
    Target,
)
from yuanmeng.training_orders.services import order_request

EDITABLE_FIELDS = ("title", "description", "audience", "opens_at", "closes_at")
UNION_KINDS = (OrgKind.NATIONAL, OrgKind.PROVINCE, OrgKind.CITY, OrgKind.DISTRICT, OrgKind.INDUSTRY, OrgKind.STREET)
MAX_QUESTIONS = 60
MAX_OPTIONS = 30
MAX_TARGETS = 2000
SCALE_LIMIT = 100  # scale ends within ±100, at most 20 steps apart
TEXT_ANSWER_MAX = 2000


def _require(by, survey_or_organisation) -> None:
    organisation = getattr(survey_or_organisation, "organisation", survey_or_organisation)
    if not has_capability(by, Capability.MANAGE_SURVEYS, organisation.path):
        raise PermissionDenied(_("You may manage surveys only of your own union and the unions below it."))


def _lock_draft(survey: Survey) -> None:
    """Lock the survey's row until commit and read it again into ``survey``: a draft still, or refused. A send
    committed meanwhile is seen here, so no change to a draft undoes it (nor does a send slip between a change's
    check and its write)."""
    try:
        survey.refresh_from_db(from_queryset=Survey.objects.select_for_update().filter(status=SurveyStatus.DRAFT))
    except Survey.DoesNotExist:
        raise ValidationError(_("A sent survey cannot be changed.")) from None


def _clean_one(name: str, value):
    if name == "title":
        return clean_text(value, max_length=200, required=True)
    if name == "audience" and value not in Audience.values:
        raise ValidationError(_("Choose from the listed options."))
    if name in ("opens_at", "closes_at") and not isinstance(value, datetime.datetime):
        raise ValidationError(_("Enter a date and time."))
    if name == "description":
        return clean_description(value)
    return value


def _clean(fields: dict) -> dict:
    return clean_editable(fields, EDITABLE_FIELDS, _clean_one)


def _check_window(survey: Survey) -> None:
    if survey.closes_at <= survey.opens_at:
        raise ValidationError({"closes_at": [_("The survey closes before it opens.")]})


def _snapshot(survey: Survey) -> dict:
    return snapshot(survey, EDITABLE_FIELDS)


@transaction.atomic
def survey_create(*, by, organisation, **fields) -> Survey:
    _require(by, organisation)
    if organisation.kind not in UNION_KINDS:
        raise ValidationError({"organisation": [_("A survey is sent by a union.")]})
    missing = {f: [_("This field is required.")] for f in ("title", "audience", "opens_at", "closes_at")
               if not fields.get(f)}
    if missing:
        raise ValidationError(missing)
    survey = Survey(organisation=organisation, **_clean(fields))
    _check_window(survey)
    survey.save()
    audit_record(actor=by, action="survey.create", obj=survey, organisation=organisation, after=_snapshot(survey))
    return survey


@transaction.atomic
def survey_update(*, by, survey: Survey, **fields) -> Survey:
    _require(by, survey)
    cleaned = _clean(fields)
    _lock_draft(survey)
    before = _snapshot(survey)
    for name, value in cleaned.items():
        setattr(survey, name, value)
    _check_window(survey)
    survey.save(update_fields=list(cleaned))
    old, new = changes(before, _snapshot(survey))
    if new:
        audit_record(actor=by, action="survey.update", obj=survey, organisation=survey.organisation,
                     before=old, after=new)
    return survey


def _clean_options(kind: str, options) -> list[str]:
    labels = [clean_text(label, max_length=200) for label in options or ()]
    labels = [label for label in labels if label]
    if kind not in CHOICE_KINDS:
        if labels:
            raise ValidationError({"options": [_("Only a choice question has options.")]})
        return []
    if not 2 <= len(labels) <= MAX_OPTIONS:
        raise ValidationError({"options": [_("Give from 2 to %(n)d options.") % {"n": MAX_OPTIONS}]})
    if len(set(labels)) != len(labels):
        raise ValidationError({"options": [_("Each option may be given once.")]})
    return labels


def _clean_scale(kind: str, scale_min, scale_max) -> tuple[int | None, int | None]:
    if kind != QuestionKind.SCALE:
        return None, None
    low, high = (1 if scale_min is None else scale_min), (5 if scale_max is None else scale_max)
    if not all(isinstance(v, int) and -SCALE_LIMIT <= v <= SCALE_LIMIT for v in (low, high)):
        raise ValidationError({"scale_min": [_("Scale ends are whole numbers from -100 to 100.")]})
    if not 1 <= high - low <= 20:
        raise ValidationError({"scale_max": [_("The scale goes up from its start, by at most 20 steps.")]})
    return low, high


@transaction.atomic
def question_add(*, by, survey: Survey, kind: str, text: str, required: bool = True, options=(),
                 scale_min: int | None = None, scale_max: int | None = None) -> Question:
    """Add a question at the end of a draft survey."""
    _require(by, survey)
    if kind not in QuestionKind.values:
        raise ValidationError({"kind": [_("Choose from the listed options.")]})
    text = clean_each({"text": text}, lambda _n, v: clean_text(v, max_length=500, required=True))["text"]
    labels = _clean_options(kind, options)
    low, high = _clean_scale(kind, scale_min, scale_max)
    _lock_draft(survey)
    if survey.questions.count() >= MAX_QUESTIONS:
        raise ValidationError(_("A survey has at most %(n)d questions.") % {"n": MAX_QUESTIONS})
    last = survey.questions.aggregate(last=Max("position"))["last"] or 0
    question = Question.objects.create(survey=survey, position=last + 1, kind=kind, text=text,
                                       required=bool(required), scale_min=low, scale_max=high)
    Option.objects.bulk_create(Option(question=question, position=n, label=label)
                               for n, label in enumerate(labels, start=1))
    audit_record(actor=by, action="survey.question_add", obj=survey, organisation=survey.organisation,
                 after={"question": text, "kind": kind, "required": bool(required), "options": labels,
                        "scale": [low, high] if low is not None else None})
    return question


@transaction.atomic
def question_remove(*, by, question: Question) -> None:
    survey = question.survey
    _require(by, survey)
    _lock_draft(survey)
    question.delete()
    audit_record(actor=by, action="survey.question_remove", obj=survey, organisation=survey.organisation,
                 before={"question": question.text})


@transaction.atomic
def question_move(*, by, question: Question, up: bool) -> None:
    """Swap the question with the one before (``up``) or after it; at either end nothing moves."""
    survey = question.survey
    _require(by, survey)
    _lock_draft(survey)
    question = survey.questions.filter(pk=question.pk).first()  # its position as of the lock
    if question is None:
        return
    neighbours = survey.questions.filter(position__lt=question.position).order_by("-position") if up \
        else survey.questions.filter(position__gt=question.position).order_by("position")
    other = neighbours.first()
    if other is None:
        return
    Question.objects.filter(pk=question.pk).update(position=other.position)
    Question.objects.filter(pk=other.pk).update(position=question.position)
    audit_record(actor=by, action="survey.question_move", obj=survey, organisation=survey.organisation,
                 after={"question": question.text, "up": up})


def _check_targets(survey: Survey, targets) -> list:
    targets = list({org.pk: org for org in targets}.values())
    if not targets:
        raise ValidationError({"targets": [_("Choose whom the survey goes to.")]})
    if len(targets) > MAX_TARGETS:
        raise ValidationError({"targets": [_("At most %(n)d organisations at once.") % {"n": MAX_TARGETS}]})
    outside = [org.code for org in targets if not org.path.startswith(survey.organisation.path)]
    if outside:
        raise ValidationError({"targets": [_("Not within your union: %(names)s.") % {"names": "、".join(outside)}]})
    if survey.audience == Audience.ENTERPRISES:
        others = [org.name for org in targets if org.kind != OrgKind.ENTERPRISE]
        if others:
            raise ValidationError({"targets": [_("Not an enterprise: %(names)s.") % {"names": "、".join(others)}]})
    return targets


def _recipients(survey: Survey, targets) -> int:
    """How many may answer: the enterprises, or the workers employed within the targets counted up to
    ``RECIPIENT_CAP + 1`` (a province's millions are "more than 10,000": an exact count would read them all inside
    the send's transaction)."""
    if survey.audience == Audience.ENTERPRISES:
        return len(targets)
    workers = Worker.objects.filter(within("employer__organisation__path", [org.path for org in targets]))
    return count_up_to(workers, RECIPIENT_CAP)


@transaction.atomic
def survey_send(*, by, survey: Survey, targets) -> Survey:
    """Fix the survey's questions and targets and open it for answers in its window."""
    _require(by, survey)
    _lock_draft(survey)
    if not survey.questions.exists():
        raise ValidationError({"questions": [_("Add at least one question first.")]})
    if survey.closes_at <= timezone.now():
        raise ValidationError({"closes_at": [_("The survey's window has already closed.")]})
    targets = _check_targets(survey, targets)
    now = timezone.now()
    recipients = _recipients(survey, targets)
    Survey.objects.filter(pk=survey.pk).update(status=SurveyStatus.SENT, sent_at=now, recipient_count=recipients)
    Target.objects.bulk_create(Target(survey=survey, organisation=org) for org in targets)
    survey.status, survey.sent_at, survey.recipient_count = SurveyStatus.SENT, now, recipients
    audit_record(actor=by, action="survey.send", obj=survey, organisation=survey.organisation,
                 before={"status": SurveyStatus.DRAFT},
                 after={"status": SurveyStatus.SENT, "targets": [org.code for org in targets],
                        "recipients": recipients})
    return survey


@transaction.atomic
def survey_close(*, by, survey: Survey) -> Survey:
    """End the window now (no more answers)."""
    _require(by, survey)
    now = timezone.now()
    if survey.status != SurveyStatus.SENT or not survey.opens_at < now < survey.closes_at:
        raise ValidationError(_("Only an open survey can be closed."))
    before = survey.closes_at
    Survey.objects.filter(pk=survey.pk).update(closes_at=now)
    survey.closes_at = now
    audit_record(actor=by, action="survey.close", obj=survey, organisation=survey.organisation,
                 before={"closes_at": before.isoformat()}, after={"closes_at": now.isoformat()})
    return survey


# ---- answering ------------------------------------------------------------------------------------------

def _respondent(by, survey: Survey, enterprise=None) -> dict:
    """Who answers: the user's worker record among the survey's workers, or an enterprise among its targets that
    the user is the union officer of. Refused (naming why) otherwise."""
    targets = list(survey.targets.select_related("organisation"))
    if survey.audience == Audience.WORKERS:
        worker = Worker.objects.select_related("employer__organisation").filter(user=by).first()
        path = worker.employer.organisation.path if worker and worker.employer_id else None
        if path is None or not any(path.startswith(t.organisation.path) for t in targets):
            raise ValidationError({"survey": [_("This survey is not addressed to you.")]})
        return {"worker": worker}
    mine = [t.organisation for t in targets if has_capability(by, Capability.ORDER_TRAINING, t.organisation.path)
            and (enterprise is None or t.organisation.pk == enterprise.pk)]
    if not mine:
        raise ValidationError({"survey": [_("This survey is not addressed to your enterprise.")]})
    if len(mine) > 1:
        raise ValidationError({"enterprise": [_("Choose the enterprise you answer for.")]})
    return {"enterprise": mine[0]}


def _check_open(survey: Survey) -> None:
    now = timezone.now()
    if survey.status != SurveyStatus.SENT or now < survey.opens_at:
        raise ValidationError({"survey": [_("The survey is not open for answers yet.")]})
    if now >= survey.closes_at:
        raise ValidationError({"survey": [_("The survey closed on %(time)s; answers are no longer taken.")
                                          % {"time": timezone.localtime(survey.closes_at).strftime("%Y-%m-%d %H:%M")}]})


def _is_empty(value) -> bool:
    return value is None or value == "" or value == [] or value == ()


def _answer_rows(question: Question, value, offered: dict[int, int]) -> list[dict]:
    """The answer rows for one question's ``value`` (an option id; a list of them; a whole number; a text)."""
    if question.kind == QuestionKind.SINGLE:
        value = [value]
    if question.kind in CHOICE_KINDS:
        if not isinstance(value, list | tuple) or any(not isinstance(v, int) or isinstance(v, bool) for v in value):
            raise ValidationError(_("Choose from the listed options."))
        if any(offered.get(v) != question.pk for v in value):
            raise ValidationError(_("This option is not offered by this question."))
        if len(set(value)) != len(value):
            raise ValidationError(_("Each option may be chosen once."))
        return [{"option_id": v} for v in value]
    if question.kind == QuestionKind.SCALE:
        if not isinstance(value, int) or isinstance(value, bool) \
                or not question.scale_min <= value <= question.scale_max:
            raise ValidationError(_("A whole number from %(low)d to %(high)d.")
                                  % {"low": question.scale_min, "high": question.scale_max})
        return [{"value": value}]
    if not isinstance(value, str):
        raise ValidationError(_("Enter a text."))
    text = value.replace("\x00", "").strip()
    if len(text) > TEXT_ANSWER_MAX:
        raise ValidationError(_("At most %(max)d characters (this has %(n)d).")
                              % {"max": TEXT_ANSWER_MAX, "n": len(text)})
    return [{"text": text}] if text else []


def answer_rows(survey: Survey, answers: dict) -> list[dict]:
    """Check ``answers`` ({question id: value}) against the survey's questions; the rows to write, or one
    ValidationError naming every bad question (``q<id>``)."""
    questions = list(survey.questions.all())
    unknown = set(answers) - {q.pk for q in questions}
    if unknown:
        raise ValidationError({"answers": [_("No such question in this survey: %(ids)s.")
                                           % {"ids": ", ".join(str(i) for i in sorted(unknown, key=str))}]})
    offered = dict(Option.objects.filter(question__survey=survey).values_list("pk", "question_id"))
    rows, errors = [], {}
    for question in questions:
        value = answers.get(question.pk)
        try:
            found = [] if _is_empty(value) else _answer_rows(question, value, offered)
            if question.required and not found:
                raise ValidationError(_("This question is required."))
        except ValidationError as exc:
            errors[f"q{question.pk}"] = exc.messages
            continue
        rows += [{"question_id": question.pk, **row} for row in found]
    if errors:
        raise ValidationError(errors)
    return rows


@transaction.atomic
def response_submit(*, by, survey: Survey, answers: dict, enterprise=None) -> Response:
    """Record one respondent's answers, all or none. A second response — also one racing this one — is refused by
    the unique constraints on (survey, worker) and (survey, enterprise)."""
    _check_open(survey)
    respondent = _respondent(by, survey, enterprise)
    rows = answer_rows(survey, answers)
    try:
        with transaction.atomic():
            response = Response.objects.create(survey=survey, by=by, **respondent)
    except IntegrityError:
        raise ValidationError({"survey": [_("You have already answered this survey.")]}) from None
    Answer.objects.bulk_create(Answer(survey=survey, response=response, **row) for row in rows)
    # The survey's row stays locked until commit; no extra wait: audit_record below locks the one audit head anyway.
    Survey.objects.filter(pk=survey.pk).update(response_count=F("response_count") + 1)
    who = respondent.get("enterprise") or respondent["worker"]
    audit_record(actor=by, action="survey.answer", obj=survey, organisation=survey.organisation,
                 after={"response": response.pk, "respondent": f"{who._meta.label_lower}:{who.pk}"})
    return response


# ---- an enterprise's answers become a training order -----------------------------------------------------------

@transaction.atomic
def response_order_training(*, by, response: Response, **order):
    """The enterprise's officer turns its answers into a training order (``order``: the fields of
    ``training_orders.services.order_request``, prefilled from the answers and confirmed by them). Once per
    response: a second order of the same answers is refused, and the first order stays the only one."""
    if response.enterprise_id is None:
        raise ValidationError(_("Only an enterprise's answers can become a training order."))
    order = order_request(by=by, organisation=response.enterprise, **order)
    if not Response.objects.filter(pk=response.pk, training_order=None).update(training_order=order):
        raise ValidationError(_("A training order was already made of these answers."))
    response.training_order = order
    audit_record(actor=by, action="survey.order_training", obj=response.survey,
                 organisation=response.survey.organisation, after={"response": response.pk, "order": order.pk})
    return order

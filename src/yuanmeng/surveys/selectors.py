"""Reading surveys: the union's list, what a respondent has to answer, and the results as grouped counts."""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.utils import timezone

from yuanmeng.orgs.roles import Capability
from yuanmeng.orgs.scoping import grants
from yuanmeng.people.models import Worker
from yuanmeng.surveys.models import Answer, Audience, QuestionKind, Response, Survey, SurveyStatus


def survey_list(*, user, status: str = ""):
    """The surveys of the unions where the user manages surveys, newest first."""
    surveys = Survey.objects.restrict(user, Capability.MANAGE_SURVEYS).select_related("organisation")
    return surveys.filter(status=status) if status else surveys


def _prefixes(path: str) -> list[str]:
    """Every ancestor's path of ``path`` ("/1/2/3/" → "/1/", "/1/2/", "/1/2/3/"): a target above a respondent."""
    parts = path.strip("/").split("/")
    return ["/" + "/".join(parts[:n]) + "/" for n in range(1, len(parts) + 1)]


def surveys_addressed(*, user):
    """The sent surveys addressed to the user — as a worker (the workers of a target above their employer) or as an
    enterprise's union officer (their enterprise a target) —, open or not, each with ``answered`` (and the
    response's id and training order). One query by paths the index on the targets serves, not a scan of
    recipients."""
    addressed = Q()
    worker = Worker.objects.select_related("employer__organisation").filter(user=user).first() \
        if getattr(user, "is_authenticated", False) else None
    if worker is not None and worker.employer_id:
        addressed |= Q(audience=Audience.WORKERS,
                       targets__organisation__path__in=_prefixes(worker.employer.organisation.path))
    enterprises = [g.organisation_id for g in grants(user) if Capability.ORDER_TRAINING in g.capabilities]
    if enterprises:
        addressed |= Q(audience=Audience.ENTERPRISES, targets__organisation__in=enterprises)
    if not addressed:
        return Survey.objects.none()
    mine = Q(worker=worker) if worker is not None else Q()
    if enterprises:
        mine |= Q(enterprise__in=enterprises)
    answered = Response.objects.filter(mine, survey=OuterRef("pk"))
    return (Survey.objects.filter(addressed, status=SurveyStatus.SENT).distinct().select_related("organisation")
            .annotate(answered=Exists(answered), response_id=Subquery(answered.values("pk")[:1]),
                      training_order_id=Subquery(answered.values("training_order")[:1]))
            .order_by("closes_at", "id"))


def surveys_to_answer(*, user):
    """The surveys addressed to the user that take answers now."""
    now = timezone.now()
    return surveys_addressed(user=user).filter(opens_at__lte=now, closes_at__gt=now)


@dataclass
class OptionResult:
    label: str
    count: int
    percent: float


@dataclass
class QuestionResult:
    question: object
    answered: int
    options: list[OptionResult] = field(default_factory=list)
    mean: float | None = None
    texts: int = 0


def _percent(count: int, of: int) -> float:
    return round(100 * count / of, 1) if of else 0.0


def survey_results(survey: Survey) -> list[QuestionResult]:
    """Counts per option (and per scale value) of every question, with percentages of those who answered the
    question: one grouped query over the survey's answers (the tally index alone) and one more counting the
    respondents of its multiple-choice questions."""
    questions = list(survey.questions.prefetch_related("options"))
    tally = {(question_id, option_id, value): n for question_id, option_id, value, n in (
        Answer.objects.filter(survey=survey).values("question_id", "option_id", "value").annotate(n=Count("*"))
        .values_list("question_id", "option_id", "value", "n").order_by())}
    multiple = [q.pk for q in questions if q.kind == QuestionKind.MULTIPLE]
    respondents = dict(Answer.objects.filter(survey=survey, question__in=multiple).values_list("question_id")
                       .annotate(n=Count("response_id", distinct=True)).values_list("question_id", "n").order_by()) \
        if multiple else {}
    return [_question_result(q, tally, respondents) for q in questions]


def _question_result(question, tally: dict, respondents: dict) -> QuestionResult:
    counts = {(o, v): n for (q, o, v), n in tally.items() if q == question.pk}
    if question.kind == QuestionKind.TEXT:
        texts = counts.get((None, None), 0)
        return QuestionResult(question, answered=texts, texts=texts)
    if question.kind == QuestionKind.SCALE:
        values = {v: n for (_o, v), n in counts.items()}
        answered = sum(values.values())
        mean = round(sum(v * n for v, n in values.items()) / answered, 2) if answered else None
        options = [OptionResult(str(v), values.get(v, 0), _percent(values.get(v, 0), answered))
                   for v in range(question.scale_min, question.scale_max + 1)]
        return QuestionResult(question, answered=answered, options=options, mean=mean)
    chosen = {o: n for (o, _v), n in counts.items()}
    answered = respondents.get(question.pk, 0) if question.kind == QuestionKind.MULTIPLE else sum(chosen.values())
    options = [OptionResult(o.label, chosen.get(o.pk, 0), _percent(chosen.get(o.pk, 0), answered))
               for o in question.options.all()]
    return QuestionResult(question, answered=answered, options=options)


def text_answers(question):
    """The free-text answers of a question, newest first (the partial index on non-empty texts)."""
    return Answer.objects.filter(question=question).exclude(text="").order_by("-id").values("id", "text")


def response_summary(response: Response) -> list[tuple[str, str]]:
    """Each question of the response's survey with what was answered ("、" between options), in order."""
    given: dict[int, list[str]] = {}
    for question_id, label, value, text in response.answers.values_list("question_id", "option__label", "value",
                                                                          "text").order_by("id"):
        given.setdefault(question_id, []).append(label or (str(value) if value is not None else text))
    return [(q.text, "、".join(given.get(q.pk, [])) or "—") for q in response.survey.questions.all()]


def enterprise_response(*, user, pk) -> Response | None:
    """An enterprise's response whose enterprise the user orders training for; None otherwise."""
    enterprises = [g.organisation_id for g in grants(user) if Capability.ORDER_TRAINING in g.capabilities]
    return (Response.objects.select_related("survey__organisation", "enterprise")
            .filter(pk=pk, enterprise__in=enterprises).first())

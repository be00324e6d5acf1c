"""Reading surveys: the union's list, what a respondent has to answer, and the results as grouped counts."""

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import BooleanField, Case, Count, Exists, OuterRef, Q, Subquery, When
from django.utils import timezone, translation

from yuanmeng.orgs.models import Organisation
from yuanmeng.orgs.roles import Capability
from yuanmeng.orgs.scoping import grants
from yuanmeng.people.models import Worker
from yuanmeng.surveys.models import Answer, Audience, QuestionKind, Response, Survey, SurveyStatus, Target
from yuanmeng.training.skills import SkillCategory


def survey_list(*, user, status: str = ""):
    """The surveys of the unions where the user manages surveys, newest first."""
    surveys = Survey.objects.restrict(user, Capability.MANAGE_SURVEYS).select_related("organisation")
    return surveys.filter(status=status) if status else surveys


def _my_enterprises(user) -> list[int]:
    """The enterprises the user orders training for (answers enterprise surveys for)."""
    return [g.organisation_id for g in grants(user) if Capability.ORDER_TRAINING in g.capabilities]


def surveys_addressed(*, user):
    """The sent surveys addressed to the user — as a worker (the workers of a target above their employer) or as an
    enterprise's union officer (their enterprise a target) —, open or not, each with ``answered`` (the user has
    nobody left to answer for: their worker record, or every enterprise of theirs targeted) and the id of one
    response (and its training order). Each way of being addressed is an EXISTS on the targets' (survey,
    organisation) index by organisation ids: no join of the targets, no DISTINCT."""
    worker = Worker.objects.select_related("employer__organisation").filter(user=user).first() \
        if getattr(user, "is_authenticated", False) else None
    enterprises = _my_enterprises(user)
    addressed = Q()
    if worker is not None and worker.employer_id:
        above = worker.employer.organisation.path_ids()
        addressed |= Q(Exists(Target.objects.filter(survey=OuterRef("pk"), organisation_id__in=above)),
                       audience=Audience.WORKERS)
    if enterprises:
        addressed |= Q(Exists(Target.objects.filter(survey=OuterRef("pk"), organisation_id__in=enterprises)),
                       audience=Audience.ENTERPRISES)
    if not addressed:
        return Survey.objects.none()
    mine = Q(worker=worker) if worker is not None else Q(pk=None)
    if enterprises:
        mine |= Q(enterprise__in=enterprises)
    responses = Response.objects.filter(mine, survey=OuterRef("pk")).order_by("training_order_id", "id")
    unanswered = Target.objects.filter(survey=OuterRef("pk"), organisation_id__in=enterprises).exclude(
        Exists(Response.objects.filter(survey=OuterRef("survey_id"), enterprise=OuterRef("organisation_id"))))
    answered = Case(When(audience=Audience.ENTERPRISES, then=~Exists(unanswered)), default=Exists(responses),
                    output_field=BooleanField())
    return (Survey.objects.filter(addressed, status=SurveyStatus.SENT).select_related("organisation")
            .annotate(answered=answered, response_id=Subquery(responses.values("pk")[:1]),
                      training_order_id=Subquery(responses.values("training_order")[:1]))
            .order_by("closes_at", "id"))


def surveys_to_answer(*, user):
    """The surveys addressed to the user that take answers now."""
    now = timezone.now()
    return surveys_addressed(user=user).filter(opens_at__lte=now, closes_at__gt=now)


def enterprises_to_answer(*, user, survey: Survey) -> list:
    """The enterprises the user answers for that ``survey`` targets and that have not answered it yet."""
    return list(Organisation.objects.filter(
        pk__in=survey.targets.filter(organisation_id__in=_my_enterprises(user)).values("organisation_id"))
        .exclude(pk__in=Response.objects.filter(survey=survey, enterprise__isnull=False).values("enterprise_id"))
        .order_by("name"))


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


def skill_category_of(summary: list[tuple[str, str]]) -> str:
    """The skill category an option chosen (in ``response_summary``) is named exactly as — the first found —, else
    general education: what a training order made of the answers is filed under."""
    chosen = {part.strip() for _question, answer in summary for part in answer.split("、")}
    for value, label in SkillCategory.choices:
        names = set()
        for language, _name in settings.LANGUAGES:  # the union wrote its options in one of them
            with translation.override(language):
                names.add(str(label))
        if names & chosen:
            return value
    return SkillCategory.GENERAL


def enterprise_response(*, user, pk) -> Response | None:
    """An enterprise's response whose enterprise the user orders training for; None otherwise."""
    enterprises = _my_enterprises(user)
    return (Response.objects.select_related("survey__organisation", "enterprise")
            .filter(pk=pk, enterprise__in=enterprises).first())

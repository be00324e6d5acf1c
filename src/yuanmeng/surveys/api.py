"""Needs surveys over the API: build and send (unions that manage surveys), read results, and answer (workers and
enterprise officers). Answers are {question id: value}: an option id (single choice), a list of option ids
(multiple choice), a whole number (scale) or a text."""

import datetime
from typing import Annotated

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import StringConstraints

from yuanmeng.core.access import get_for_action
from yuanmeng.core.api import Pages
from yuanmeng.core.api_answers import answers
from yuanmeng.orgs.models import Organisation
from yuanmeng.orgs.roles import Capability
from yuanmeng.orgs.scoping import within
from yuanmeng.surveys import selectors, services
from yuanmeng.surveys.models import Audience, Question, QuestionKind, SurveyStatus

router = Router(tags=["surveys"])
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class OptionOut(Schema):
    id: int
    label: str


class QuestionOut(Schema):
    id: int
    position: int
    kind: QuestionKind
    text: str
    required: bool
    scale_min: int | None
    scale_max: int | None
    options: list[OptionOut]

    @staticmethod
    def resolve_options(obj) -> list:
        return list(obj.options.all())


class SurveyOut(Schema):
    id: int
    organisation_id: int
    title: str
    description: str
    audience: Audience
    opens_at: datetime.datetime
    closes_at: datetime.datetime
    status: SurveyStatus
    recipient_count: int
    response_count: int


class SurveyDetailOut(SurveyOut):
    questions: list[QuestionOut]

    @staticmethod
    def resolve_questions(obj) -> list:
        return list(obj.questions.prefetch_related("options"))


class SurveyIn(Schema):
    organisation_id: Id
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    description: str = Field("", max_length=5000)
    audience: Audience
    opens_at: datetime.datetime
    closes_at: datetime.datetime


class QuestionIn(Schema):
    kind: QuestionKind
    text: Text
    required: bool = True
    options: list[Annotated[str, StringConstraints(max_length=200)]] = Field([], max_length=30)
    scale_min: int | None = Field(None, ge=-100, le=100)
    scale_max: int | None = Field(None, ge=-100, le=100)


class SendIn(Schema):
    target_ids: list[Id] = Field(..., min_length=1, max_length=2000,
                                 description="enterprises (audience enterprises), or organisations whose workers "
                                             "answer")


class AnswerIn(Schema):
    answers: dict[int, int | list[int] | str | None]
    enterprise_id: Id | None = Field(None, description="for an officer of several enterprises: which one answers")


class OptionResultOut(Schema):
    label: str
    count: int
    percent: float


class QuestionResultOut(Schema):
    question_id: int
    text: str
    kind: QuestionKind
    answered: int
    mean: float | None
    options: list[OptionResultOut]


class TextAnswerOut(Schema):
    id: int
    text: str


class ResponseOut(Schema):
    id: int
    survey_id: int
    submitted_at: datetime.datetime


class ToAnswerOut(SurveyOut):
    answered: bool


def _survey(request, survey_id: int):
    return get_for_action(selectors.survey_list(user=request.user), survey_id, user=request.user,
                          capability=Capability.MANAGE_SURVEYS)


@router.get("", response=answers(list[SurveyOut], 422), summary="Surveys of the unions where I manage surveys")
@paginate(Pages)
def list_surveys(request, status: SurveyStatus | None = None):
    return selectors.survey_list(user=request.user, status=status or "")


@router.get("/to-answer", response=answers(list[ToAnswerOut], 422), summary="Open surveys addressed to me")
@paginate(Pages)
def to_answer(request):
    return selectors.surveys_to_answer(user=request.user)


@router.post("", response=answers({201: SurveyDetailOut}, 403, 404, 422), summary="Start a survey (a draft)")
def create_survey(request, payload: SurveyIn):
    organisation = Organisation.objects.restrict(request.user).filter(pk=payload.organisation_id).first()
    if organisation is None:
        raise ValidationError({"organisation_id": [_("No such union in your scope.")]})
    fields = payload.dict(exclude={"organisation_id"}) | {"audience": str(payload.audience)}
    return Status(201, services.survey_create(by=request.user, organisation=organisation, **fields))


@router.get("/{survey_id}", response=answers(SurveyDetailOut, 404, 422), summary="One survey with its questions")
def get_survey(request, survey_id: Id):
    return get_object_or_404(selectors.survey_list(user=request.user), pk=survey_id)


@router.post("/{survey_id}/questions", response=answers({201: QuestionOut}, 403, 404, 422),
             summary="Add a question at the end of a draft")
def add_question(request, survey_id: Id, payload: QuestionIn):
    fields = payload.dict() | {"kind": str(payload.kind)}
    return Status(201, services.question_add(by=request.user, survey=_survey(request, survey_id), **fields))


def _question(request, question_id: int):
    question = get_object_or_404(Question.objects.only("pk", "survey_id"), pk=question_id)
    return get_object_or_404(_survey(request, question.survey_id).questions.all(), pk=question_id)


@router.delete("/questions/{question_id}", response=answers({204: None}, 403, 404, 422),
               summary="Remove a question of a draft")
def remove_question(request, question_id: Id):
    services.question_remove(by=request.user, question=_question(request, question_id))
    return Status(204, None)


@router.post("/{survey_id}/send", response=answers(SurveyOut, 403, 404, 422), summary="Send a draft")
def send_survey(request, survey_id: Id, payload: SendIn):
    survey = _survey(request, survey_id)
    targets = list(Organisation.objects.restrict(request.user).filter(
        within("path", [survey.organisation.path]), pk__in=payload.target_ids))
    if len(targets) != len(set(payload.target_ids)):
        raise ValidationError({"target_ids": [_("No such organisation.")]})
    return services.survey_send(by=request.user, survey=survey, targets=targets)


@router.post("/{survey_id}/close", response=answers(SurveyOut, 403, 404, 422), summary="End the window now")
def close_survey(request, survey_id: Id):
    return services.survey_close(by=request.user, survey=_survey(request, survey_id))


@router.get("/{survey_id}/results", response=answers(list[QuestionResultOut], 404, 422),
            summary="Counts and percentages per option, the mean of scales")
def results(request, survey_id: Id):
    return [{"question_id": r.question.pk, "text": r.question.text, "kind": r.question.kind, "answered": r.answered,
             "mean": r.mean, "options": r.options} for r in selectors.survey_results(_survey(request, survey_id))]


@router.get("/questions/{question_id}/texts", response=answers(list[TextAnswerOut], 404, 422),
            summary="Free-text answers of a question, newest first")
@paginate(Pages)
def texts(request, question_id: Id):
    return selectors.text_answers(_question(request, question_id))


@router.post("/{survey_id}/responses", response=answers({201: ResponseOut}, 404, 422),
             summary="Answer a survey addressed to me (once)",
             description="422 naming `survey` outside its window or when already answered; `q<id>` for a bad "
                         "answer to that question.")
def answer(request, survey_id: Id, payload: AnswerIn):
    survey = get_object_or_404(selectors.surveys_addressed(user=request.user), pk=survey_id)
    enterprise = None
    if payload.enterprise_id:
        enterprise = Organisation.objects.restrict(request.user, Capability.ORDER_TRAINING).filter(
            pk=payload.enterprise_id).first()
        if enterprise is None:
            raise ValidationError({"enterprise_id": [_("No such enterprise of yours.")]})
    return Status(201, services.response_submit(by=request.user, survey=survey, answers=payload.answers,
                                                enterprise=enterprise))

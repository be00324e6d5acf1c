from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yuanmeng.core.access import get_for_action
from yuanmeng.core.pages import paginate, run_with_message, submit
from yuanmeng.orgs.roles import Capability
from yuanmeng.orgs.scoping import has_capability
from yuanmeng.surveys import exports, selectors, services
from yuanmeng.surveys.forms import AnswerForm, QuestionForm, SendForm, SurveyForm
from yuanmeng.surveys.models import Audience, Question, Survey, SurveyStatus
from yuanmeng.training_orders.forms import OrderForm


def _survey(request, survey_id: int) -> Survey:
    """404 outside the unions where the user manages surveys."""
    return get_for_action(selectors.survey_list(user=request.user), survey_id, user=request.user,
                          capability=Capability.MANAGE_SURVEYS)


@login_required
def survey_list(request):
    status = request.GET.get("status", "")
    surveys = selectors.survey_list(user=request.user, status=status if status in SurveyStatus.values else "")
    return render(request, "surveys/survey_list.html", {"page": paginate(request, surveys),
                                                        "statuses": SurveyStatus.choices})


@login_required
def survey_edit(request, survey_id: int | None = None):
    survey = _survey(request, survey_id) if survey_id else None
    if survey is None and not has_capability(request.user, Capability.MANAGE_SURVEYS):
        raise Http404
    initial = {name: getattr(survey, name) for name in ("organisation", *services.EDITABLE_FIELDS)} if survey else {}
    form = SurveyForm(request.POST or None, initial=initial, by=request.user)
    if survey is not None:
        form.fields["organisation"].disabled = True
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "organisation"}
        saved = submit(form, lambda: services.survey_update(by=request.user, survey=survey, **fields) if survey
                       else services.survey_create(by=request.user, organisation=form.cleaned_data["organisation"],
                                                   **fields))
        if saved is not None:
            return redirect("survey_detail", survey_id=saved.pk)
    return render(request, "surveys/survey_form.html", {"form": form, "survey": survey})


@login_required
def survey_detail(request, survey_id: int):
    survey = _survey(request, survey_id)
    context = {"survey": survey, "questions": survey.questions.prefetch_related("options")}
    if survey.status == SurveyStatus.DRAFT:
        context |= {"question_form": QuestionForm(), "send_form": SendForm(survey=survey, by=request.user)}
    else:
        results = selectors.survey_results(survey)
        context |= {"results": results, "charts": [exports.chart(r) for r in results if r.options],
                    "targets": survey.targets.select_related("organisation")[:50]}
    return render(request, "surveys/survey_detail.html", context)


@login_required
@require_POST
def question_add(request, survey_id: int):
    survey = _survey(request, survey_id)
    form = QuestionForm(request.POST)
    if form.is_valid() and submit(form, lambda: services.question_add(by=request.user, survey=survey,
                                                                      **form.service_fields())):
        return redirect("survey_detail", survey_id=survey.pk)
    return render(request, "surveys/survey_detail.html", {
        "survey": survey, "questions": survey.questions.prefetch_related("options"), "question_form": form,
        "send_form": SendForm(survey=survey, by=request.user)}, status=422)


QUESTION_ACTIONS = {
    "up": lambda by, question: services.question_move(by=by, question=question, up=True),
    "down": lambda by, question: services.question_move(by=by, question=question, up=False),
    "remove": lambda by, question: services.question_remove(by=by, question=question),
}


def _question(request, question_id: int) -> Question:
    """A question of a survey the user manages (404 otherwise)."""
    question = get_object_or_404(Question, pk=question_id)
    question.survey = _survey(request, question.survey_id)
    return question


@login_required
@require_POST
def question_action(request, question_id: int, action: str):
    if action not in QUESTION_ACTIONS:
        raise Http404
    question = _question(request, question_id)
    run_with_message(request, lambda: QUESTION_ACTIONS[action](request.user, question))
    return redirect("survey_detail", survey_id=question.survey_id)


@login_required
def survey_send(request, survey_id: int):
    if request.method != "POST":  # the draft's page, where the send form is
        return survey_detail(request, survey_id)
    survey = _survey(request, survey_id)
    form = SendForm(request.POST, survey=survey, by=request.user)
    if form.is_valid() and submit(form, lambda: services.survey_send(by=request.user, survey=survey,
                                                                     targets=form.targets())):
        messages.success(request, _("Sent to %(n)s recipients.") % {"n": survey.recipients_shown})
        return redirect("survey_detail", survey_id=survey.pk)
    return render(request, "surveys/survey_detail.html", {
        "survey": survey, "questions": survey.questions.prefetch_related("options"),
        "question_form": QuestionForm(), "send_form": form}, status=422)


@login_required
@require_POST
def survey_close(request, survey_id: int):
    survey = _survey(request, survey_id)
    if run_with_message(request, lambda: services.survey_close(by=request.user, survey=survey)):
        messages.success(request, _("The survey is closed."))
    return redirect("survey_detail", survey_id=survey.pk)


@login_required
def survey_texts(request, question_id: int):
    question = _question(request, question_id)
    return render(request, "surveys/survey_texts.html", {
        "survey": question.survey, "question": question,
        "page": paginate(request, selectors.text_answers(question))})


@login_required
def survey_export(request, survey_id: int):
    return exports.results_response(_survey(request, survey_id))


@login_required
def surveys_to_answer(request):
    return render(request, "surveys/to_answer.html",
                  {"page": paginate(request, selectors.surveys_to_answer(user=request.user))})


@login_required
def survey_answer(request, survey_id: int):
    # Any survey addressed to the user, open or not: the service says when its window is (not a 404).
    survey = get_object_or_404(selectors.surveys_addressed(user=request.user), pk=survey_id)
    if survey.answered:
        messages.info(request, _("You have already answered this survey. Thank you."))
        return redirect("surveys_to_answer")
    questions = list(survey.questions.prefetch_related("options"))
    enterprises = selectors.enterprises_to_answer(user=request.user, survey=survey) \
        if survey.audience == Audience.ENTERPRISES else []
    form = AnswerForm(request.POST if request.method == "POST" else None, questions=questions,
                      enterprises=enterprises)  # may be empty
    if request.method == "POST" and form.is_valid():
        if submit(form, lambda: services.response_submit(by=request.user, survey=survey, answers=form.answers(),
                                                         enterprise=form.enterprise())):
            messages.success(request, _("Thank you: your answers are in."))
            return redirect("surveys_to_answer")
    return render(request, "surveys/answer.html", {
        "survey": survey, "form": form, "fields": [(q, form[f"q{q.pk}"]) for q in questions],
        "for_enterprise": survey.audience == Audience.ENTERPRISES,
        "enterprise_field": form["enterprise"] if "enterprise" in form.fields else None})


@login_required
def survey_order(request, response_id: int):
    """An enterprise officer turns their enterprise's answers into a training order, prefilled and confirmed."""
    response = selectors.enterprise_response(user=request.user, pk=response_id)
    if response is None:
        raise Http404
    if response.training_order_id:
        return redirect("training_order_detail", order_id=response.training_order_id)
    summary = selectors.response_summary(response)
    initial = {"organisation": response.enterprise, "topic": response.survey.title,
               "skill_category": selectors.skill_category_of(summary),
               "notes": "\n".join(f"{question}：{answer}" for question, answer in summary)[:2000]}
    form = OrderForm(request.POST or None, initial=initial, by=request.user)
    form.fields["organisation"].disabled = True
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "organisation"}
        order = submit(form, lambda: services.response_order_training(by=request.user, response=response, **fields))
        if order is not None:
            messages.success(request, _("Your order is sent to the union above your enterprise."))
            return redirect("training_order_detail", order_id=order.pk)
    return render(request, "surveys/order_form.html", {"form": form, "response": response, "summary": summary})

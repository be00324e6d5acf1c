from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yuanmeng.orgs.forms import OrganisationCodesField
from yuanmeng.orgs.models import Organisation, OrgKind
from yuanmeng.orgs.roles import Capability
from yuanmeng.orgs.scoping import within
from yuanmeng.surveys.models import Audience, QuestionKind
from yuanmeng.surveys.services import UNION_KINDS

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class SurveyForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("union"), queryset=Organisation.objects.none())
    title = forms.CharField(label=_("title"), max_length=200)
    description = forms.CharField(label=_("description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    audience = forms.ChoiceField(label=_("sent to"), choices=Audience.choices)
    opens_at = forms.DateTimeField(label=_("opens"), widget=DATETIME)
    closes_at = forms.DateTimeField(label=_("closes"), widget=DATETIME)

    def __init__(self, *args, by, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.restrict(by, Capability.MANAGE_SURVEYS).filter(
            kind__in=UNION_KINDS).order_by("path")


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=QuestionKind.choices)
    text = forms.CharField(label=_("question"), max_length=500)
    required = forms.BooleanField(label=_("required"), required=False, initial=True)
    options = forms.CharField(label=_("options, one per line"), required=False,
                              widget=forms.Textarea(attrs={"rows": 4}))
    scale_min = forms.IntegerField(label=_("scale from"), required=False, initial=1)
    scale_max = forms.IntegerField(label=_("scale to"), required=False, initial=5)

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["options"] = [line for line in data["options"].splitlines() if line.strip()]
        return data


class SendForm(forms.Form):
    children = forms.ModelMultipleChoiceField(label=_("organisations below your union"), required=False,
                                              queryset=Organisation.objects.none(),
                                              widget=forms.CheckboxSelectMultiple)
    codes = OrganisationCodesField(label=_("or their codes"),
                                   help_text=_("Organisation codes, one per line or separated by commas."))

    def __init__(self, *args, survey, by, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the survey's union and those below it answer to a code (a code elsewhere names nothing).
        self.fields["codes"].queryset = Organisation.objects.restrict(by, Capability.MANAGE_SURVEYS).filter(
            within("path", [survey.organisation.path]))
        children = Organisation.objects.filter(parent=survey.organisation, is_active=True).order_by("code")
        # Enterprises to answer for themselves; for workers, the areas below (an enterprise goes by its code).
        enterprises = Q(kind=OrgKind.ENTERPRISE)
        self.fields["children"].queryset = children.filter(
            enterprises if survey.audience == Audience.ENTERPRISES else ~enterprises)

    def targets(self) -> list[Organisation]:
        return list(self.cleaned_data["children"]) + self.cleaned_data["codes"]


class AnswerForm(forms.Form):
    """One field per question (``q<id>``), as the survey asks it; for an officer of several enterprises still to
    answer, which of them answers (``enterprises``)."""

    def __init__(self, *args, questions, enterprises=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        if len(enterprises) > 1:
            self.fields["enterprise"] = forms.TypedChoiceField(
                label=_("answering for"), choices=[("", "---------")] + [(e.pk, e.name) for e in enterprises],
                coerce=int, empty_value=None, required=False, help_text=_("One answer per enterprise."))
        self.enterprises = {e.pk: e for e in enterprises}
        for question in questions:
            self.fields[f"q{question.pk}"] = self._field(question)

    @staticmethod
    def _field(question) -> forms.Field:
        common = {"label": question.text, "required": False}
        if question.kind == QuestionKind.SINGLE:
            return forms.TypedChoiceField(choices=[(o.pk, o.label) for o in question.options.all()], coerce=int,
                                          widget=forms.RadioSelect, empty_value=None, **common)
        if question.kind == QuestionKind.MULTIPLE:
            return forms.TypedMultipleChoiceField(choices=[(o.pk, o.label) for o in question.options.all()],
                                                  coerce=int, widget=forms.CheckboxSelectMultiple, **common)
        if question.kind == QuestionKind.SCALE:
            values = range(question.scale_min, question.scale_max + 1)
            return forms.TypedChoiceField(choices=[(v, v) for v in values], coerce=int, empty_value=None,
                                          widget=forms.RadioSelect(attrs={"class": "scale"}), **common)
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, **common)

    def answers(self) -> dict:
        return {q.pk: self.cleaned_data.get(f"q{q.pk}") for q in self.questions}

    def enterprise(self):
        """The enterprise chosen, or the only one still to answer (None: the service asks to choose)."""
        if len(self.enterprises) == 1:
            return next(iter(self.enterprises.values()))
        return self.enterprises.get(self.cleaned_data.get("enterprise"))

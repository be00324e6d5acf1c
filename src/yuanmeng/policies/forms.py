from django import forms
from django.utils.translation import gettext_lazy as _

from yuanmeng.core.money import yuan_to_fen
from yuanmeng.orgs.models import Organisation, OrgKind
from yuanmeng.orgs.roles import Capability
from yuanmeng.people.models import JobCategory
from yuanmeng.policies.models import DocumentKind, Policy, PolicyStatus, PriorityGroup, ProgrammeType, Selection
from yuanmeng.policies.services import PARENT_TERMS, parent_term_errors, term_default

PRIORITY_SLOTS = len(PriorityGroup.values)
MONEY_FIELDS = {"amount_college": "amount_college_fen", "amount_bachelor": "amount_bachelor_fen",
                "annual_budget": "annual_budget_fen", "dual_approval_above": "dual_approval_above_fen"}
FORM_FIELD_OF = {model_field: field for field, model_field in MONEY_FIELDS.items()}
ERROR_FIELD_OF = {**FORM_FIELD_OF, "priority_groups": "priority_1"}  # where a refusal of a term is shown


class YuanField(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value)
        return yuan_to_fen(value) if value not in ("", None) else None


class PolicyForm(forms.Form):
    """A policy's terms as a union office writes them: yuan, lists of ticks, priorities in order."""

    organisation = forms.ModelChoiceField(label=_("union"), queryset=Organisation.objects.none())
    code = forms.CharField(label=_("code"), max_length=40)
    title = forms.CharField(label=_("title"), max_length=200)
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
    description = forms.CharField(label=_("description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    parent = forms.ModelChoiceField(label=_("matches policy"), required=False, queryset=Policy.objects.none(),
                                    help_text=_("Only for a matching policy that tops up a higher union's subsidy."))
    amount_college = YuanField(label=_("amount for college (yuan)"), required=False)
    amount_bachelor = YuanField(label=_("amount for bachelor (yuan)"), required=False)
    annual_budget = YuanField(label=_("annual budget (yuan)"), required=False)
    programme_types = forms.MultipleChoiceField(label=_("programme types"), choices=ProgrammeType.choices,
                                                required=False, widget=forms.CheckboxSelectMultiple)
    min_membership_months = forms.IntegerField(label=_("union member for at least (months)"), min_value=0,
                                               max_value=240, initial=0)
    job_categories = forms.MultipleChoiceField(label=_("job categories (none ticked: all)"),
                                               choices=JobCategory.choices, required=False,
                                               widget=forms.CheckboxSelectMultiple)
    min_age = forms.IntegerField(label=_("minimum age"), required=False, min_value=16, max_value=70)
    max_age = forms.IntegerField(label=_("maximum age"), required=False, min_value=16, max_value=70)
    first_diploma_only = forms.BooleanField(label=_("first diploma of that level only"), required=False,
                                            initial=True)
    local_employment_only = forms.BooleanField(label=_("employed in the union's area only"), required=False,
                                               initial=True)
    opens_on = forms.DateField(label=_("applications open"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    closes_on = forms.DateField(label=_("applications close"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    required_documents = forms.MultipleChoiceField(label=_("required documents"), choices=DocumentKind.choices,
                                                   required=False, widget=forms.CheckboxSelectMultiple)
    max_applicants = forms.IntegerField(label=_("close at this many applicants"), required=False, min_value=1,
                                        max_value=10_000_000)
    max_approvals = forms.IntegerField(label=_("close at this many approvals"), required=False, min_value=1,
                                       max_value=10_000_000)
    selection = forms.ChoiceField(label=_("selection"), choices=Selection.choices, initial=Selection.RANKING)
    notice_days = forms.IntegerField(label=_("days of public notice before paying"), min_value=0, max_value=60,
                                     initial=0)
    dual_approval_above = YuanField(label=_("two approvers for rounds above (yuan)"), required=False)

    def __init__(self, *args, by, **kwargs):
        super().__init__(*args, **kwargs)
        unions = Organisation.objects.restrict(by, Capability.MANAGE_POLICIES).exclude(
            kind__in=(OrgKind.SCHOOL, OrgKind.PROVIDER))
        self.fields["organisation"].queryset = unions
        self.fields["parent"].queryset = Policy.objects.restrict(by).filter(
            parent=None, status=PolicyStatus.PUBLISHED)
        for slot in range(1, PRIORITY_SLOTS + 1):
            self.fields[f"priority_{slot}"] = forms.ChoiceField(
                label=_("priority %(n)d") % {"n": slot}, required=False,
                choices=[("", "—"), *PriorityGroup.choices])

    @classmethod
    def initial_from(cls, policy: Policy) -> dict:
        initial = {name: getattr(policy, name) for name in (
            "organisation", "code", "title", "year", "description", "parent", "programme_types",
            "min_membership_months", "job_categories", "min_age", "max_age", "first_diploma_only",
            "local_employment_only", "opens_on", "closes_on", "required_documents", "max_applicants",
            "max_approvals", "selection", "notice_days")}
        for field, model_field in MONEY_FIELDS.items():
            fen = getattr(policy, model_field)
            initial[field] = "" if fen is None else f"{fen / 100:.2f}"
        for slot, group in enumerate(policy.priority_groups, start=1):
            initial[f"priority_{slot}"] = group
        return initial

    def clean(self):
        data = super().clean()
        groups = [data.get(f"priority_{slot}") for slot in range(1, PRIORITY_SLOTS + 1)]
        groups = [g for g in groups if g]
        if len(set(groups)) != len(groups):
            self.add_error("priority_1", _("Each priority group may appear once."))
        data["priority_groups"] = groups
        if data.get("parent"):  # a term left empty (a box unticked) is not set: the parent's holds
            given = {name: data.get(FORM_FIELD_OF.get(name, name)) for name in PARENT_TERMS}
            for name, problems in parent_term_errors(
                    {name: value for name, value in given.items() if value not in (None, [], False)}).items():
                self.add_error(ERROR_FIELD_OF.get(name, name), problems)
        return data

    def service_fields(self) -> dict:
        """The cleaned data as the policy services take it (fen, lists)."""
        data = dict(self.cleaned_data)
        for slot in range(1, PRIORITY_SLOTS + 1):
            data.pop(f"priority_{slot}", None)
        for field, model_field in MONEY_FIELDS.items():
            data[model_field] = data.pop(field)
        if data["annual_budget_fen"] is None:
            data["annual_budget_fen"] = 0
        data.pop("organisation")
        if data["parent"]:  # clean() refused every term set: the rest are left empty
            data.update({name: term_default(name) for name in PARENT_TERMS})
        return data

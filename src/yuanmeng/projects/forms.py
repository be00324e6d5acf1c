from django import forms
from django.utils.translation import gettext_lazy as _

from yuanmeng.orgs.forms import OrganisationCodesField
from yuanmeng.orgs.models import Organisation, OrgKind
from yuanmeng.orgs.roles import Capability
from yuanmeng.projects.models import ProjectKind
from yuanmeng.projects.selectors import partner_candidates

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProjectForm(forms.Form):
    lead = forms.ModelChoiceField(label=_("lead organisation"), queryset=Organisation.objects.none())
    name = forms.CharField(label=_("name"), max_length=200)
    kind = forms.ChoiceField(label=_("kind"), choices=ProjectKind.choices)
    starts_on = forms.DateField(label=_("starts on"), widget=DATE)
    ends_on = forms.DateField(label=_("ends on"), widget=DATE)
    unnamed_participants = forms.IntegerField(label=_("participants not named"), min_value=0, initial=0,
                                              help_text=_("Workers taking part who are not named one by one."))
    partner_codes = OrganisationCodesField(label=_("partners"), help_text=_(
        "Codes of the partner schools, enterprises and unions, separated by commas."))
    description = forms.CharField(label=_("description"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, by, **kwargs):
        super().__init__(*args, **kwargs)
        # Enterprises take part as partners; a project is led by a union, a school or a provider.
        self.fields["lead"].queryset = Organisation.objects.restrict(by, Capability.MANAGE_PROJECTS).exclude(
            kind=OrgKind.ENTERPRISE).order_by("path")
        self.fields["partner_codes"].queryset = partner_candidates(by)

    @staticmethod
    def initial_from(project) -> dict:
        fields = ("lead", "name", "kind", "starts_on", "ends_on", "unnamed_participants", "description")
        return {name: getattr(project, name) for name in fields} | {
            "partner_codes": ", ".join(project.partners.values_list("code", flat=True))}


class ParticipantsForm(forms.Form):
    mobiles = forms.CharField(label=_("mobile numbers of the workers, one per line"),
                              widget=forms.Textarea(attrs={"rows": 4}))

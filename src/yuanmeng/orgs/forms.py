from django import forms
from django.utils.translation import gettext_lazy as _

from yuanmeng.orgs.models import ALLOWED_PARENTS, EnterpriseSize, Industry, Organisation, OrgKind
from yuanmeng.orgs.roles import Capability
from yuanmeng.orgs.selectors import organisations_by_code


class EnterpriseForm(forms.Form):
    parent = forms.ModelChoiceField(label=_("belongs to"), queryset=Organisation.objects.none())
    legal_name = forms.CharField(label=_("legal name"), max_length=120)
    credit_code = forms.CharField(label=_("unified social credit code"), max_length=30)
    industry = forms.ChoiceField(label=_("industry"), choices=Industry.choices)
    size = forms.ChoiceField(label=_("size"), choices=EnterpriseSize.choices)
    address = forms.CharField(label=_("address"), max_length=200, required=False)

    def __init__(self, *args, by, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Organisation.objects.restrict(by, Capability.CHANGE_ORGS).filter(
            kind__in=ALLOWED_PARENTS[OrgKind.ENTERPRISE]
        )


class OrganisationCodesField(forms.CharField):
    """Organisations by their codes (one per line, or separated by commas), among ``queryset`` — set it to the
    caller's scope: a code outside it is answered like a code of none."""

    def __init__(self, *, queryset=None, **kwargs):
        super().__init__(required=False, widget=forms.Textarea(attrs={"rows": 3}), **kwargs)
        self.queryset = Organisation.objects.none() if queryset is None else queryset

    def clean(self, value) -> list[Organisation]:
        found, unknown = organisations_by_code(super().clean(value), self.queryset)
        if unknown:
            raise forms.ValidationError(_("No organisation with the code %(codes)s.") % {"codes": "、".join(unknown)})
        return found

from django import forms
from django.utils.translation import gettext_lazy as _

from yuanmeng.orgs.models import ALLOWED_PARENTS, EnterpriseSize, Industry, Organisation, OrgKind
from yuanmeng.orgs.roles import Capability


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

"""Forms of the sign-up, password reset and members-to-confirm pages: fields and labels only; the rules are the
services' (``people.services.worker_sign_up`` and friends), whose refusals the pages put on these forms."""

from django import forms
from django.utils.translation import gettext_lazy as _

from yuanmeng.core.validators import DocumentType
from yuanmeng.people.models import JobCategory

PHONE = {"inputmode": "numeric", "autocomplete": "tel"}


class SignUpForm(forms.Form):
    name = forms.CharField(label=_("full name"), max_length=50,
                           help_text=_("As written on your identity document."))
    document_type = forms.ChoiceField(label=_("document type"), choices=DocumentType.choices,
                                      initial=DocumentType.RESIDENT_ID)
    id_number = forms.CharField(label=_("identity number"), max_length=30,
                                widget=forms.TextInput(attrs={"autocomplete": "off"}))
    job_category = forms.ChoiceField(label=_("job category"), choices=JobCategory.choices)
    credit_code = forms.CharField(
        label=_("Your enterprise's unified social credit code"), max_length=30, required=False,
        help_text=_("18 characters, on the enterprise's business licence. Your union's invitation link fills it "
                    "in for you."))
    mobile = forms.CharField(label=_("mobile number"), max_length=20, widget=forms.TextInput(attrs=PHONE))
    code = forms.CharField(
        label=_("verification code"), max_length=6, required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
        help_text=_("Tap “Send code” and type the 6 digits the SMS brings. In the demo no SMS leaves the server: "
                    "run “yuanmeng notify send” and read the code in the server's console."))
    password = forms.CharField(label=_("password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                               required=False, help_text=_("At least 10 characters, not only digits."))


class ResetRequestForm(forms.Form):
    identifier = forms.CharField(label=_("Mobile number or identity number"), max_length=30)


class ResetForm(forms.Form):
    code = forms.CharField(
        label=_("verification code"), max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))
    password = forms.CharField(label=_("new password"),
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Why not a member?"), max_length=200,
                             help_text=_("The worker reads this reason."))

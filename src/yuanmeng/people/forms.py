"""The worker form used by the pages and the admin: the service does all the checking."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from yuanmeng.core.errors import PermissionDenied
from yuanmeng.core.pages import add_service_errors
from yuanmeng.orgs.models import Enterprise
from yuanmeng.orgs.roles import Capability
from yuanmeng.people.models import Worker
from yuanmeng.people.permissions import can_reveal_pii
from yuanmeng.people.services import EDITABLE_FIELDS, worker_check


class WorkerForm(forms.ModelForm):
    id_number = forms.CharField(label=_("document number"), max_length=30)
    bank_account = forms.CharField(label=_("bank account number"), max_length=40, required=False)

    class Meta:
        model = Worker
        fields = EDITABLE_FIELDS
        widgets = {"union_member_since": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, by, **kwargs):
        super().__init__(*args, **kwargs)
        self.by = by
        if "employer" not in self.fields:  # the admin's read-only view builds the form without inputs
            return
        self.fields["employer"].queryset = (
            Enterprise.objects.restrict(by, Capability.CHANGE_WORKERS).select_related("organisation")
            .order_by("legal_name")
        )
        self.fields["employer"].required = True
        self.fields["id_number"].widget.attrs.update(autocomplete="off", inputmode="text")
        self.fields["mobile"].widget.attrs.update(inputmode="tel", autocomplete="off")
        self.fields["bank_account"].widget.attrs.update(inputmode="numeric", autocomplete="off")
        if self.instance.pk and not can_reveal_pii(by, self.instance):
            # Shown masked; left as it is, it counts as unchanged. Typing a full number replaces it.
            self.initial["id_number"] = self.instance.id_number_masked
            self.initial["bank_account"] = self.instance.bank_account_masked

    def changed_fields(self) -> dict:
        """The cleaned values the user changed (all of them for a new worker)."""
        names = EDITABLE_FIELDS if self.instance.pk is None else self.changed_data
        return {name: self.cleaned_data[name] for name in names if name in self.cleaned_data}

    def _post_clean(self):
        # Never copy the input onto the instance: the service validates and applies it.
        if self.errors:
            return
        try:
            worker_check(by=self.by, fields=self.changed_fields(),
                         worker=self.instance if self.instance.pk else None)
        except (ValidationError, PermissionDenied) as exc:
            add_service_errors(self, exc)


class BankAccountForm(forms.Form):
    """A worker's own bank account: the bank and the number; the holder is the worker (the bank checks the name
    on the next payment). ``bank_account_change`` does the checking, the card number's check digit included."""

    bank_name = forms.CharField(label=_("Bank"), max_length=60,
                                help_text=_("The bank and branch, as on your card or passbook."))
    bank_account = forms.CharField(label=_("Account or card number"), max_length=40,
                                   help_text=_("Digits only; spaces are ignored. The account must be in your name."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bank_account"].widget.attrs.update(inputmode="numeric", autocomplete="off")

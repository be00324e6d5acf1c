from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from yuanmeng.accounts.backends import login_name


class NormalisedLoginName:
    """The one place a typed log-in name is normalised: before ``authenticate`` looks it up and django-axes
    counts it, so every spelling of an account logs in alike and counts against it alike."""

    def clean_username(self):
        return login_name(self.cleaned_data.get("username") or "")


class LoginForm(NormalisedLoginName, AuthenticationForm):
    username = forms.CharField(
        label=_("Username or mobile number"), max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}),
    )


class AdminLoginForm(NormalisedLoginName, AdminAuthenticationForm):
    """The Django admin's log-in, with the same name rules and limits as the site's."""

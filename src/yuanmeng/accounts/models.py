"""Users: staff log in with a username, workers with their mobile number."""

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.utils.translation import gettext_lazy as _

from yuanmeng.core.access import ScopedQuerySet


class User(AbstractUser):
    mobile = models.CharField(_("mobile number"), max_length=11, unique=True, null=True, blank=True)
    display_name = models.CharField(_("display name"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username


class UserSession(AbstractBaseSession):
    """Django's database session with its user's id in a column of its own (``accounts.sessions``): a signed-in
    request reads its session and its user, with their roles, in one query."""

    # No constraint in the database: a login saved as its user is deleted would fail the key at COMMIT, which
    # Django's session store takes for a taken session key and retries for ever. Deleting a user deletes their
    # sessions (the ORM's cascade); a session naming no user reads as signed out.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="+",
                             db_constraint=False)

    @classmethod
    def get_session_store_class(cls):
        from yuanmeng.accounts.sessions import SessionStore

        return SessionStore


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the API (e.g. the provincial platform); only its SHA-256 is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=80)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"

    @staticmethod
    def new_secret() -> str:
        return "ym_" + secrets.token_urlsafe(32)

    @staticmethod
    def digest_of(raw: str) -> str:
        return _digest(raw)


class CodePurpose(models.TextChoices):
    SIGN_UP = "sign_up", _("Sign-up")
    PASSWORD_RESET = "password_reset", _("Password reset")


class VerificationCode(models.Model):
    """A 6-digit code sent by SMS (``accounts/codes.py``). Neither the code nor what it was asked for (a mobile or
    an identity number) is kept in clear: both are HMACs. ``address`` is the requester's, for the per-address limit."""

    purpose = models.CharField(max_length=16, choices=CodePurpose.choices)
    subject_digest = models.CharField(max_length=64)
    code_digest = models.CharField(max_length=64)
    address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["purpose", "subject_digest", "created_at"], name="code_subject"),
            models.Index(fields=["address", "created_at"], name="code_address"),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {self.created_at:%Y-%m-%d %H:%M}"


class Invitation(models.Model):
    """An enterprise union's sign-up link (``/join/<token>/``, also as a QR code): it names the enterprise for
    the worker. Renewing it replaces the token, so the old link stops working."""

    SCOPE_PATH = "enterprise__organisation__path"

    enterprise = models.OneToOneField("orgs.Enterprise", on_delete=models.CASCADE, related_name="invitation")
    token = models.CharField(max_length=32, unique=True)
    renewed_at = models.DateTimeField()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return str(self.enterprise)

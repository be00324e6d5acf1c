"""Creating accounts. Role changes go through ``orgs.services.membership_grant`` (audited); a worker's login
is created by ``people.services.worker_account_create``, which links it to the worker."""

import datetime
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from yuanmeng.accounts.models import ApiToken, Invitation
from yuanmeng.audit.services import audit_record
from yuanmeng.core.errors import PermissionDenied
from yuanmeng.core.text import clean_text
from yuanmeng.orgs.roles import Capability
from yuanmeng.orgs.scoping import grants, has_capability
from yuanmeng.orgs.services import membership_grant

User = get_user_model()


def login_create(*, username: str, password: str, display_name: str, mobile: str | None = None,
                 is_staff: bool = False):
    """The user row of a new login, its password checked; the calling service records the audit entry."""
    user = User(username=username, mobile=mobile, display_name=display_name, is_staff=is_staff)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    user.set_password(password)
    user.save()
    return user


@transaction.atomic
def staff_user_create(*, by, username: str, password: str, display_name: str, organisation, role: str,
                      is_staff: bool = False):
    """``is_staff`` opens the Django admin to the user (the admin still scopes what they see)."""
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": [_("This username is taken.")]})
    user = login_create(username=username, password=password, display_name=display_name, is_staff=is_staff)
    audit_record(actor=by, action="user.create", obj=user, organisation=organisation,
                 after={"username": username, "display_name": display_name, "is_staff": is_staff})
    membership_grant(by=by, user=user, organisation=organisation, role=role)
    return user


@transaction.atomic
def superuser_create(*, username: str, password: str, display_name: str = ""):
    """The operator account that bootstraps the tree (``yuanmeng seed``)."""
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": [_("This username is taken.")]})
    user = User.objects.create_superuser(username=username, password=password, display_name=display_name)
    audit_record(actor=None, action="user.create_superuser", obj=user, after={"username": username})
    return user


def can_use_api_tokens(user) -> bool:
    """Tokens are for systems acting with a staff member's roles, not for workers' accounts."""
    return user.is_superuser or bool(grants(user))


@transaction.atomic
def api_token_issue(*, by, name: str) -> tuple[ApiToken, str]:
    """A new token for the caller's own account; the secret is returned once and never stored."""
    if not can_use_api_tokens(by):
        raise PermissionDenied(_("Only union and school staff can create API tokens."))
    name = clean_text(name, max_length=80, required=True)
    secret = ApiToken.new_secret()
    token = ApiToken.objects.create(user=by, name=name, digest=ApiToken.digest_of(secret))
    audit_record(actor=by, action="api_token.issue", obj=token, after={"name": name})
    return token, secret


# How precisely a token's last use is kept: a call within this time of the recorded use writes nothing.
API_TOKEN_USE_PRECISION = datetime.timedelta(minutes=1)


def api_token_used(*, token_id: int, last_used_at: datetime.datetime | None) -> None:
    """Record that a token was used, at most once a minute: a read must not write on every call (on SQLite a write
    takes the database's lock, and under load every API call would queue on it). ``last_used_at`` is what the
    caller read with the token; only when it is older than a minute does one conditional UPDATE run, which
    concurrent calls of the same minute cannot repeat. Not audited: it records no change of status, money or
    permission."""
    now = timezone.now()
    since = now - API_TOKEN_USE_PRECISION
    if last_used_at is not None and last_used_at >= since:
        return
    ApiToken.objects.filter(Q(last_used_at__isnull=True) | Q(last_used_at__lt=since), pk=token_id).update(
        last_used_at=now)


@transaction.atomic
def api_token_revoke(*, by, token: ApiToken) -> None:
    if token.user_id != by.pk and not by.is_superuser:
        raise PermissionDenied(_("You may revoke only your own tokens."))
    if ApiToken.objects.filter(pk=token.pk, revoked=False).update(revoked=True):
        audit_record(actor=by, action="api_token.revoke", obj=token, before={"revoked": False},
                     after={"revoked": True})


def can_invite_at(user, enterprise) -> tuple[bool, str]:
    """Who hands out an enterprise's sign-up link: those who register its workers."""
    if has_capability(user, Capability.CHANGE_WORKERS, enterprise.organisation.path):
        return True, ""
    return False, _("Only the enterprise's union can hand out its sign-up link.")


@transaction.atomic
def invitation_renew(*, by, enterprise) -> Invitation:
    """A new sign-up link for the enterprise (the first, or one replacing the old, which stops working at once)."""
    allowed, reason = can_invite_at(by, enterprise)
    if not allowed:
        raise PermissionDenied(reason)
    old = Invitation.objects.select_for_update().filter(enterprise=enterprise).first()
    invitation = old or Invitation(enterprise=enterprise)
    invitation.token = secrets.token_urlsafe(16)
    invitation.renewed_at = timezone.now()
    invitation.save()
    audit_record(actor=by, action="invitation.renew", obj=invitation,
                 organisation=enterprise.organisation, after={"renewed_at": invitation.renewed_at.isoformat()})
    return invitation

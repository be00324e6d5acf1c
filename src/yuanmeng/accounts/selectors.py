"""Reads of sign-up links, shared by the invitation page, the join page and the sign-up service; the API token
in use."""

from django.contrib.auth import get_user_model
from django.db.models import F

from yuanmeng.accounts.models import ApiToken, Invitation
from yuanmeng.core.compiled import CompiledOnce
from yuanmeng.orgs.scoping import grants_known


def invitation_of(enterprise) -> Invitation | None:
    """The enterprise's current sign-up link, or None before its union first creates one."""
    return Invitation.objects.filter(enterprise=enterprise).first()


def enterprise_invited(token: str):
    """The enterprise whose current link has this token; None for an unknown or renewed (stale) token, or when
    the enterprise's union is deactivated (as the credit-code path refuses it)."""
    if not token or len(token) > 32:
        return None
    invitation = Invitation.objects.select_related("enterprise__organisation").filter(
        token=token, enterprise__organisation__is_active=True).first()
    return invitation.enterprise if invitation else None


def grant_columns(to_user: str = "") -> dict:
    """A membership's path, role, organisation and whether it is active, as columns beside the user's row (one row
    per membership: a LEFT JOIN); ``to_user``: the path from the queried model to the user."""
    membership = f"{to_user}memberships__"
    return {"grant_path": F(f"{membership}organisation__path"), "grant_role": F(f"{membership}role"),
            "grant_organisation": F(f"{membership}organisation_id"),
            "grant_active": F(f"{membership}organisation__is_active")}


def know_grants(user, rows) -> None:
    grants_known(user, [(row.grant_path, row.grant_role, row.grant_organisation) for row in rows
                        if row.grant_role is not None and row.grant_active])


_TOKEN_IN_USE = CompiledOnce(
    lambda digest: ApiToken.objects.select_related("user").only("last_used_at", "user")
    .filter(digest=digest, revoked=False, user__is_active=True).annotate(**grant_columns("user__")),
    digest=str)


def token_in_use(secret: str) -> ApiToken | None:
    """The live token with this secret, with its holder and the holder's roles (``orgs.scoping.grants``) read in
    the same query; None for an unknown or revoked token or a deactivated holder. The API's every call starts here:
    one query, compiled once per process (``core.compiled``)."""
    rows = _TOKEN_IN_USE(digest=ApiToken.digest_of(secret))
    if not rows:
        return None
    know_grants(rows[0].user, rows)
    return rows[0]


_USER_IN_SESSION = CompiledOnce(
    lambda user_id: get_user_model()._default_manager.filter(pk=user_id).annotate(**grant_columns()), user_id=int)


def user_in_session(user_id):
    """The user a session names, with their roles read in the same query (as ``token_in_use``): every logged-in
    page and API call asks one query fewer, compiled once per process. None for no such user."""
    rows = _USER_IN_SESSION(user_id=user_id)
    if not rows:
        return None
    know_grants(rows[0], rows)
    return rows[0]

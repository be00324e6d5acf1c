"""Reads of sign-up links, shared by the invitation page, the join page and the sign-up service; the API token
in use."""

from yuanmeng.accounts.models import ApiToken, Invitation


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


def token_in_use(secret: str) -> ApiToken | None:
    """The live token with this secret, its holder joined in (one query); None for an unknown or revoked token or
    a deactivated holder."""
    return (ApiToken.objects.select_related("user").only("last_used_at", "user")
            .filter(digest=ApiToken.digest_of(secret), revoked=False, user__is_active=True).first())

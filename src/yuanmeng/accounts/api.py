from django.utils import timezone
from ninja import Router, Schema
from ninja.security import HttpBearer

from yuanmeng.accounts.models import ApiToken
from yuanmeng.core.api_answers import answers
from yuanmeng.orgs.scoping import grants

router = Router(tags=["accounts"])


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        api_token = (
            ApiToken.objects.select_related("user")
            .filter(digest=ApiToken.digest_of(token), revoked=False, user__is_active=True)
            .first()
        )
        if api_token is None:
            return None
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=timezone.now())
        request.user = api_token.user
        return api_token.user


class RoleOut(Schema):
    organisation_id: int
    role: str


class MeOut(Schema):
    username: str
    display_name: str
    roles: list[RoleOut]
    worker_id: int | None


@router.get("/me", response=answers(MeOut), summary="Who am I, and which roles do I hold")
def me(request):
    user = request.user
    return {
        "username": user.username,
        "display_name": user.display_name,
        "roles": [{"organisation_id": g.organisation_id, "role": g.role} for g in grants(user)],
        "worker_id": getattr(getattr(user, "worker", None), "pk", None),
    }

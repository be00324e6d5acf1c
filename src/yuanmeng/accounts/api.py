from ninja import Router, Schema
from ninja.security import HttpBearer

from yuanmeng.accounts.selectors import token_in_use
from yuanmeng.accounts.services import api_token_used
from yuanmeng.core.api_answers import answers
from yuanmeng.orgs.scoping import grants

router = Router(tags=["accounts"])


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``: the token's holder, found with the token in one query; its use is
    recorded at most once a minute (``api_token_used``), so a read writes nothing."""

    def authenticate(self, request, token):
        api_token = token_in_use(token)
        if api_token is None:
            return None
        api_token_used(token_id=api_token.pk, last_used_at=api_token.last_used_at)
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

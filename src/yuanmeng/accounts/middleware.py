"""The signed-in user of a request, read with the session when the session has them (``accounts.sessions``)."""

from django.contrib import auth
from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthenticationMiddleware
from django.utils.functional import SimpleLazyObject

from yuanmeng.accounts.sessions import session_of_request


class AuthenticationMiddleware(DjangoAuthenticationMiddleware):
    """Django's, whose ``auth.get_user`` (the session's checks, the backend) runs while the backend can take the
    user the session's query already read: one query for both."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _user(request))


def _user(request):
    if not hasattr(request, "_cached_user"):
        with session_of_request(request.session):
            request._cached_user = auth.get_user(request)
    return request._cached_user

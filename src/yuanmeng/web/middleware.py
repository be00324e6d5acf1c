"""Headers Django's SecurityMiddleware does not set: a strict Content-Security-Policy and friends.

Everything the pages load (scripts, styles, fonts, charts) is served from our own static files,
so ``'self'`` is all the policy needs.

Every answer to a logged-in user or an API token (every page, API answer and file download that can hold
identity, bank or mobile numbers) is marked ``no-store``, so that none stays in a shared computer's browser
cache or in a proxy. Deciding page by page would miss the next page; the static files and the log-in page
stay cacheable.
"""

from django.http import Http404
from django.utils.cache import add_never_cache_headers

from yuanmeng.web.context_processors import may_open

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/api/docs"):
            response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)")
        if getattr(getattr(request, "user", None), "is_authenticated", False):
            add_never_cache_headers(response)
        return response


class MenuPagesMiddleware:
    """Each role sees only its own menus, and another role's page answers 404 as a page that does not exist
    (a worker opening /workers/ or /tasks/), never an empty list. The rule is the menu's own
    (``context_processors.NAVIGATION``), so the menu and the answer cannot disagree."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        match = request.resolver_match
        if user is not None and user.is_authenticated and match and not may_open(user, match.view_name):
            raise Http404
        return None

"""Headers Django's SecurityMiddleware does not set: a strict Content-Security-Policy and friends.

Everything the pages load (scripts, styles, fonts, charts) is served from our own static files,
so ``'self'`` is all the policy needs.

Every answer to a logged-in user or an API token (every page, API answer and file download that can hold
identity, bank or mobile numbers) is marked ``no-store``, so that none stays in a shared computer's browser
cache or in a proxy. Deciding page by page would miss the next page; the static files and the log-in page
stay cacheable.
"""

from django.utils.cache import add_never_cache_headers

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

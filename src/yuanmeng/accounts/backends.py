"""Log in with a username (staff) or an 11-digit mobile number (workers); what django-axes counts against.

The log-in forms normalise the name once (``login_name``) before they call ``authenticate``: the backend's
look-up and axes' counting both receive that one spelling, so ``ｏｆｆｉｃｅｒ４８`` and ``officer 48`` are
``officer48``, and ``+86 138 0013 8000``, ``0086…`` and ``86-…`` are ``13800138000``.
"""

import ipaddress
import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from yuanmeng.accounts.selectors import user_in_session
from yuanmeng.accounts.sessions import user_read_with_session
from yuanmeng.core.validators import normalise_text

MOBILE_LOGIN = re.compile(r"(?:\+86|0086|86)?(1\d{10})")


def login_name(raw: str) -> str:
    """Full-width to half-width, spaces removed; a mobile number without its country prefix or hyphens."""
    name = normalise_text(raw)
    mobile = MOBILE_LOGIN.fullmatch(name.replace("-", ""))
    return mobile[1] if mobile else name


def find_account(name: str):
    """The account a normalised log-in name stands for: a worker's mobile number, else a username."""
    users = get_user_model()._default_manager
    user = users.filter(mobile=name).first() if name.isdigit() else None
    return user or users.filter(username=name).first()


def lockout_key(request, credentials: dict) -> str:
    """What django-axes counts failures against: the account, so that a worker's mobile number and their
    internal username (``w138…``) share one count; a name without an account counts as itself."""
    name = (credentials or {}).get("username") or ""
    user = find_account(name)
    return user.username if user else name


def client_address(request) -> str:
    """The address a request comes from, for the log-in limits: ``REMOTE_ADDR``.

    Behind a reverse proxy every request comes from the proxy. The operator then names the header that proxy
    writes (``YUANMENG_CLIENT_IP_HEADER``, e.g. ``X-Real-IP``) and the proxy's own addresses
    (``YUANMENG_TRUSTED_PROXIES``); the header is believed only on requests from those addresses, and only its
    right-most entry (the one the proxy added, not what the client sent).
    """
    remote = request.META.get("REMOTE_ADDR", "")
    if not settings.CLIENT_IP_HEADER or remote not in settings.TRUSTED_PROXIES:
        return remote
    header = "HTTP_" + settings.CLIENT_IP_HEADER.upper().replace("-", "_")
    reported = request.META.get(header, "").rsplit(",", 1)[-1].strip()
    try:
        return str(ipaddress.ip_address(reported))
    except ValueError:
        return remote


class UsernameOrMobileBackend(ModelBackend):
    def get_user(self, user_id):
        """The session's user with their roles: read with the session (``accounts.sessions``), or else in a query of
        their own (``accounts.selectors.user_in_session``)."""
        user = user_read_with_session(user_id) or user_in_session(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        user = find_account(username)
        if user is None:
            get_user_model()().set_password(password)  # same time as a real check: no user enumeration
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

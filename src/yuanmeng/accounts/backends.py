"""Log in with a username (staff) or an 11-digit mobile number (workers)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from yuanmeng.core.validators import normalise_text


def _find_user(raw: str):
    login = normalise_text(raw).removeprefix("+86")
    users = get_user_model()._default_manager
    user = users.filter(mobile=login).first() if login.isdigit() else None
    return user or users.filter(username=login).first(), login


def lockout_key(request, credentials: dict) -> str:
    """What django-axes counts failures against: the account, however its name was typed.

    ``auditor``, ``ａｕｄｉｔｏｒ`` and ``audi tor`` are one account; so are a worker's mobile number in
    any spelling and their internal username.
    """
    user, login = _find_user((credentials or {}).get("username") or "")
    return user.username if user else login


class UsernameOrMobileBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        user, _login = _find_user(username)
        if user is None:
            get_user_model()().set_password(password)  # same time as a real check: no user enumeration
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

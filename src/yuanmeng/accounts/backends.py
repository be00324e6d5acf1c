"""Log in with a username (staff) or an 11-digit mobile number (workers)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from yuanmeng.core.validators import normalise_text


class UsernameOrMobileBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        login = normalise_text(username)
        users = get_user_model()._default_manager
        user = users.filter(mobile=login).first() if login.isdigit() else None
        if user is None:
            user = users.filter(username=login).first()
        if user is None:
            users.model().set_password(password)  # same time as a real check: no user enumeration
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

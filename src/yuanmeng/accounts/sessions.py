"""Sessions in the database, as Django keeps them but with the user's id in a column (``UserSession``), read with
a query compiled once per process (``SESSION_ENGINE``): every signed-in page and API call reads its session, its
user and the user's roles in that one query (decision 0023)."""

import datetime
from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import db
from django.utils import timezone

from yuanmeng.accounts.models import UserSession
from yuanmeng.accounts.selectors import grant_columns, know_grants
from yuanmeng.core.compiled import CompiledOnce

_LIVE_SESSION = CompiledOnce(
    lambda session_key, now: UserSession.objects.filter(session_key=session_key, expire_date__gt=now)
    .select_related("user").annotate(**grant_columns("user__")),
    session_key=str, now=datetime.datetime)


class SessionStore(db.SessionStore):
    """``user_read``: the user the session names, with their roles, read with it (None: no user, or not read)."""

    user_read = None

    @classmethod
    def get_model_class(cls):
        return UserSession

    def _get_session_from_db(self):
        if self.session_key is None:
            return None
        rows = _LIVE_SESSION(using=self.model.objects.db, session_key=self.session_key, now=timezone.now())
        if not rows:
            self._session_key = None
            return None
        session = rows[0]
        if session.user is not None:
            know_grants(session.user, rows)
            self.user_read = session.user
        return session

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        session.user_id = data.get(SESSION_KEY)
        return session

    async def acreate_model_instance(self, data):
        session = await super().acreate_model_instance(data)
        session.user_id = data.get(SESSION_KEY)
        return session


_REQUEST_SESSION: ContextVar[SessionStore | None] = ContextVar("request_session", default=None)


@contextmanager
def session_of_request(session):
    """While the request's user is looked up (``accounts.middleware``): the session whose read brought its user."""
    token = _REQUEST_SESSION.set(session)
    try:
        yield
    finally:
        _REQUEST_SESSION.reset(token)


def user_read_with_session(user_id):
    """The user the request's session was read with, if it is the one ``user_id`` names; else None."""
    user = getattr(_REQUEST_SESSION.get(), "user_read", None)
    return user if user is not None and str(user.pk) == str(user_id) else None

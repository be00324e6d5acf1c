"""Sessions in the database, as Django keeps them, read with a query compiled once per process
(``SESSION_ENGINE``): every logged-in page and API call reads its session first."""

import datetime

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.utils import timezone

from yuanmeng.core.compiled import CompiledOnce

_LIVE_SESSION = CompiledOnce(
    lambda session_key, now: Session.objects.filter(session_key=session_key, expire_date__gt=now),
    session_key=str, now=datetime.datetime)


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        if self.session_key is None:
            return None
        rows = _LIVE_SESSION(using=self.model.objects.db, session_key=self.session_key, now=timezone.now())
        if not rows:
            self._session_key = None
            return None
        return rows[0]

"""Django's PostgreSQL backend, with a health check that costs no round trip (settings.py names it as the engine)."""

import select

from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        """Whether a kept connection still works: asked at the start of every request that uses the database
        (``CONN_HEALTH_CHECKS``) and after an error. Django asks the server (``SELECT 1``), a round trip on every
        request. A connection psycopg saw break is not usable. One the server closed or is closing (a restart, an
        administrator's termination, a pooler's timeout) has its socket readable, since the server sent its error and
        the end of the stream: only then is the server asked. A connection the network lost without a word is found
        by the request's first query, as Django's own check would have found it, waiting as long."""
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        if connection.pgconn.status != pq.ConnStatus.OK:
            return False
        said_something = select.poll()
        said_something.register(connection.pgconn.socket, select.POLLIN)
        return not said_something.poll(0) or super().is_usable()

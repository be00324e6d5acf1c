"""Django's PostgreSQL backend, with a health check that costs no round trip (settings.py names it as the engine)."""

import select

from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        """Whether a kept connection still works: asked at the start of every request that uses the database
        (``CONN_HEALTH_CHECKS``) and after an error. Django asks the server (``SELECT 1``), a round trip on every
        request. Here a connection is not usable if psycopg saw it break, or if it is not idle (a transaction left
        open or failed, a result not read), where ``SELECT 1`` would fail too. One the server closed or is closing (a
        restart, an administrator's termination, a pooler's timeout) has its socket readable, since the server sent
        its error and the end of the stream: only then is the server asked. A connection the network lost without a
        word is found by the request's first query, which fails, where ``SELECT 1`` would have waited as long before
        Django connected again. ``select.poll``: Linux, as the servers are."""
        connection = self.connection
        if connection is None or connection.pgconn.status != pq.ConnStatus.OK:
            return False
        if connection.pgconn.transaction_status != pq.TransactionStatus.IDLE:
            return False
        said_something = select.poll()
        said_something.register(connection.pgconn.socket, select.POLLIN)
        return not said_something.poll(0) or super().is_usable()

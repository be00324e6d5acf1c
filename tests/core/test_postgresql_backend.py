"""The health check of a kept PostgreSQL connection (``core.postgresql``): no round trip while the connection is
quiet; a connection the server ended is found unusable and closed before the request uses it."""

import os
import time
from unittest import mock

import psycopg
import pytest
from django.db import connection, connections
from django.db.backends.postgresql.base import DatabaseWrapper as DjangosWrapper

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="PostgreSQL's backend"),
]


@pytest.fixture
def kept():
    """A second connection to the test database, as a server process keeps one between requests."""
    wrapper = connections.create_connection("default")
    assert wrapper.settings_dict["CONN_HEALTH_CHECKS"]  # settings.py
    wrapper.ensure_connection()
    yield wrapper
    wrapper.close()


def test_the_settings_name_the_backend_with_its_own_health_check():
    assert connection.settings_dict["ENGINE"] == "yuanmeng.core.postgresql" and connection.vendor == "postgresql"


def test_a_quiet_connection_is_usable_without_asking_the_server(kept):
    kept.health_check_done = False  # as at the start of the next request
    with mock.patch.object(DjangosWrapper, "is_usable", side_effect=AssertionError("a round trip")):
        assert kept.is_usable()
        kept.close_if_health_check_failed()
    assert kept.connection is not None and kept.health_check_done


def test_a_connection_left_in_a_failed_transaction_is_not_usable(kept):
    kept.connection.execute("BEGIN")
    with pytest.raises(psycopg.errors.DivisionByZero):
        kept.connection.execute("SELECT 1/0")
    assert not kept.is_usable()
    kept.connection.rollback()
    assert kept.is_usable()


def test_a_connection_the_server_ended_is_found_and_closed_before_the_request_uses_it(kept):
    with kept.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    deadline = time.monotonic() + 5
    while kept.is_usable() and time.monotonic() < deadline:  # the server's goodbye takes a moment to arrive
        time.sleep(0.01)
    assert not kept.is_usable()
    kept.health_check_done = False
    kept.close_if_health_check_failed()
    assert kept.connection is None
    with kept.cursor() as cursor:  # the next use connects afresh
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)

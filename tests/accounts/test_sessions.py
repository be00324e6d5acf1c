"""A signed-in request reads its session, its user and the user's roles in one query (accounts.sessions,
decision 0023), and Django's checks of a session still hold."""

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY, get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from yuanmeng.accounts.models import UserSession
from yuanmeng.accounts.sessions import SessionStore, user_read_with_session
from yuanmeng.orgs.roles import Role

pytestmark = pytest.mark.django_db

BACKEND = "yuanmeng.accounts.backends.UsernameOrMobileBackend"


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user, backend=BACKEND)
    return client


def test_the_session_user_and_roles_are_one_query(tree):
    reviewer = tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe)
    client = _signed_in(reviewer)
    with CaptureQueriesContext(connection) as sent:
        me = client.get("/api/me").json()
    assert me["username"] == reviewer.username and [role["role"] for role in me["roles"]] == [Role.DISTRICT_REVIEWER]
    [read] = [query["sql"] for query in sent.captured_queries if '"accounts_usersession"' in query["sql"]]
    assert '"orgs_membership"' in read and '"accounts_user"."password"' in read
    assert not [query for query in sent.captured_queries if query["sql"].startswith('SELECT "accounts_user".')]


def test_the_session_row_names_the_user_signed_in(tree):
    first, second = tree.staff(Role.CITY_ADMIN, tree.city), tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe)
    client = _signed_in(first)
    assert list(UserSession.objects.values_list("user_id", flat=True)) == [first.pk]
    client.force_login(second, backend=BACKEND)  # a new key for the new user; the old session is gone
    assert list(UserSession.objects.values_list("user_id", flat=True)) == [second.pk]
    assert client.get("/api/me").json()["username"] == second.username
    client.logout()
    assert not UserSession.objects.exists()


def test_a_changed_password_or_a_deactivated_user_ends_the_session(tree):
    """Django's own checks run on the user read with the session: its password's hash, then the backend's."""
    user = tree.staff(Role.CITY_ADMIN, tree.city)
    client = _signed_in(user)
    user.set_password("a-new-password-2026")
    user.save()
    assert client.get("/api/me").status_code == 401
    other = tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe)
    client = _signed_in(other)
    get_user_model().objects.filter(pk=other.pk).update(is_active=False)
    assert client.get("/api/me").status_code == 401


def test_a_session_without_its_user_column_still_finds_its_user(tree):
    user = tree.staff(Role.CITY_ADMIN, tree.city)
    client = _signed_in(user)
    UserSession.objects.update(user=None)
    with CaptureQueriesContext(connection) as sent:
        assert client.get("/api/me").json()["username"] == user.username
    assert [query for query in sent.captured_queries if query["sql"].startswith('SELECT "accounts_user".')]


def test_the_user_read_with_a_session_serves_only_that_requests_look_up(tree):
    user = tree.staff(Role.CITY_ADMIN, tree.city)
    assert _signed_in(user).get("/api/me").status_code == 200
    assert user_read_with_session(user.pk) is None


@pytest.mark.django_db(transaction=True)
def test_a_session_saved_for_a_user_deleted_meanwhile_is_saved_and_reads_as_signed_out(tree):
    """No key in the database ties a session to its user: a login saved as its user is deleted would fail that key
    at COMMIT, which Django's store would take for a taken session key and retry for ever."""
    store = SessionStore()
    store[SESSION_KEY] = "999999999"
    store[BACKEND_SESSION_KEY] = BACKEND
    store.create()
    assert UserSession.objects.get(session_key=store.session_key).user_id == 999999999
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = store.session_key
    assert client.get("/api/me").status_code == 401

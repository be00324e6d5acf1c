"""Passwords are stored as Argon2id at OWASP's parameters; older hashes verify and are rewritten at log-in.

The suite runs with a fast hasher (tests/conftest.py); these tests put the project's own list back.
"""

import argon2
import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher, identify_hasher, make_password

from tests.builders import PASSWORD
from yuanmeng import settings as project_settings
from yuanmeng.accounts.hashers import OwaspArgon2idHasher
from yuanmeng.orgs.roles import Role

pytestmark = pytest.mark.django_db

OWASP_PREFIX = "argon2$argon2id$v=19$m=19456,t=2,p=1$"


@pytest.fixture
def project_hashers(settings):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS


def staff_with_hash(tree, username, stored):
    user = tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe, username=username)
    user.password = stored
    user.save(update_fields=["password"])
    return user


def post_login(client, username, password):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR="127.0.0.1")


def test_new_passwords_are_argon2id_at_owasp_parameters(project_hashers):
    assert project_settings.PASSWORD_HASHERS[0] == "yuanmeng.accounts.hashers.OwaspArgon2idHasher"
    encoded = make_password(PASSWORD)
    assert encoded.startswith(OWASP_PREFIX)
    assert isinstance(identify_hasher(encoded), OwaspArgon2idHasher)


def test_a_pbkdf2_hash_logs_in_and_is_stored_as_argon2id_afterwards(project_hashers, tree, client):
    # Fewer iterations than the 1,000,000 of real old hashes, to keep the test fast: verifying reads them
    # from the hash, so the path is the same.
    old = PBKDF2PasswordHasher().encode(PASSWORD, "oldsalt1234567890", iterations=1000)
    user = staff_with_hash(tree, "pbkdf2_user", old)
    assert post_login(client, "pbkdf2_user", PASSWORD).status_code == 302
    user.refresh_from_db()
    assert user.password.startswith(OWASP_PREFIX) and user.check_password(PASSWORD)


def test_argon2_at_other_parameters_is_rewritten_at_owasp_parameters(project_hashers, tree, client):
    weaker = "argon2" + argon2.PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)
    user = staff_with_hash(tree, "weak_argon", weaker)
    assert post_login(client, "weak_argon", PASSWORD).status_code == 302
    user.refresh_from_db()
    assert user.password.startswith(OWASP_PREFIX)


def test_a_wrong_password_leaves_the_old_hash_alone(project_hashers, tree, client):
    old = PBKDF2PasswordHasher().encode(PASSWORD, "oldsalt1234567890", iterations=1000)
    user = staff_with_hash(tree, "pbkdf2_wrong", old)
    assert post_login(client, "pbkdf2_wrong", "not-the-password").status_code == 200
    user.refresh_from_db()
    assert user.password == old

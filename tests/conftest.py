import pytest

from tests.builders import Tree


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "uploads"


@pytest.fixture
def tree(db):
    return Tree()


@pytest.fixture
def login(client):
    """Log a user in on the test client (through the real login page, so axes and backends run)."""

    def _login(user):
        client.force_login(user, backend="yuanmeng.accounts.backends.UsernameOrMobileBackend")
        return client

    return _login

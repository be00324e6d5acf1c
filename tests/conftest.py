import pytest
from django.conf import settings as django_settings
from django.utils import translation

from tests.builders import Tree
from yuanmeng.orgs.roles import Role
from yuanmeng.orgs.scoping import LISTS_OVER_CAP


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.AUDIT_ANCHOR_FILE = tmp_path / "audit-anchors.jsonl"
    # Per-address limits count afresh in each test (every test client comes from 127.0.0.1).
    settings.CACHES = {**django_settings.CACHES, "limits": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": str(tmp_path)}}
    # A request in English leaves English active in this thread: every test starts in the default language.
    translation.activate(django_settings.LANGUAGE_CODE)
    # A list found over its count's cap is remembered for seconds by the process: not from one test's rows to the next.
    LISTS_OVER_CAP.clear()


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


class People:
    """One user for each way of touching an application of the 天河 enterprise."""

    def __init__(self, tree):
        self.worker = tree.member(name="申请人")
        self.applicant = self.worker.user
        self.enterprise = tree.staff(Role.ENTERPRISE_OFFICER, tree.tianhe_firm.organisation)
        self.district = tree.staff(Role.DISTRICT_REVIEWER, tree.tianhe)
        self.city = tree.staff(Role.CITY_ADMIN, tree.city)
        self.school = tree.staff(Role.SCHOOL_STAFF, tree.school)
        self.other_district = tree.staff(Role.DISTRICT_REVIEWER, tree.haizhu)
        self.auditor = tree.staff(Role.AUDITOR, tree.city)

    def by_actor(self):
        return {"applicant": self.applicant, "enterprise": self.enterprise, "district": self.district,
                "city": self.city, "school": self.school, "other_district": self.other_district,
                "auditor": self.auditor}


@pytest.fixture
def people(tree):
    return People(tree)


@pytest.fixture
def policy(tree):
    return tree.policy()

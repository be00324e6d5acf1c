"""A database whose keys are missing is refused with a clear message, never served with new keys."""

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from yuanmeng.audit.checks import keys_read_the_data, refuse_unreadable_data

pytestmark = pytest.mark.django_db


def test_keys_that_read_the_data_pass(tree):
    tree.worker()
    assert keys_read_the_data() == []
    call_command("check", tags=["keys"])


def test_fresh_field_keys_beside_encrypted_data_refuse_to_start(tree, settings):
    tree.worker()
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]  # what a restore without the keys gets
    [message] = keys_read_the_data()
    assert message.id == "yuanmeng.E001" and "people.Worker" in message.msg and "YUANMENG_FIELD_KEYS" in message.msg
    assert "never with new ones" in message.hint
    with pytest.raises(SystemCheckError, match="cannot be decrypted"):
        call_command("check", tags=["keys"])
    with pytest.raises(ImproperlyConfigured, match="cannot be decrypted"):
        refuse_unreadable_data()  # what the WSGI application runs


def test_fresh_audit_keys_beside_a_signed_trail_refuse_to_start(tree, settings):
    settings.AUDIT_KEYS = ["d4" * 32]
    [message] = keys_read_the_data()
    assert "YUANMENG_AUDIT_KEYS" in message.msg and "not configured" in message.msg


def test_an_empty_database_starts_with_any_keys(db, settings):
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    settings.AUDIT_KEYS = ["d4" * 32]
    assert keys_read_the_data() == []

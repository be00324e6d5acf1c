"""The audit keys come from outside the database like the other keys: the environment, or in development the
secrets file, which gains an audit key when it predates them."""

import json

import pytest
from django.core.exceptions import ImproperlyConfigured

from yuanmeng.config_secrets import NAMES, load_secrets


@pytest.fixture
def no_env(monkeypatch):
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)


def test_production_refuses_to_start_without_audit_keys(no_env, monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "s" * 50)
    monkeypatch.setenv("YUANMENG_FIELD_KEYS", "f" * 44)
    monkeypatch.setenv("YUANMENG_INDEX_KEY", "i" * 64)
    with pytest.raises(ImproperlyConfigured, match="YUANMENG_AUDIT_KEYS"):
        load_secrets(tmp_path, allow_generate=False)
    monkeypatch.setenv("YUANMENG_AUDIT_KEYS", "new-key, old-key")
    assert load_secrets(tmp_path, allow_generate=False).audit_keys == ["new-key", "old-key"]


def test_a_development_secrets_file_from_before_gains_an_audit_key_and_keeps_the_others(no_env, tmp_path):
    old = {"SECRET_KEY": "s" * 50, "YUANMENG_FIELD_KEYS": "f" * 44, "YUANMENG_INDEX_KEY": "i" * 64}
    (tmp_path / "dev-secrets.json").write_text(json.dumps(old))
    loaded = load_secrets(tmp_path, allow_generate=True)
    assert loaded.field_keys == ["f" * 44] and loaded.index_key == "i" * 64 and len(loaded.audit_keys[0]) == 64
    kept = json.loads((tmp_path / "dev-secrets.json").read_text())
    assert kept == {**old, "YUANMENG_AUDIT_KEYS": loaded.audit_keys[0]}
    assert load_secrets(tmp_path, allow_generate=True) == loaded  # generated once

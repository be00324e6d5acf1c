"""Where the secret key, the field-encryption keys, the blind-index key and the audit keys come from.

Environment first. Without it, a development machine gets secrets generated once into
``var/dev-secrets.json`` (so the demo database stays readable across restarts); a production
machine (``YUANMENG_DEBUG=0``) refuses to start instead of inventing keys.
"""

import base64
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Secrets:
    secret_key: str
    field_keys: list[str]
    index_key: str
    audit_keys: list[str]


def _generate() -> dict:
    return {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "YUANMENG_FIELD_KEYS": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "YUANMENG_INDEX_KEY": secrets.token_hex(32),
        "YUANMENG_AUDIT_KEYS": secrets.token_hex(32),
    }


NAMES = tuple(_generate())


def _from_file(var_dir: Path) -> dict:
    path = var_dir / "dev-secrets.json"
    if path.exists():
        values = json.loads(path.read_text())
        if "YUANMENG_AUDIT_KEYS" not in values:  # a file from before the audit chain was keyed
            values["YUANMENG_AUDIT_KEYS"] = _generate()["YUANMENG_AUDIT_KEYS"]
            path.write_text(json.dumps(values, indent=2))
        return values
    var_dir.mkdir(parents=True, exist_ok=True)
    values = _generate()
    path.write_text(json.dumps(values, indent=2))
    path.chmod(0o600)
    return values


def load_secrets(var_dir: Path, *, allow_generate: bool) -> Secrets:
    values = {name: os.environ[name] for name in NAMES if os.environ.get(name)}
    if len(values) < len(NAMES) and allow_generate:
        values = {**_from_file(var_dir), **values}
    missing = [name for name in NAMES if not values.get(name)]
    if missing:
        raise ImproperlyConfigured(f"Set {', '.join(missing)} in the environment (see docs/operations.md).")
    return Secrets(
        secret_key=values["SECRET_KEY"],
        field_keys=_key_list(values["YUANMENG_FIELD_KEYS"]),
        index_key=values["YUANMENG_INDEX_KEY"],
        audit_keys=_key_list(values["YUANMENG_AUDIT_KEYS"]),
    )


def _key_list(value: str) -> list[str]:
    """A comma-separated list of keys, newest first."""
    return [key.strip() for key in value.split(",") if key.strip()]

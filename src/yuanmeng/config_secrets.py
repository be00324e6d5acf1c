"""Where the secret key, the field-encryption keys and the blind-index key come from.

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


def _generate() -> dict:
    return {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "YUANMENG_FIELD_KEYS": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "YUANMENG_INDEX_KEY": secrets.token_hex(32),
    }


def _from_file(var_dir: Path) -> dict:
    path = var_dir / "dev-secrets.json"
    if path.exists():
        return json.loads(path.read_text())
    var_dir.mkdir(parents=True, exist_ok=True)
    values = _generate()
    path.write_text(json.dumps(values, indent=2))
    path.chmod(0o600)
    return values


def load_secrets(var_dir: Path, *, allow_generate: bool) -> Secrets:
    names = ("SECRET_KEY", "YUANMENG_FIELD_KEYS", "YUANMENG_INDEX_KEY")
    values = {name: os.environ[name] for name in names if os.environ.get(name)}
    if len(values) < len(names) and allow_generate:
        values = {**_from_file(var_dir), **values}
    missing = [name for name in names if not values.get(name)]
    if missing:
        raise ImproperlyConfigured(f"Set {', '.join(missing)} in the environment (see docs/operations.md).")
    return Secrets(
        secret_key=values["SECRET_KEY"],
        field_keys=[k.strip() for k in values["YUANMENG_FIELD_KEYS"].split(",") if k.strip()],
        index_key=values["YUANMENG_INDEX_KEY"],
    )

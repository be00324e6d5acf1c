"""Encryption at rest for personal numbers, and the blind index that lets us find them.

Values are encrypted with MultiFernet: the first key in ``settings.FIELD_ENCRYPTION_KEYS``
encrypts, every key decrypts, so keys rotate by prepending a new one and re-encrypting
(``yuanmeng rotate_keys``). Equality look-ups and uniqueness use an HMAC-SHA256 of the
normalised value under a separate key (the blind index): the database never holds the clear
number, yet "is this identity number already registered?" is one indexed query.
"""

import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.db import models


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("cannot decrypt: no configured key matches this value") from exc


def rotate(token: str) -> str:
    """Re-encrypt a token under the current primary key."""
    return fernet().rotate(token.encode()).decode()


def file_sha256(file) -> str:
    """The SHA-256 of a file's whole content (read in 1 MB pieces, from the start); the file is left at its start."""
    file.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: file.read(1 << 20), b""):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def key_fingerprint(key: str) -> str:
    """A short name for a key that says nothing about it, to tell which keys a backup needs."""
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def blind_index(value: str) -> str:
    key = settings.BLIND_INDEX_KEY.encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """A text column holding a Fernet token; Python code sees the clear value.

    Not searchable and not sortable by design: pair it with a blind-index column.
    """

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else value

    def get_prep_value(self, value):
        if value is None or value == "":
            return value
        return encrypt(str(value))


def encrypted_fields() -> list[tuple[type, list[str]]]:
    """Every model with encrypted fields, and their names."""
    found = []
    for model in apps.get_models():
        names = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if names:
            found.append((model, names))
    return found

"""Secrets kept encrypted at rest: Fernet tokens under MultiFernet, so keys can rotate.

settings.TOKEN_ENCRYPTION_KEYS lists Fernet keys (``Fernet.generate_key()``); the first one
encrypts, every one decrypts. Without it one key is derived from SECRET_KEY, so changing
SECRET_KEY then means everyone logs in with Spotify again. To rotate: put a new key first,
keep the old ones, run ``python manage.py rotate_token_keys``, then drop the old ones.
"""

from __future__ import annotations

import base64
import functools
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

PREFIX = "fernet:"  # marks an encrypted value, so plaintext left from before is recognisable


class SecretUndecryptable(Exception):
    """No configured key opens this value (a key was dropped before rotating)."""


@functools.cache
def _fernet(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    if not keys:
        digest = hashlib.sha256(f"personalify-token-encryption:{secret_key}".encode()).digest()
        keys = (base64.urlsafe_b64encode(digest).decode(),)
    return MultiFernet([Fernet(key) for key in keys])


def _current() -> MultiFernet:
    return _fernet(tuple(k for k in settings.TOKEN_ENCRYPTION_KEYS if k), settings.SECRET_KEY)


def secret_is_encrypted(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def secret_encrypt(value: str) -> str:
    """``value`` encrypted with the first key (an encrypted value is returned unchanged)."""
    if secret_is_encrypted(value):
        return value
    return PREFIX + _current().encrypt(value.encode()).decode()


def secret_decrypt(value: str) -> str:
    """The plaintext of ``value``; plaintext stored before encryption is returned as is."""
    if not secret_is_encrypted(value):
        return value
    try:
        return _current().decrypt(value[len(PREFIX) :].encode()).decode()
    except InvalidToken as exc:
        raise SecretUndecryptable("no configured key decrypts this value") from exc


def secret_rotate(value: str) -> str:
    """``value`` re-encrypted with the first key (plaintext gets encrypted)."""
    if not secret_is_encrypted(value):
        return secret_encrypt(value)
    try:
        return PREFIX + _current().rotate(value[len(PREFIX) :].encode()).decode()
    except InvalidToken as exc:
        raise SecretUndecryptable("no configured key decrypts this value") from exc

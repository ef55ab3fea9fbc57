"""Password hashing (argon2id, memory-hard) and opaque tokens stored only as SHA-256 hashes."""

from __future__ import annotations

import hashlib
import os
import secrets
import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_HASHER = PasswordHasher()  # argon2id, 64 MiB, 3 passes: argon2-cffi's RFC 9106 profile
MIN_PASSWORD_LENGTH = 8

HASHING_SLOTS = max(1, os.cpu_count() or 1)
"""Password hashes computed at once in this process. Each takes about 0.3 s of one core and
64 MiB: a burst of logins beyond this waits its turn instead of time-slicing every login (and
every other request) to a crawl and multiplying the memory."""
_hashing = threading.BoundedSemaphore(HASHING_SLOTS)


def hash_password(password: str) -> str:
    with _hashing:
        return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        with _hashing:
            return _HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _HASHER.check_needs_rehash(password_hash)


_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))


def waste_verification(password: str) -> None:
    """Spend the time a real verification takes, so an unknown user name is not revealed by a
    faster answer."""
    verify_password(_DUMMY_HASH, password)


def new_token() -> str:
    """A random opaque token (256 bits)."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def password_problem(password: str) -> str | None:
    """A Chinese reason why ``password`` is not acceptable, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"密码至少需要 {MIN_PASSWORD_LENGTH} 个字符"
    if password.strip() != password:
        return "密码的开头和结尾不能是空格"
    return None

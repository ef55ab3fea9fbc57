"""Password hashing (argon2id, memory-hard) and opaque tokens stored only as SHA-256 hashes."""

from __future__ import annotations

import hashlib
import os
import secrets
import threading
from enum import Enum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_PASSWORD_LENGTH = 8


class PasswordHashing(Enum):
    """The argon2 parameters new password hashes get. A stored hash is always verified with the
    parameters written in it, whichever of these the process uses."""

    PRODUCTION = "production"
    """argon2id, 64 MiB, 3 passes, 4 lanes: argon2-cffi's default (the RFC 9106 low-memory
    profile). The only choice outside tests."""
    INSECURE_FAST_FOR_TESTS = "insecure-fast-for-tests"
    """argon2id with the smallest parameters (8 KiB, 1 pass): about 0.1 ms, worthless against a
    stolen database. Only for test accounts (``accounts.create_user(hashing=...)``) and test
    servers, chosen explicitly (``serve --insecure-fast-password-hashing``): such a server never
    rewrites a stored hash (see :func:`needs_rehash`) and its decoy check is as cheap."""


_HASHERS = {
    PasswordHashing.PRODUCTION: PasswordHasher(),
    PasswordHashing.INSECURE_FAST_FOR_TESTS: PasswordHasher(
        time_cost=1, memory_cost=8, parallelism=1
    ),
}

HASHING_SLOTS = max(1, os.cpu_count() or 1)
"""Password hashes computed at once in this process. Each takes about 0.3 s of one core and
64 MiB: a burst of logins beyond this waits its turn instead of time-slicing every login (and
every other request) to a crawl and multiplying the memory."""
_hashing = threading.BoundedSemaphore(HASHING_SLOTS)


def hash_password(password: str, hashing: PasswordHashing = PasswordHashing.PRODUCTION) -> str:
    with _hashing:
        return _HASHERS[hashing].hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Check ``password`` with the parameters stored in ``password_hash``."""
    try:
        with _hashing:
            return _HASHERS[PasswordHashing.PRODUCTION].verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str, hashing: PasswordHashing = PasswordHashing.PRODUCTION) -> bool:
    """Whether a login should store a new hash of the password: with production hashing, any hash
    made with other parameters (older, or a test's fast ones). Fast hashing for tests never
    rewrites a hash, so such a server cannot weaken the hashes of a real database."""
    if hashing is not PasswordHashing.PRODUCTION:
        return False
    return _HASHERS[hashing].check_needs_rehash(password_hash)


_DUMMY_HASHES = {hashing: hash_password(secrets.token_urlsafe(16), hashing) for hashing in _HASHERS}


def waste_verification(
    password: str, hashing: PasswordHashing = PasswordHashing.PRODUCTION
) -> None:
    """Spend the time a real verification takes, so an unknown user name is not revealed by a
    faster answer."""
    verify_password(_DUMMY_HASHES[hashing], password)


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

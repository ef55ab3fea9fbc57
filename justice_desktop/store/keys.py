"""The database key: created on first run, kept in the OS keyring, recoverable by a recovery key.

The key is 32 random bytes used as a raw SQLCipher key (no slow key derivation at every open).
The recovery key is the same 32 bytes written for people: 13 groups of 4 characters from an
alphabet without look-alikes (Crockford base32), the last group carrying a checksum so that a
mistyped group is caught before anything is tried against the database.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from justice_desktop.store.errors import BadRecoveryKeyError, KeyringUnavailableError

KEY_BYTES = 32
KEYRING_SERVICE = "justice-desktop"
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
_CONFUSABLE = str.maketrans({"I": "1", "L": "1", "O": "0", "U": "V"})
_GROUP = 4
_KEY_CHARS = 52  # ceil(256 / 5)
_CHECK_CHARS = 4


def generate_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def _checksum(key: bytes) -> str:
    digest = int.from_bytes(hashlib.sha256(b"recovery:" + key).digest()[:3], "big")
    return "".join(_ALPHABET[(digest >> (5 * i)) & 31] for i in range(_CHECK_CHARS))


def encode_recovery_key(key: bytes) -> str:
    if len(key) != KEY_BYTES:
        raise ValueError("key must be 32 bytes")
    number = int.from_bytes(key, "big")
    chars = "".join(_ALPHABET[(number >> (5 * i)) & 31] for i in reversed(range(_KEY_CHARS)))
    text = chars + _checksum(key)
    return "-".join(text[i : i + _GROUP] for i in range(0, len(text), _GROUP))


def decode_recovery_key(text: str) -> bytes:
    cleaned = "".join(ch for ch in text.upper() if ch not in " -\t\r\n").translate(_CONFUSABLE)
    expected = _KEY_CHARS + _CHECK_CHARS
    if len(cleaned) != expected:
        raise BadRecoveryKeyError(
            f"应为 {expected} 个字符（14 组，每组 4 个），实际为 {len(cleaned)} 个"
        )
    bad = sorted({ch for ch in cleaned if ch not in _ALPHABET})
    if bad:
        raise BadRecoveryKeyError("含有不应出现的字符 " + "、".join(bad))
    number = 0
    for ch in cleaned[:_KEY_CHARS]:
        number = (number << 5) | _ALPHABET.index(ch)
    if number >> (8 * KEY_BYTES):
        raise BadRecoveryKeyError("第一组字符有误")
    key = number.to_bytes(KEY_BYTES, "big")
    if _checksum(key) != cleaned[_KEY_CHARS:]:
        raise BadRecoveryKeyError("校验码不符，至少有一组字符抄错")
    return key


class KeyVault(Protocol):
    """Where database keys live between runs."""

    def load(self, db_id: str) -> bytes | None: ...

    def save(self, db_id: str, key: bytes) -> None: ...


@dataclass(frozen=True)
class KeyringVault:
    """Keys in the OS keyring (Windows Credential Manager, Secret Service, KWallet…)."""

    service: str = KEYRING_SERVICE

    def _backend(self) -> object:
        import keyring
        from keyring.backends import fail

        try:
            backend = keyring.get_keyring()
        except Exception as exc:  # a broken keyring configuration
            raise KeyringUnavailableError(type(exc).__name__) from exc
        if (
            isinstance(backend, fail.Keyring)
            or type(backend).__name__ == "ChainerBackend"
            and not getattr(backend, "backends", None)
        ):
            raise KeyringUnavailableError()
        return backend

    def load(self, db_id: str) -> bytes | None:
        import keyring.errors

        backend = self._backend()
        try:
            value = backend.get_password(self.service, db_id)  # type: ignore[attr-defined]
        except keyring.errors.KeyringError as exc:
            raise KeyringUnavailableError(str(exc)) from exc
        return bytes.fromhex(value) if value else None

    def save(self, db_id: str, key: bytes) -> None:
        import keyring.errors

        backend = self._backend()
        try:
            backend.set_password(self.service, db_id, key.hex())  # type: ignore[attr-defined]
        except keyring.errors.KeyringError as exc:
            raise KeyringUnavailableError(str(exc)) from exc


@dataclass
class MemoryVault:
    """Keys held only for this process: used when the user types the recovery key each time."""

    keys: dict[str, bytes]

    def load(self, db_id: str) -> bytes | None:
        return self.keys.get(db_id)

    def save(self, db_id: str, key: bytes) -> None:
        self.keys[db_id] = key


@dataclass(frozen=True)
class DemoFileVault:
    """Only for the demo database of fictitious people that ``make run`` creates: its key sits
    in ``demo.key`` beside it, openly, so the demo runs on machines without a keyring. Real
    office databases never use this vault."""

    folder: Path

    def load(self, db_id: str) -> bytes | None:
        path = self.folder / "demo.key"
        if not path.exists():
            return None
        stored_id, _, value = path.read_text(encoding="ascii").strip().partition(":")
        return bytes.fromhex(value) if stored_id == db_id else None

    def save(self, db_id: str, key: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / "demo.key").write_text(f"{db_id}:{key.hex()}\n", encoding="ascii")

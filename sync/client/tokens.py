"""Where the login tokens for the city server live between runs.

Tokens are never written to plain files: :class:`KeyringTokenStore` keeps them in the OS keyring
(one entry per server address and user), :class:`MemoryTokenStore` only in this process.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Protocol

KEYRING_SERVICE = "justice-desktop-sync"


class TokenStoreError(Exception):
    """The tokens could not be read or written (the OS keyring is missing or refused). The
    message is Chinese, for people."""


@dataclass(frozen=True)
class StoredTokens:
    access_token: str
    refresh_token: str


class TokenStore(Protocol):
    """Tokens by account key (``ServerSession`` uses ``<server address>#<username>``)."""

    def load(self, account: str) -> StoredTokens | None: ...

    def save(self, account: str, tokens: StoredTokens) -> None: ...

    def clear(self, account: str) -> None: ...


@dataclass
class MemoryTokenStore:
    """Tokens held only for this process (tests, or a user who does not want them kept)."""

    entries: dict[str, StoredTokens] = field(default_factory=dict)

    def load(self, account: str) -> StoredTokens | None:
        return self.entries.get(account)

    def save(self, account: str, tokens: StoredTokens) -> None:
        self.entries[account] = tokens

    def clear(self, account: str) -> None:
        self.entries.pop(account, None)


def _encode(tokens: StoredTokens) -> str:
    return json.dumps({"access": tokens.access_token, "refresh": tokens.refresh_token})


def _decode(value: str) -> StoredTokens | None:
    try:
        data: Any = json.loads(value)
        access, refresh = data["access"], data["refresh"]
    except (ValueError, TypeError, KeyError):
        return None  # a damaged entry: the user logs in again
    if not isinstance(access, str) or not isinstance(refresh, str):
        return None
    return StoredTokens(access, refresh)


@dataclass(frozen=True)
class KeyringTokenStore:
    """Tokens in the OS keyring (Windows Credential Manager, Secret Service, KWallet…)."""

    service: str = KEYRING_SERVICE

    def _backend(self) -> Any:
        import keyring
        from keyring.backends import fail

        try:
            backend = keyring.get_keyring()
        except Exception as exc:  # a broken keyring configuration
            raise TokenStoreError("无法使用系统密钥环保存市局服务器的登录信息") from exc
        if isinstance(backend, fail.Keyring) or (
            type(backend).__name__ == "ChainerBackend" and not getattr(backend, "backends", None)
        ):
            raise TokenStoreError("本机没有可用的系统密钥环，无法保存市局服务器的登录信息")
        return backend

    def load(self, account: str) -> StoredTokens | None:
        import keyring.errors

        try:
            value = self._backend().get_password(self.service, account)
        except keyring.errors.KeyringError as exc:
            raise TokenStoreError("读取系统密钥环中的登录信息失败") from exc
        return _decode(value) if isinstance(value, str) and value else None

    def save(self, account: str, tokens: StoredTokens) -> None:
        import keyring.errors

        try:
            self._backend().set_password(self.service, account, _encode(tokens))
        except keyring.errors.KeyringError as exc:
            raise TokenStoreError("无法把登录信息保存到系统密钥环") from exc

    def clear(self, account: str) -> None:
        import keyring.errors

        try:
            self._backend().delete_password(self.service, account)
        except keyring.errors.PasswordDeleteError:
            pass  # nothing stored
        except keyring.errors.KeyringError as exc:
            raise TokenStoreError("无法从系统密钥环删除登录信息") from exc

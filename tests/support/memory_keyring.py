"""An in-memory keyring backend for tests (selected with ``PYTHON_KEYRING_BACKEND``).

Passwords live in a class-level dict for the life of the process, so every instance that
keyring creates sees the same entries.  :meth:`MemoryKeyring.reset` empties it.
"""

from __future__ import annotations

from typing import ClassVar

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    priority = 1  # a plain number is what keyring reads

    _passwords: ClassVar[dict[tuple[str, str], str]] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        try:
            del self._passwords[(service, username)]
        except KeyError:
            raise PasswordDeleteError(f"no password for {service}/{username}") from None

    @classmethod
    def reset(cls) -> None:
        cls._passwords.clear()

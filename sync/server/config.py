"""The server's settings: where the database is, token lifetimes, login limits."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from platformdirs import user_data_dir

from sync.server.accounts import LoginLimits, TokenLifetimes
from sync.server.db import sqlite_url

APP_NAME = "justice-city-server"
SQLITE_FILE = "city-server.sqlite3"


def default_data_dir() -> Path:
    return Path(user_data_dir(APP_NAME, appauthor=False))


def database_url_for(database_url: str | None, data_dir: Path | None) -> str:
    """The explicit URL, else an SQLite file in ``data_dir`` (default: the user data folder),
    creating the folder."""
    if database_url:
        return database_url
    folder = data_dir or default_data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return sqlite_url(folder / SQLITE_FILE)


def unix_now() -> int:
    return int(time.time())


DEFAULT_MAX_SYNCS = max(4, 2 * (os.cpu_count() or 2))
"""Offices syncing at once by default: twice this machine's processor cores, at least 4. On
the 2-core test machine 8 at once kept every core busy with pushes and made the day-end
rush's slowest pushes wait 2.0-2.5 s (p99); 4 kept p99 under 2 s at the same total time."""


@dataclass(frozen=True)
class TurnLimits:
    """How many offices' syncs run at once across all server processes (``max_syncs``; 0: no
    limit), how long a turn lasts unless renewed or given back, and when a session turned away
    should ask again."""

    max_syncs: int = DEFAULT_MAX_SYNCS
    lease_seconds: int = 120
    retry_seconds: float = 2.0


@dataclass(frozen=True)
class Settings:
    database_url: str
    lifetimes: TokenLifetimes = field(default_factory=TokenLifetimes)
    limits: LoginLimits = field(default_factory=LoginLimits)
    clock: Callable[[], int] = unix_now
    code_tables_dir: Path | None = None
    """Code tables the city bureau publishes in a newer version than the shipped ones
    (``<table>.json`` files in the shipped format); None: the shipped tables."""
    turns: TurnLimits = field(default_factory=TurnLimits)

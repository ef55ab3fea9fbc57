"""Creating and opening an office database folder.

Layout of a data folder::

    justice.db        the SQLCipher database
    store.json        non-secret identity: which keyring entry holds the key
    backups/          rolling encrypted backups
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlcipher3

from justice_desktop.store import backup as backups
from justice_desktop.store.connection import Connection, connect, integrity_problems, key_check
from justice_desktop.store.errors import (
    DamagedDatabaseError,
    DatabaseNotFoundError,
    MissingKeyError,
    StoreError,
    WrongKeyError,
)
from justice_desktop.store.keys import (
    KeyVault,
    decode_recovery_key,
    encode_recovery_key,
    generate_key,
)
from justice_desktop.store.migrations import LATEST, migrate, pending
from justice_desktop.store.records import Tx, new_id, transaction

DB_FILE = "justice.db"
IDENTITY_FILE = "store.json"
DEFAULT_KEEP_BACKUPS = 10
BACKUP_FOLDER_META = "backup_dir"  # a configured backup folder; empty or absent: backups/


def local_now() -> datetime:
    return datetime.now().replace(microsecond=0)


@dataclass
class Store:
    """An open office database. One per process; used from one thread at a time."""

    conn: Connection
    data_dir: Path
    db_id: str
    key: bytes = field(repr=False)
    clock: Callable[[], datetime] = local_now

    @property
    def path(self) -> Path:
        return self.data_dir / DB_FILE

    @contextmanager
    def tx(self, user_id: str) -> Iterator[Tx]:
        with transaction(self.conn, user_id, self.clock) as t:
            yield t

    def query(
        self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()
    ) -> list[dict[str, Any]]:
        cur = self.conn.execute(sql, params)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def scalar(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        row = self.conn.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def meta(self, key: str) -> str | None:
        value = self.scalar("SELECT value FROM meta WHERE key = ?", (key,))
        return None if value is None else str(value)

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    @property
    def machine_id(self) -> str:
        return self.meta("machine_id") or ""

    @property
    def backup_folder(self) -> Path:
        """Where backups go: the folder chosen in the settings, else ``backups/``."""
        configured = self.meta(BACKUP_FOLDER_META)
        return Path(configured) if configured else backups.backup_dir(self.data_dir)

    def set_backup_folder(self, folder: Path | None) -> None:
        """Choose the backup folder (None: back to ``backups/``); ``store.json`` remembers
        it too, so the backups can be named even when the database cannot be opened."""
        self.set_meta(BACKUP_FOLDER_META, str(folder) if folder is not None else "")
        identity = _identity(self.data_dir)
        if folder is None:
            identity.pop(BACKUP_FOLDER_META, None)
        else:
            identity[BACKUP_FOLDER_META] = str(folder)
        _write_identity(self.data_dir, identity)

    def list_backups(self) -> list[Path]:
        """Newest first."""
        return backups.list_backups(self.data_dir, self.backup_folder)

    def integrity_problems(self, *, full: bool = False) -> list[str]:
        return integrity_problems(self.conn, quick=not full)

    def backup(self, keep: int = DEFAULT_KEEP_BACKUPS) -> Path:
        return backups.make_backup(
            self.conn, self.key, self.data_dir, self.clock(), keep, self.backup_folder
        )

    def check_and_back_up(
        self, *, keep: int = DEFAULT_KEEP_BACKUPS, min_age: timedelta | None = None
    ) -> Path | None:
        """The start-up (and daily) routine, meant for a background thread: a full integrity
        check, then a backup. A damaged database is reported, not backed up over good backups.
        With ``min_age``, nothing happens if the newest backup is younger than that."""
        last = self.last_backup_at()
        if min_age is not None and last is not None and self.clock() - last < min_age:
            return None
        problems = self.integrity_problems()
        if problems:
            raise DamagedDatabaseError(
                str(self.path), problems[0], [p.name for p in self.list_backups()]
            )
        return self.backup(keep=keep)

    def last_backup_at(self) -> datetime | None:
        found = self.list_backups()
        return datetime.fromtimestamp(found[0].stat().st_mtime) if found else None

    def second_connection(self) -> Store:
        """Another connection to the same database, for a thread of its own (the start-up
        integrity check and backup must not hold up the worker). Close it when done."""
        return Store(connect(self.path, self.key), self.data_dir, self.db_id, self.key, self.clock)

    def close(self) -> None:
        """Close the connection; safe to call again (a restore closes it early)."""
        try:
            self.conn.execute("PRAGMA optimize")
        except sqlcipher3.ProgrammingError:  # already closed
            return
        except sqlcipher3.DatabaseError:  # damaged pages were met: optimizing is only a nicety
            pass
        finally:
            self.conn.close()


def configured_backup_folder(data_dir: Path) -> Path:
    """The backup folder named in ``store.json`` (readable without the key), else
    ``backups/``: restoring must work when the database itself cannot be opened."""
    try:
        configured = _identity(data_dir).get(BACKUP_FOLDER_META)
    except Exception:  # no or damaged store.json: the default folder
        configured = None
    return Path(str(configured)) if configured else backups.backup_dir(data_dir)


def _identity(data_dir: Path) -> dict[str, Any]:
    path = data_dir / IDENTITY_FILE
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return data
    except (OSError, ValueError):
        return {}


def _write_identity(data_dir: Path, data: dict[str, Any]) -> None:
    path = data_dir / IDENTITY_FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, path)


def database_exists(data_dir: Path) -> bool:
    return (data_dir / DB_FILE).exists()


def create_store(
    data_dir: Path, vault: KeyVault, *, clock: Callable[[], datetime] = local_now
) -> tuple[Store, str]:
    """Create an empty, migrated database; return it with the recovery key to show once."""
    data_dir.mkdir(parents=True, exist_ok=True)
    if database_exists(data_dir):
        raise StoreError(f"该文件夹中已经有数据库：{data_dir / DB_FILE}，不会覆盖。")
    key = generate_key()
    db_id = new_id()
    vault.save(db_id, key)  # fails loudly before anything is written if no keyring exists
    _write_identity(
        data_dir, {"db_id": db_id, "created_at": clock().isoformat(), "key_check": key_check(key)}
    )
    conn = connect(data_dir / DB_FILE, key)
    migrate(conn)
    store = Store(conn, data_dir, db_id, key, clock)
    store.set_meta("db_id", db_id)
    store.set_meta("machine_id", new_id())
    store.set_meta("created_at", clock().isoformat())
    return store, encode_recovery_key(key)


def open_store(
    data_dir: Path,
    vault: KeyVault,
    *,
    recovery_key: str | None = None,
    clock: Callable[[], datetime] = local_now,
    upgrade: bool = True,
) -> Store:
    """Open an existing database; migrate it (after a backup) if it is older than this program."""
    path = data_dir / DB_FILE
    if not path.exists():
        raise DatabaseNotFoundError(str(path))
    identity = _identity(data_dir)
    db_id = str(identity.get("db_id") or "")
    configured = identity.get(BACKUP_FOLDER_META)
    known = [
        p.name for p in backups.list_backups(data_dir, Path(configured) if configured else None)
    ]
    if recovery_key is not None:
        key = decode_recovery_key(recovery_key)
    else:
        stored = vault.load(db_id) if db_id else None
        if stored is None:
            raise MissingKeyError()
        key = stored
    conn = connect(path, key, backups=known, expected_check=identity.get("key_check"))
    try:
        meta_id = conn.execute("SELECT value FROM meta WHERE key = 'db_id'").fetchone()
    except Exception as exc:  # schema missing: not one of our databases, or badly damaged
        conn.close()
        raise DamagedDatabaseError(str(path), str(exc), known) from exc
    real_id = str(meta_id[0]) if meta_id else db_id
    if recovery_key is not None:
        if real_id != db_id or identity.get("key_check") != key_check(key):
            _write_identity(data_dir, {**identity, "db_id": real_id, "key_check": key_check(key)})
        # the key works for this session even if the keyring refuses it; the caller says so
        with contextlib.suppress(StoreError):
            vault.save(real_id, key)
    store = Store(conn, data_dir, real_id, key, clock)
    if upgrade and pending(conn):
        store.backup()  # the user's data survives a failed upgrade
        migrate(conn)
    return store


def verify_key(data_dir: Path, key: bytes) -> bool:
    try:
        connect(data_dir / DB_FILE, key).close()
    except WrongKeyError:
        return False
    return True


__all__ = ["LATEST", "Store", "create_store", "open_store", "database_exists"]

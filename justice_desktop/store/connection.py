"""Opening the SQLCipher file: key, pragmas, and the checks that tell a wrong key from damage."""

from __future__ import annotations

import errno
import hashlib
from pathlib import Path
from typing import Any

import sqlcipher3

from justice_desktop.store.errors import DamagedDatabaseError, WrongKeyError

Connection = Any  # sqlcipher3.Connection has no type stubs

DatabaseError = sqlcipher3.DatabaseError
IntegrityError = sqlcipher3.IntegrityError
ROW_REFUSED = (
    sqlcipher3.IntegrityError,
    sqlcipher3.InterfaceError,
    sqlcipher3.ProgrammingError,
    sqlcipher3.DataError,
)
"""What the database raises for one row it will not take (a constraint, a value it cannot
bind); a full disk or an I/O error is none of these and must end the whole write."""


def disk_full(exc: BaseException) -> bool:
    """SQLite (``database or disk is full``) or the OS (ENOSPC) ran out of disk space."""
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return True
    return isinstance(exc, DatabaseError) and "database or disk is full" in str(exc)


def rollback(conn: Connection) -> None:
    """End a failed transaction. After a full disk or an I/O error SQLite has already rolled
    it back, and a second ROLLBACK would raise and hide why the write failed."""
    if conn.in_transaction:
        conn.execute("ROLLBACK")


def key_check(key: bytes) -> str:
    """A short one-way fingerprint of the key, kept beside the database (not secret), so that
    a wrong key and a damaged file — which SQLCipher reports alike — can be told apart."""
    return hashlib.sha256(b"justice-desktop key check:" + key).hexdigest()[:16]


def connect(
    path: Path, key: bytes, *, backups: list[str] | None = None, expected_check: str | None = None
) -> Connection:
    """Open (or create) the encrypted database at ``path`` with the raw 32-byte ``key``."""
    conn = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=False)
    conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher3.DatabaseError as exc:
        conn.close()
        key_is_right = expected_check is not None and expected_check == key_check(key)
        if "not a database" in str(exc) and _looks_encrypted(path) and not key_is_right:
            raise WrongKeyError() from exc
        raise DamagedDatabaseError(str(path), str(exc), backups or []) from exc
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA temp_store = MEMORY")
    # 64 MB of decrypted pages, taken only as pages are read: a year's statistics at a million
    # cases read about 90 MB of index pages, and each page missed is decrypted again.
    conn.execute("PRAGMA cache_size = -65536")
    conn.execute("PRAGMA busy_timeout = 5000")
    return conn


def _looks_encrypted(path: Path) -> bool:
    """An SQLCipher file has no plain ``SQLite format 3`` header; a wrong key and a file that is
    encrypted look alike, so only a file too short to hold one page counts as damage here."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(16)
    except OSError:
        return False
    return size >= 1024 and head != b"SQLite format 3\x00"


def integrity_problems(conn: Connection, *, quick: bool = True) -> list[str]:
    """``[]`` when the file is sound, else SQLite's findings."""
    pragma = "quick_check" if quick else "integrity_check"
    try:
        rows = conn.execute(f"PRAGMA {pragma}").fetchall()
    except sqlcipher3.DatabaseError as exc:
        return [str(exc)]
    found = [str(r[0]) for r in rows]
    return [] if found == ["ok"] else found

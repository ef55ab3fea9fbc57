"""Rolling backups through SQLite's online backup API, and restore from them.

Backups are encrypted with the same key (a backup is a page copy of the encrypted database).
Restoring never deletes anything: the current file is moved aside first.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

from justice_desktop.store.connection import Connection, connect, integrity_problems
from justice_desktop.store.errors import StoreError

BACKUP_DIR = "backups"
PREFIX = "justice-"
SUFFIX = ".db"


def backup_dir(data_dir: Path) -> Path:
    """The default backup folder: ``backups/`` in the data folder."""
    return data_dir / BACKUP_DIR


def list_backups(data_dir: Path, folder: Path | None = None) -> list[Path]:
    """Newest first; ``folder`` is a configured backup folder (default: ``backups/``)."""
    folder = folder if folder is not None else backup_dir(data_dir)
    if not folder.is_dir():
        return []
    return sorted(folder.glob(f"{PREFIX}*{SUFFIX}"), reverse=True)


def make_backup(
    conn: Connection,
    key: bytes,
    data_dir: Path,
    now: datetime,
    keep: int,
    folder: Path | None = None,
) -> Path:
    folder = folder if folder is not None else backup_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = now.strftime("%Y%m%d-%H%M%S")
    n = 0
    target = folder / f"{PREFIX}{stamp}-{n:03d}{SUFFIX}"
    while target.exists():  # names sort by time, then by this counter
        n += 1
        target = folder / f"{PREFIX}{stamp}-{n:03d}{SUFFIX}"
    partial = target.with_suffix(".part")
    partial.unlink(missing_ok=True)
    dest = connect(partial, key)
    try:
        dest.execute("PRAGMA journal_mode = DELETE")
        conn.backup(dest, pages=4096)
    finally:
        dest.close()
    partial.replace(target)
    for old in list_backups(data_dir, folder)[keep:]:
        old.unlink(missing_ok=True)
    return target


def verify_backup(path: Path, key: bytes) -> None:
    conn = connect(path, key)
    try:
        problems = integrity_problems(conn, quick=True)
    finally:
        conn.close()
    if problems:
        raise StoreError(f"备份文件 {path.name} 已损坏，不能用于恢复：{problems[0]}")


def restore_backup(db_path: Path, backup: Path, key: bytes, now: datetime) -> Path | None:
    """Put ``backup`` in place of ``db_path``; return where the replaced file was kept."""
    if not backup.is_file():
        raise StoreError(f"没有找到备份文件：{backup}")
    verify_backup(backup, key)
    kept: Path | None = None
    if db_path.exists():
        kept = db_path.with_name(f"{db_path.name}.replaced-{now.strftime('%Y%m%d-%H%M%S')}")
        db_path.replace(kept)
        for extra in ("-wal", "-shm"):
            side = db_path.with_name(db_path.name + extra)
            if side.exists():
                side.replace(kept.with_name(kept.name + extra))
    shutil.copy2(backup, db_path)
    return kept

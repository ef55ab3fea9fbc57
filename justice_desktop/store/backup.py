"""Rolling backups through SQLite's online backup API, and restore from them.

Backups are encrypted with the same key (a backup is a page copy of the encrypted database).
Restoring never deletes anything: the current file is moved aside first.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import sqlcipher3

from justice_desktop.store.connection import Connection, connect, integrity_problems
from justice_desktop.store.errors import StoreError, WrongKeyError
from justice_desktop.store.migrations import LATEST

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


#: Smaller than one encrypted page: an empty file (a copy cut short, a full disk) is an empty
#: SQLite database and would pass every check, replacing the office's data with nothing.
MIN_BACKUP_BYTES = 1024


def verify_backup(path: Path, key: bytes) -> None:
    """Refuse, with a short Chinese message, a file that must not replace the database: empty
    or cut short, not encrypted with this office's key, damaged, made by a newer program, or
    holding no office data."""
    name = path.name
    damaged = f"备份文件 {name} 已损坏或不完整，不能用于恢复。请选择其他备份。"
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise StoreError(f"无法读取备份文件 {name}：{exc.strerror or exc}") from exc
    if size < MIN_BACKUP_BYTES:
        raise StoreError(damaged)
    try:
        conn = connect(path, key)
    except WrongKeyError:
        raise StoreError(
            f"备份文件 {name} 不是本所数据库的备份（无法用本机的密钥打开），不能用于恢复。"
        ) from None
    except (StoreError, sqlcipher3.DatabaseError):
        raise StoreError(damaged) from None
    try:
        problems = integrity_problems(conn, quick=True)
        if problems:
            raise StoreError(damaged)
        try:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            tables = {
                str(row[0])
                for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
        except sqlcipher3.DatabaseError:
            raise StoreError(damaged) from None
    finally:
        conn.close()
    if version > LATEST:
        raise StoreError(
            f"备份文件 {name} 由更新版本的程序制作，请先升级本程序再恢复。当前数据库未作改动。"
        )
    if version < 1 or not {"offices", "cases"} <= tables:
        raise StoreError(f"备份文件 {name} 中没有本所的数据，不能用于恢复。")


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

"""Office-wide settings the settings screen reads and changes: the office's name, the backup
folder, the understanders' yearly training target, the backups themselves and restoring one.

Everything here runs on the database worker (no Qt). Record changes go through
``store.tx(user_id)`` in the services they belong to (:mod:`office`, :mod:`understanders`), so
they are audited and synced; the backup folder is this machine's own (``meta``, not synced).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from justice_desktop.store import backup as backups
from justice_desktop.store.database import Store
from justice_desktop.store.errors import StoreError
from justice_desktop.store.numbers import LOCAL_AUTHORITY
from justice_desktop.store.office import office_id_of
from justice_desktop.store.understanders import UnderstanderService
from justice_desktop.validation import ValidationError

__all__ = [
    "BackupInfo",
    "OfficeSettings",
    "backup_entries",
    "check_backup_folder",
    "load_office_settings",
    "restore_and_close",
    "set_backup_folder",
]


@dataclass(frozen=True)
class OfficeSettings:
    office_name: str
    backup_folder: Path
    default_backup_folder: Path
    yearly_target: float
    standalone: bool

    @property
    def custom_backup_folder(self) -> bool:
        return self.backup_folder != self.default_backup_folder


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    made_at: datetime
    size: int  # bytes

    @property
    def name(self) -> str:
        return self.path.name


def load_office_settings(store: Store) -> OfficeSettings:
    office_id = office_id_of(store)
    name = (
        store.scalar("SELECT name FROM offices WHERE id = ?", (office_id,)) if office_id else None
    )
    return OfficeSettings(
        office_name=str(name or ""),
        backup_folder=store.backup_folder,
        default_backup_folder=backups.backup_dir(store.data_dir),
        yearly_target=UnderstanderService(store, {}).yearly_target(),
        standalone=store.meta("numbering_authority") == LOCAL_AUTHORITY,
    )


def backup_entries(store: Store) -> list[BackupInfo]:
    """The backups in the backup folder, newest first, with their time and size."""
    found: list[BackupInfo] = []
    for path in store.list_backups():
        try:
            stat = path.stat()
        except OSError:  # removed meanwhile
            continue
        found.append(BackupInfo(path, datetime.fromtimestamp(stat.st_mtime), stat.st_size))
    return found


def check_backup_folder(folder: Path) -> Path:
    """The folder, created if needed and checked writable; else a ValidationError."""
    if not str(folder).strip():
        raise ValidationError("backup_folder", "请选择备份文件夹。")
    folder = folder.expanduser()
    if not folder.is_absolute():
        raise ValidationError("backup_folder", "请选择完整路径的文件夹。")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-test-"):
            pass
    except OSError as exc:
        raise ValidationError(
            "backup_folder", f"无法在该文件夹中写入备份（{exc.strerror or exc}），请换一个文件夹。"
        ) from exc
    return folder


def set_backup_folder(store: Store, folder: Path | None) -> Path:
    """Use ``folder`` for backups from now on (None: the data folder's ``backups``); returns
    the folder in use. Existing backups stay where they are."""
    if folder is None or folder == backups.backup_dir(store.data_dir):
        store.set_backup_folder(None)
    else:
        store.set_backup_folder(check_backup_folder(folder))
    return store.backup_folder


def restore_and_close(store: Store, backup: Path) -> Path | None:
    """Put ``backup`` in place of the database. The backup is checked first (a damaged one is
    refused and nothing changes); then the store is closed for good — the program must open
    the database again (restart). Returns where the replaced file was kept."""
    if not backup.is_file():
        raise StoreError(f"没有找到备份文件：{backup}")
    backups.verify_backup(backup, store.key)
    with contextlib.suppress(Exception):  # fold the WAL into the file that is kept aside
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    kept = backups.restore_backup(store.path, backup, store.key, store.clock())
    with contextlib.suppress(OSError):  # the copy must reach the disk before a restart
        fd = os.open(store.path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    return kept

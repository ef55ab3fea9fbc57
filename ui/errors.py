"""Turning exceptions into messages a clerk can act on (no Qt here, so it is tested plainly).

Known errors (``StoreError``, ``ValidationError``) already carry their Chinese message.
Disk-full and I/O failures from SQLite or the OS get a fixed explanation; anything else is a
bug: the user is told that the details are in the log file, never shown a traceback.
"""

from __future__ import annotations

from justice_desktop.store.connection import disk_full
from justice_desktop.store.errors import StoreError
from justice_desktop.validation import ValidationError

DISK_FULL = "磁盘空间不足，刚才的操作没有完成。请清理磁盘空间（或把备份移到其他磁盘）后重试。"
DISK_IO = "读写数据库文件时出错，刚才的操作没有完成。请检查磁盘或U盘是否正常连接，然后重试。"
DATABASE_BUSY = "数据库正被其他程序使用，请关闭其他打开本数据库的程序后重试。"
UNEXPECTED = "程序出现意外错误，刚才的操作没有完成。详细信息已写入日志文件，请联系技术支持。"


def is_known_error(exc: BaseException) -> bool:
    """Errors whose message is meant for the user (no traceback needed in the log)."""
    return isinstance(exc, StoreError | ValidationError)


def friendly_message(exc: BaseException) -> str:
    """The Simplified Chinese message to show for ``exc``."""
    if is_known_error(exc):
        return str(exc)
    if disk_full(exc):
        return DISK_FULL
    text = str(exc).lower()
    if "disk i/o error" in text:
        return DISK_IO
    if "database is locked" in text or "database is busy" in text:
        return DATABASE_BUSY
    if isinstance(exc, OSError):
        return DISK_IO
    return UNEXPECTED

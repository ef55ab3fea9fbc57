"""Exceptions become messages a clerk can act on."""

from __future__ import annotations

import errno

from justice_desktop.store.connection import DatabaseError
from justice_desktop.store.errors import WrongKeyError
from justice_desktop.validation import ValidationError
from ui.errors import DATABASE_BUSY, DISK_FULL, DISK_IO, UNEXPECTED, friendly_message


def test_known_errors_keep_their_message() -> None:
    assert friendly_message(WrongKeyError()).startswith("数据库密钥不正确")
    assert friendly_message(ValidationError("name", "请填写姓名")) == "请填写姓名"


def test_disk_and_database_problems() -> None:
    assert friendly_message(OSError(errno.ENOSPC, "No space left on device")) == DISK_FULL
    assert friendly_message(DatabaseError("database or disk is full")) == DISK_FULL
    assert friendly_message(DatabaseError("disk I/O error")) == DISK_IO
    assert friendly_message(DatabaseError("database is locked")) == DATABASE_BUSY
    assert friendly_message(PermissionError(errno.EACCES, "denied")) == DISK_IO


def test_bugs_get_no_details() -> None:
    assert friendly_message(KeyError("secret internals")) == UNEXPECTED

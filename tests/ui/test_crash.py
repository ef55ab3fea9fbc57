"""Unexpected exceptions: logged, a friendly dialog (or none with --no-crash-dialog)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.ui.conftest import MessageBoxCatcher
from ui.crash import CRASH_TITLE, CrashHandler
from ui.qt import QTimer, qInfo


def boom() -> None:
    raise ZeroDivisionError("internal detail")


@pytest.mark.parametrize("dialog", [True, False])
def test_unhandled_exception_in_a_slot(
    qtbot: QtBot,
    tmp_path: Path,
    message_boxes: MessageBoxCatcher,
    caplog: pytest.LogCaptureFixture,
    dialog: bool,
) -> None:
    with qtbot.captureExceptions() as exceptions:
        handler = CrashHandler(tmp_path, dialog=dialog).install()
        try:
            QTimer.singleShot(0, boom)
            qtbot.waitUntil(lambda: len(exceptions) == 1, timeout=5000)
            qtbot.wait(100)
        finally:
            handler.uninstall()
    assert "unhandled exception" in caplog.text
    assert "ZeroDivisionError" in caplog.text  # the traceback is in the log
    if dialog:
        title, text = message_boxes.seen[0]
        assert title == CRASH_TITLE
        assert str(tmp_path) in text
        assert "ZeroDivisionError" not in text and "internal detail" not in text
    else:
        assert message_boxes.seen == []


def test_qt_messages_go_to_the_log(qtbot: QtBot, caplog: pytest.LogCaptureFixture) -> None:
    handler = CrashHandler(None, dialog=False).install()
    try:
        with caplog.at_level(logging.INFO):
            qInfo("hello from Qt")
    finally:
        handler.uninstall()
    assert "Qt: hello from Qt" in caplog.text

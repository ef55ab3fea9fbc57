"""Fixtures for UI tests: a real encrypted store in tmp_path, owned by a TaskManager."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from justice_desktop.store.database import Store
from tests.ui.factories import MadeCase, add_cases, new_office
from ui.context import AppContext, load_context_data
from ui.qt import QApplication, QInputMethodEvent, QMessageBox, QTimer, QWidget
from ui.tasks import TaskManager

CASES = 40


@pytest.fixture
def store_and_cases(tmp_path: Path) -> tuple[Store, list[MadeCase]]:
    store = new_office(tmp_path / "office")
    return store, add_cases(store, CASES)


@pytest.fixture
def made(store_and_cases: tuple[Store, list[MadeCase]]) -> list[MadeCase]:
    return store_and_cases[1]


@pytest.fixture
def tasks(qtbot: QtBot, store_and_cases: tuple[Store, list[MadeCase]]) -> Iterator[TaskManager]:
    """The task manager owns the store from here on and closes it at teardown."""
    manager = TaskManager(store_and_cases[0])
    yield manager
    manager.shutdown()


@pytest.fixture
def ctx(tasks: TaskManager) -> AppContext:
    """The shared context of the screens, working as the office's first user."""
    data = tasks.call(load_context_data)
    return AppContext(tasks, data, data.users[0])


class MessageBoxCatcher:
    """Closes every message box that appears (also inside a blocking exec()) and keeps its
    title and text."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []
        self._timer = QTimer()
        self._timer.setInterval(20)
        self._timer.timeout.connect(self._poll)
        self._timer.start()

    def _poll(self) -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QMessageBox) and widget.isVisible():
                self.seen.append((widget.windowTitle(), widget.text()))
                widget.done(QMessageBox.StandardButton.Ok)

    def stop(self) -> None:
        self._timer.stop()

    def texts(self) -> list[str]:
        return [text for _title, text in self.seen]


@pytest.fixture
def message_boxes(qtbot: QtBot) -> Iterator[MessageBoxCatcher]:
    catcher = MessageBoxCatcher()
    yield catcher
    catcher.stop()


def type_text(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """Type like a user: ASCII (pinyin initials, digits) key by key with qtbot.keyClicks;
    Chinese characters as an input method commits them (QTest cannot press a key for 张)."""
    for ch in text:
        if ch.isascii():
            qtbot.keyClicks(widget, ch)
        else:
            event = QInputMethodEvent("", [])
            event.setCommitString(ch)
            QApplication.sendEvent(widget, event)

"""Opening the main window checks the database and takes a backup, on the worker."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from justice_desktop.store import backup as backups
from ui.app import GuiSession
from ui.qt import QApplication
from ui.tasks import TaskManager


def test_main_window_start_checks_and_backs_up(qtbot: QtBot, tasks: TaskManager) -> None:
    data_dir = tasks.call(lambda store: store.data_dir)
    assert backups.list_backups(data_dir) == []
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    session = GuiSession(app, tasks)
    session.show_main_window()
    try:
        qtbot.waitUntil(lambda: len(backups.list_backups(data_dir)) == 1, timeout=10000)
        assert session.maintenance_timer is not None and session.maintenance_timer.isActive()
        session._maintain(force=False)  # a day has not passed: no second backup
        tasks.call(lambda store: None)  # wait for the worker to finish the queued task
        assert len(backups.list_backups(data_dir)) == 1
    finally:
        session.close()

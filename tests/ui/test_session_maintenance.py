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
    session.maintenance_delay_ms = 0
    session.show_main_window()
    try:
        qtbot.waitUntil(lambda: len(backups.list_backups(data_dir)) == 1, timeout=10000)
        assert session.maintenance_timer is not None and session.maintenance_timer.isActive()
        assert session.maintenance is not None
        qtbot.waitUntil(lambda: not session.maintenance.running, timeout=10000)
        session._maintain(force=False)  # a day has not passed: no second backup
        session.maintenance.wait()
        assert len(backups.list_backups(data_dir)) == 1
        # the worker was never used for it: it answers at once during a run
        session._maintain(force=True)
        assert tasks.call(lambda store: 1) == 1
        session.maintenance.wait()
        assert len(backups.list_backups(data_dir)) == 2
    finally:
        session.close()

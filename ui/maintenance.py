"""The start-up and daily integrity check and backup, on a thread of their own.

On a large database (a million cases, several GB) the check and the backup take minutes; on
the database worker they would hold up every page of the case list behind them. They run
instead on their own thread with a second connection (SQLite's WAL lets it read while the
worker writes), a little after start-up so the first screen loads first. The outcome comes
back to the GUI thread: a damaged database is reported to the user; a backup is logged.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from justice_desktop.store.database import Store
from ui.qt import QObject, Qt, Signal

log = logging.getLogger(__name__)

__all__ = ["Maintenance"]


class Maintenance(QObject):
    #: A backup was written (its path).
    backedUp = Signal(object)
    #: The check or the backup failed (the exception).
    failed = Signal(object)
    #: The run ended (either way).
    finished = Signal()

    def __init__(self, open_second: Callable[[], Store], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._open_second = open_second
        self._thread: threading.Thread | None = None
        self._results = _Relay()
        self._results.result.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, *, min_age: timedelta | None) -> bool:
        """Check and back up unless a run is going on; False if one is."""
        if self.running:
            return False
        relay = self._results

        def run() -> None:
            try:
                store = self._open_second()
                try:
                    path = store.check_and_back_up(min_age=min_age)
                finally:
                    store.close()
            except Exception as exc:
                relay.result.emit(exc)
            else:
                relay.result.emit(path)

        self._thread = threading.Thread(target=run, name="justice-maintenance", daemon=True)
        self._thread.start()
        return True

    def wait(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def _deliver(self, outcome: object) -> None:
        if isinstance(outcome, BaseException):
            self.failed.emit(outcome)
        elif isinstance(outcome, Path):
            log.info("backup written: %s", outcome)
            self.backedUp.emit(outcome)
        self.finished.emit()


class _Relay(QObject):
    result = Signal(object)

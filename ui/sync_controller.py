"""Sync with the city server off the GUI thread: one network job at a time, on a thread of its
own with its own database connection.

:class:`SyncController` runs :func:`sync.client.service.run_sync` (F5, 立即同步, the day-end
attempt) and the other network operations of the sync screens — log in, log out, resolve a
conflict — on a ``threading.Thread`` with ``store.second_connection()`` (closed afterwards), as
:mod:`ui.maintenance` does for the backup. The database worker stays free, so the screens keep
working while a sync runs. Results come back to the GUI thread by a queued signal.

* :attr:`SyncController.progressed` carries :class:`~sync.client.engine.SyncProgress`;
  :meth:`SyncController.cancel` sets the flag the engine checks between batches.
* :attr:`SyncController.finished` carries a :class:`SyncOutcome` (report, or the error, or
  cancelled). A second :meth:`SyncController.sync` while a job runs does nothing.
* :func:`day_end_due` decides the day-end attempt (once a day at or after the office's time).

The tokens live in ``token_store`` (the OS keyring by default; tests pass a
``MemoryTokenStore``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import requests

from justice_desktop.store.database import Store
from sync.client import service
from sync.client.engine import SyncCancelled, SyncProgress, SyncReport
from sync.client.session import SyncError
from sync.client.tokens import TokenStore, TokenStoreError
from ui.errors import friendly_message
from ui.qt import QObject, Qt, Signal

log = logging.getLogger(__name__)

__all__ = ["SyncController", "SyncOutcome", "day_end_due", "error_text"]

Job = Callable[[Store, TokenStore, "requests.Session | None"], Any]


@dataclass(frozen=True)
class SyncOutcome:
    """How one sync run ended."""

    report: SyncReport | None = None
    error: BaseException | None = None
    cancelled: bool = False
    quiet: bool = False

    @property
    def ok(self) -> bool:
        return self.report is not None

    @property
    def needs_login(self) -> bool:
        return isinstance(self.error, SyncError) and self.error.needs_login

    @property
    def message(self) -> str:
        """One line for the status bar, in Chinese."""
        if self.report is not None:
            return self.report.summary()
        if self.cancelled:
            return "同步已取消，已上传的修改保留，其余的下次同步时继续"
        return f"同步未完成：{error_text(self.error)}"


def error_text(exc: BaseException | None) -> str:
    if isinstance(exc, SyncError):
        return exc.message
    if isinstance(exc, TokenStoreError):
        return str(exc)
    if exc is None:
        return "原因不明"
    return friendly_message(exc)


def day_end_due(now: datetime, day_end: str, last_attempt: date | None) -> bool:
    """Whether the day-end attempt should run now: at or after ``day_end`` (``HH:MM``), once
    a day."""
    if last_attempt == now.date():
        return False
    try:
        hour, minute = (int(part) for part in day_end.split(":"))
    except ValueError:
        hour, minute = (int(part) for part in service.DEFAULT_DAY_END.split(":"))
    return (now.hour, now.minute) >= (hour, minute)


class _Relay(QObject):
    progress = Signal(object)
    result = Signal(object, object)  # (callback, result or exception)


class SyncController(QObject):
    """Runs the network operations of sync, one at a time, off the GUI thread."""

    #: A sync run started (``quiet``: the day-end attempt).
    started = Signal(bool)
    #: :class:`SyncProgress` of the running sync (on the GUI thread).
    progressed = Signal(object)
    #: The sync ended: a :class:`SyncOutcome`.
    finished = Signal(object)
    #: A network job started (True) or ended (False).
    busyChanged = Signal(bool)

    def __init__(
        self,
        open_second: Callable[[], Store],
        token_store: TokenStore | None = None,
        *,
        http_factory: Callable[[], requests.Session] | None = None,
        engine_options: dict[str, Any] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._open_second = open_second
        self._token_store = token_store
        self._http_factory = http_factory
        self.engine_options: dict[str, Any] = dict(engine_options or {})
        #: What runs one sync (a test may wrap it); called on the sync thread.
        self.sync_function: Callable[..., SyncReport] = service.run_sync
        self._thread: threading.Thread | None = None
        self._cancel = threading.Event()
        self._syncing = False
        self._quiet = False
        self.last_progress: SyncProgress | None = None
        self.last_outcome: SyncOutcome | None = None
        self._relay = _Relay()
        self._relay.progress.connect(self._deliver_progress, Qt.ConnectionType.QueuedConnection)
        self._relay.result.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    # -- state --------------------------------------------------------------------------------
    @property
    def token_store(self) -> TokenStore:
        if self._token_store is None:
            self._token_store = service.default_token_store()
        return self._token_store

    @property
    def busy(self) -> bool:
        return self._thread is not None

    @property
    def syncing(self) -> bool:
        """A sync (not a login or a resolve) is running."""
        return self._syncing

    @property
    def quiet(self) -> bool:
        return self._quiet

    # -- sync ---------------------------------------------------------------------------------
    def sync(self, *, quiet: bool = False, verify: bool = False) -> bool:
        """Start a sync; False (nothing happens) while another network job runs."""
        if self.busy:
            return False
        self._cancel.clear()
        self._syncing = True
        self._quiet = quiet
        self.last_progress = None
        relay, cancel, options = self._relay, self._cancel, dict(self.engine_options)
        function = self.sync_function

        def job(store: Store, tokens: TokenStore, http: requests.Session | None) -> SyncOutcome:
            try:
                report = function(
                    store,
                    tokens,
                    progress=relay.progress.emit,
                    cancelled=cancel.is_set,
                    verify=verify,
                    http=http,
                    **options,
                )
            except SyncCancelled:
                return SyncOutcome(cancelled=True, quiet=quiet)
            except Exception as exc:
                if not isinstance(exc, SyncError | TokenStoreError):
                    log.error("sync failed", exc_info=exc)
                return SyncOutcome(error=exc, quiet=quiet)
            return SyncOutcome(report=report, quiet=quiet)

        self._start(job, self._sync_done, name="justice-sync")
        self.started.emit(quiet)
        return True

    def cancel(self) -> None:
        """Ask the running sync to stop after the current batch (what was confirmed stays)."""
        self._cancel.set()

    @property
    def cancel_requested(self) -> bool:
        return self._cancel.is_set()

    def _sync_done(self, outcome: object) -> None:
        self._syncing = False
        if not isinstance(outcome, SyncOutcome):  # the job itself failed unexpectedly
            error = outcome if isinstance(outcome, BaseException) else None
            outcome = SyncOutcome(error=error, quiet=self._quiet)
        self.last_outcome = outcome
        self.finished.emit(outcome)

    # -- other network operations -------------------------------------------------------------
    def log_in(
        self, url: str, username: str, password: str, on_done: Callable[[object], None]
    ) -> bool:
        """``on_done`` gets the :class:`~sync.protocol.Me` or the exception."""
        return self._start(
            lambda store, tokens, http: service.log_in(
                store, url, username, password, tokens, http
            ),
            on_done,
        )

    def log_out(self, on_done: Callable[[object], None]) -> bool:
        return self._start(
            lambda store, tokens, http: service.log_out(store, tokens, http), on_done
        )

    def resolve(
        self,
        conflict_id: int,
        on_done: Callable[[object], None],
        *,
        value: Any = None,
        keep: bool | None = None,
    ) -> bool:
        """Send a decision on a conflict (then the result is pulled); ``on_done`` gets None or
        the exception."""
        return self._start(
            lambda store, tokens, http: service.resolve_conflict(
                store, tokens, conflict_id, value=value, keep=keep, http=http
            ),
            on_done,
        )

    def wait(self, timeout: float | None = None) -> None:
        """Wait for the running job's thread (the program is closing)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    # -- internals ----------------------------------------------------------------------------
    def _start(self, job: Job, on_done: Callable[[object], None], name: str = "") -> bool:
        if self.busy:
            return False
        relay = self._relay
        try:
            tokens = self.token_store
        except Exception as exc:  # no keyring at all
            relay.result.emit(on_done, exc)
            return True
        http = self._http_factory() if self._http_factory is not None else None

        def run() -> None:
            outcome: object
            try:
                store = self._open_second()
                try:
                    outcome = job(store, tokens, http)
                finally:
                    store.close()
            except Exception as exc:
                outcome = exc
            finally:
                if http is not None:
                    http.close()
            relay.result.emit(on_done, outcome)

        self._thread = threading.Thread(target=run, name=name or "justice-sync-job", daemon=True)
        self.busyChanged.emit(True)
        self._thread.start()
        return True

    def _deliver_progress(self, progress: object) -> None:
        if isinstance(progress, SyncProgress) and self._syncing:
            self.last_progress = progress
            self.progressed.emit(progress)

    def _deliver(self, on_done: object, outcome: object) -> None:
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join()
        self.busyChanged.emit(False)
        if callable(on_done):
            on_done(outcome)

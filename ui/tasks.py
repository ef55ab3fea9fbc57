"""Background operations: one worker thread owns the database.

Modelled on Anki's ``aqt/taskman.py``:

* :class:`TaskManager` holds the :class:`~justice_desktop.store.database.Store` and one
  worker thread.  Every function that touches the database runs there, one after another,
  so the SQLCipher connection is never used by two threads at once and the GUI thread never
  waits for a slow query.  (The connection is opened with ``check_same_thread=False``: it may
  be created on the GUI thread and then handed over.)
* :meth:`TaskManager.run` queues ``fn(store)``; its result (or exception) comes back to the
  GUI thread by a queued signal, where ``on_success`` / ``on_failure`` run.  Without
  ``on_failure`` the user sees the Chinese message of a ``StoreError`` /
  ``ValidationError`` (or a friendly text for disk and unexpected errors, with the details
  in the log).
* :class:`CancelToken` flags a task as cancelled: a task not yet started is skipped, a
  running one sees ``token.cancelled`` (or a :class:`Progress` that returns ``False``) and
  stops early, and its callbacks are not called (``on_cancelled`` is, if given).
* :meth:`TaskManager.call` runs a function on the worker and waits for it: only for quick
  reads the GUI needs right now (a page of the case list).
* :meth:`TaskManager.shutdown` cancels what is queued, joins the worker and closes the store.

Worker code never touches a widget: it only returns values, or posts a closure with
:meth:`TaskManager.run_on_main`.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

from justice_desktop.store.database import Store
from ui.dialogs import show_error
from ui.errors import friendly_message, is_known_error
from ui.qt import QApplication, QObject, QProgressDialog, Qt, QWidget, Signal

T = TypeVar("T")

log = logging.getLogger(__name__)

#: Called on the GUI thread with the exception of a failed task.
FailureHandler = Callable[[BaseException], None]

PROGRESS_DELAY_MS = 500  # progress dialogs appear only for operations slower than this
_PROGRESS_INTERVAL_S = 0.05  # at most this often does worker progress reach the GUI


class TaskManagerClosedError(RuntimeError):
    """A task was started after :meth:`TaskManager.shutdown` (a programming error)."""


class CancelToken:
    """A thread-safe cancellation flag shared by the GUI and one task."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()


def default_failure_handler(exc: BaseException) -> None:
    """Show the friendly message over the active window (non-blocking)."""
    show_error(QApplication.activeWindow(), friendly_message(exc))


class TaskManager(QObject):
    """Owns the store and the one worker thread that uses it (see the module docstring)."""

    _closures_pending = Signal()

    def __init__(self, store: Store, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._lock = threading.Lock()
        self._closures: deque[Callable[[], None]] = deque()
        self._delivering = False
        self._tokens: set[CancelToken] = set()
        self._closed = False
        self._worker_ident: int | None = None
        self._executor = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="justice-db", initializer=self._mark_worker
        )
        self.failure_handler: FailureHandler = default_failure_handler
        self._closures_pending.connect(self._run_closures, Qt.ConnectionType.QueuedConnection)

    # -- starting work ----------------------------------------------------------------------
    def run(
        self,
        fn: Callable[[Store], T],
        on_success: Callable[[T], None] | None = None,
        on_failure: FailureHandler | None = None,
        *,
        token: CancelToken | None = None,
        on_cancelled: Callable[[], None] | None = None,
    ) -> CancelToken:
        """Run ``fn(store)`` on the worker; call ``on_success(result)`` on the GUI thread.

        Returns the task's cancel token (``token`` if one was given, so worker code can
        close over it before the task starts)."""
        self._check_open()
        task_token = token if token is not None else CancelToken()
        self._tokens.add(task_token)

        def job() -> None:
            outcome: Callable[[], None]
            if task_token.cancelled:
                outcome = partial(self._deliver_cancelled, task_token, on_cancelled)
            else:
                try:
                    result = fn(self._store)
                except Exception as exc:
                    outcome = partial(
                        self._deliver_failure, task_token, exc, on_failure, on_cancelled
                    )
                else:
                    outcome = partial(
                        self._deliver_success, task_token, result, on_success, on_cancelled
                    )
            self.run_on_main(outcome)

        self._executor.submit(job)
        return task_token

    def call(self, fn: Callable[[Store], T]) -> T:
        """Run ``fn(store)`` on the worker and wait for its result (or exception).

        For quick reads only: the GUI thread blocks meanwhile.  Never call it from the
        worker itself."""
        self._check_open()
        if threading.get_ident() == self._worker_ident:
            raise RuntimeError("TaskManager.call() from the worker thread would deadlock")
        future: Future[T] = self._executor.submit(fn, self._store)
        return future.result()

    def run_with_progress(
        self,
        fn: Callable[[Store, Progress], T],
        on_success: Callable[[T], None] | None = None,
        on_failure: FailureHandler | None = None,
        *,
        label: str,
        parent: QWidget | None = None,
        on_cancelled: Callable[[], None] | None = None,
    ) -> CancelToken:
        """Like :meth:`run`, with a progress dialog that appears after half a second and
        can be cancelled.  ``fn`` reports through the :class:`Progress` it is given."""
        token = CancelToken()
        dialog = QProgressDialog(label, "取消", 0, 0, parent)
        dialog.setWindowTitle("请稍候")
        dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setMinimumDuration(PROGRESS_DELAY_MS)
        dialog.setValue(0)  # starts the half-second timer
        dialog.canceled.connect(token.cancel)

        def show_progress(done: int, total: int) -> None:
            if total > 0 and dialog.maximum() != total:
                dialog.setMaximum(total)
            if total > 0:
                dialog.setValue(min(done, total))
            elif done > 0:  # the total is not known: say how far it has got
                dialog.setLabelText(f"{label}（已处理{done:,}条）")

        def finished(callback: Callable[..., None] | None, *args: Any) -> None:
            # The callback first (it may open the next window), then the dialog goes; its
            # close emits canceled(), which no longer matters: the task has ended.
            try:
                if callback is not None:
                    callback(*args)
            finally:
                dialog.close()
                dialog.deleteLater()

        progress = Progress(
            token, lambda done, total: self.run_on_main(partial(show_progress, done, total))
        )
        return self.run(
            lambda store: fn(store, progress),
            on_success=lambda result: finished(on_success, result),
            on_failure=lambda exc: finished(on_failure or self.failure_handler, exc),
            token=token,
            on_cancelled=lambda: finished(on_cancelled),
        )

    def second_connection(self) -> Store:
        """A new connection to the store's database for another thread (see
        :mod:`ui.maintenance`); the caller closes it. Safe from any thread."""
        return self._store.second_connection()

    def run_on_main(self, closure: Callable[[], None]) -> None:
        """Queue ``closure`` to run on the GUI thread (safe to call from any thread)."""
        with self._lock:
            if self._closed:
                return
            self._closures.append(closure)
        self._closures_pending.emit()

    # -- stopping -----------------------------------------------------------------------------
    @property
    def closed(self) -> bool:
        return self._closed

    def shutdown(self) -> None:
        """Cancel queued and running tasks, wait for the worker to finish, close the store.

        Results that arrive afterwards are dropped.  Safe to call more than once."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._closures.clear()
        for token in list(self._tokens):
            token.cancel()
        self._tokens.clear()
        self._executor.shutdown(wait=True, cancel_futures=True)
        try:
            self._store.close()  # the worker has ended: no other thread uses the connection
        except Exception:
            log.exception("closing the database failed")

    # -- internals ----------------------------------------------------------------------------
    def _mark_worker(self) -> None:
        self._worker_ident = threading.get_ident()

    def _check_open(self) -> None:
        if self._closed:
            raise TaskManagerClosedError("the task manager has been shut down")

    def _run_closures(self) -> None:
        # One at a time and in order.  A callback may process events (a modal progress
        # dialog's setValue() does); the signal that arrives meanwhile returns at once and
        # this loop delivers what it queued, so results never overtake earlier ones.
        if self._delivering:
            return
        self._delivering = True
        try:
            while True:
                with self._lock:
                    if self._closed or not self._closures:
                        return
                    closure = self._closures.popleft()
                try:
                    closure()
                except Exception:
                    # One failing callback must not swallow the others: report it like any
                    # exception in a slot (crash log, dialog) and go on.
                    sys.excepthook(*sys.exc_info())
        finally:
            self._delivering = False

    def _deliver_success(
        self,
        token: CancelToken,
        result: T,
        on_success: Callable[[T], None] | None,
        on_cancelled: Callable[[], None] | None,
    ) -> None:
        self._tokens.discard(token)
        if token.cancelled:
            if on_cancelled is not None:
                on_cancelled()
        elif on_success is not None:
            on_success(result)

    def _deliver_failure(
        self,
        token: CancelToken,
        exc: Exception,
        on_failure: FailureHandler | None,
        on_cancelled: Callable[[], None] | None,
    ) -> None:
        self._tokens.discard(token)
        if is_known_error(exc):
            log.info("task failed: %s", exc)
        else:
            log.error("task failed", exc_info=(type(exc), exc, exc.__traceback__))
        if token.cancelled:
            if on_cancelled is not None:
                on_cancelled()
            return
        (on_failure or self.failure_handler)(exc)

    def _deliver_cancelled(
        self, token: CancelToken, on_cancelled: Callable[[], None] | None
    ) -> None:
        self._tokens.discard(token)
        if on_cancelled is not None:
            on_cancelled()


class Progress:
    """Handed to worker code that reports progress: ``progress(done, total)`` returns
    ``False`` once the user has cancelled.  Updates reach the GUI at most every 50 ms."""

    def __init__(self, token: CancelToken, post: Callable[[int, int], None]) -> None:
        self._token = token
        self._post = post
        self._last = 0.0

    @property
    def cancelled(self) -> bool:
        return self._token.cancelled

    def __call__(self, done: int, total: int) -> bool:
        now = time.monotonic()
        if done >= total or now - self._last >= _PROGRESS_INTERVAL_S:
            self._last = now
            self._post(done, total)
        return not self._token.cancelled


__all__ = [
    "CancelToken",
    "FailureHandler",
    "Progress",
    "TaskManager",
    "TaskManagerClosedError",
    "default_failure_handler",
]

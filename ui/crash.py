"""Unexpected errors while the window runs: log them, tell the user kindly, keep running.

An exception escaping a slot or callback reaches ``sys.excepthook``: the traceback goes to
the log file and, unless ``--no-crash-dialog`` was given (CI, scripted runs), a message box
on the GUI thread says that something went wrong and where the log is — never a traceback.
Qt's own warnings go to the same log.  Hard crashes (segfaults) are written by
``faulthandler``, which the launcher enables.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from ui.dialogs import show_error
from ui.qt import QApplication, QMessageLogContext, QtMsgType, qInstallMessageHandler

log = logging.getLogger(__name__)

CRASH_TITLE = "程序出现意外错误"

_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def crash_message(log_dir: Path | None) -> str:
    where = (
        f"\n\n错误详情已写入日志文件夹：\n{log_dir}\n请把其中的日志文件发给技术支持。"
        if log_dir
        else ""
    )
    return (
        "程序出现意外错误，刚才的操作可能没有完成。已经保存的数据不受影响。"
        f"{where}\n\n建议保存手头的工作后重新启动程序。"
    )


ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], None]


class CrashHandler:
    """Installs the hooks; :meth:`uninstall` puts the previous ones back."""

    def __init__(self, log_dir: Path | None, *, dialog: bool) -> None:
        self.log_dir = log_dir
        self.dialog = dialog
        self._dialog_open = False
        self.crashes = 0  # unhandled exceptions seen (the smoke test fails on any)
        self._previous_hook: ExceptHook | None = None
        self._previous_thread_hook: Callable[[threading.ExceptHookArgs], object] | None = None
        self._previous_qt_handler: Any = None  # its type differs between PySide6 releases
        self._installed = False

    def install(self) -> CrashHandler:
        self._previous_hook = sys.excepthook
        self._previous_thread_hook = threading.excepthook
        sys.excepthook = self._excepthook
        threading.excepthook = self._thread_excepthook
        self._previous_qt_handler = qInstallMessageHandler(self._qt_message)
        self._installed = True
        return self

    def uninstall(self) -> None:
        if not self._installed:
            return
        self._installed = False
        if self._previous_hook is not None:
            sys.excepthook = self._previous_hook
        if self._previous_thread_hook is not None:
            threading.excepthook = self._previous_thread_hook
        qInstallMessageHandler(self._previous_qt_handler)

    def _excepthook(
        self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if not issubclass(exc_type, KeyboardInterrupt):
            self.crashes += 1
            log.critical("unhandled exception", exc_info=(exc_type, exc, tb))
            if self.dialog and threading.current_thread() is threading.main_thread():
                self._show_dialog()
        previous = self._previous_hook
        # Chain to whoever was there before (the terminal's traceback, pytest-qt), but not
        # to the default hook when there is no console to print to (a windowed build).
        if previous is not None and (previous is not sys.__excepthook__ or sys.stderr is not None):
            previous(exc_type, exc, tb)

    def _thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        self.crashes += 1
        log.critical(
            "unhandled exception in thread %s",
            getattr(args.thread, "name", "?"),
            exc_info=(args.exc_type, args.exc_value or args.exc_type(), args.exc_traceback),
        )

    def _show_dialog(self) -> None:
        if self._dialog_open or QApplication.instance() is None:
            return
        self._dialog_open = True
        show_error(
            QApplication.activeWindow(),
            crash_message(self.log_dir),
            title=CRASH_TITLE,
            on_closed=self._dialog_closed,
        )

    def _dialog_closed(self) -> None:
        self._dialog_open = False

    def _qt_message(self, mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
        log.log(_QT_LEVELS.get(mode, logging.WARNING), "Qt: %s", message)
        previous = self._previous_qt_handler
        if callable(previous):
            previous(mode, context, message)


__all__ = ["CRASH_TITLE", "CrashHandler", "crash_message"]

"""The window's side of sync: the 同步 button, progress and 取消 in the status bar, the counts
of conflicts and refused changes, and what happens when a sync ends.

:class:`SyncUi` connects a :class:`~ui.sync_controller.SyncController` to the main window:

* F5 / 同步 starts a sync; a second F5 while it runs only shows the progress again.
* Progress (phase and bar, determinate when the total is known) and 取消 appear when a sync
  runs longer than half a second.
* When it ends: the status bar shows the result, the counts are read again, and when records
  arrived the context is reloaded and every kind of record is notified (the case list shows
  pulled cases). Warnings (a clock far off) are shown once. A machine that joined its office's
  data has the office's users now: the user is asked who is working. A sync that needs a login
  opens 设置 → 同步. The quiet day-end attempt only writes to the status bar.
* "冲突 2 处" and "被拒收 1 条" in the status bar open their dialogs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sync.client.engine import SyncProgress
from ui.context import RECORD_KINDS
from ui.dialogs import show_info
from ui.overview import Overview, conflicts_text, parked_text
from ui.qt import (
    QHBoxLayout,
    QLabel,
    QObject,
    QProgressBar,
    QPushButton,
    QTimer,
    QToolButton,
    QWidget,
)
from ui.sync_controller import SyncController, SyncOutcome

if TYPE_CHECKING:
    from ui.main_window import MainWindow

__all__ = ["PROGRESS_DELAY_MS", "SyncStatusBar", "SyncUi"]

PROGRESS_DELAY_MS = 500
JOINED_TEXT = (
    "本机已加入本所在市局服务器上的数据：本机原来的用户已换成本所的用户。请选择您自己的用户。"
)


class SyncStatusBar(QWidget):
    """同步 button, phase, bar and 取消, and the conflict / refused-change links."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syncStatus")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.sync_button = QToolButton(self)
        self.sync_button.setObjectName("syncButton")
        self.sync_button.setText("同步")
        self.sync_button.setToolTip("与市局服务器同步（F5）")
        self.phase_label = QLabel("", self)
        self.phase_label.setObjectName("syncPhase")
        self.progress = QProgressBar(self)
        self.progress.setObjectName("syncProgress")
        self.progress.setMaximumWidth(160)
        self.progress.setTextVisible(False)
        self.cancel_button = QPushButton("取消", self)
        self.cancel_button.setObjectName("syncCancel")
        self.conflicts_link = QToolButton(self)
        self.conflicts_link.setObjectName("syncConflicts")
        self.conflicts_link.setAutoRaise(True)
        self.conflicts_link.setToolTip("查看并处理同步冲突")
        self.parked_link = QToolButton(self)
        self.parked_link.setObjectName("syncParked")
        self.parked_link.setAutoRaise(True)
        self.parked_link.setToolTip("查看被服务器拒收的修改")
        for widget in (
            self.conflicts_link,
            self.parked_link,
            self.phase_label,
            self.progress,
            self.cancel_button,
            self.sync_button,
        ):
            layout.addWidget(widget)
        self.show_running(False)
        self.show_counts(0, 0)

    def show_running(self, running: bool) -> None:
        for widget in (self.phase_label, self.progress, self.cancel_button):
            widget.setVisible(running)
        self.cancel_button.setEnabled(True)
        if not running:
            self.phase_label.setText("")
            self.progress.setRange(0, 0)

    @property
    def running_shown(self) -> bool:
        return not self.progress.isHidden()

    def show_progress(self, progress: SyncProgress) -> None:
        self.phase_label.setText(progress.phase)
        if progress.total:
            self.progress.setRange(0, progress.total)
            self.progress.setValue(min(progress.done, progress.total))
        else:
            self.progress.setRange(0, 0)  # busy indicator

    def show_counts(self, conflicts: int, parked: int) -> None:
        self.conflicts_link.setText(conflicts_text(conflicts))
        self.conflicts_link.setVisible(conflicts > 0)
        self.parked_link.setText(parked_text(parked))
        self.parked_link.setVisible(parked > 0)


class SyncUi(QObject):
    """Connects the sync controller to the main window (see the module docstring)."""

    def __init__(self, window: MainWindow, controller: SyncController) -> None:
        super().__init__(window)
        self.window = window
        self.controller = controller
        self.bar = SyncStatusBar(window)
        window.statusBar().insertPermanentWidget(0, self.bar)
        self._delay = QTimer(self)
        self._delay.setSingleShot(True)
        self._delay.setInterval(PROGRESS_DELAY_MS)
        self._delay.timeout.connect(self._reveal)
        self.bar.sync_button.clicked.connect(self.request_sync)
        self.bar.cancel_button.clicked.connect(self.cancel)
        self.bar.conflicts_link.clicked.connect(self.open_conflicts)
        self.bar.parked_link.clicked.connect(self.open_parked)
        controller.started.connect(self._started)
        controller.progressed.connect(self._progressed)
        controller.finished.connect(self._finished)
        controller.busyChanged.connect(self._busy_changed)
        #: Warnings already shown (each once per program run).
        self._warned: set[str] = set()

    # -- starting and cancelling ---------------------------------------------------------------
    def request_sync(self) -> None:
        """F5 / 同步: start, or show the running sync's progress again."""
        if self.controller.syncing:
            self._reveal()
            return
        if self.controller.busy:
            self.window.show_message("正在与市局服务器通信，请稍候再同步。")
            return
        self.controller.sync()

    def cancel(self) -> None:
        self.controller.cancel()
        self.bar.cancel_button.setEnabled(False)
        self.bar.phase_label.setText("正在取消…（当前这一批完成后停止）")

    def _started(self, quiet: bool) -> None:
        self.bar.sync_button.setEnabled(False)
        self.window.show_message("正在后台自动同步…" if quiet else "正在同步…")
        self._delay.start()

    def _reveal(self) -> None:
        if self.controller.syncing:
            self.bar.show_running(True)
            if self.controller.cancel_requested:
                self.bar.cancel_button.setEnabled(False)
            if self.controller.last_progress is not None:
                self.bar.show_progress(self.controller.last_progress)

    def _progressed(self, progress: object) -> None:
        if isinstance(progress, SyncProgress) and not self.controller.cancel_requested:
            self.bar.show_progress(progress)

    def _busy_changed(self, busy: bool) -> None:
        self.bar.sync_button.setEnabled(not busy)

    # -- the end ------------------------------------------------------------------------------
    def _finished(self, outcome: object) -> None:
        self._delay.stop()
        self.bar.show_running(False)
        if not isinstance(outcome, SyncOutcome):
            return
        window = self.window
        message = outcome.message
        report = outcome.report
        new_warnings = (
            [] if report is None else [w for w in report.warnings if w not in self._warned]
        )
        self._warned.update(new_warnings)
        if new_warnings and outcome.quiet:
            message += "；" + "；".join(new_warnings)
        window.show_message(message)
        window.sync_label.setToolTip(message)
        window.refresh_overview()
        if report is not None:
            if report.pulled or report.joined or report.blocks_granted:
                window.ctx.reload(then=lambda: self._notify_all(joined=report.joined))
            if new_warnings and not outcome.quiet:
                show_info(window, "\n".join(new_warnings), title="同步提示")
        elif outcome.needs_login and not outcome.quiet:
            self.open_login(message)

    def _notify_all(self, *, joined: bool) -> None:
        ctx = self.window.ctx
        for kind in RECORD_KINDS:
            if kind != "settings":
                ctx.notify(kind)
        if joined:
            show_info(self.window, JOINED_TEXT, title="已加入本所数据", on_closed=self._choose_user)

    def _choose_user(self) -> None:
        ctx = self.window.ctx
        known = {u.id for u in ctx.users}
        self.window.switch_user()
        if ctx.user.id not in known and ctx.users:  # not chosen: someone must work
            ctx.set_user(ctx.users[0])

    def open_login(self, message: str = "") -> None:
        """设置 → 同步, with the reason over the login fields."""
        from ui.settings_screen import SettingsScreen

        if not self.window.show_screen("settings"):
            return
        screen = self.window.screens.get("settings")
        if isinstance(screen, SettingsScreen):
            screen.show_sync_tab(message)

    # -- counts and dialogs --------------------------------------------------------------------
    def show_counts(self, overview: Overview) -> None:
        self.bar.show_counts(overview.conflicts, overview.parked)

    def open_conflicts(self) -> None:
        from ui.conflicts_dialog import ConflictsDialog

        dialog = ConflictsDialog(self.window.ctx, self.controller, self.window)
        dialog.changed.connect(self._after_dialog)
        dialog.open()

    def open_parked(self) -> None:
        from ui.parked_dialog import ParkedDialog

        dialog = ParkedDialog(self.window.ctx, self.window)
        dialog.changed.connect(self.window.refresh_overview)
        dialog.open()

    def _after_dialog(self) -> None:
        self.window.refresh_overview()
        for kind in RECORD_KINDS:
            if kind != "settings":
                self.window.ctx.notify(kind)

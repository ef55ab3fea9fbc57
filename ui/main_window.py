"""The main window: navigation on the left, the current screen on the right, the status bar.

Navigation: 工作台 / 调解案件 / 法律明白人 / 法律咨询 / 顾问日志 / 统计 / 设置. Screens are built
the first time they are shown (start-up stays fast), and each is asked :meth:`Screen.can_leave`
before the user switches away (unsaved input). Keyboard: Ctrl+1…7 switch screens, Ctrl+N new,
Ctrl+S save, Ctrl+F search (cases), Ctrl+P print, F5 sync; all are also in the menus.

The status bar shows the office, the user, the changes waiting for sync and the last sync.
With sync attached (:meth:`MainWindow.attach_sync`, done by :mod:`ui.app`), it also has the
同步 button, the progress of a running sync and the counts of conflicts and refused changes
(:mod:`ui.sync_status`).
Database work happens on the worker of the :class:`ui.tasks.TaskManager` behind ``ctx``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ui.cases_screen import CasesScreen
from ui.context import AppContext
from ui.errors import friendly_message
from ui.overview import Overview, case_count_text, load_overview, pending_text, window_title
from ui.qt import (
    QAction,
    QCloseEvent,
    QEvent,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QListWidget,
    QMainWindow,
    QStackedWidget,
    Qt,
    QTimer,
    QWidget,
    Signal,
    SignalInstance,
)
from ui.screen import Screen

if TYPE_CHECKING:
    from ui.sync_controller import SyncController
    from ui.sync_status import SyncUi

__all__ = ["SCREENS", "MainWindow", "ScreenSpec"]

STATUS_REFRESH_MS = 60_000
MESSAGE_TIMEOUT_MS = 10_000


@dataclass(frozen=True)
class ScreenSpec:
    key: str
    title: str


SCREENS: tuple[ScreenSpec, ...] = (
    ScreenSpec("home", "工作台"),
    ScreenSpec("cases", "调解案件"),
    ScreenSpec("understanders", "法律明白人"),
    ScreenSpec("consultations", "法律咨询"),
    ScreenSpec("adviser_logs", "顾问日志"),
    ScreenSpec("statistics", "统计"),
    ScreenSpec("settings", "设置"),
)
SCREEN_INDEX = {s.key: i for i, s in enumerate(SCREENS)}


class MainWindow(QMainWindow):
    #: The user asked to sync (F5); the sync controller answers it.
    syncRequested = Signal()
    #: Settings restored a backup: the program must restart.
    restartRequested = Signal()

    def __init__(
        self,
        ctx: AppContext,
        *,
        start: str = "home",
        screen_factories: dict[str, Callable[[AppContext, QWidget], Screen]] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._overview: Overview | None = None
        self.sync_ui: SyncUi | None = None
        self._factories = dict(default_factories())
        self._factories.update(screen_factories or {})
        self.screens: dict[str, Screen] = {}
        self.setWindowTitle(window_title(None))
        self.resize(1280, 800)

        self.nav = QListWidget(self)
        self.nav.setObjectName("navigation")
        for i, spec in enumerate(SCREENS):
            self.nav.addItem(f"{spec.title}")
            self.nav.item(i).setToolTip(f"{spec.title}（Ctrl+{i + 1}）")
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._fit_navigation()
        self.stack = QStackedWidget(self)
        central = QWidget(self)
        layout = QHBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self._placeholders: dict[str, QWidget] = {}
        for spec in SCREENS:
            holder = QWidget(self.stack)
            QHBoxLayout(holder).setContentsMargins(0, 0, 0, 0)
            self._placeholders[spec.key] = holder
            self.stack.addWidget(holder)

        self.office_label = QLabel(self)
        self.office_label.setObjectName("officeName")
        self.user_label = QLabel(self)
        self.user_label.setObjectName("currentUser")
        self.count_label = QLabel("", self)
        self.count_label.setObjectName("caseCount")
        self.pending_label = QLabel("", self)
        self.pending_label.setObjectName("pendingSync")
        self.sync_label = QLabel("", self)
        self.sync_label.setObjectName("lastSync")
        for label in (
            self.office_label,
            self.user_label,
            self.count_label,
            self.pending_label,
            self.sync_label,
        ):
            self.statusBar().addPermanentWidget(label)

        self._make_actions()
        self._status_timer = QTimer(self)
        self._status_timer.setInterval(STATUS_REFRESH_MS)
        self._status_timer.timeout.connect(self.refresh_overview)
        self.nav.currentRowChanged.connect(self._nav_changed)
        ctx.userChanged.connect(self._show_user)
        ctx.recordsChanged.connect(lambda _kind: self.refresh_overview())
        self._current = -1
        self._show_user()
        self.show_screen(start)
        self.refresh_overview()
        self._status_timer.start()

    def _fit_navigation(self) -> None:
        """The navigation is as wide as its longest entry at the current text size."""
        metrics = self.nav.fontMetrics()
        widest = max(metrics.horizontalAdvance(spec.title) for spec in SCREENS)
        self.nav.setFixedWidth(widest + metrics.height() * 2)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange:  # the UI scale changed
            self._fit_navigation()
        super().changeEvent(event)

    # -- screens ---------------------------------------------------------------------------------
    def screen_for(self, key: str) -> Screen:
        """The screen ``key``, built on first use."""
        found = self.screens.get(key)
        if found is None:
            holder = self._placeholders[key]
            found = self._factories[key](self.ctx, holder)
            layout = holder.layout()
            assert layout is not None
            layout.addWidget(found)
            self.screens[key] = found
            self._wire(key, found)
        return found

    @property
    def current_key(self) -> str:
        return SCREENS[self.stack.currentIndex()].key

    @property
    def current_screen(self) -> Screen:
        return self.screen_for(self.current_key)

    def show_screen(self, key: str) -> bool:
        """Switch to ``key`` (asking the current screen about unsaved input first)."""
        index = SCREEN_INDEX[key]
        if index == self._current:
            return True
        if self._current >= 0 and not self.current_screen.can_leave():
            self.nav.blockSignals(True)
            self.nav.setCurrentRow(self._current)
            self.nav.blockSignals(False)
            return False
        screen = self.screen_for(key)
        self._current = index
        self.stack.setCurrentIndex(index)
        self.nav.blockSignals(True)
        self.nav.setCurrentRow(index)
        self.nav.blockSignals(False)
        screen.activate()
        return True

    def cases(self) -> CasesScreen:
        found = self.screen_for("cases")
        assert isinstance(found, CasesScreen)
        return found

    def open_case(self, case_id: str) -> None:
        if self.show_screen("cases"):
            self.cases().open_case(case_id)

    def new_case(self) -> None:
        if self.show_screen("cases"):
            self.cases().new_record()

    def _wire(self, key: str, screen: Screen) -> None:
        """Connect the optional signals a screen offers."""
        for name, slot in (
            ("caseRequested", self.open_case),
            ("caseOpened", self.open_case),
            ("newCaseRequested", self.new_case),
            ("screenRequested", self.show_screen),
            ("message", self.show_message),
            ("restartRequested", self.restartRequested.emit),
        ):
            signal = getattr(screen, name, None)
            if isinstance(signal, SignalInstance):
                signal.connect(slot)

    def _nav_changed(self, row: int) -> None:
        if 0 <= row < len(SCREENS):
            self.show_screen(SCREENS[row].key)

    # -- actions ---------------------------------------------------------------------------------
    def _make_actions(self) -> None:
        menu_file = self.menuBar().addMenu("文件")
        menu_go = self.menuBar().addMenu("转到")
        self.new_action = self._action(menu_file, "新建", QKeySequence.StandardKey.New, self._new)
        self.save_action = self._action(
            menu_file, "保存", QKeySequence.StandardKey.Save, self._save
        )
        self.print_action = self._action(
            menu_file, "打印…", QKeySequence.StandardKey.Print, self._print
        )
        self.sync_action = self._action(menu_file, "同步", QKeySequence("F5"), self._sync)
        self._sync_connected = False
        menu_file.addSeparator()
        self.switch_user_action = self._action(
            menu_file, "切换用户…", QKeySequence("Ctrl+Shift+U"), self.switch_user
        )
        self.quit_action = self._action(menu_file, "退出", QKeySequence("Ctrl+Q"), self.close)
        self.find_action = self._action(
            menu_go, "搜索案件", QKeySequence.StandardKey.Find, self.focus_search
        )
        for i, spec in enumerate(SCREENS):
            self._action(menu_go, spec.title, QKeySequence(f"Ctrl+{i + 1}"), self._goer(spec.key))

    def _goer(self, key: str) -> Callable[[], object]:
        return lambda: self.show_screen(key)

    def _action(
        self,
        menu: object,
        text: str,
        key: QKeySequence | QKeySequence.StandardKey,
        slot: Callable[[], object],
    ) -> QAction:
        action = QAction(text, self)
        action.setShortcut(key if isinstance(key, QKeySequence) else QKeySequence(key))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda _checked=False: slot())
        add = getattr(menu, "addAction", None)
        if add is not None:
            add(action)
        self.addAction(action)
        return action

    def _new(self) -> None:
        if not self.current_screen.new_record():
            self.new_case()

    def _save(self) -> None:
        if not self.current_screen.save():
            self.show_message("当前页面没有需要保存的内容。")

    def _print(self) -> None:
        if not self.current_screen.print_current():
            self.show_message("当前页面没有可打印的文书：请打开案件，在“文书”页选择要打印的文书。")

    def _sync(self) -> None:
        if self._sync_connected:
            self.syncRequested.emit()
        else:
            self.show_message("尚未配置市级服务器，暂不能同步。数据已安全保存在本机。")

    def set_sync_available(self, available: bool) -> None:
        """The sync engine is connected to :attr:`syncRequested`."""
        self._sync_connected = available

    def attach_sync(self, controller: SyncController) -> SyncUi:
        """Sync with the city server from this window: F5 and the status bar's 同步 button
        start ``controller``; progress, counts and results show in the status bar."""
        from ui.sync_status import SyncUi

        self.sync_ui = SyncUi(self, controller)
        self.ctx.sync = controller
        self.syncRequested.connect(self.sync_ui.request_sync)
        self.set_sync_available(True)
        self.refresh_overview()
        return self.sync_ui

    def focus_search(self) -> None:
        if self.show_screen("cases"):
            self.cases().focus_search()

    def switch_user(self) -> None:
        if not self.current_screen.can_leave():
            return
        for screen in self.screens.values():
            screen.flush_drafts()
        from ui.user_switch import switch_user

        switch_user(self.ctx, self)

    # -- status bar ------------------------------------------------------------------------------
    def refresh_overview(self) -> None:
        if not self.ctx.tasks.closed:
            self.ctx.tasks.run(
                load_overview, on_success=self._apply_overview, on_failure=self._show_error
            )

    @property
    def overview(self) -> Overview | None:
        return self._overview

    def _apply_overview(self, overview: Overview) -> None:
        self._overview = overview
        self.setWindowTitle(window_title(overview))
        self.office_label.setText(overview.office_name)
        self.pending_label.setText(pending_text(overview.pending_sync))
        self.count_label.setText(case_count_text(overview.case_count))
        self.sync_label.setText(
            f"上次同步 {overview.last_sync}" if overview.last_sync else "尚未同步"
        )
        if self.sync_ui is not None:
            self.sync_ui.show_counts(overview)

    def _show_user(self) -> None:
        self.user_label.setText(f"当前用户：{self.ctx.user.display}")

    def show_message(self, message: str) -> None:
        self.statusBar().showMessage(message, MESSAGE_TIMEOUT_MS)

    def _show_error(self, exc: BaseException) -> None:
        self.show_message(friendly_message(exc))

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._current >= 0 and not self.current_screen.can_leave():
            event.ignore()
            return
        for screen in self.screens.values():
            screen.flush_drafts()
        self._status_timer.stop()
        cases = self.screens.get("cases")
        if isinstance(cases, CasesScreen):
            cases.search.stop()
        super().closeEvent(event)


def default_factories() -> dict[str, Callable[[AppContext, QWidget], Screen]]:
    """Every screen. Modules are imported when a screen is first shown (start-up time)."""

    def cases(ctx: AppContext, parent: QWidget) -> Screen:
        return CasesScreen(ctx, parent)

    def home(ctx: AppContext, parent: QWidget) -> Screen:
        from ui.home_screen import HomeScreen

        return HomeScreen(ctx, parent)

    def understanders(ctx: AppContext, parent: QWidget) -> Screen:
        from ui.understanders_screen import UnderstandersScreen

        return UnderstandersScreen(ctx, parent)

    def consultations(ctx: AppContext, parent: QWidget) -> Screen:
        from ui.consultations_screen import ConsultationsScreen

        return ConsultationsScreen(ctx, parent)

    def adviser_logs(ctx: AppContext, parent: QWidget) -> Screen:
        from ui.adviser_logs_screen import AdviserLogsScreen

        return AdviserLogsScreen(ctx, parent)

    def statistics(ctx: AppContext, parent: QWidget) -> Screen:
        from ui.statistics_screen import StatisticsScreen

        return StatisticsScreen(ctx, parent)

    def settings(ctx: AppContext, parent: QWidget) -> Screen:
        from ui.settings_screen import SettingsScreen

        return SettingsScreen(ctx, parent)

    return {
        "home": home,
        "cases": cases,
        "understanders": understanders,
        "consultations": consultations,
        "adviser_logs": adviser_logs,
        "statistics": statistics,
        "settings": settings,
    }

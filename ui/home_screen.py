"""工作台: the screen the program opens on — deadlines to act on, today's work, quick actions.

Public signals (the main window connects them):

* ``caseRequested(str)`` — open this case (by id) in the case editor: Enter or double-click on
  a reminder, or on a case line of today's work.
* ``newCaseRequested()`` — 登记纠纷 (the button, or Ctrl+N while this screen is shown).
* ``screenRequested(str)`` — switch to another screen: ``"consultations"`` (记录咨询, or a
  consultation line of today's work), ``"understanders"`` (法律明白人培训), ``"adviser_logs"``
  (顾问日志).
* ``loaded()`` — fresh data is on screen (after :meth:`HomeScreen.activate` or a change).

Everything is read on the database worker (:func:`ui.home_models.load_home`); the screen
re-reads when activated, when records change (``ctx.recordsChanged``), when another user takes
over (``ctx.userChanged``) and when code tables were reloaded (``ctx.dataReloaded``). A reload
asked for while one is running runs once more after it, so the newest change is always shown.
"""

from __future__ import annotations

from datetime import date

from justice_desktop.domain.deadlines import DUE_SOON_DAYS
from justice_desktop.store.database import Store
from ui.context import AppContext
from ui.errors import friendly_message
from ui.home_models import (
    CASE_ID_ROLE,
    OVERDUE_COLOR,
    SCREEN_ROLE,
    HomeData,
    ReminderModel,
    TodayModel,
    date_text,
    load_home,
    weekday_text,
)
from ui.qt import (
    QAbstractItemView,
    QEvent,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListView,
    QModelIndex,
    QPushButton,
    QSizePolicy,
    Qt,
    QTableView,
    QVBoxLayout,
    QWidget,
    Signal,
)
from ui.screen import Screen
from ui.tasks import CancelToken

__all__ = ["COLUMN_FIT_ROWS", "HomeScreen", "QUICK_ACTIONS"]

#: Column widths of the reminders fit the widest text among this many rows.
COLUMN_FIT_ROWS = 50

#: (objectName, text, tooltip, what it asks for: "" = a new case, else the screen's key)
QUICK_ACTIONS: tuple[tuple[str, str, str, str], ...] = (
    ("newCaseButton", "登记纠纷（Ctrl+N）", "登记一件新的人民调解纠纷（Ctrl+N）", ""),
    ("consultationButton", "记录咨询", "登记一次法律咨询", "consultations"),
    ("understandersButton", "法律明白人培训", "法律明白人名册和培训记录", "understanders"),
    ("adviserLogsButton", "顾问日志", "村（居）法律顾问工作日志", "adviser_logs"),
)


class _Loads:
    """The token of the read in flight, cancelled when the screen goes away (a plain Python
    object, so the ``destroyed`` handler never touches the deleted widget)."""

    def __init__(self) -> None:
        self.token: CancelToken | None = None

    def cancel(self, *_args: object) -> None:
        if self.token is not None:
            self.token.cancel()


class _CountTile(QLabel):
    """A big number over its label (rich text sizes are relative: they follow the UI scale)."""

    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._label = label
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.set_count(None)

    def set_count(self, count: int | None) -> None:
        number = "—" if count is None else str(count)
        self.setText(
            f'<div style="font-size: xx-large; font-weight: 600;">{number}</div>'
            f"<div>{self._label}</div>"
        )
        self.setAccessibleName(f"{self._label} {number}")


class HomeScreen(Screen):
    """工作台 (see the module docstring for its signals)."""

    title = "工作台"

    caseRequested = Signal(str)
    newCaseRequested = Signal()
    screenRequested = Signal(str)
    loaded = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("homeScreen")
        self._loads = _Loads()
        self.destroyed.connect(self._loads.cancel)
        self._loading = False
        self._again = False
        self.data: HomeData | None = None

        self.greeting = QLabel(self)
        self.greeting.setObjectName("homeGreeting")
        self.greeting.setWordWrap(True)

        # -- 到期提醒 --------------------------------------------------------------------------
        self.reminder_box = QGroupBox("到期提醒", self)
        self.reminder_summary = QLabel("正在读取……", self.reminder_box)
        self.reminder_summary.setObjectName("reminderSummary")
        self.reminder_summary.setWordWrap(True)
        self.reminder_model = ReminderModel(self)
        self.reminder_table = QTableView(self.reminder_box)
        self.reminder_table.setObjectName("reminderTable")
        self.reminder_table.setModel(self.reminder_model)
        self.reminder_table.setAccessibleName("到期提醒")
        self.reminder_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.reminder_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.reminder_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.reminder_table.setTabKeyNavigation(False)
        self.reminder_table.setWordWrap(False)
        self.reminder_table.setAlternatingRowColors(True)
        self.reminder_table.verticalHeader().setVisible(False)
        # rows as tall as one line of text at any UI scale (see _fit_rows): measuring every
        # row's contents instead costs the GUI thread tens of ms per re-read
        self.reminder_table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.reminder_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setResizeContentsPrecision(COLUMN_FIT_ROWS)  # the rows look alike
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setHighlightSections(False)
        self.reminder_table.activated.connect(self._open_reminder)
        self.reminder_empty = QLabel(
            f"没有逾期或 {DUE_SOON_DAYS} 天内到期的事项。", self.reminder_box
        )
        self.reminder_empty.setObjectName("reminderEmpty")
        self.reminder_empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.reminder_empty.setWordWrap(True)
        self.reminder_empty.hide()
        hint = QLabel("选中一项后按回车键或双击，打开该案件。", self.reminder_box)
        hint.setWordWrap(True)
        hint.setEnabled(False)
        box = QVBoxLayout(self.reminder_box)
        box.addWidget(self.reminder_summary)
        box.addWidget(self.reminder_table, 1)
        box.addWidget(self.reminder_empty, 1)
        box.addWidget(hint)

        # -- 快捷操作 --------------------------------------------------------------------------
        self.actions_box = QGroupBox("快捷操作", self)
        grid = QGridLayout(self.actions_box)
        self.action_buttons: dict[str, QPushButton] = {}
        for n, (name, text, tip, target) in enumerate(QUICK_ACTIONS):
            button = QPushButton(text, self.actions_box)
            button.setObjectName(name)
            button.setToolTip(tip)
            button.setAutoDefault(True)  # Enter presses the focused button, as Space does
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
            button.clicked.connect(lambda _checked=False, t=target: self._quick_action(t))
            grid.addWidget(button, n // 2, n % 2)
            self.action_buttons[name] = button

        # -- 今日工作 --------------------------------------------------------------------------
        self.today_box = QGroupBox("今日工作", self)
        self.count_tiles: dict[str, _CountTile] = {}
        tiles = QGridLayout()
        for n, label in enumerate(("受理纠纷", "调解记录", "回访记录", "法律咨询", "今天到期")):
            tile = _CountTile(label, self.today_box)
            tiles.addWidget(tile, n // 3, n % 3)
            self.count_tiles[label] = tile
        self.today_model = TodayModel(self)
        self.today_list = QListView(self.today_box)
        self.today_list.setObjectName("todayList")
        self.today_list.setAccessibleName("今日工作")
        self.today_list.setModel(self.today_model)
        self.today_list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.today_list.setUniformItemSizes(True)
        self.today_list.activated.connect(self._open_today)
        self.today_empty = QLabel("今天还没有登记工作。", self.today_box)
        self.today_empty.setObjectName("todayEmpty")
        self.today_empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.today_empty.hide()
        today_layout = QVBoxLayout(self.today_box)
        today_layout.addLayout(tiles)
        today_layout.addWidget(self.today_list, 1)
        today_layout.addWidget(self.today_empty, 1)

        right = QVBoxLayout()
        right.addWidget(self.actions_box)
        right.addWidget(self.today_box, 1)
        columns = QHBoxLayout()
        columns.addWidget(self.reminder_box, 3)
        columns.addLayout(right, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.greeting)
        layout.addLayout(columns, 1)

        buttons = list(self.action_buttons.values())
        QWidget.setTabOrder(self.reminder_table, buttons[0])
        for a, b in zip(buttons, buttons[1:], strict=False):
            QWidget.setTabOrder(a, b)
        QWidget.setTabOrder(buttons[-1], self.today_list)

        self._fit_rows()
        ctx.recordsChanged.connect(self._records_changed)
        ctx.userChanged.connect(self.reload)
        ctx.dataReloaded.connect(self.reload)
        self._show_greeting(ctx.today())

    # -- Screen ---------------------------------------------------------------------------------
    def activate(self) -> None:
        # The cursor starts on 登记纠纷 (Enter registers a dispute), not in the reminders: a
        # table taking the focus makes its first row current, whose highlight hides the red.
        self.action_buttons["newCaseButton"].setFocus(Qt.FocusReason.OtherFocusReason)
        self.reload()

    def new_record(self) -> bool:
        """Ctrl+N here registers a dispute, as the 登记纠纷 button does."""
        self.newCaseRequested.emit()
        return True

    # -- reading ---------------------------------------------------------------------------------
    def reload(self) -> None:
        """Read reminders and today's work again on the worker (never blocks the GUI)."""
        if self.ctx.tasks.closed:
            return
        if self._loading:
            self._again = True
            return
        self._loading = True
        self._again = False
        today = self.ctx.today()
        tables = self.ctx.tables

        def read(store: Store) -> HomeData:
            return load_home(store, today, tables)

        self._loads.token = self.ctx.tasks.run(
            read, on_success=self._apply, on_failure=self._failed
        )

    def _records_changed(self, kind: str) -> None:
        if kind in ("cases", "consultations", "settings"):
            self.reload()

    def _finished(self) -> None:
        self._loading = False
        self._loads.token = None
        if self._again:
            self.reload()

    def _failed(self, exc: BaseException) -> None:
        self.reminder_summary.setText(f"读取到期提醒失败：{friendly_message(exc)}")
        self._finished()

    def _apply(self, data: HomeData) -> None:
        self.data = data
        self._show_greeting(data.day)
        self._show_reminders(data)
        self._show_today(data)
        self._finished()
        if not self._loading:
            self.loaded.emit()

    def _show_greeting(self, day: date) -> None:
        self.greeting.setText(
            f"今天是{date_text(day)}，{weekday_text(day)}。　当前用户：{self.ctx.user.display}"
        )

    def _show_reminders(self, data: HomeData) -> None:
        current = self._current_reminder()
        self.reminder_model.set_rows(data.reminders)
        has_rows = bool(data.reminders)
        self.reminder_table.setVisible(has_rows)
        self.reminder_empty.setVisible(not has_rows)
        parts = []
        if data.overdue:
            parts.append(
                f'<span style="color: {OVERDUE_COLOR}; font-weight: 600;">逾期 {data.overdue} 项</span>'
            )
        if data.due_today:
            parts.append(f"今天到期 {data.due_today} 项")
        if data.due_soon:
            parts.append(f"{DUE_SOON_DAYS} 天内到期 {data.due_soon} 项")
        text = " · ".join(parts) if parts else "没有需要处理的期限。"
        if data.truncated:
            text += f"（共 {data.reminder_total} 项，下面列出最紧急的 {len(data.reminders)} 项）"
        self.reminder_summary.setText(text)
        if has_rows:
            self._restore_current(current)

    def _show_today(self, data: HomeData) -> None:
        for label, count in data.today_counts:
            tile = self.count_tiles.get(label)
            if tile is not None:
                tile.set_count(count)
        self.today_model.set_rows(data.today_rows)
        self.today_list.setVisible(bool(data.today_rows))
        self.today_empty.setVisible(not data.today_rows)

    def _current_reminder(self) -> tuple[str, str] | None:
        row = self.reminder_model.row_at(self.reminder_table.currentIndex().row())
        return None if row is None else (row.case_id, row.cells[2])

    def _restore_current(self, current: tuple[str, str] | None) -> None:
        """Keep the row the user was on (by case and deadline) across a re-read. With none,
        nothing is selected, so the first row shows its colour; Tab into the table makes
        the first row current."""
        if current is None:
            return
        target = 0
        for n in range(self.reminder_model.rowCount()):
            row = self.reminder_model.row_at(n)
            if row is not None and (row.case_id, row.cells[2]) == current:
                target = n
                break
        self.reminder_table.setCurrentIndex(self.reminder_model.index(target, 0))

    # -- actions ---------------------------------------------------------------------------------
    def _open_reminder(self, index: QModelIndex) -> None:
        case_id = self.reminder_model.data(index, CASE_ID_ROLE)
        if case_id:
            self.caseRequested.emit(str(case_id))

    def _open_today(self, index: QModelIndex) -> None:
        case_id = self.today_model.data(index, CASE_ID_ROLE)
        if case_id:
            self.caseRequested.emit(str(case_id))
            return
        screen = self.today_model.data(index, SCREEN_ROLE)
        if screen:
            self.screenRequested.emit(str(screen))

    def _quick_action(self, target: str) -> None:
        if target:
            self.screenRequested.emit(target)
        else:
            self.newCaseRequested.emit()

    # -- UI scale --------------------------------------------------------------------------------
    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fit_rows()

    def _fit_rows(self) -> None:
        metrics = self.reminder_table.fontMetrics()
        self.reminder_table.verticalHeader().setDefaultSectionSize(
            metrics.height() + max(6, metrics.height() // 3)
        )

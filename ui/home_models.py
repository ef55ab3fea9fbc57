"""What the 工作台 shows, formatted on the worker, and the item models of its two lists.

:func:`load_home` runs on the database worker: it reads the reminders and today's work
(:mod:`justice_desktop.store.worklist`) and turns them into display strings, with personal
names masked the way the case list masks them (:func:`ui.case_rows.parties_text`). The GUI
thread only copies the ready strings into :class:`ReminderModel` and :class:`TodayModel`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from justice_desktop.codes.tables import CodeTable
from justice_desktop.domain.case_inputs import PERFORMANCE_LABELS
from justice_desktop.domain.consultations import ANONYMOUS_LABEL
from justice_desktop.domain.deadlines import DUE_SOON_DAYS
from justice_desktop.store.database import Store
from justice_desktop.store.worklist import (
    REMINDER_LIMIT,
    Reminder,
    Reminders,
    TodayWork,
    WorkEntry,
    reminders,
    today_work,
)
from justice_desktop.validation.fields import mask_name
from ui.case_rows import parties_text
from ui.qt import AnyIndex, QAbstractListModel, QAbstractTableModel, QColor, QModelIndex, Qt

__all__ = [
    "CASE_ID_ROLE",
    "HomeData",
    "OVERDUE_COLOR",
    "REMINDER_COLUMNS",
    "ReminderModel",
    "ReminderRow",
    "SCREEN_ROLE",
    "TodayModel",
    "TodayRow",
    "date_text",
    "load_home",
]

#: data(index, CASE_ID_ROLE): the case to open ("" for none).
CASE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
#: data(index, SCREEN_ROLE): the screen to open instead of a case ("" for none).
SCREEN_ROLE = Qt.ItemDataRole.UserRole + 2
#: Overdue reminders are shown in this red (readable on white, also for weak colour vision
#: the text itself says 已逾期).
OVERDUE_COLOR = "#b3261e"
DUE_TODAY_COLOR = "#9a5b00"

REMINDER_COLUMNS: tuple[str, ...] = ("案号", "当事人", "事项", "期限", "剩余时间")
_WEEKDAYS = "一二三四五六日"


def date_text(day: date) -> str:
    """2025年6月16日."""
    return f"{day.year}年{day.month}月{day.day}日"


def weekday_text(day: date) -> str:
    return f"星期{_WEEKDAYS[day.weekday()]}"


@dataclass(frozen=True, slots=True)
class ReminderRow:
    case_id: str
    cells: tuple[str, ...]  # one per REMINDER_COLUMNS
    days_left: int
    tooltip: str

    @property
    def overdue(self) -> bool:
        return self.days_left < 0


@dataclass(frozen=True, slots=True)
class TodayRow:
    text: str
    case_id: str  # "" when the row is not a case
    screen: str  # "" or the screen to open (a consultation opens the consultation register)
    tooltip: str


@dataclass(frozen=True, slots=True)
class HomeData:
    """Everything the home screen shows, as display strings."""

    day: date
    reminders: list[ReminderRow]
    reminder_total: int
    overdue: int
    due_today: int
    today_counts: tuple[tuple[str, int], ...]  # (label, count) in display order
    today_rows: list[TodayRow] = field(default_factory=list)

    @property
    def due_soon(self) -> int:
        return self.reminder_total - self.overdue - self.due_today

    @property
    def truncated(self) -> bool:
        return len(self.reminders) < self.reminder_total


def reminder_row(r: Reminder) -> ReminderRow:
    parties = parties_text(r.applicants, r.respondents)
    due = date_text(r.due_on)
    tooltip = f"{r.case_number}\n{parties}\n{r.kind_label}：{due}，{r.when_text}"
    return ReminderRow(
        r.case_id, (r.case_number, parties, r.kind_label, due, r.when_text), r.days_left, tooltip
    )


def _label(tables: Mapping[str, CodeTable], table: str, code: str) -> str:
    found = tables.get(table)
    if found is None or not found.has(code):
        return code
    return found.label(code)


def today_row(e: WorkEntry, tables: Mapping[str, CodeTable]) -> TodayRow:
    if e.kind == "consultation":
        who = ANONYMOUS_LABEL if e.anonymous else mask_name(e.applicants)
        category = _label(tables, "consultation_categories", e.detail)
        text = f"咨询　{who} · {category}"
        return TodayRow(text, "", "consultations", f"{text}\n双击打开法律咨询登记")
    parties = parties_text(e.applicants, e.respondents)
    if e.kind == "case":
        text = f"受理　{e.case_number}　{parties}"
    elif e.kind == "session":
        held = e.at.replace("T", " ")
        text = f"调解　{e.case_number}　{parties} · {held}"
    else:
        performance = PERFORMANCE_LABELS.get(e.detail, "")
        text = f"回访　{e.case_number}　{parties}" + (f" · {performance}" if performance else "")
    return TodayRow(text, e.case_id or "", "", f"{text}\n双击打开案件")


def home_data(rem: Reminders, work: TodayWork, tables: Mapping[str, CodeTable]) -> HomeData:
    counts = (
        ("受理纠纷", work.cases_registered),
        ("调解记录", work.sessions),
        ("回访记录", work.follow_ups),
        ("法律咨询", work.consultations),
        ("今天到期", rem.due_today),
    )
    return HomeData(
        day=work.day,
        reminders=[reminder_row(r) for r in rem.items],
        reminder_total=rem.total,
        overdue=rem.overdue,
        due_today=rem.due_today,
        today_counts=counts,
        today_rows=[today_row(e, tables) for e in work.entries],
    )


def load_home(
    store: Store,
    today: date,
    tables: Mapping[str, CodeTable],
    *,
    soon_days: int = DUE_SOON_DAYS,
    limit: int = REMINDER_LIMIT,
) -> HomeData:
    """Runs on the worker."""
    rem = reminders(store, today, soon_days=soon_days, limit=limit)
    return home_data(rem, today_work(store, today), tables)


# -- models -----------------------------------------------------------------------------------


class ReminderModel(QAbstractTableModel):
    """The reminders, most urgent first; overdue rows in red."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[ReminderRow] = []

    def set_rows(self, rows: list[ReminderRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> ReminderRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's default
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's default
        return 0 if parent.isValid() else len(REMINDER_COLUMNS)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.row_at(index.row())
        if row is None or not 0 <= index.column() < len(REMINDER_COLUMNS):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return row.cells[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.tooltip
        if role == CASE_ID_ROLE:
            return row.case_id
        if role == Qt.ItemDataRole.ForegroundRole:
            if row.overdue:
                return QColor(OVERDUE_COLOR)
            if row.days_left == 0:
                return QColor(DUE_TODAY_COLOR)
            return None
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return REMINDER_COLUMNS[section] if 0 <= section < len(REMINDER_COLUMNS) else None
        return str(section + 1) if 0 <= section < len(self._rows) else None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )


class TodayModel(QAbstractListModel):
    """Today's work, one line per record."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[TodayRow] = []

    def set_rows(self, rows: list[TodayRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> TodayRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's default
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.column() != 0:
            return None
        row = self.row_at(index.row())
        if row is None:
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return row.text
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.tooltip
        if role == CASE_ID_ROLE:
            return row.case_id
        if role == SCREEN_ROLE:
            return row.screen
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

"""Rows and table models of the 法律明白人 screen: the roster with this year's training hours
against the office's target, and the training log of a year.

The ``load_*`` functions run on the database worker (they call the store, never a widget)
and return plain rows with display strings; the models only show them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from justice_desktop.codes.tables import CodeTable
from justice_desktop.domain.understanders import MODE_LABELS
from justice_desktop.store.database import Store
from justice_desktop.store.understanders import (
    UnderstanderService,
    roster_villages,
    roster_with_hours,
    trainings_in_year,
)
from justice_desktop.validation.fields import mask_phone
from ui.qt import AnyIndex, QAbstractTableModel, QBrush, QColor, QModelIndex, QObject, Qt

__all__ = [
    "ID_ROLE",
    "ROSTER_COLUMNS",
    "TRAINING_COLUMNS",
    "RosterData",
    "RosterModel",
    "RosterQuery",
    "RosterRow",
    "TrainingData",
    "TrainingListModel",
    "TrainingRow",
    "format_hours",
    "load_roster",
    "load_trainings",
]

#: data(index, ID_ROLE) gives the record id of the row.
ID_ROLE = Qt.ItemDataRole.UserRole + 1

SHORT_COLOUR = QColor("#b3261e")
STATUS_ACTIVE = "active"
STATUS_REMOVED = "removed"

ROSTER_COLUMNS = (
    "姓名",
    "村（社区）",
    "村民小组",
    "联系电话",
    "推选方式",
    "培训学时",
    "达标情况",
    "状态",
)
HOURS_COLUMN = 5
TARGET_COLUMN = 6
TRAINING_COLUMNS = ("培训日期", "培训主题", "授课人", "方式", "学时", "培训地点", "参训人数")


def format_hours(hours: float) -> str:
    """12.0 → "12", 1.5 → "1.5"."""
    return f"{round(hours, 1):g}"


def _label(table: CodeTable | None, code: str | None) -> str:
    if not code:
        return ""
    if table is None:
        return code
    for entry in table.entries:
        if entry.code == code:
            return entry.label
    return code


@dataclass(frozen=True)
class RosterQuery:
    year: int
    village: str | None = None
    status: str | None = STATUS_ACTIVE
    priority_group: str | None = None
    name: str = ""
    only_short: bool = False


@dataclass(frozen=True)
class RosterRow:
    id: str
    name: str
    village: str
    villager_group: str
    phone: str  # masked
    route: str
    hours: float
    target: float
    status: str
    status_label: str

    @property
    def counted(self) -> bool:
        """Only people on the roster (在册) are held to the yearly target."""
        return self.status == STATUS_ACTIVE

    @property
    def short(self) -> bool:
        return self.counted and self.hours < self.target

    @property
    def missing(self) -> float:
        return max(0.0, round(self.target - self.hours, 1))

    def cell(self, column: int) -> str:
        if column == 0:
            return self.name
        if column == 1:
            return self.village
        if column == 2:
            return self.villager_group
        if column == 3:
            return self.phone
        if column == 4:
            return self.route
        if column == HOURS_COLUMN:
            return format_hours(self.hours)
        if column == TARGET_COLUMN:
            if not self.counted:
                return "—"
            return f"未达标（差{format_hours(self.missing)}学时）" if self.short else "已达标"
        return self.status_label


@dataclass(frozen=True)
class RosterData:
    rows: list[RosterRow]
    target: float
    villages: list[str] = field(default_factory=list)

    @property
    def short_count(self) -> int:
        return sum(1 for r in self.rows if r.short)


def load_roster(store: Store, tables: dict[str, CodeTable], query: RosterQuery) -> RosterData:
    """Runs on the worker: the roster rows of ``query`` with display strings."""
    target = UnderstanderService(store, tables).yearly_target()
    found = roster_with_hours(
        store,
        query.year,
        village=query.village,
        status=query.status,
        priority_group=query.priority_group,
        name=query.name,
    )
    routes = tables.get("nomination_routes")
    statuses = tables.get("understander_statuses")
    rows = [
        RosterRow(
            id=str(r["id"]),
            name=str(r["name"]),
            village=str(r["village"]),
            villager_group=str(r["villager_group"] or ""),
            phone=mask_phone(str(r["phone"])) if r["phone"] else "",
            route=_label(routes, r["nomination_route"]),
            hours=float(r["hours_in_year"]),
            target=target,
            status=str(r["status"]),
            status_label=_label(statuses, r["status"]),
        )
        for r in found
    ]
    if query.only_short:
        rows = [r for r in rows if r.short]
    return RosterData(rows, target, roster_villages(store))


@dataclass(frozen=True)
class TrainingRow:
    id: str
    held_on: str
    topic: str
    trainer: str
    mode: str
    hours: float
    place: str
    attendees: int

    def cell(self, column: int) -> str:
        values = (
            self.held_on,
            self.topic,
            self.trainer,
            MODE_LABELS.get(self.mode, self.mode),
            format_hours(self.hours),
            self.place,
            f"{self.attendees}人",
        )
        return values[column]


@dataclass(frozen=True)
class TrainingData:
    rows: list[TrainingRow]

    @property
    def total_hours(self) -> float:
        return sum(r.hours for r in self.rows)


def load_trainings(store: Store, year: int) -> TrainingData:
    """Runs on the worker: the trainings held in ``year``, newest first."""
    return TrainingData(
        [
            TrainingRow(
                id=str(r["id"]),
                held_on=str(r["held_on"]),
                topic=str(r["topic"]),
                trainer=str(r["trainer"]),
                mode=str(r["mode"]),
                hours=float(r["hours"]),
                place=str(r["place"] or ""),
                attendees=int(r["attendee_count"]),
            )
            for r in trainings_in_year(store, year)
        ]
    )


class _RowsModel(QAbstractTableModel):
    """A read-only table over a list of rows with ``id`` and ``cell(column)``."""

    columns: tuple[str, ...] = ()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Any] = []

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's default
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's default
        return 0 if parent.isValid() else len(self.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self.header(section) if 0 <= section < len(self.columns) else None
        return str(section + 1) if 0 <= section < len(self._rows) else None

    def header(self, section: int) -> str:
        return self.columns[section]

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if not 0 <= index.column() < len(self.columns):
            return None
        row = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return row.cell(index.column())
        if role == ID_ROLE:
            return row.id
        return self.extra_data(row, index.column(), role)

    def extra_data(self, row: Any, column: int, role: int) -> Any:
        return None

    def set_rows(self, rows: list[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_id(self, row: int) -> str | None:
        return str(self._rows[row].id) if 0 <= row < len(self._rows) else None

    def row_of(self, record_id: str) -> int:
        """The row showing ``record_id``, or -1."""
        for i, r in enumerate(self._rows):
            if r.id == record_id:
                return i
        return -1


class RosterModel(_RowsModel):
    """The roster: one row per person; hours are those of :attr:`year`."""

    columns = ROSTER_COLUMNS

    def __init__(self, year: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._year = year

    @property
    def year(self) -> int:
        return self._year

    def set_data(self, year: int, rows: list[RosterRow]) -> None:
        self._year = year
        self.set_rows(rows)
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, HOURS_COLUMN, HOURS_COLUMN)

    def header(self, section: int) -> str:
        if section == HOURS_COLUMN:
            return f"培训学时（{self._year}年）"
        return self.columns[section]

    def row_at(self, row: int) -> RosterRow | None:
        found = self._rows[row] if 0 <= row < len(self._rows) else None
        return found if isinstance(found, RosterRow) else None

    def extra_data(self, row: Any, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and column in (HOURS_COLUMN, TARGET_COLUMN):
            return QBrush(SHORT_COLOUR) if row.short else None
        if role == Qt.ItemDataRole.TextAlignmentRole and column == HOURS_COLUMN:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class TrainingListModel(_RowsModel):
    """The trainings of one year (培训台账)."""

    columns = TRAINING_COLUMNS

    def extra_data(self, row: Any, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (4, 6):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

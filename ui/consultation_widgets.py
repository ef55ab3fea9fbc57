"""Small pieces the quick-entry screens (法律咨询, 顾问日志) share.

* :class:`TypeableCombo` — a code-table combo box the user types into: a label, part of it
  or its pinyin initials (``hyjt`` → 婚姻家庭); the typed text is resolved to an entry when the
  field is left and whenever the value is read.
* :class:`SaveKey` — Ctrl+S in any field of a form calls the form's save (when the main
  window has its own Ctrl+S shortcut, that one fires first and calls ``Screen.save``).
* :class:`RowsTableModel` — a read-only table model over a list of row dicts.
* :class:`Alive` — worker callbacks that arrive after a widget was deleted are dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from justice_desktop.codes.tables import CodeTable
from justice_desktop.store.search import name_initials
from ui.qt import (
    AnyIndex,
    QAbstractSpinBox,
    QAbstractTableModel,
    QCheckBox,
    QComboBox,
    QCompleter,
    QEvent,
    QKeyEvent,
    QLineEdit,
    QModelIndex,
    QObject,
    QPlainTextEdit,
    Qt,
    QWidget,
)

__all__ = [
    "Alive",
    "Column",
    "ID_ROLE",
    "RowsTableModel",
    "SaveKey",
    "TypeableCombo",
    "set_tab_chain",
]

T = TypeVar("T")

#: data(index, ID_ROLE) gives the record id of the row.
ID_ROLE = Qt.ItemDataRole.UserRole + 1

TYPE_HINT = "可输入文字或拼音首字母"


def _initials(label: str) -> tuple[str, ...]:
    return name_initials(label)


class TypeableCombo(QComboBox):
    """An editable combo box whose typed text is resolved to one of its items.

    Item data is the code; ``aliases`` maps a code to extra words that choose it (e.g.
    ``{"男": ["m", "nan"]}``)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        completer = self.completer()
        if completer is not None:
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        edit = self.lineEdit()
        if edit is not None:
            edit.setPlaceholderText(TYPE_HINT)
        self._aliases: dict[str, tuple[str, ...]] = {}

    def set_placeholder(self, text: str) -> None:
        edit = self.lineEdit()
        if edit is not None:
            edit.setPlaceholderText(text)

    # -- filling -----------------------------------------------------------------------------
    def set_items(
        self, items: Iterable[tuple[str, str]], aliases: Mapping[str, Sequence[str]] | None = None
    ) -> None:
        """``items`` are (label, code); the current code is kept if it is still there."""
        current = self.code()
        self.blockSignals(True)
        self.clear()
        for label, code in items:
            self.addItem(label, code)
        self._aliases = {k: tuple(a.lower() for a in v) for k, v in (aliases or {}).items()}
        self.blockSignals(False)
        self.set_code(current)

    def fill_table(
        self, table: CodeTable, *, parent_code: str | None = None, exclude: Iterable[str] = ()
    ) -> None:
        skip = set(exclude)
        self.set_items(
            (e.label, e.code)
            for e in table.entries
            if e.parent == parent_code and not e.superseded_by and e.code not in skip
        )

    # -- value -------------------------------------------------------------------------------
    def code(self) -> str | None:
        """The code of the item the typed text names (None when empty or unknown)."""
        index = self._match(self.currentText())
        if index < 0:
            return None
        data = self.itemData(index)
        return str(data) if data is not None else None

    def set_code(self, code: str | None) -> None:
        index = self.findData(code) if code is not None else -1
        self.setCurrentIndex(index)
        if index < 0:
            self.setEditText("")

    def resolve(self) -> None:
        """Replace the typed text by the label of the item it names (if any)."""
        text = self.currentText()
        index = self._match(text)
        if index >= 0 and (index != self.currentIndex() or self.itemText(index) != text):
            self.setCurrentIndex(index)

    def event(self, e: QEvent) -> bool:
        if e.type() == QEvent.Type.FocusOut:
            self.resolve()
        return super().event(e)

    def _match(self, raw: str) -> int:
        text = raw.strip()
        if not text:
            return -1
        lowered = text.lower()
        labels = [self.itemText(i) for i in range(self.count())]
        stages: list[Callable[[int, str], bool]] = [
            lambda _i, label: label == text,
            lambda i, _label: lowered in self._aliases.get(str(self.itemData(i)), ()),
            lambda _i, label: label.startswith(text),
            lambda _i, label: (
                lowered.isascii() and any(ini.startswith(lowered) for ini in _initials(label))
            ),
            lambda _i, label: text in label,
            lambda _i, label: (
                len(lowered) > 1
                and lowered.isascii()
                and any(lowered in ini for ini in _initials(label))
            ),
        ]
        for stage in stages:
            for i, label in enumerate(labels):
                if stage(i, label):
                    return i
        return -1


class SaveKey(QObject):
    """Ctrl+S in a watched field calls ``on_save``."""

    def __init__(self, root: QWidget, on_save: Callable[[], object]) -> None:
        super().__init__(root)
        self._on_save = on_save
        self.watch(root)

    def watch(self, root: QWidget) -> None:
        kinds = (QLineEdit, QComboBox, QAbstractSpinBox, QCheckBox, QPlainTextEdit)
        for widget in root.findChildren(QWidget):
            if isinstance(widget, kinds):
                widget.removeEventFilter(self)
                widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        if event.key() == Qt.Key.Key_S and event.modifiers() == Qt.KeyboardModifier.ControlModifier:
            self._on_save()
            return True
        return False


def set_tab_chain(widgets: Sequence[QWidget]) -> None:
    """Tab (and Enter) visit ``widgets`` in this order."""
    for first, second in zip(widgets, widgets[1:], strict=False):
        QWidget.setTabOrder(first, second)


class Alive:
    """Wraps callbacks so they do nothing once ``owner`` has been destroyed."""

    def __init__(self, owner: QObject) -> None:
        self.alive = True
        owner.destroyed.connect(self._dead)

    def _dead(self, *_args: object) -> None:
        self.alive = False

    def __call__(self, fn: Callable[[T], None]) -> Callable[[T], None]:
        def call(value: T) -> None:
            if self.alive:
                fn(value)

        return call


# -- a read-only table of row dicts ------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    header: str
    text: Callable[[Mapping[str, Any]], str]
    right: bool = False


class RowsTableModel(QAbstractTableModel):
    """Rows (dicts with an ``id``) shown through ``columns``; replaced as a whole."""

    def __init__(self, columns: Sequence[Column], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self._rows: list[Mapping[str, Any]] = []

    def set_columns(self, columns: Sequence[Column]) -> None:
        self.beginResetModel()
        self._columns = list(columns)
        self.endResetModel()

    def set_rows(self, rows: Sequence[Mapping[str, Any]]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> Mapping[str, Any] | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rows(self) -> list[Mapping[str, Any]]:
        return list(self._rows)

    def row_of(self, record_id: str) -> int:
        for i, row in enumerate(self._rows):
            if row.get("id") == record_id:
                return i
        return -1

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's default
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's default
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if not 0 <= index.column() < len(self._columns):
            return None
        row, column = self._rows[index.row()], self._columns[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return column.text(row)
        if role == Qt.ItemDataRole.TextAlignmentRole and column.right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == ID_ROLE:
            return row.get("id")
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            if 0 <= section < len(self._columns):
                return self._columns[section].header
            return None
        return str(section + 1)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

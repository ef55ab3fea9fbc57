"""Small pieces the settings tabs share: writes on the worker with errors under the fields,
read-only tables, confirmation questions."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from justice_desktop.store.database import Store
from justice_desktop.validation import ValidationError
from ui.context import AppContext
from ui.forms import FieldErrors
from ui.qt import (
    QAbstractItemView,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QMessageBox,
    QPushButton,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

T = TypeVar("T")

__all__ = [
    "add_button_row",
    "ask_confirm",
    "current_id",
    "make_table",
    "run_write",
    "set_rows",
    "size_text",
]

ROW_ID = Qt.ItemDataRole.UserRole


def run_write(
    ctx: AppContext,
    fn: Callable[[Store], T],
    errors: FieldErrors,
    on_success: Callable[[T], None],
    *,
    button: QPushButton | None = None,
) -> None:
    """Run ``fn`` on the worker; a ValidationError goes under its field (nothing typed is
    touched), other errors to the usual message box. ``button`` is disabled meanwhile."""
    if button is not None:
        button.setEnabled(False)

    def done(result: T) -> None:
        if button is not None:
            button.setEnabled(True)
        errors.clear()
        on_success(result)

    def failed(exc: BaseException) -> None:
        if button is not None:
            button.setEnabled(True)
        if isinstance(exc, ValidationError):
            errors.show(exc)
        else:
            ctx.tasks.failure_handler(exc)

    ctx.tasks.run(fn, on_success=done, on_failure=failed)


def add_button_row(form: QFormLayout, button: QPushButton) -> None:
    """A button under the fields, at its natural width."""
    row = QHBoxLayout()
    row.addWidget(button)
    row.addStretch(1)
    form.addRow("", row)


def make_table(parent: QWidget, headers: Sequence[str], name: str) -> QTableWidget:
    table = QTableWidget(0, len(headers), parent)
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    table.setAlternatingRowColors(True)
    return table


def set_rows(table: QTableWidget, rows: Sequence[tuple[Any, Sequence[str]]]) -> None:
    """Fill ``table`` with ``(row id, texts)``; the selection follows the same id."""
    selected = current_id(table)
    table.setRowCount(len(rows))
    for r, (row_id, texts) in enumerate(rows):
        for c, text in enumerate(texts):
            item = QTableWidgetItem(text)
            item.setData(ROW_ID, row_id)
            table.setItem(r, c, item)
    for r, (row_id, _texts) in enumerate(rows):
        if row_id == selected:
            table.selectRow(r)


def current_id(table: QTableWidget) -> Any:
    rows = table.selectionModel().selectedRows() if table.selectionModel() else []
    if not rows:
        return None
    item = table.item(rows[0].row(), 0)
    return None if item is None else item.data(ROW_ID)


def ask_confirm(parent: QWidget | None, title: str, text: str, yes: str) -> bool:
    """A question with 「yes」 and 取消 (the default: nothing happens on a stray Enter)."""
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        title,
        text,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        parent,
    )
    box.button(QMessageBox.StandardButton.Yes).setText(yes)
    box.button(QMessageBox.StandardButton.Cancel).setText("取消")
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    answer = box.exec()
    box.deleteLater()
    return answer == QMessageBox.StandardButton.Yes


def size_text(size: int) -> str:
    if size >= 1024 * 1024 * 1024:
        return f"{size / 1024**3:.1f} GB"
    if size >= 1024 * 1024:
        return f"{size / 1024**2:.1f} MB"
    return f"{max(size, 0) / 1024:.0f} KB"

"""被拒收的修改: changes the city server refused (parked), with the server's reason.

A refused change is kept, blocks nothing and is not sent again on its own. The list shows the
record (kind in Chinese and case number or name), the operation, the reason and when it was
refused; 重新发送 puts the selected ones (or 全部重新发送: all) back in the outbox for the next
sync (``sync_state.unpark``). Reading and unparking run on the database worker (no network).
"""

from __future__ import annotations

from dataclasses import dataclass

from justice_desktop.store import sync_state
from justice_desktop.store.database import Store
from justice_desktop.store.sync_state import ParkedChange
from ui.conflicts_dialog import TABLE_KINDS, describe_record
from ui.context import AppContext
from ui.qt import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
    Signal,
)
from ui.settings_common import ROW_ID, make_table, set_rows

__all__ = ["OPERATIONS", "ParkedDialog", "ParkedItem", "load_parked"]

OPERATIONS = {"insert": "新增", "update": "修改", "delete": "删除"}


@dataclass(frozen=True)
class ParkedItem:
    change: ParkedChange
    kind: str
    record: str


def load_parked(store: Store) -> list[ParkedItem]:
    """Runs on the worker."""
    return [
        ParkedItem(
            change,
            TABLE_KINDS.get(change.table_name, change.table_name),
            describe_record(store, change.table_name, change.record_id) or change.record_id[:8],
        )
        for change in sync_state.parked(store)
    ]


class ParkedDialog(QDialog):
    """The refused changes (see the module docstring)."""

    #: Changes were put back in the outbox.
    changed = Signal()
    #: The list was read.
    loaded = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.items: list[ParkedItem] = []
        self.setObjectName("parkedDialog")
        self.setWindowTitle("被服务器拒收的修改")
        layout = QVBoxLayout(self)
        intro = QLabel(
            "市局服务器没有接受下列修改（原因见右栏）。它们保存在本机，不影响其他数据的同步。"
            "问题解决后（例如更新了程序）可以重新发送。",
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.table = make_table(
            self, ("类型", "记录", "操作", "拒收原因", "拒收时间"), "parkedTable"
        )
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        layout.addWidget(self.table, 1)
        self.status_label = QLabel("", self)
        self.status_label.setObjectName("parkedStatus")
        layout.addWidget(self.status_label)
        row = QHBoxLayout()
        self.resend_button = QPushButton("重新发送", self)
        self.resend_button.setObjectName("resendSelected")
        self.resend_button.clicked.connect(self.resend_selected)
        self.resend_all_button = QPushButton("全部重新发送", self)
        self.resend_all_button.setObjectName("resendAll")
        self.resend_all_button.clicked.connect(self.resend_all)
        close = QPushButton("关闭", self)
        close.clicked.connect(self.accept)
        row.addWidget(self.resend_button)
        row.addWidget(self.resend_all_button)
        row.addStretch(1)
        row.addWidget(close)
        layout.addLayout(row)
        self.resize(860, 400)
        self.reload()

    def reload(self) -> None:
        if not self.ctx.tasks.closed:
            self.ctx.tasks.run(load_parked, on_success=self.show_items)

    def show_items(self, items: list[ParkedItem]) -> None:
        self.items = items
        set_rows(
            self.table,
            [
                (
                    item.change.seq,
                    (
                        item.kind,
                        item.record,
                        OPERATIONS.get(item.change.op, item.change.op),
                        item.change.reason,
                        item.change.parked_at.replace("T", " ")[:16],
                    ),
                )
                for item in items
            ],
        )
        for button in (self.resend_button, self.resend_all_button):
            button.setEnabled(bool(items))
        if not items and not self.status_label.text().startswith("已将"):
            self.status_label.setText("没有被拒收的修改。")
        self.loaded.emit()

    def selected_seqs(self) -> list[int]:
        model = self.table.selectionModel()
        rows = model.selectedRows() if model is not None else []
        seqs = []
        for index in rows:
            item = self.table.item(index.row(), 0)
            if item is not None:
                seqs.append(int(item.data(ROW_ID)))
        return seqs

    def resend_selected(self) -> None:
        seqs = self.selected_seqs()
        if not seqs:
            self.status_label.setText("请先选择要重新发送的修改。")
            return
        self._unpark(seqs)

    def resend_all(self) -> None:
        self._unpark(None)

    def _unpark(self, seqs: list[int] | None) -> None:
        def done(count: int) -> None:
            self.status_label.setText(f"已将 {count} 条修改放回待同步，下次同步时重新发送。")
            self.changed.emit()
            self.reload()

        self.ctx.tasks.run(lambda store: sync_state.unpark(store, seqs), on_success=done)

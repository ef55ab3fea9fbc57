"""同步冲突: the office's open conflicts, and deciding one side by side.

Two computers changed the same field of a record (or one deleted a record the other edited)
before either had synced. The server kept one value provisionally and recorded a conflict; a
person decides here.

* :class:`ConflictsDialog` lists them: the kind of record in Chinese (调解案件, 当事人…), the
  case number or name, the field, both values. The list is read on the database worker
  (:func:`load_conflicts`).
* :class:`ResolveDialog` shows 原值 | 本机/另一台电脑的值 | 服务器现值 side by side, the value in
  use now marked 〔暂用〕; the user takes one or types another. For a record deleted on one
  computer and edited on the other: 保留记录 or 删除记录.
* The decision goes to the server on the sync thread (it needs the network); the result is
  pulled and the list read again. :attr:`ConflictsDialog.changed` tells the window that
  records changed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from justice_desktop.store import sync_state
from justice_desktop.store.database import Store
from justice_desktop.store.sync_state import ConflictRow
from ui.context import AppContext
from ui.qt import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    Signal,
)
from ui.settings_common import current_id, make_table, set_rows
from ui.sync_controller import SyncController, error_text

__all__ = [
    "FIELD_LABELS",
    "TABLE_KINDS",
    "ConflictItem",
    "ConflictsDialog",
    "ResolveDialog",
    "describe_record",
    "load_conflicts",
    "value_text",
]

TABLE_KINDS: dict[str, str] = {
    "cases": "调解案件",
    "parties": "当事人",
    "understanders": "法律明白人",
    "consultations": "法律咨询",
    "adviser_logs": "顾问日志",
    "trainings": "培训",
    "training_attendance": "培训签到",
    "assessments": "考核",
    "agreements": "调解协议",
    "follow_ups": "回访",
    "investigations": "调查记录",
    "sessions": "调解记录",
    "extensions": "延期",
    "judicial_confirmations": "司法确认",
    "attachments": "附件",
    "case_mediators": "调解员",
    "committees": "调解委员会",
    "users": "用户",
    "offices": "本所信息",
    "code_entries": "代码表",
    "settings": "设置",
}

FIELD_LABELS: dict[str, str] = {
    "summary": "纠纷简要情况",
    "village": "村（社区）",
    "closing_note": "结案说明",
    "status": "状态",
    "outcome": "调解结果",
    "dispute_type": "纠纷类型",
    "dispute_subtype": "纠纷细类",
    "registered_on": "登记日期",
    "source": "案件来源",
    "case_number": "案号",
    "name": "姓名（名称）",
    "phone": "电话",
    "address": "住址",
    "gender": "性别",
    "id_number": "身份证号",
    "birth_date": "出生日期",
    "ethnicity": "民族",
    "content": "内容",
    "reply": "答复",
    "category": "类别",
    "note": "备注",
    "title": "标题",
    "hours": "学时",
}

PROVISIONAL_MARK = "〔暂用〕"
EMPTY = "（空）"


def value_text(value: Any) -> str:
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str | int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False, indent=1)


@dataclass(frozen=True)
class ConflictItem:
    row: ConflictRow
    kind: str
    record: str
    field: str

    @property
    def delete_against_edit(self) -> bool:
        return self.row.field is None


def describe_record(store: Store, table: str, record_id: str) -> str:
    row = sync_state.record_row(store, table, record_id)
    if row is None:
        return ""
    if table == "cases":
        return str(row.get("case_number") or "")
    name = str(row.get("name") or "")
    case_id = row.get("case_id")
    if isinstance(case_id, str) and case_id:
        case = sync_state.record_row(store, "cases", case_id)
        number = str(case.get("case_number") or "") if case else ""
        return f"{name}（{number}）" if name and number else name or number
    return name


def load_conflicts(store: Store) -> list[ConflictItem]:
    """Runs on the worker."""
    items = []
    for row in sync_state.open_conflicts(store):
        field = (
            "整条记录（删除与修改）"
            if row.field is None
            else FIELD_LABELS.get(row.field, row.field)
        )
        items.append(
            ConflictItem(
                row,
                TABLE_KINDS.get(row.table_name, row.table_name),
                describe_record(store, row.table_name, row.record_id) or row.record_id[:8],
                field,
            )
        )
    return items


def _time(stamp: int) -> str:
    try:
        return datetime.fromtimestamp(stamp).strftime("%Y-%m-%d %H:%M")
    except (OverflowError, OSError, ValueError):
        return ""


def _short(value: Any) -> str:
    text = value_text(value).replace("\n", " ")
    return text if len(text) <= 40 else text[:39] + "…"


class ResolveDialog(QDialog):
    """One conflict side by side; after 确定 :attr:`decision` is ``{"value": …}`` or
    ``{"keep": bool}``."""

    def __init__(self, item: ConflictItem, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.item = item
        self.decision: dict[str, Any] | None = None
        self.setObjectName("resolveDialog")
        self.setWindowTitle("处理同步冲突")
        row = item.row
        layout = QVBoxLayout(self)
        head = QLabel(f"{item.kind}　{item.record}　—　{item.field}", self)
        head.setWordWrap(True)
        layout.addWidget(head)
        explain = QLabel(
            "本所两台电脑在同步之前都修改了这项内容。服务器暂时采用了标有“〔暂用〕”的值，"
            "请选择正确的值（也可以自己填写），确定后各台电脑同步时都会改成这个值。"
            if row.field is not None
            else "一台电脑删除了这条记录，另一台电脑在同步之前又修改了它。服务器暂时保留了记录，"
            "请决定保留还是删除。",
            self,
        )
        explain.setWordWrap(True)
        layout.addWidget(explain)
        grid = QGridLayout()
        layout.addLayout(grid)
        self.group = QButtonGroup(self)
        self.choices: dict[str, QRadioButton] = {}
        columns = (
            ("base", "原值", row.base),
            ("incoming", "本机/另一台电脑的值", row.incoming),
            ("server", "服务器现值", row.server),
        )
        for col, (key, title, value) in enumerate(columns):
            mark = PROVISIONAL_MARK if value == row.provisional and row.field is not None else ""
            grid.addWidget(QLabel(f"{title}{mark}", self), 0, col)
            text = QPlainTextEdit(value_text(value), self)
            text.setReadOnly(True)
            text.setObjectName(f"conflict_{key}")
            grid.addWidget(text, 1, col)
            if row.field is not None:
                radio = QRadioButton("采用此值", self)
                radio.setObjectName(f"choose_{key}")
                self.group.addButton(radio)
                self.choices[key] = radio
                grid.addWidget(radio, 2, col)
                if mark:
                    radio.setChecked(True)
        self.own_edit = QLineEdit(self)
        self.own_edit.setObjectName("conflictOwnValue")
        self.error_label = QLabel("", self)
        self.error_label.setObjectName("resolveError")
        self.error_label.setStyleSheet("color: #b00020;")
        self.error_label.hide()
        buttons = QDialogButtonBox(self)
        if row.field is not None:
            own = QRadioButton("自己填写：", self)
            own.setObjectName("choose_own")
            self.group.addButton(own)
            self.choices["own"] = own
            line = QHBoxLayout()
            line.addWidget(own)
            line.addWidget(self.own_edit, 1)
            layout.addLayout(line)
            self.own_edit.textEdited.connect(lambda _t: own.setChecked(True))
            ok = buttons.addButton("确定", QDialogButtonBox.ButtonRole.AcceptRole)
            ok.setObjectName("resolveOk")
            ok.clicked.connect(self.accept_choice)
        else:
            self.own_edit.hide()
            self.keep_button = buttons.addButton("保留记录", QDialogButtonBox.ButtonRole.AcceptRole)
            self.keep_button.setObjectName("keepRecord")
            self.keep_button.clicked.connect(lambda: self.decide({"keep": True}))
            self.delete_button = buttons.addButton(
                "删除记录", QDialogButtonBox.ButtonRole.DestructiveRole
            )
            self.delete_button.setObjectName("deleteRecord")
            self.delete_button.clicked.connect(lambda: self.decide({"keep": False}))
        cancel = buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        cancel.clicked.connect(self.reject)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self.resize(760, 360)

    def choose(self, key: str, text: str | None = None) -> None:
        """Select a column (``base``, ``incoming``, ``server``) or ``own`` with ``text``."""
        self.choices[key].setChecked(True)
        if text is not None:
            self.own_edit.setText(text)

    def chosen_value(self) -> tuple[bool, Any]:
        row = self.item.row
        for key, value in (("base", row.base), ("incoming", row.incoming), ("server", row.server)):
            if key in self.choices and self.choices[key].isChecked():
                return True, value
        if "own" in self.choices and self.choices["own"].isChecked():
            text = self.own_edit.text().strip()
            if not text:
                return False, None
            numbers = [v for v in (row.base, row.incoming, row.server) if v is not None]
            if numbers and all(isinstance(v, int) and not isinstance(v, bool) for v in numbers):
                try:
                    return True, int(text)
                except ValueError:
                    return False, None
            return True, text
        return False, None

    def accept_choice(self) -> None:
        ok, value = self.chosen_value()
        if not ok:
            self.error_label.setText("请选择一个值，或在“自己填写”中填写正确的值")
            self.error_label.show()
            return
        self.decide({"value": value})

    def decide(self, decision: dict[str, Any]) -> None:
        self.decision = decision
        self.accept()


class ConflictsDialog(QDialog):
    """The office's open sync conflicts (see the module docstring)."""

    #: A conflict was resolved: records changed.
    changed = Signal()
    #: The list was read (tests wait for it).
    loaded = Signal()

    def __init__(
        self, ctx: AppContext, controller: SyncController, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.controller = controller
        self.items: list[ConflictItem] = []
        self.resolve_dialog: ResolveDialog | None = None
        self.setObjectName("conflictsDialog")
        self.setWindowTitle("同步冲突")
        layout = QVBoxLayout(self)
        intro = QLabel(
            "下列内容在本所两台电脑上被同时修改。请逐条选择正确的值；处理前服务器暂用其中一个值。",
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.table = make_table(
            self,
            ("类型", "记录", "内容", "本机/另一台电脑的值", "服务器现值", "发生时间"),
            "conflictsTable",
        )
        self.table.doubleClicked.connect(lambda _i: self.resolve_selected())
        layout.addWidget(self.table, 1)
        self.status_label = QLabel("", self)
        self.status_label.setObjectName("conflictsStatus")
        self.status_label.setWordWrap(True)
        layout.addWidget(self.status_label)
        row = QHBoxLayout()
        self.resolve_button = QPushButton("处理…", self)
        self.resolve_button.setObjectName("resolveConflict")
        self.resolve_button.clicked.connect(self.resolve_selected)
        self.reload_button = QPushButton("刷新", self)
        self.reload_button.clicked.connect(self.reload)
        close = QPushButton("关闭", self)
        close.clicked.connect(self.accept)
        row.addWidget(self.resolve_button)
        row.addWidget(self.reload_button)
        row.addStretch(1)
        row.addWidget(close)
        layout.addLayout(row)
        self.resize(900, 420)
        self.reload()

    def reload(self) -> None:
        if not self.ctx.tasks.closed:
            self.ctx.tasks.run(load_conflicts, on_success=self.show_items)

    def show_items(self, items: list[ConflictItem]) -> None:
        self.items = items
        set_rows(
            self.table,
            [
                (
                    item.row.id,
                    (
                        item.kind,
                        item.record,
                        item.field,
                        "" if item.delete_against_edit else _short(item.row.incoming),
                        "" if item.delete_against_edit else _short(item.row.server),
                        _time(item.row.created_at),
                    ),
                )
                for item in items
            ],
        )
        if items and current_id(self.table) is None:
            self.table.selectRow(0)
        self.resolve_button.setEnabled(bool(items))
        if not items:
            done = self.status_label.text()
            prefix = f"{done}　" if done.startswith("已处理") else ""
            self.status_label.setText(f"{prefix}没有待处理的冲突。")
        self.loaded.emit()

    def selected(self) -> ConflictItem | None:
        wanted = current_id(self.table)
        return next((i for i in self.items if i.row.id == wanted), None)

    def resolve_selected(self) -> None:
        item = self.selected()
        if item is None:
            return
        dialog = ResolveDialog(item, self)
        self.resolve_dialog = dialog
        dialog.accepted.connect(lambda: self._send(item, dialog.decision))
        dialog.finished.connect(lambda _r: dialog.deleteLater())
        dialog.open()

    def _send(self, item: ConflictItem, decision: dict[str, Any] | None) -> None:
        self.resolve_dialog = None
        if decision is None:
            return
        self.status_label.setText("正在把处理结果发送到市局服务器…")
        self.resolve_button.setEnabled(False)

        def done(result: object) -> None:
            self.resolve_button.setEnabled(True)
            if isinstance(result, BaseException):
                self.status_label.setText(f"未能处理：{error_text(result)}")
            else:
                self.status_label.setText(f"已处理：{item.kind}　{item.record}　{item.field}")
                self.changed.emit()
            self.reload()

        started = self.controller.resolve(
            item.row.id, done, value=decision.get("value"), keep=decision.get("keep")
        )
        if not started:
            self.resolve_button.setEnabled(True)
            self.status_label.setText("正在与市局服务器通信（可能正在同步），请稍候再处理。")

"""Settings tab 用户: the local profiles with their roles; add one, deactivate one."""

from __future__ import annotations

from justice_desktop.store.office import add_user, deactivate_user
from ui.context import AppContext
from ui.dialogs import show_info
from ui.forms import EnterMovesOn, FieldErrors, combo_value
from ui.qt import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from ui.settings_common import (
    add_button_row,
    ask_confirm,
    current_id,
    make_table,
    run_write,
    set_rows,
)
from ui.user_switch import role_combo

__all__ = ["UsersTab"]

CURRENT_MARK = "当前用户"


class UsersTab(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("usersTab")
        layout = QVBoxLayout(self)
        self.table = make_table(self, ("姓名", "角色", "状态"), "userTable")
        self.table.itemSelectionChanged.connect(self._selection_changed)
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.deactivate_button = QPushButton("停用所选用户…", self)
        self.deactivate_button.setObjectName("deactivateUser")
        self.deactivate_button.clicked.connect(self.deactivate)
        self.deactivate_button.setEnabled(False)
        row.addWidget(self.deactivate_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.list_banner = QLabel(self)
        self.list_errors = FieldErrors(self.list_banner)
        layout.addWidget(self.list_banner)

        box = QGroupBox("添加用户", self)
        layout.addWidget(box)
        box_layout = QVBoxLayout(box)
        form = QFormLayout()
        box_layout.addLayout(form)
        self.banner = QLabel(box)
        self.errors = FieldErrors(self.banner)
        self.name_edit = QLineEdit(box)
        self.name_edit.setObjectName("newUserName")
        self.role_combo = role_combo(box, "clerk")
        self.role_combo.setObjectName("newUserRole")
        self.errors.add_row(form, "姓名", "name", self.name_edit)
        self.errors.add_row(form, "角色", "role", self.role_combo)
        self.add_button = QPushButton("添加用户", box)
        self.add_button.setObjectName("addUser")
        self.add_button.clicked.connect(self.add)
        add_button_row(form, self.add_button)
        box_layout.addWidget(self.banner)
        note = QLabel("停用的用户不能再切换使用；其登记的记录保留，仍显示其姓名。", self)
        note.setWordWrap(True)
        layout.addWidget(note)
        EnterMovesOn(box, last=self.role_combo, on_last=self.add)
        self.refresh()

    def refresh(self) -> None:
        rows = [
            (u.id, (u.name, u.role_label, CURRENT_MARK if u.id == self.ctx.user.id else ""))
            for u in self.ctx.users
        ]
        self.table.blockSignals(True)
        set_rows(self.table, rows)
        self.table.blockSignals(False)
        self._selection_changed()

    def _selection_changed(self) -> None:
        chosen = current_id(self.table)
        self.deactivate_button.setEnabled(chosen is not None and chosen != self.ctx.user.id)

    def add(self) -> None:
        name, role, user = (
            self.name_edit.text(),
            combo_value(self.role_combo) or "",
            self.ctx.user.id,
        )

        def done(_user_id: str) -> None:
            self.name_edit.clear()
            self.ctx.reload()
            self.ctx.notify("settings")
            show_info(self, f"已添加用户“{name.strip()}”。")

        run_write(
            self.ctx,
            lambda store: add_user(store, user, name, role),
            self.errors,
            done,
            button=self.add_button,
        )

    def deactivate(self) -> None:
        chosen = current_id(self.table)
        found = next((u for u in self.ctx.users if u.id == chosen), None)
        if found is None:
            return
        if not ask_confirm(
            self,
            "停用用户",
            f"确定停用用户“{found.display}”吗？停用后该用户不能再切换使用，其登记的记录保留。",
            "停用",
        ):
            return
        acting = self.ctx.user.id

        def done(_result: None) -> None:
            self.ctx.reload()
            self.ctx.notify("settings")
            show_info(self, f"已停用用户“{found.name}”。")

        run_write(
            self.ctx,
            lambda store: deactivate_user(store, acting, found.id),
            self.list_errors,
            done,
            button=self.deactivate_button,
        )

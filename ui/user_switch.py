"""切换用户: another local profile takes over without a restart, and a new profile can be added
on the spot.

* :class:`UserSwitchDialog` lists ``ctx.users`` (姓名（角色）); choosing one and pressing
  Enter, double-clicking it or 确定 accepts; :meth:`UserSwitchDialog.selected_user` is then the
  :class:`~ui.context.CurrentUser`.
* :func:`switch_user` runs the dialog and makes the choice ``ctx.user`` (``ctx.userChanged``
  tells the screens).
* :class:`NewUserDialog` adds a local profile (姓名, 角色) on the worker; errors appear under
  the field, nothing typed is lost.
"""

from __future__ import annotations

from justice_desktop.store.office import ROLE_LABELS, add_user
from justice_desktop.validation import ValidationError
from ui.context import AppContext, CurrentUser
from ui.forms import EnterMovesOn, FieldErrors, combo_value
from ui.qt import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    Qt,
    QVBoxLayout,
    QWidget,
)

__all__ = ["NewUserDialog", "UserSwitchDialog", "role_combo", "switch_user"]

_USER_ROLE = Qt.ItemDataRole.UserRole


def role_combo(parent: QWidget | None, current: str | None = None) -> QComboBox:
    """The four roles by their Chinese names; item data is the role code."""
    combo = QComboBox(parent)
    combo.addItem("请选择", None)
    for code, label in ROLE_LABELS.items():
        combo.addItem(label, code)
    if current is not None:
        combo.setCurrentIndex(max(combo.findData(current), 0))
    return combo


class NewUserDialog(QDialog):
    """Add a local profile; ``created_id`` holds its id after 确定 succeeded."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.created_id: str | None = None
        self.setWindowTitle("新建用户")
        self.setObjectName("newUserDialog")
        layout = QVBoxLayout(self)
        form = QFormLayout()
        layout.addLayout(form)
        banner = QLabel(self)
        self.errors = FieldErrors(banner)
        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("newUserName")
        self.role_combo = role_combo(self, "clerk")
        self.role_combo.setObjectName("newUserRole")
        self.errors.add_row(form, "姓名", "name", self.name_edit)
        self.errors.add_row(form, "角色", "role", self.role_combo)
        layout.addWidget(banner)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("确定")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        EnterMovesOn(self, last=self.role_combo, on_last=self.submit)
        self._busy = False

    def submit(self) -> None:
        if self._busy:
            return
        name = self.name_edit.text()
        role = combo_value(self.role_combo) or ""
        acting = self.ctx.user.id
        self._busy = True
        self.ok_button.setEnabled(False)
        self.ctx.tasks.run(
            lambda store: add_user(store, acting, name, role),
            on_success=self._created,
            on_failure=self._failed,
        )

    def _created(self, user_id: str) -> None:
        self.created_id = user_id
        self._busy = False
        self.ctx.notify("settings")
        self.ctx.reload(then=self.accept)

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        self.ok_button.setEnabled(True)
        if isinstance(exc, ValidationError):
            self.errors.show(exc)
        else:
            self.ctx.tasks.failure_handler(exc)


class UserSwitchDialog(QDialog):
    """Choose the local profile to work as."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("切换用户")
        self.setObjectName("userSwitchDialog")
        layout = QVBoxLayout(self)
        hint = QLabel(f"当前用户：{ctx.user.display}。请选择要切换到的用户：", self)
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.list = QListWidget(self)
        self.list.setObjectName("userList")
        self.list.itemActivated.connect(lambda _item: self.accept_choice())
        layout.addWidget(self.list)
        self.new_button = QPushButton("新建用户…", self)
        self.new_button.setObjectName("newUserButton")
        self.new_button.clicked.connect(self.add_user)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("确定")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.addButton(self.new_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.accepted.connect(self.accept_choice)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.fill(ctx.user.id)
        self.list.setFocus()

    def fill(self, select_id: str | None) -> None:
        self.list.clear()
        for user in self.ctx.users:
            text = user.display + ("　（当前）" if user.id == self.ctx.user.id else "")
            item = QListWidgetItem(text, self.list)
            item.setData(_USER_ROLE, user.id)
            if user.id == select_id:
                self.list.setCurrentItem(item)
        if self.list.currentItem() is None and self.list.count():
            self.list.setCurrentRow(0)

    def selected_user(self) -> CurrentUser | None:
        item = self.list.currentItem()
        if item is None:
            return None
        user_id = item.data(_USER_ROLE)
        return next((u for u in self.ctx.users if u.id == user_id), None)

    def accept_choice(self) -> None:
        if self.selected_user() is not None:
            self.accept()

    def add_user(self) -> None:
        dialog = NewUserDialog(self.ctx, self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.created_id:
            self.fill(dialog.created_id)
        dialog.deleteLater()


def switch_user(ctx: AppContext, parent: QWidget | None = None) -> bool:
    """Ask whom to work as; True when ``ctx.user`` changed."""
    dialog = UserSwitchDialog(ctx, parent)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        chosen = dialog.selected_user()
    finally:
        dialog.deleteLater()
    if chosen is None or chosen == ctx.user:
        return False
    ctx.set_user(chosen)
    return True

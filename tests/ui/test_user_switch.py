"""Switching the local user without a restart, and adding a profile from there."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from justice_desktop.store.office import add_user, users
from tests.ui.conftest import type_text
from ui.context import AppContext
from ui.forms import set_combo_value
from ui.qt import QApplication, QDialog, Qt, QTimer
from ui.tasks import TaskManager
from ui.user_switch import NewUserDialog, UserSwitchDialog, switch_user


def add_second_user(qtbot: QtBot, ctx: AppContext, tasks: TaskManager) -> str:
    me = ctx.user.id
    other = tasks.call(lambda s: add_user(s, me, "王芳", "lawyer"))
    ctx.reload()
    qtbot.waitUntil(lambda: len(ctx.users) == 2, timeout=10000)
    return other


def test_dialog_lists_users_with_roles(qtbot: QtBot, ctx: AppContext, tasks: TaskManager) -> None:
    add_second_user(qtbot, ctx, tasks)
    dialog = UserSwitchDialog(ctx)
    qtbot.addWidget(dialog)
    texts = [dialog.list.item(i).text() for i in range(dialog.list.count())]
    assert texts[0].startswith(f"{ctx.user.name}（司法所工作人员）")
    assert "当前" in texts[0]
    assert texts[1] == "王芳（律师）"
    assert dialog.selected_user() == ctx.user


def test_enter_chooses_the_selected_user(qtbot: QtBot, ctx: AppContext, tasks: TaskManager) -> None:
    other = add_second_user(qtbot, ctx, tasks)
    dialog = UserSwitchDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.list.setFocus()
    qtbot.keyClick(dialog.list, Qt.Key.Key_Down)
    qtbot.keyClick(dialog.list, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    chosen = dialog.selected_user()
    assert chosen is not None and chosen.id == other and chosen.role == "lawyer"


def test_switch_user_changes_ctx_user(qtbot: QtBot, ctx: AppContext, tasks: TaskManager) -> None:
    other = add_second_user(qtbot, ctx, tasks)
    first = ctx.user

    def choose() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, UserSwitchDialog) and widget.isVisible():
                widget.list.setCurrentRow(1)
                qtbot.keyClick(widget.list, Qt.Key.Key_Return)
                return
        QTimer.singleShot(20, choose)

    QTimer.singleShot(20, choose)
    with qtbot.waitSignal(ctx.userChanged, timeout=10000):
        assert switch_user(ctx)
    assert ctx.user.id == other and ctx.user.name == "王芳"

    def cancel() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, UserSwitchDialog) and widget.isVisible():
                widget.reject()
                return
        QTimer.singleShot(20, cancel)

    QTimer.singleShot(20, cancel)
    assert not switch_user(ctx)
    assert ctx.user.id == other
    assert first.id != other


def test_new_profile_from_the_dialog(qtbot: QtBot, ctx: AppContext, tasks: TaskManager) -> None:
    dialog = NewUserDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: dialog.errors.message_for("name") != "", timeout=10000)
    assert dialog.errors.message_for("name") == "请填写姓名"
    set_combo_value(dialog.role_combo, "adviser")
    type_text(qtbot, dialog.name_edit, "赵律师")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: dialog.result() == QDialog.DialogCode.Accepted, timeout=10000)
    assert any(u["name"] == "赵律师" and u["role"] == "adviser" for u in tasks.call(users))
    assert any(u.name == "赵律师" for u in ctx.users)
    assert dialog.created_id is not None

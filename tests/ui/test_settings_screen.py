"""The settings screen, driven through its widgets; the database is checked afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from justice_desktop.store.database import Store
from justice_desktop.store.office import add_user, committees, users
from justice_desktop.store.session import open_existing
from justice_desktop.store.settings import load_office_settings
from justice_desktop.store.understanders import UnderstanderService
from tests.ui.conftest import MessageBoxCatcher, type_text
from ui.context import AppContext
from ui.forms import set_combo_value
from ui.qt import QApplication, QFileDialog, QMessageBox, Qt, QTimer, QWidget
from ui.settings_screen import SettingsScreen
from ui.tasks import TaskManager


class Answerer:
    """Answers message boxes: presses the button labelled ``yes`` when there is one (a
    confirmation), closes the others; keeps every text."""

    def __init__(self, yes: str) -> None:
        self.yes = yes
        self.seen: list[str] = []
        self._timer = QTimer()
        self._timer.setInterval(20)
        self._timer.timeout.connect(self._poll)
        self._timer.start()

    def _poll(self) -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QMessageBox) and widget.isVisible():
                self.seen.append(widget.text())
                for button in widget.buttons():
                    if button.text() == self.yes:
                        button.click()
                        break
                else:
                    widget.done(QMessageBox.StandardButton.Ok)

    def stop(self) -> None:
        self._timer.stop()


@pytest.fixture
def screen(qtbot: QtBot, ctx: AppContext) -> Iterator[SettingsScreen]:
    widget = SettingsScreen(ctx)
    qtbot.addWidget(widget)
    widget.show()
    widget.activate()
    qtbot.waitUntil(lambda: widget.loaded, timeout=10000)
    yield widget


def click(qtbot: QtBot, widget: QWidget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def test_title_and_tabs(screen: SettingsScreen) -> None:
    assert screen.objectName() == "settingsScreen"
    assert screen.title == "设置"
    labels = [screen.tabs.tabText(i) for i in range(screen.tabs.count())]
    assert labels == ["本所信息", "代码表", "用户", "年度目标", "备份与恢复", "界面"]


def test_add_a_committee(
    qtbot: QtBot,
    screen: SettingsScreen,
    ctx: AppContext,
    tasks: TaskManager,
    message_boxes: MessageBoxCatcher,
) -> None:
    tab = screen.office_tab
    before = tab.table.rowCount()
    type_text(qtbot, tab.name_edit, "东村人民调解委员会")
    type_text(qtbot, tab.prefix_edit, "津东村")
    set_combo_value(tab.body_combo, "village")
    click(qtbot, tab.add_button)
    qtbot.waitUntil(lambda: tab.table.rowCount() == before + 1, timeout=10000)
    stored = tasks.call(committees)
    found = [c for c in stored if c["name"] == "东村人民调解委员会"]
    assert found and found[0]["number_prefix"] == "津东村"
    assert found[0]["body_type"] == "village"
    assert any(c["name"] == "东村人民调解委员会" for c in ctx.committees)
    assert tab.name_edit.text() == ""
    qtbot.waitUntil(lambda: "已添加调委会“东村人民调解委员会”。" in message_boxes.texts())


def test_committee_error_under_the_field_keeps_the_text(
    qtbot: QtBot, screen: SettingsScreen, tasks: TaskManager
) -> None:
    tab = screen.office_tab
    type_text(qtbot, tab.prefix_edit, "津西")
    set_combo_value(tab.body_combo, "village")
    before = len(tasks.call(committees))
    click(qtbot, tab.add_button)
    qtbot.waitUntil(lambda: tab.errors.message_for("name") != "", timeout=10000)
    assert tab.errors.message_for("name") == "请填写调委会名称"
    assert tab.prefix_edit.text() == "津西"
    assert len(tasks.call(committees)) == before


def test_edit_a_committee_and_the_office_name(
    qtbot: QtBot, screen: SettingsScreen, tasks: TaskManager, message_boxes: MessageBoxCatcher
) -> None:
    tab = screen.office_tab
    tab.table.selectRow(0)
    assert tab.update_button.isEnabled()
    assert tab.name_edit.text() == "城关街道人民调解委员会"
    tab.prefix_edit.clear()
    type_text(qtbot, tab.prefix_edit, "津城")
    click(qtbot, tab.update_button)
    qtbot.waitUntil(lambda: tasks.call(committees)[0]["number_prefix"] == "津城", timeout=10000)

    tab.office_edit.selectAll()
    type_text(qtbot, tab.office_edit, "河东区新城街司法所")
    qtbot.keyClick(tab.office_edit, Qt.Key.Key_Return)  # Enter saves
    qtbot.waitUntil(
        lambda: tasks.call(load_office_settings).office_name == "河东区新城街司法所",
        timeout=10000,
    )
    qtbot.waitUntil(lambda: screen.ctx.data.office_name == "河东区新城街司法所", timeout=10000)


def test_add_an_office_dispute_type_and_subtype(
    qtbot: QtBot,
    screen: SettingsScreen,
    ctx: AppContext,
    tasks: TaskManager,
    message_boxes: MessageBoxCatcher,
) -> None:
    tab = screen.code_tab
    screen.tabs.setCurrentWidget(tab)
    assert tab.current_table() is ctx.tables["dispute_types"]
    recorded: list[str] = []
    ctx.recordsChanged.connect(recorded.append)
    type_text(qtbot, tab.label_edit, "金融")
    qtbot.keyClick(tab.label_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: ctx.tables["dispute_types"].code_for_label("金融") is not None, timeout=10000
    )
    rows = tasks.call(lambda s: s.query("SELECT table_name, label, parent_code FROM code_entries"))
    assert {"table_name": "dispute_types", "label": "金融", "parent_code": None} in rows
    assert "settings" in recorded
    qtbot.waitUntil(lambda: bool(tab.tree.findItems("金融", Qt.MatchFlag.MatchExactly, 0)))

    # a subtype under 消费
    consumer = ctx.tables["dispute_types"].code_for_label("消费")
    assert consumer is not None
    set_combo_value(tab.parent_combo, consumer)
    type_text(qtbot, tab.label_edit, "直播带货")
    click(qtbot, tab.add_button)
    qtbot.waitUntil(
        lambda: ctx.tables["dispute_types"].code_for_label("直播带货", consumer) is not None,
        timeout=10000,
    )

    # a label that exists is refused, under the field, and stays typed
    set_combo_value(tab.parent_combo, None)
    type_text(qtbot, tab.label_edit, "邻里")
    click(qtbot, tab.add_button)
    qtbot.waitUntil(lambda: tab.errors.message_for("label") != "", timeout=10000)
    assert "已有“邻里”" in tab.errors.message_for("label")
    assert tab.label_edit.text() == "邻里"


def test_add_and_deactivate_a_user(
    qtbot: QtBot, screen: SettingsScreen, ctx: AppContext, tasks: TaskManager
) -> None:
    tab = screen.users_tab
    screen.tabs.setCurrentWidget(tab)
    answers = Answerer("停用")
    try:
        type_text(qtbot, tab.name_edit, "王芳")
        set_combo_value(tab.role_combo, "lawyer")
        click(qtbot, tab.add_button)
        qtbot.waitUntil(lambda: any(u.name == "王芳" for u in ctx.users), timeout=10000)
        assert any(u["name"] == "王芳" and u["role"] == "lawyer" for u in tasks.call(users))
        qtbot.waitUntil(lambda: tab.table.rowCount() == 2)
        assert tab.table.item(1, 1).text() == "律师"

        tab.table.selectRow(0)  # oneself: cannot be deactivated
        assert tab.table.item(0, 2).text() == "当前用户"
        assert not tab.deactivate_button.isEnabled()
        tab.table.selectRow(1)
        assert tab.deactivate_button.isEnabled()
        click(qtbot, tab.deactivate_button)
        qtbot.waitUntil(lambda: all(u.name != "王芳" for u in ctx.users), timeout=10000)
        active = tasks.call(
            lambda s: s.scalar("SELECT active FROM users WHERE name = ?", ("王芳",))
        )
        assert active == 0
        assert any("确定停用用户" in text for text in answers.seen)
        qtbot.waitUntil(lambda: tab.table.rowCount() == 1)
    finally:
        answers.stop()


def test_new_user_needs_a_name(qtbot: QtBot, screen: SettingsScreen, tasks: TaskManager) -> None:
    tab = screen.users_tab
    click(qtbot, tab.add_button)
    qtbot.waitUntil(lambda: tab.errors.message_for("name") != "", timeout=10000)
    assert tab.errors.message_for("name") == "请填写姓名"
    assert len(tasks.call(users)) == 1


def test_change_the_yearly_target(
    qtbot: QtBot, screen: SettingsScreen, tasks: TaskManager, message_boxes: MessageBoxCatcher
) -> None:
    tab = screen.target_tab
    screen.tabs.setCurrentWidget(tab)
    assert tab.hours_spin.value() == tasks.call(lambda s: UnderstanderService(s).yearly_target())
    tab.hours_spin.setFocus()
    tab.hours_spin.selectAll()
    qtbot.keyClicks(tab.hours_spin, "24")
    qtbot.keyClick(tab.hours_spin, Qt.Key.Key_Return)  # Enter saves
    qtbot.waitUntil(
        lambda: tasks.call(lambda s: UnderstanderService(s).yearly_target()) == 24, timeout=10000
    )
    qtbot.waitUntil(lambda: "已将年度培训学时目标设为 24 学时。" in message_boxes.texts())
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None)
    tab.hours_spin.setValue(0)
    click(qtbot, tab.save_button)
    qtbot.waitUntil(lambda: tab.errors.message_for("hours") != "", timeout=10000)
    assert tab.errors.message_for("hours") == "年度培训学时目标应在1到500小时之间。"
    assert tasks.call(lambda s: UnderstanderService(s).yearly_target()) == 24


def test_backup_now_is_listed(qtbot: QtBot, screen: SettingsScreen, tasks: TaskManager) -> None:
    tab = screen.backup_tab
    screen.tabs.setCurrentWidget(tab)
    data_dir: Path = tasks.call(lambda s: s.data_dir)
    assert tab.folder_edit.text() == str(data_dir / "backups")
    before = tab.table.rowCount()
    click(qtbot, tab.backup_button)
    qtbot.waitUntil(lambda: tab.table.rowCount() == before + 1, timeout=20000)
    files = list((data_dir / "backups").glob("justice-*.db"))
    assert len(files) == before + 1
    assert tab.table.item(0, 2).text() == sorted(files)[-1].name
    assert tab.table.item(0, 1).text().endswith("KB") or tab.table.item(0, 1).text().endswith("MB")
    assert tab.status.text().startswith("已备份")


def test_choose_the_backup_folder(
    qtbot: QtBot,
    screen: SettingsScreen,
    tasks: TaskManager,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tab = screen.backup_tab
    target = tmp_path / "U盘备份"
    target.mkdir()
    monkeypatch.setattr(
        QFileDialog, "getExistingDirectory", staticmethod(lambda *args: str(target))
    )
    click(qtbot, tab.choose_button)
    qtbot.waitUntil(lambda: tab.folder_edit.text() == str(target), timeout=10000)
    assert tasks.call(lambda s: s.backup_folder) == target
    assert tab.default_button.isEnabled()
    click(qtbot, tab.backup_button)
    qtbot.waitUntil(lambda: tab.table.rowCount() == 1, timeout=20000)
    assert len(list(target.glob("justice-*.db"))) == 1
    click(qtbot, tab.default_button)
    qtbot.waitUntil(lambda: tab.folder_edit.text() != str(target), timeout=10000)
    assert tasks.call(lambda s: s.backup_folder) == tasks.call(lambda s: s.data_dir / "backups")


def test_restore_asks_and_requests_a_restart(
    qtbot: QtBot,
    screen: SettingsScreen,
    tasks: TaskManager,
    store_and_cases: tuple[Store, object],
) -> None:
    tab = screen.backup_tab
    screen.tabs.setCurrentWidget(tab)
    click(qtbot, tab.backup_button)
    qtbot.waitUntil(lambda: tab.table.rowCount() == 1, timeout=20000)
    data_dir: Path = tasks.call(lambda s: s.data_dir)
    user_id = screen.ctx.user.id
    tasks.call(lambda s: add_user(s, user_id, "备份后新增", "clerk"))

    refusing = Answerer("不存在的按钮")  # 取消: nothing happens
    try:
        tab.table.selectRow(0)
        click(qtbot, tab.restore_button)
        qtbot.waitUntil(lambda: bool(refusing.seen))
    finally:
        refusing.stop()
    assert any(u["name"] == "备份后新增" for u in tasks.call(users))

    answers = Answerer("恢复")
    try:
        with qtbot.waitSignal(screen.restartRequested, timeout=20000):
            click(qtbot, tab.restore_button)
        assert tab.restored
        assert not tab.restore_button.isEnabled()
        assert "重新启动" in tab.status.text()
    finally:
        answers.stop()
    reopened = open_existing(data_dir)
    try:
        assert not any(u["name"] == "备份后新增" for u in users(reopened))
    finally:
        reopened.close()
    assert list(data_dir.glob("justice.db.replaced-*"))
    # the closed store is closed again by the fixture; give it a working connection
    store = store_and_cases[0]
    store.conn = open_existing(data_dir).conn

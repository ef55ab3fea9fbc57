"""设置: the office's settings in tabs — 本所信息, 代码表, 用户, 年度目标, 同步, 备份与恢复,
界面 (同步: :mod:`ui.sync_settings`, shown when the window syncs: ``ctx.sync`` is set).

Public signal: :attr:`SettingsScreen.restartRequested` — a backup was restored, the database
is closed; the main window must open it again (restart the program).

Every change is saved on the worker by the core services; afterwards the screen calls
``ctx.reload()`` (office, committees, users, code tables) where needed and
``ctx.notify("settings")``. The tabs refresh themselves on ``ctx.dataReloaded``.
"""

from __future__ import annotations

from dataclasses import dataclass

from justice_desktop.store.database import Store
from justice_desktop.store.settings import (
    BackupInfo,
    OfficeSettings,
    backup_entries,
    load_office_settings,
)
from justice_desktop.store.understanders import UnderstanderService
from ui.context import AppContext
from ui.dialogs import show_info
from ui.forms import EnterMovesOn, FieldErrors
from ui.qt import (
    QApplication,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
    Signal,
)
from ui.scale import (
    MAX_SCALE,
    MIN_SCALE,
    apply_ui_scale,
    load_ui_scale,
    save_ui_scale,
)
from ui.screen import Screen
from ui.settings_backup import BackupTab
from ui.settings_common import add_button_row, run_write
from ui.settings_office import CodeTablesTab, OfficeTab
from ui.settings_users import UsersTab
from ui.sync_settings import SyncTab

__all__ = ["ScaleTab", "SettingsScreen", "SettingsSnapshot", "TargetTab", "load_snapshot"]


@dataclass(frozen=True)
class SettingsSnapshot:
    office: OfficeSettings
    backups: list[BackupInfo]
    ui_scale: int


def load_snapshot(store: Store, user_id: str) -> SettingsSnapshot:
    """Runs on the worker."""
    return SettingsSnapshot(
        office=load_office_settings(store),
        backups=backup_entries(store),
        ui_scale=load_ui_scale(store, user_id),
    )


class TargetTab(QWidget):
    """年度目标: the understanders' yearly training hours target."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("targetTab")
        layout = QVBoxLayout(self)
        intro = QLabel(
            "法律明白人每年应完成的培训学时。“法律明白人”页面据此列出未达标的人员。", self
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        layout.addLayout(form)
        self.banner = QLabel(self)
        self.errors = FieldErrors(self.banner)
        self.hours_spin = QDoubleSpinBox(self)
        self.hours_spin.setObjectName("yearlyTarget")
        self.hours_spin.setRange(0, 1000)
        self.hours_spin.setDecimals(1)
        self.hours_spin.setSingleStep(1)
        self.hours_spin.setSuffix(" 学时")
        self.errors.add_row(form, "年度培训学时目标", "hours", self.hours_spin)
        self.save_button = QPushButton("保存", self)
        self.save_button.setObjectName("saveTarget")
        self.save_button.clicked.connect(self.save)
        add_button_row(form, self.save_button)
        layout.addWidget(self.banner)
        layout.addStretch(1)
        EnterMovesOn(self, last=self.hours_spin, on_last=self.save)
        self.loaded = False

    def show_target(self, hours: float) -> None:
        self.hours_spin.setValue(hours)
        self.loaded = True

    def save(self) -> None:
        hours, user = self.hours_spin.value(), self.ctx.user.id

        def done(_result: None) -> None:
            self.ctx.notify("settings")
            show_info(self, f"已将年度培训学时目标设为 {hours:g} 学时。")

        run_write(
            self.ctx,
            lambda store: UnderstanderService(store, self.ctx.tables).set_yearly_target(
                user, hours
            ),
            self.errors,
            done,
            button=self.save_button,
        )


class ScaleTab(QWidget):
    """界面: the text size of the whole program for the current user, applied at once."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("scaleTab")
        layout = QVBoxLayout(self)
        form = QFormLayout()
        layout.addLayout(form)
        self.scale_spin = QSpinBox(self)
        self.scale_spin.setObjectName("uiScale")
        self.scale_spin.setRange(MIN_SCALE, MAX_SCALE)
        self.scale_spin.setSingleStep(10)
        self.scale_spin.setSuffix(" %")
        self.scale_spin.setKeyboardTracking(False)  # typing 150 does not apply 1 and 15
        self.scale_spin.valueChanged.connect(self.change)
        form.addRow("文字大小", self.scale_spin)
        self.sample = QLabel("示例：（2025）津东城人调字第1号　张三与李四邻里纠纷", self)
        self.sample.setWordWrap(True)
        layout.addWidget(self.sample)
        note = QLabel("文字大小只对当前用户有效，修改后立即生效。", self)
        note.setWordWrap(True)
        layout.addWidget(note)
        layout.addStretch(1)

    def show_scale(self, percent: int) -> None:
        self.scale_spin.blockSignals(True)
        self.scale_spin.setValue(percent)
        self.scale_spin.blockSignals(False)

    def change(self, percent: int) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_ui_scale(app, percent)
        user = self.ctx.user.id
        self.ctx.tasks.run(lambda store: save_ui_scale(store, user, percent))


class SettingsScreen(Screen):
    title = "设置"

    #: A backup was restored: the database is closed; open it again (restart the program).
    restartRequested = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("settingsScreen")
        layout = QVBoxLayout(self)
        heading = QLabel("设置", self)
        font = heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.3)
        heading.setFont(font)
        layout.addWidget(heading)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("settingsTabs")
        layout.addWidget(self.tabs, 1)
        self.office_tab = OfficeTab(ctx, self)
        self.code_tab = CodeTablesTab(ctx, self)
        self.users_tab = UsersTab(ctx, self)
        self.target_tab = TargetTab(ctx, self)
        self.sync_tab = SyncTab(ctx, self)
        self.backup_tab = BackupTab(ctx, self)
        self.scale_tab = ScaleTab(ctx, self)
        for tab, label in (
            (self.office_tab, "本所信息"),
            (self.code_tab, "代码表"),
            (self.users_tab, "用户"),
            (self.target_tab, "年度目标"),
            (self.backup_tab, "备份与恢复"),
            (self.scale_tab, "界面"),
        ):
            self.tabs.addTab(tab, label)
            if tab is self.target_tab and ctx.sync is not None:  # a window that syncs
                self.tabs.addTab(self.sync_tab, "同步")
        if self.tabs.indexOf(self.sync_tab) < 0:
            self.sync_tab.hide()
        self.backup_tab.restartRequested.connect(self.restartRequested)
        ctx.dataReloaded.connect(self.refresh_from_context)
        ctx.userChanged.connect(self._user_changed)
        self.loaded = False

    def activate(self) -> None:
        if self.backup_tab.restored:  # the database is closed until the restart
            return
        user = self.ctx.user.id
        self.ctx.tasks.run(lambda store: load_snapshot(store, user), on_success=self.show_snapshot)
        if self.tabs.indexOf(self.sync_tab) >= 0:
            self.sync_tab.refresh()

    def show_sync_tab(self, message: str = "") -> None:
        """The 同步 tab, with ``message`` (why the user was sent there) over its fields."""
        if self.tabs.indexOf(self.sync_tab) < 0:
            self.tabs.insertTab(self.tabs.indexOf(self.target_tab) + 1, self.sync_tab, "同步")
        self.tabs.setCurrentWidget(self.sync_tab)
        self.sync_tab.refresh()
        self.sync_tab.show_reason(message)

    def show_snapshot(self, snap: SettingsSnapshot) -> None:
        office = snap.office
        self.target_tab.show_target(office.yearly_target)
        self.backup_tab.show_state(office.backup_folder, office.default_backup_folder, snap.backups)
        self.scale_tab.show_scale(snap.ui_scale)
        self.loaded = True

    def refresh_from_context(self) -> None:
        self.office_tab.refresh()
        self.code_tab.refresh()
        self.users_tab.refresh()

    def _user_changed(self) -> None:
        self.users_tab.refresh()
        if self.isVisible():
            self.activate()

    def save(self) -> bool:
        """Ctrl+S saves the form of the tab being shown."""
        current = self.tabs.currentWidget()
        if current is self.target_tab:
            self.target_tab.save()
            return True
        if current is self.office_tab and self.office_tab.office_edit.isModified():
            self.office_tab.save_name()
            return True
        return False

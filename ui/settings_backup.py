"""Settings tab 备份与恢复: the backup folder, 立即备份, the list of backups, restoring one.

Restoring replaces the database: it asks first, runs on the worker (the backup is checked
before anything is replaced, the replaced file is kept beside it), closes the database and
emits :attr:`BackupTab.restartRequested` — the program must open the database again.
"""

from __future__ import annotations

from pathlib import Path

from justice_desktop.store.database import Store
from justice_desktop.store.settings import (
    BackupInfo,
    backup_entries,
    restore_and_close,
    set_backup_folder,
)
from ui.context import AppContext
from ui.dialogs import show_info
from ui.forms import FieldErrors
from ui.qt import (
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
    Signal,
)
from ui.settings_common import ask_confirm, current_id, make_table, run_write, set_rows, size_text
from ui.tasks import Progress

__all__ = ["BackupTab"]


class BackupTab(QWidget):
    #: A backup was restored: the database is closed, the program must restart.
    restartRequested = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("backupTab")
        self.default_folder: Path | None = None
        self.backups: list[BackupInfo] = []
        self.restored = False
        layout = QVBoxLayout(self)

        folder_box = QGroupBox("备份文件夹", self)
        layout.addWidget(folder_box)
        folder_layout = QVBoxLayout(folder_box)
        form = QFormLayout()
        folder_layout.addLayout(form)
        self.folder_banner = QLabel(folder_box)
        self.folder_errors = FieldErrors(self.folder_banner)
        self.folder_edit = QLineEdit(folder_box)
        self.folder_edit.setObjectName("backupFolder")
        self.folder_edit.setReadOnly(True)
        self.folder_errors.add_row(form, "保存到", "backup_folder", self.folder_edit)
        row = QHBoxLayout()
        self.choose_button = QPushButton("更改文件夹…", folder_box)
        self.choose_button.setObjectName("chooseBackupFolder")
        self.choose_button.clicked.connect(self.choose_folder)
        self.default_button = QPushButton("恢复默认位置", folder_box)
        self.default_button.setObjectName("defaultBackupFolder")
        self.default_button.clicked.connect(lambda: self.set_folder(None))
        row.addWidget(self.choose_button)
        row.addWidget(self.default_button)
        row.addStretch(1)
        folder_layout.addLayout(row)
        hint = QLabel(
            "建议把备份放在另一块磁盘或U盘上。程序每天自动备份，并保留最近10份。", folder_box
        )
        hint.setWordWrap(True)
        folder_layout.addWidget(hint)
        folder_layout.addWidget(self.folder_banner)

        list_box = QGroupBox("已有的备份（最新的在前）", self)
        layout.addWidget(list_box, 1)
        list_layout = QVBoxLayout(list_box)
        actions = QHBoxLayout()
        self.backup_button = QPushButton("立即备份", list_box)
        self.backup_button.setObjectName("backupNow")
        self.backup_button.clicked.connect(self.back_up_now)
        self.restore_button = QPushButton("从所选备份恢复…", list_box)
        self.restore_button.setObjectName("restoreBackup")
        self.restore_button.clicked.connect(self.restore)
        self.restore_button.setEnabled(False)
        actions.addWidget(self.backup_button)
        actions.addWidget(self.restore_button)
        actions.addStretch(1)
        list_layout.addLayout(actions)
        self.table = make_table(list_box, ("备份时间", "大小", "文件名"), "backupTable")
        self.table.itemSelectionChanged.connect(self._selection_changed)
        list_layout.addWidget(self.table, 1)
        self.status = QLabel(list_box)
        self.status.setObjectName("backupStatus")
        self.status.setWordWrap(True)
        list_layout.addWidget(self.status)

    # -- showing -----------------------------------------------------------------------------
    def show_state(self, folder: Path, default: Path, entries: list[BackupInfo]) -> None:
        self.default_folder = default
        self.folder_edit.setText(str(folder))
        self.default_button.setEnabled(folder != default)
        self.show_backups(entries)

    def show_backups(self, entries: list[BackupInfo]) -> None:
        self.backups = entries
        rows = [
            (
                str(b.path),
                (b.made_at.strftime("%Y-%m-%d %H:%M:%S"), size_text(b.size), b.name),
            )
            for b in entries
        ]
        self.table.blockSignals(True)
        set_rows(self.table, rows)
        self.table.blockSignals(False)
        if not entries:
            self.status.setText("还没有备份。")
        self._selection_changed()

    def reload(self) -> None:
        if self.restored:
            return
        self.ctx.tasks.run(
            lambda store: (store.backup_folder, backup_entries(store)),
            on_success=lambda result: self.show_state(
                result[0], self.default_folder or result[0], result[1]
            ),
        )

    def _selection_changed(self) -> None:
        self.restore_button.setEnabled(current_id(self.table) is not None and not self.restored)

    # -- the folder ----------------------------------------------------------------------------
    def choose_folder(self) -> None:
        start = self.folder_edit.text() or str(Path.home())
        chosen = QFileDialog.getExistingDirectory(self, "选择备份文件夹", start)
        if chosen:
            self.set_folder(Path(chosen))

    def set_folder(self, folder: Path | None) -> None:
        def done(result: tuple[Path, list[BackupInfo]]) -> None:
            used, entries = result
            self.show_state(used, self.default_folder or used, entries)
            self.status.setText(f"以后的备份将保存到：{used}")

        def work(store: Store) -> tuple[Path, list[BackupInfo]]:
            used = set_backup_folder(store, folder)
            return used, backup_entries(store)

        run_write(self.ctx, work, self.folder_errors, done, button=self.choose_button)

    # -- backing up and restoring ----------------------------------------------------------------
    def back_up_now(self) -> None:
        self.backup_button.setEnabled(False)
        self.status.setText("正在备份……")

        def work(store: Store, progress: Progress) -> tuple[Path, list[BackupInfo]]:
            progress(0, 1)
            made = store.backup()
            progress(1, 1)
            return made, backup_entries(store)

        def done(result: tuple[Path, list[BackupInfo]]) -> None:
            self.backup_button.setEnabled(True)
            made, entries = result
            self.show_backups(entries)
            self.status.setText(f"已备份：{made.name}")

        def failed(exc: BaseException) -> None:
            self.backup_button.setEnabled(True)
            self.status.setText("备份没有完成。")
            self.ctx.tasks.failure_handler(exc)

        def cancelled() -> None:
            self.backup_button.setEnabled(True)
            self.status.setText("")

        self.ctx.tasks.run_with_progress(
            work,
            on_success=done,
            on_failure=failed,
            on_cancelled=cancelled,
            label="正在备份数据库……",
            parent=self,
        )

    def restore(self) -> None:
        chosen = current_id(self.table)
        found = next((b for b in self.backups if str(b.path) == chosen), None)
        if found is None:
            return
        when = found.made_at.strftime("%Y-%m-%d %H:%M")
        if not ask_confirm(
            self,
            "从备份恢复",
            f"确定用 {when} 的备份替换当前数据库吗？\n\n"
            "该备份之后录入和修改的内容将不再显示（当前数据库文件会另外保留，不会删除）。"
            "恢复后程序需要重新启动。",
            "恢复",
        ):
            return
        self.backup_button.setEnabled(False)
        self.restore_button.setEnabled(False)
        self.status.setText("正在从备份恢复，请稍候……")
        path = found.path

        def done(kept: Path | None) -> None:
            self.restored = True
            self.choose_button.setEnabled(False)
            self.default_button.setEnabled(False)
            text = f"已从 {when} 的备份恢复数据库。"
            if kept is not None:
                text += f"原数据库文件已保留为：{kept.name}。"
            self.status.setText(text + "程序需要重新启动。")
            show_info(self, text + "\n\n程序需要重新启动，点“确定”后重新打开数据库。")
            self.restartRequested.emit()

        def failed(exc: BaseException) -> None:
            self.backup_button.setEnabled(True)
            self._selection_changed()
            self.status.setText("没有恢复，当前数据库未作改动。")
            self.ctx.tasks.failure_handler(exc)

        # not cancellable: once the file is being replaced it must finish
        self.ctx.tasks.run(
            lambda store: restore_and_close(store, path), on_success=done, on_failure=failed
        )

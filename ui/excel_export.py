"""导出Excel…: the dialog every list screen opens to export its list to .xlsx.

The user chooses 脱敏导出 (the default: ID numbers, phones and, where the list masks them,
names masked) or 完整导出 (nothing masked). The full option is enabled only when
:func:`justice_desktop.excel.exports.can_export_full` says so (the office head, 司法所所长);
it is checked on the database worker when the dialog opens, and the dialog says why the
option is disabled otherwise. Then a save dialog asks for the .xlsx file.

The export runs on the worker (:meth:`ui.tasks.TaskManager.run_with_progress`): after half a
second a progress dialog shows the rows written so far. 取消 stops the export within a few
hundred rows: the partial file is removed and nothing is audited. The workbook is written to a
temporary name in the chosen folder and renamed to the chosen name only when complete.

Public signals of :class:`ExcelExportDialog`: ``permissionChecked(bool)`` (whether the full
export is allowed), ``exported(ExportResult)`` (the file is in place), ``failed(str)`` (the
Chinese message shown), ``cancelled()``.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, replace
from pathlib import Path

from justice_desktop.excel.exports import (
    ExportCancelledError,
    ExportRequest,
    ExportResult,
    can_export_full,
    cannot_write_message,
    export_list,
)
from justice_desktop.store.database import Store
from justice_desktop.validation import ValidationError
from ui.context import AppContext
from ui.dialogs import show_error, show_info
from ui.errors import friendly_message
from ui.qt import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    Signal,
)
from ui.tasks import Progress

__all__ = [
    "FULL_DISABLED_TEXT",
    "ExcelExportDialog",
    "ExportSpec",
    "ask_save_path",
    "open_export_dialog",
]

FULL_DISABLED_TEXT = (
    "完整导出（含完整身份证号码、电话等个人信息）只有司法所所长可以使用；"
    "如确需完整名单，请由所长登录后导出。"
)
CHECKING_TEXT = "正在检查导出权限…"
FULL_ALLOWED_TEXT = "完整导出的文件含个人信息，请妥善保管，不要通过微信、QQ等转发。"


@dataclass(frozen=True)
class ExportSpec:
    """What a screen exports: the request (without ``full``), a suggested file name without
    extension and one sentence on what will be exported (shown in the dialog)."""

    request: ExportRequest
    file_stem: str
    description: str


def ask_save_path(parent: QWidget | None, suggested: str) -> Path | None:
    """The save dialog (.xlsx). Tests replace this function."""
    chosen, _filter = QFileDialog.getSaveFileName(
        parent, "导出Excel", suggested, "Excel 工作簿 (*.xlsx)"
    )
    if not chosen:
        return None
    path = Path(chosen)
    if path.suffix.lower() != ".xlsx":
        path = path.with_name(path.name + ".xlsx")
    return path


def _temporary_beside(target: Path) -> Path:
    return target.with_name(f".{target.stem}.{os.getpid()}.exporting.xlsx")


def run_export(
    store: Store, user_id: str, request: ExportRequest, target: Path, progress: Progress
) -> ExportResult | None:
    """Worker side: export to a temporary file beside ``target``, then rename it. None when
    the user cancelled (the temporary file is removed)."""
    temp = _temporary_beside(target)
    try:
        result = export_list(store, user_id, request, temp, progress=progress)
        if progress.cancelled:  # stopped after the export finished: the file goes
            temp.unlink(missing_ok=True)
            return None
        os.replace(temp, target)
    except ExportCancelledError:
        return None
    except OSError as exc:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise ValidationError("path", cannot_write_message(target, exc)) from exc
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    return replace(result, path=target)


class ExcelExportDialog(QDialog):
    """脱敏导出 / 完整导出, then the file (see the module docstring)."""

    permissionChecked = Signal(bool)
    exported = Signal(object)  # ExportResult
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, ctx: AppContext, spec: ExportSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("excelExportDialog")
        self.setWindowTitle("导出Excel")
        self.ctx = ctx
        self.spec = spec
        self.busy = False
        self.full_allowed = False
        intro = QLabel(spec.description, self)
        intro.setObjectName("exportDescription")
        intro.setWordWrap(True)
        self.masked_option = QRadioButton(
            "脱敏导出（推荐）：身份证号码、电话等显示为 110105********002X、138****5678", self
        )
        self.masked_option.setObjectName("maskedExport")
        self.full_option = QRadioButton("完整导出：不脱敏，仅限司法所所长", self)
        self.full_option.setObjectName("fullExport")
        self.full_option.setEnabled(False)
        self.options = QButtonGroup(self)
        self.options.addButton(self.masked_option)
        self.options.addButton(self.full_option)
        self.masked_option.setChecked(True)
        self.full_note = QLabel(CHECKING_TEXT, self)
        self.full_note.setObjectName("fullExportNote")
        self.full_note.setWordWrap(True)
        self.status = QLabel(self)
        self.status.setObjectName("exportStatus")
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox(self)
        self.export_button: QPushButton = self.buttons.addButton(
            "导出…", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.export_button.setObjectName("startExport")
        self.buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.start)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.masked_option)
        layout.addWidget(self.full_option)
        layout.addWidget(self.full_note)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.resize(520, self.sizeHint().height())
        self._check_permission()

    # -- permission -------------------------------------------------------------------------
    def _check_permission(self) -> None:
        user_id = self.ctx.user.id

        def failed(exc: BaseException) -> None:
            self._permission(False)

        self.ctx.tasks.run(
            lambda store: can_export_full(store, user_id),
            on_success=self._permission,
            on_failure=failed,
        )

    def _permission(self, allowed: bool) -> None:
        self.full_allowed = bool(allowed)
        self.full_option.setEnabled(self.full_allowed)
        self.full_option.setToolTip("" if self.full_allowed else FULL_DISABLED_TEXT)
        self.full_note.setText(FULL_ALLOWED_TEXT if self.full_allowed else FULL_DISABLED_TEXT)
        self.permissionChecked.emit(self.full_allowed)

    @property
    def full(self) -> bool:
        return self.full_allowed and self.full_option.isChecked()

    def suggested_name(self) -> str:
        mode = "完整" if self.full else "脱敏"
        return f"{self.spec.file_stem}（{mode}）{self.ctx.today():%Y%m%d}.xlsx"

    # -- exporting --------------------------------------------------------------------------
    def start(self) -> bool:
        """导出…: ask for the file, then export to it."""
        if self.busy:
            return False
        path = ask_save_path(self, str(Path.home() / self.suggested_name()))
        if path is None:
            return False
        return self.export_to(path)

    def export_to(self, path: Path) -> bool:
        if self.busy:
            return False
        self.busy = True
        self.export_button.setEnabled(False)
        self.status.setText("正在导出…")
        request = replace(self.spec.request, full=self.full)
        user_id = self.ctx.user.id
        target = Path(path)
        self.ctx.tasks.run_with_progress(
            lambda store, progress: run_export(store, user_id, request, target, progress),
            on_success=self._done,
            on_failure=self._failed,
            on_cancelled=self._cancelled,
            label=f"正在导出“{self.spec.file_stem}”…",
            parent=self,
        )
        return True

    def _done(self, result: ExportResult | None) -> None:
        if result is None:  # stopped by 取消 just as it ended
            self._cancelled()
            return
        self.busy = False
        mode = "完整导出" if result.full else "脱敏导出"
        text = f"已导出{result.title}：{result.rows}行（{mode}），文件：{result.path}"
        self.status.setText(text)
        self.exported.emit(result)
        self.accept()
        show_info(self.parentWidget(), text)

    def _failed(self, exc: BaseException) -> None:
        self.busy = False
        self.export_button.setEnabled(True)
        text = f"导出失败：{friendly_message(exc)}"
        self.status.setText(text)
        self.failed.emit(text)
        show_error(self, text)

    def _cancelled(self) -> None:
        self.busy = False
        self.export_button.setEnabled(True)
        self.status.setText("已取消导出。")
        self.cancelled.emit()

    def reject(self) -> None:
        if self.busy:
            return  # the progress dialog's 取消 stops an export under way
        super().reject()


def open_export_dialog(
    ctx: AppContext, spec: ExportSpec, parent: QWidget | None = None
) -> ExcelExportDialog:
    """Open (non-blocking, window-modal) the export dialog for ``spec``."""
    dialog = ExcelExportDialog(ctx, spec, parent)
    dialog.open()
    return dialog

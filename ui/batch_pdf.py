"""批量导出PDF: the bound case files, or chosen forms, of several cases into a folder.

The export runs on the database worker with a progress dialog (取消 stops it between
documents). Each case's documents are made first and written only when all of them were
made, each file under a temporary name renamed at the end: a case that fails, or the case
being made when the user cancels, leaves no file behind. A case that fails (deleted meanwhile,
not far enough for a form, a character no font has …) does not stop the others; the summary
at the end lists what was written and which cases failed, with the reason.

Public signals of :class:`BatchPdfDialog`: ``formsLoaded()``, ``exported(result)`` with the
:class:`BatchResult` when the export has ended (also when cancelled).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from justice_desktop.store.database import Store
from ui.case_documents import BOUND_FILE, case_number, load_form_titles, render_document
from ui.context import AppContext
from ui.dialogs import show_info
from ui.errors import is_known_error
from ui.pdf_preview import pdf_error_text, write_pdf
from ui.qt import (
    QAbstractItemView,
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)
from ui.tasks import CancelToken, Progress

__all__ = [
    "BatchPdfDialog",
    "BatchResult",
    "export_cases",
    "export_selected_cases",
    "selected_case_ids",
    "summary_text",
]

log = logging.getLogger(__name__)

NOTHING_SELECTED = "请先在案件列表中选择要导出的案件（按住 Ctrl 或 Shift 可以选择多个）。"
STEPS = 100  # progress units per document (the bound file reports its own progress within)


@dataclass
class BatchResult:
    """What an export did (filled on the worker while it runs)."""

    folder: Path
    total_cases: int
    written: list[Path] = field(default_factory=list)
    done_cases: list[str] = field(default_factory=list)  # case numbers exported in full
    failed: list[tuple[str, str]] = field(default_factory=list)  # case, Chinese reason
    cancelled: bool = False

    @property
    def not_reached(self) -> int:
        return self.total_cases - len(self.done_cases) - len(self.failed)


def export_cases(
    store: Store,
    case_ids: Sequence[str],
    forms: Sequence[str] | None,
    folder: Path,
    progress: Callable[[int, int], bool],
    result: BatchResult,
) -> BatchResult:
    """Write the bound case file (``forms`` None) or the given forms of every case into
    ``folder``. Runs on the worker; ``result`` is filled as it goes (so the caller sees what
    was written even when the task is cancelled)."""
    keys = [BOUND_FILE] if forms is None else list(forms)
    total = len(case_ids) * len(keys) * STEPS
    folder.mkdir(parents=True, exist_ok=True)
    for index, case_id in enumerate(case_ids):
        label = case_id
        made: list[tuple[Path, bytes]] = []
        reached = (index + 1) * len(keys) * STEPS
        try:
            label = case_number(store, case_id) or case_id
            for k, key in enumerate(keys):
                base = (index * len(keys) + k) * STEPS
                if not progress(base, total):
                    result.cancelled = True
                    return result

                def inner(done: int, whole: int, base: int = base) -> bool:
                    return progress(base + done * STEPS // max(whole, 1), total)

                pdf = render_document(store, case_id, key, progress=inner)
                made.append((folder / pdf.file_name, pdf.data))
        except Exception as exc:
            if not progress(reached, total):
                result.cancelled = True  # a render stopped by 取消 is no failure
                return result
            if not (is_known_error(exc) or type(exc).__module__.startswith("justice_desktop.pdf")):
                log.exception("batch PDF export of case %s failed", case_id)
            result.failed.append((label, pdf_error_text(exc)))
            continue
        if not progress(reached, total):
            result.cancelled = True  # the case being made when 取消 came is not written
            return result
        try:
            for path, data in made:
                write_pdf(path, data)
                result.written.append(path)
        except OSError as exc:
            # The disk, not the case: the others would fail the same way.
            result.failed.append((label, pdf_error_text(exc)))
            return result
        result.done_cases.append(label)
    progress(total, total)
    return result


def summary_text(result: BatchResult) -> str:
    """The Chinese summary shown at the end of an export."""
    lines: list[str] = []
    if result.cancelled:
        lines.append("导出已取消。")
    if result.written:
        lines.append(
            f"已导出 {len(result.done_cases)} 个案件，共 {len(result.written)} 个文件，"
            f"保存在：{result.folder}"
        )
        lines.extend(f"    {path.name}" for path in result.written)
    else:
        lines.append("没有写入任何文件。")
    if result.failed:
        lines.append(f"以下 {len(result.failed)} 个案件未能导出：")
        lines.extend(f"    {case}：{reason}" for case, reason in result.failed)
    if result.cancelled and result.not_reached > 0:
        lines.append(f"还有 {result.not_reached} 个案件因取消而未导出。")
    return "\n".join(lines)


def selected_case_ids(table: QAbstractItemView, case_id: Callable[[int], str | None]) -> list[str]:
    """The ids of the rows selected in ``table``, top to bottom."""
    model = table.selectionModel()
    if model is None:
        return []
    rows = sorted({index.row() for index in model.selectedRows()})
    return [found for row in rows if (found := case_id(row)) is not None]


def export_selected_cases(
    ctx: AppContext, case_ids: Sequence[str], parent: QWidget | None
) -> BatchPdfDialog | None:
    """Open the export dialog for ``case_ids`` (or say that none is selected)."""
    if not case_ids:
        show_info(parent, NOTHING_SELECTED)
        return None
    dialog = BatchPdfDialog(ctx, case_ids, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog


class BatchPdfDialog(QDialog):
    """Choose what to export and where, run it, show the summary."""

    exported = Signal(object)
    #: The list of forms is filled (it is read on the worker when the dialog opens).
    formsLoaded = Signal()

    def __init__(
        self, ctx: AppContext, case_ids: Sequence[str], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("batchPdfDialog")
        self.setWindowTitle("批量导出PDF")
        self.ctx = ctx
        self.case_ids = list(case_ids)
        self.token: CancelToken | None = None
        self.last_result: BatchResult | None = None
        self._closed = False  # the window is gone: a late result has nowhere to go

        intro = QLabel(f"已选择 {len(self.case_ids)} 个案件。", self)
        intro.setObjectName("batchIntro")
        self.bound_radio = QRadioButton("整卷（每个案件一个PDF，按装订顺序）", self)
        self.bound_radio.setObjectName("exportBoundFiles")
        self.forms_radio = QRadioButton("选定的文书（每个案件每份文书一个PDF）：", self)
        self.forms_radio.setObjectName("exportForms")
        group = QButtonGroup(self)
        group.addButton(self.bound_radio)
        group.addButton(self.forms_radio)
        self.bound_radio.setChecked(True)
        self.forms_list = QListWidget(self)
        self.forms_list.setObjectName("exportFormList")
        self.forms_list.setEnabled(False)
        self.all_button = QPushButton("全选", self)
        self.all_button.setObjectName("checkAllForms")
        self.none_button = QPushButton("全不选", self)
        self.none_button.setObjectName("checkNoForms")
        for button in (self.all_button, self.none_button):
            button.setEnabled(False)
        self.folder_edit = QLineEdit(self)
        self.folder_edit.setObjectName("exportFolder")
        self.folder_edit.setPlaceholderText("导出到哪个文件夹")
        self.browse_button = QPushButton("选择文件夹…", self)
        self.browse_button.setObjectName("chooseFolder")
        note = QLabel("文件名为“案号_文书名称.pdf”；文件夹里的同名文件会被替换。", self)
        note.setWordWrap(True)
        self.error_label = QLabel(self)
        self.error_label.setObjectName("batchError")
        self.error_label.setStyleSheet("color: #b00020;")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.summary = QPlainTextEdit(self)
        self.summary.setObjectName("batchSummary")
        self.summary.setReadOnly(True)
        self.summary.hide()
        buttons = QDialogButtonBox(self)
        self.start_button = buttons.addButton("开始导出", QDialogButtonBox.ButtonRole.AcceptRole)
        self.start_button.setObjectName("startExport")
        self.start_button.setDefault(True)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setText("关闭")

        folder_row = QHBoxLayout()
        folder_row.addWidget(QLabel("保存到", self))
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(self.browse_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.bound_radio)
        forms_row = QHBoxLayout()
        forms_row.addWidget(self.forms_radio)
        forms_row.addStretch(1)
        forms_row.addWidget(self.all_button)
        forms_row.addWidget(self.none_button)
        layout.addLayout(forms_row)
        layout.addWidget(self.forms_list, 1)
        layout.addLayout(folder_row)
        layout.addWidget(note)
        layout.addWidget(self.error_label)
        layout.addWidget(self.summary, 1)
        layout.addWidget(buttons)
        line = self.fontMetrics().height()
        self.resize(line * 36, line * 30)

        for widget in (self.forms_list, self.all_button, self.none_button):
            self.forms_radio.toggled.connect(widget.setEnabled)
        self.all_button.clicked.connect(lambda: self.check_all_forms(True))
        self.none_button.clicked.connect(lambda: self.check_all_forms(False))
        self.browse_button.clicked.connect(self.choose_folder)
        buttons.accepted.connect(self.start)
        buttons.rejected.connect(self.reject)
        load_form_titles(ctx, self, self._fill_forms)

    def _fill_forms(self, titles: dict[str, str]) -> None:
        for key, title in titles.items():
            item = QListWidgetItem(title, self.forms_list)
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
        self.formsLoaded.emit()

    # -- choices -----------------------------------------------------------------------------
    def chosen_forms(self) -> list[str] | None:
        """None for the bound files, else the checked forms' keys."""
        if self.bound_radio.isChecked():
            return None
        keys: list[str] = []
        for row in range(self.forms_list.count()):
            item = self.forms_list.item(row)
            if item.checkState() == Qt.CheckState.Checked:
                keys.append(str(item.data(Qt.ItemDataRole.UserRole)))
        return keys

    def check_all_forms(self, checked: bool) -> None:
        state = Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
        for row in range(self.forms_list.count()):
            self.forms_list.item(row).setCheckState(state)

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "选择导出文件夹", self.folder_edit.text() or str(Path.home())
        )
        if folder:
            self.folder_edit.setText(folder)

    # -- running -----------------------------------------------------------------------------
    def start(self) -> bool:
        """开始导出 (Enter): check the choices, then export on the worker."""
        if self.token is not None:
            return False
        forms = self.chosen_forms()
        folder_text = self.folder_edit.text().strip()
        if not folder_text:
            return self._refuse("请选择导出到哪个文件夹。", self.folder_edit)
        if forms is not None and not forms:
            return self._refuse("请至少勾选一种文书，或选择“整卷”。", self.forms_list)
        self.error_label.hide()
        folder = Path(folder_text).expanduser()
        result = BatchResult(folder=folder, total_cases=len(self.case_ids))
        self.last_result = result
        case_ids = list(self.case_ids)

        def work(store: Store, progress: Progress) -> BatchResult:
            return export_cases(store, case_ids, forms, folder, progress, result)

        self.start_button.setEnabled(False)
        self.token = self.ctx.tasks.run_with_progress(
            work,
            on_success=self._finished,
            on_failure=self._failed,
            on_cancelled=lambda: self._finished(self._mark_cancelled(result)),
            label=f"正在导出 {len(case_ids)} 个案件的PDF…",
            parent=self,
        )
        return True

    def cancel(self) -> None:
        """Stop the running export (as 取消 in the progress dialog does)."""
        if self.token is not None:
            self.token.cancel()

    def _refuse(self, text: str, focus: QWidget) -> bool:
        self.error_label.setText(text)
        self.error_label.show()
        focus.setFocus()
        return False

    @staticmethod
    def _mark_cancelled(result: BatchResult) -> BatchResult:
        result.cancelled = True
        return result

    def _finished(self, result: BatchResult) -> None:
        self.token = None
        if self._closed:
            return
        self.last_result = result
        self.summary.setPlainText(summary_text(result))
        self.summary.show()
        self.start_button.setEnabled(True)
        self.start_button.setText("再次导出")
        self.exported.emit(result)

    def _failed(self, exc: BaseException) -> None:
        if self._closed:
            return
        # export_cases catches every case's errors: this is the folder or the disk.
        result = self.last_result or BatchResult(folder=Path(), total_cases=len(self.case_ids))
        result.failed.append(("全部", pdf_error_text(exc)))
        self._finished(result)

    def done(self, r: int) -> None:
        self.cancel()
        self._closed = True
        super().done(r)

"""The 文书 panel of the case editor: the case's official documents as PDF.

A list of the documents (:data:`justice_desktop.pdf.FORMS`, titles in Chinese) headed by 整卷
(the whole bound case file in binding order), with 预览 (Enter or double-click), 打印… and
另存为PDF…; 空白表格 makes the chosen form empty, for filling in by hand.

Documents are made by the PDF core on the database worker (:meth:`TaskManager.run_with_progress`:
a progress dialog after half a second, with 取消 — the bound file is long work); the preview
window (:mod:`ui.pdf_preview`) opens when the bytes arrive. An error of the core (a case not far
enough for that document, a character no font has …) is shown with its Chinese message.

The list's titles come from the PDF core, read on the worker when the panel is made (importing
reportlab takes ~0.2 s).

Public signals: ``message(text)`` for the status bar, ``previewOpened(dialog)`` when a preview
window opens (a :class:`~ui.pdf_preview.PdfPreviewDialog`), ``ready()`` when the list is
filled.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from justice_desktop.store.cases import CaseService
from justice_desktop.store.database import Store
from ui.context import AppContext
from ui.dialogs import show_error
from ui.pdf_preview import (
    AskPrinter,
    PdfPreviewDialog,
    ask_printer_with_dialog,
    open_preview,
    pdf_error_text,
    print_pdf,
    safe_file_name,
    write_pdf,
)
from ui.qt import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPrinter,
    QPushButton,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)
from ui.tasks import Progress

__all__ = [
    "BOUND_FILE",
    "BOUND_FILE_TITLE",
    "CaseDocumentsPanel",
    "RenderedPdf",
    "case_number",
    "form_titles",
    "load_form_titles",
    "render_document",
]

#: The list key of the whole bound case file (not a form of :data:`FORMS`).
BOUND_FILE = "case_file"
BOUND_FILE_TITLE = "整卷（卷宗全部文书，按装订顺序）"
BOUND_FILE_NAME = "卷宗"


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    title: str
    file_name: str


def form_titles() -> dict[str, str]:
    """Form key → Chinese title, as the PDF core names them."""
    from justice_desktop.pdf import FORMS  # reportlab loads on first use, not at start-up

    return dict(FORMS)


def load_form_titles(
    ctx: AppContext, widget: QWidget, then: Callable[[dict[str, str]], None]
) -> None:
    """Read the forms' titles on the worker (importing the PDF core and reportlab takes
    ~0.2 s: not on the GUI thread) and hand them to ``then`` if ``widget`` still exists."""
    alive = [True]
    widget.destroyed.connect(lambda: alive.__setitem__(0, False))

    def arrived(titles: dict[str, str]) -> None:
        if alive[0]:
            then(titles)

    ctx.tasks.run(lambda _store: form_titles(), on_success=arrived)


def case_number(store: Store, case_id: str) -> str:
    """Runs on the worker."""
    return str(CaseService(store).load(case_id).case.get("case_number") or "")


def render_document(
    store: Store,
    case_id: str,
    key: str,
    *,
    blank: bool = False,
    progress: Callable[[int, int], bool] | None = None,
) -> RenderedPdf:
    """Make one document of a case (``BOUND_FILE`` or a form key) — runs on the worker."""
    from justice_desktop import pdf

    number = case_number(store, case_id)
    if key == BOUND_FILE:
        data = pdf.render_case_file(store, case_id, progress=progress)
        title = BOUND_FILE_NAME
    else:
        title = pdf.FORMS[key]
        data = pdf.render_form(store, case_id, key, blank=blank)
        if blank:
            title = f"{title}（空白）"
    name = title if blank else f"{number}_{title}" if number else title
    return RenderedPdf(data, title, safe_file_name(name) + ".pdf")


class CaseDocumentsPanel(QWidget):
    """The documents of the case ``case_id()`` returns (None: no case open yet)."""

    message = Signal(str)
    previewOpened = Signal(object)
    #: The list of documents is filled (it is read on the worker when the panel is made).
    ready = Signal()

    def __init__(
        self,
        ctx: AppContext,
        case_id: Callable[[], str | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("caseDocuments")
        self.ctx = ctx
        self._case_id = case_id
        #: The step that asks for a printer (tests replace it; no dialog then).
        self.ask_printer: AskPrinter = ask_printer_with_dialog
        #: The printer of the next print (None: a new A4 printer each time).
        self.printer: QPrinter | None = None
        self.last_preview: PdfPreviewDialog | None = None
        self._busy = False

        heading = QLabel("本案文书：选中后按 Enter 预览，Ctrl+P 打印。", self)
        heading.setWordWrap(True)
        self.documents = QListWidget(self)
        self.documents.setObjectName("documentList")
        self._filled = False
        self.blank_check = QCheckBox("空白表格（不填案件内容，供手工填写）", self)
        self.blank_check.setObjectName("blankForm")
        self.preview_button = QPushButton("预览", self)
        self.preview_button.setObjectName("previewDocument")
        self.print_button = QPushButton("打印…", self)
        self.print_button.setObjectName("printDocument")
        self.save_button = QPushButton("另存为PDF…", self)
        self.save_button.setObjectName("saveDocument")

        buttons = QHBoxLayout()
        buttons.addWidget(self.preview_button)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.documents, 1)
        layout.addWidget(self.blank_check)
        layout.addLayout(buttons)

        self.documents.itemActivated.connect(lambda _item: self.preview())
        self.documents.currentRowChanged.connect(self._selection_changed)
        self.preview_button.clicked.connect(self.preview)
        self.print_button.clicked.connect(self.print_current)
        self.save_button.clicked.connect(self.save_as)
        load_form_titles(ctx, self, self._fill)

    @property
    def filled(self) -> bool:
        return self._filled

    def _fill(self, titles: dict[str, str]) -> None:
        self._filled = True
        item = QListWidgetItem(BOUND_FILE_TITLE, self.documents)
        item.setData(Qt.ItemDataRole.UserRole, BOUND_FILE)
        for key, title in titles.items():
            item = QListWidgetItem(title, self.documents)
            item.setData(Qt.ItemDataRole.UserRole, key)
        self.documents.setCurrentRow(0)
        self.ready.emit()

    # -- selection ---------------------------------------------------------------------------
    def select(self, key: str) -> bool:
        """Choose the document ``key`` (``BOUND_FILE`` or a form key)."""
        for row in range(self.documents.count()):
            if self.documents.item(row).data(Qt.ItemDataRole.UserRole) == key:
                self.documents.setCurrentRow(row)
                return True
        return False

    def selected(self) -> tuple[str, bool] | None:
        """The chosen document's key and whether it is wanted blank (None until the list
        is filled)."""
        item = self.documents.currentItem()
        if item is None:
            return None
        key = str(item.data(Qt.ItemDataRole.UserRole))
        return key, key != BOUND_FILE and self.blank_check.isChecked()

    def _selection_changed(self, _row: int) -> None:
        chosen = self.selected()
        self.blank_check.setEnabled(chosen is not None and chosen[0] != BOUND_FILE)

    # -- actions -----------------------------------------------------------------------------
    def preview(self) -> bool:
        """预览: make the chosen document, then open it in a preview window."""
        return self._render(self._open_preview)

    def print_current(self) -> bool:
        """打印 (Ctrl+P): make the chosen document, then ask for the printer and print it.
        False if there is nothing to print (no case open yet)."""
        return self._render(self._print)

    def save_as(self) -> bool:
        """另存为PDF: make the chosen document, ask for a file name, write it on the worker."""
        return self._render(self._save)

    # -- internals ---------------------------------------------------------------------------
    def _render(self, then: Callable[[RenderedPdf], None]) -> bool:
        case_id = self._case_id()
        chosen = self.selected()
        if case_id is None or chosen is None or self._busy:
            return False
        key, blank = chosen
        item = self.documents.currentItem()
        title = BOUND_FILE_NAME if key == BOUND_FILE else item.text()
        self._busy = True

        def work(store: Store, progress: Progress) -> RenderedPdf:
            return render_document(store, case_id, key, blank=blank, progress=progress)

        def done(result: RenderedPdf) -> None:
            self._busy = False
            then(result)

        def failed(exc: BaseException) -> None:
            self._busy = False
            show_error(self.window(), f"无法生成《{title}》：{pdf_error_text(exc)}")

        def cancelled() -> None:
            self._busy = False
            self.message.emit(f"已取消生成《{title}》。")

        self.ctx.tasks.run_with_progress(
            work,
            on_success=done,
            on_failure=failed,
            on_cancelled=cancelled,
            label=f"正在生成《{title}》…",
            parent=self.window(),
        )
        return True

    def _open_preview(self, pdf: RenderedPdf) -> None:
        dialog = open_preview(
            self.ctx, pdf.data, title=pdf.title, file_name=pdf.file_name, parent=self.window()
        )
        dialog.preview.ask_printer = self.ask_printer
        dialog.preview.printer = self.printer
        dialog.preview.message.connect(self.message)
        self.last_preview = dialog
        dialog.destroyed.connect(self._preview_closed)
        self.previewOpened.emit(dialog)

    def _preview_closed(self) -> None:
        self.last_preview = None

    def _print(self, pdf: RenderedPdf) -> None:
        print_pdf(
            pdf.data,
            self.window(),
            ask_printer=self.ask_printer,
            printer=self.printer,
            title=pdf.title,
            on_finished=lambda pages: self.message.emit(f"《{pdf.title}》已送出打印：{pages} 页"),
        )

    def _save(self, pdf: RenderedPdf) -> None:
        name, _filter = QFileDialog.getSaveFileName(
            self.window(), "另存为PDF", str(Path.home() / pdf.file_name), "PDF 文件 (*.pdf)"
        )
        if not name:
            return
        target = Path(name)
        if target.suffix.lower() != ".pdf":
            target = target.with_name(target.name + ".pdf")
        data = pdf.data

        def write(_store: Store) -> str:
            write_pdf(target, data)
            return str(target)

        self.ctx.tasks.run(
            write,
            on_success=lambda path: self.message.emit(f"已保存到 {path}"),
            on_failure=lambda exc: show_error(self.window(), f"保存失败：{pdf_error_text(exc)}"),
        )

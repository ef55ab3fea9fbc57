"""Showing, printing and saving a PDF made by the core (:mod:`justice_desktop.pdf`).

* :class:`PdfPreview` — a widget: the pages (QtPdf) with page navigation (上一页 / 下一页 /
  page number, PgUp / PgDown), zoom (适合宽度, 整页, 50 % … 300 %, Ctrl++ / Ctrl+-),
  打印… (Ctrl+P) and 另存为PDF… (Ctrl+Shift+S). A file that cannot be read shows a Chinese
  message in place of the pages.
* :class:`PdfPreviewDialog` — the widget in a window of its own (:func:`open_preview`).
* :class:`PrintJob` — prints a loaded document on a :class:`QPrinter`: each page is rendered
  with QtPdf to an image (at most 300 dpi) and painted on the paper, one page per turn of the
  event loop, so the window stays responsive and the job can be cancelled.
* :func:`print_pdf` — asks for the printer (the system's print dialog) and prints PDF bytes
  (used by the case's document list without opening a preview).

The step that asks for a printer is injectable (``ask_printer``): tests hand in a function that
sets up a PDF-file printer instead of showing the dialog.

Saving writes on the database worker (no file I/O on the GUI thread); the file is written
under a temporary name and renamed, so a failed or cancelled write never leaves half a PDF.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable
from pathlib import Path

from justice_desktop.store.database import Store
from ui.context import AppContext
from ui.dialogs import show_error
from ui.errors import friendly_message, is_known_error
from ui.qt import (
    QBuffer,
    QByteArray,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QIODevice,
    QKeySequence,
    QLabel,
    QObject,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfDocument,
    QPdfView,
    QPointF,
    QPrintDialog,
    QPrinter,
    QPushButton,
    QRectF,
    QShortcut,
    QSize,
    QSpinBox,
    QStackedWidget,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)

__all__ = [
    "BROKEN_PDF",
    "AskPrinter",
    "PdfPreview",
    "PdfPreviewDialog",
    "PrintJob",
    "ZOOM_CHOICES",
    "ask_printer_with_dialog",
    "load_pdf",
    "open_preview",
    "pdf_error_text",
    "print_pdf",
    "safe_file_name",
    "write_pdf",
]

log = logging.getLogger(__name__)

BROKEN_PDF = (
    "无法显示这份PDF文件：文件已损坏或不是PDF格式。请关闭本窗口后重新生成文书；"
    "如果问题仍然存在，请联系技术支持。"
)
PRINT_FAILED = "无法开始打印：打印机不可用或没有权限写入打印文件。请检查打印机后重试。"
PAGE_FAILED = "第{page}页无法渲染，打印已停止。请重新生成文书后再打印。"

#: The zoom box: (label, factor); a factor of 0 means "fit width", -1 "whole page".
FIT_WIDTH = 0.0
FIT_PAGE = -1.0
ZOOM_CHOICES: tuple[tuple[str, float], ...] = (
    ("适合宽度", FIT_WIDTH),
    ("整页", FIT_PAGE),
    ("50%", 0.5),
    ("75%", 0.75),
    ("100%", 1.0),
    ("125%", 1.25),
    ("150%", 1.5),
    ("200%", 2.0),
    ("300%", 3.0),
)

#: Pages are rendered for the printer at no more than this resolution (an A4 page at 300 dpi
#: is a 35 MB image; at a printer's 1200 dpi it would be 560 MB).
MAX_PRINT_DPI = 300

#: Asks the user about ``printer`` (which printer, which pages, copies); False = cancelled.
AskPrinter = Callable[[QPrinter, QWidget | None], bool]

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def safe_file_name(name: str) -> str:
    """``name`` with the characters Windows and Linux refuse in file names replaced."""
    cleaned = _UNSAFE.sub("_", name).strip(" .")
    return cleaned or "文书"


def write_pdf(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` under a temporary name first, then rename: a reader never
    sees half a file. Runs on the worker (no Qt)."""
    part = path.with_name(path.name + ".part")
    try:
        part.write_bytes(data)
        os.replace(part, path)
    except BaseException:
        part.unlink(missing_ok=True)
        raise


def pdf_error_text(exc: BaseException) -> str:
    """The Chinese message for an error of making or showing a PDF. The PDF core's errors
    (a character no font has, a case that cannot be printed yet …) carry their own message."""
    if is_known_error(exc) or type(exc).__module__.startswith("justice_desktop.pdf"):
        return str(exc)
    return friendly_message(exc)


def load_pdf(data: bytes, parent: QObject | None = None) -> QPdfDocument | None:
    """A document read from ``data`` (in memory, no file), or None if it is not a readable
    PDF. The buffer it reads from lives as long as the document."""
    document = QPdfDocument(parent) if parent is not None else QPdfDocument()
    buffer = QBuffer(document)
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document.load(buffer)  # a QBuffer is read at once: the status is final here
    if document.status() != QPdfDocument.Status.Ready or document.pageCount() < 1:
        log.info("unreadable PDF (%d bytes): %s", len(data), document.error())
        document.deleteLater()
        return None
    return document


def ask_printer_with_dialog(printer: QPrinter, parent: QWidget | None) -> bool:
    """The system's print dialog (printer, page range, copies)."""
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle("打印")
    return dialog.exec() == QDialog.DialogCode.Accepted


def new_printer() -> QPrinter:
    """A printer set up for A4 at the printer's full resolution."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setFullPage(True)  # the forms carry their own margins
    return printer


class PrintJob(QObject):
    """Prints ``document`` on ``printer``, one page per turn of the event loop.

    Pages come from the printer's page range (``fromPage``/``toPage``, 1-based; 0 = all).
    Signals: ``progressed(done, total)``, ``finished(pages_printed)``, ``failed(message)``
    (Chinese), ``cancelled()``."""

    progressed = Signal(int, int)
    finished = Signal(int)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(
        self, document: QPdfDocument, printer: QPrinter, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.document = document
        self.printer = printer
        count = document.pageCount()
        first, last = printer.fromPage(), printer.toPage()
        if first < 1 or last < 1:
            first, last = 1, count
        self.pages = list(range(max(first, 1) - 1, min(last, count)))
        self._done = 0
        self._painter: QPainter | None = None
        self._stopped = False

    def start(self) -> None:
        QTimer.singleShot(0, self._next)

    def cancel(self) -> None:
        if self._stopped:
            return
        self._stop()
        self.printer.abort()
        self.cancelled.emit()

    @property
    def running(self) -> bool:
        return not self._stopped

    def _orient(self, page: int) -> None:
        size = self.document.pagePointSize(page)
        landscape = size.width() > size.height()
        self.printer.setPageOrientation(
            QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait
        )

    def _next(self) -> None:
        if self._stopped:
            return
        if self._done >= len(self.pages):
            self._stop()
            self.finished.emit(self._done)
            return
        page = self.pages[self._done]
        if self._painter is None:
            self._orient(page)
            painter = QPainter()
            if not painter.begin(self.printer):
                self._stopped = True
                self.failed.emit(PRINT_FAILED)
                return
            self._painter = painter
        else:
            self._orient(page)
            if not self.printer.newPage():
                self._fail(PRINT_FAILED)
                return
        if not self._paint(self._painter, page):
            self._fail(PAGE_FAILED.format(page=page + 1))
            return
        self._done += 1
        self.progressed.emit(self._done, len(self.pages))
        QTimer.singleShot(0, self._next)

    def _paint(self, painter: QPainter, page: int) -> bool:
        resolution = self.printer.resolution()
        dpi = min(resolution, MAX_PRINT_DPI)
        points = self.document.pagePointSize(page)
        if points.width() <= 0 or points.height() <= 0:
            return False
        image = self.document.render(
            page, QSize(round(points.width() / 72 * dpi), round(points.height() / 72 * dpi))
        )
        if image.isNull():
            return False
        paper = self.printer.pageLayout().fullRectPixels(resolution)
        # The page keeps its proportions, centred (an A4 page fills A4 paper exactly).
        scale = min(paper.width() / points.width(), paper.height() / points.height())
        width, height = points.width() * scale, points.height() * scale
        target = QRectF((paper.width() - width) / 2, (paper.height() - height) / 2, width, height)
        painter.drawImage(target, image)
        return True

    def _fail(self, message: str) -> None:
        self._stop()
        self.printer.abort()
        self.failed.emit(message)

    def _stop(self) -> None:
        self._stopped = True
        if self._painter is not None:
            if self._painter.isActive():
                self._painter.end()
            self._painter = None


def print_pdf(
    data: bytes,
    parent: QWidget | None,
    *,
    ask_printer: AskPrinter = ask_printer_with_dialog,
    printer: QPrinter | None = None,
    title: str = "",
    on_finished: Callable[[int], None] | None = None,
) -> PrintJob | None:
    """Ask for a printer and print ``data``; None if the PDF is unreadable (the user is told)
    or the user cancelled. Errors of the job are shown over ``parent``."""
    document = load_pdf(data)
    if document is None:
        show_error(parent, BROKEN_PDF)
        return None
    printer = printer if printer is not None else new_printer()
    printer.setDocName(title or "文书")
    printer.setFromTo(1, document.pageCount())
    if not ask_printer(printer, parent):
        document.deleteLater()
        return None
    job = PrintJob(document, printer)
    document.setParent(job)
    _running_jobs.add(job)

    def ended(*_args: object) -> None:
        _running_jobs.discard(job)
        job.deleteLater()

    job.failed.connect(lambda message: show_error(parent, message))
    if on_finished is not None:
        job.finished.connect(on_finished)
    job.finished.connect(ended)
    job.failed.connect(ended)
    job.cancelled.connect(ended)
    job.start()
    return job


# Jobs started by print_pdf() have no widget to own them until they end.
_running_jobs: set[PrintJob] = set()


class PdfPreview(QWidget):
    """The pages of one PDF with navigation, zoom, printing and saving.

    Signals: ``pageChanged(page)`` (0-based), ``printed(pages)`` when a print job has sent its
    last page, ``saved(path)`` after 另存为, ``message(text)`` for a status line."""

    pageChanged = Signal(int)
    printed = Signal(int)
    saved = Signal(str)
    message = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pdfPreview")
        self.ctx = ctx
        self.data = b""
        self.file_name = "文书.pdf"
        self.document: QPdfDocument | None = None
        self._empty = QPdfDocument(self)  # shown while there is no readable document
        self.job: PrintJob | None = None
        #: The step that asks for a printer (tests replace it; no dialog then).
        self.ask_printer: AskPrinter = ask_printer_with_dialog
        #: The printer of the next print (None: a new A4 printer each time).
        self.printer: QPrinter | None = None

        self.previous_button = QPushButton("上一页", self)
        self.previous_button.setObjectName("previousPage")
        self.next_button = QPushButton("下一页", self)
        self.next_button.setObjectName("nextPage")
        self.page_box = QSpinBox(self)
        self.page_box.setObjectName("pageNumber")
        self.page_box.setPrefix("第 ")
        self.page_box.setSuffix(" 页")
        self.page_box.setRange(1, 1)
        self.page_box.setKeyboardTracking(False)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("pageCount")
        self.zoom_box = QComboBox(self)
        self.zoom_box.setObjectName("zoom")
        for label, factor in ZOOM_CHOICES:
            self.zoom_box.addItem(label, factor)
        self.print_button = QPushButton("打印…（Ctrl+P）", self)
        self.print_button.setObjectName("printButton")
        self.save_button = QPushButton("另存为PDF…", self)
        self.save_button.setObjectName("saveAsButton")
        self.status_label = QLabel(self)
        self.status_label.setObjectName("previewStatus")

        self.view = QPdfView(self)
        self.view.setObjectName("pdfView")
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.error_label = QLabel(self)
        self.error_label.setObjectName("pdfError")
        self.error_label.setWordWrap(True)
        self.error_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self.view)
        self.pages.addWidget(self.error_label)

        bar = QHBoxLayout()
        bar.addWidget(self.previous_button)
        bar.addWidget(self.page_box)
        bar.addWidget(self.count_label)
        bar.addWidget(self.next_button)
        bar.addSpacing(12)
        bar.addWidget(QLabel("缩放", self))
        bar.addWidget(self.zoom_box)
        bar.addStretch(1)
        bar.addWidget(self.status_label)
        bar.addWidget(self.print_button)
        bar.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.pages, 1)

        def shortcut(
            keys: QKeySequence | QKeySequence.StandardKey | str, slot: Callable[[], object]
        ) -> None:
            sc = QShortcut(QKeySequence(keys), self)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(slot)

        shortcut(QKeySequence(Qt.Key.Key_PageDown), self.next_page)
        shortcut(QKeySequence(Qt.Key.Key_PageUp), self.previous_page)
        shortcut(QKeySequence.StandardKey.ZoomIn, self.zoom_in)
        shortcut(QKeySequence.StandardKey.ZoomOut, self.zoom_out)
        shortcut(QKeySequence.StandardKey.Print, self.print_document)
        shortcut("Ctrl+Shift+S", self.save_as)

        self.previous_button.clicked.connect(self.previous_page)
        self.next_button.clicked.connect(self.next_page)
        self.page_box.valueChanged.connect(lambda n: self.go_to_page(n - 1))
        self.zoom_box.currentIndexChanged.connect(self._zoom_chosen)
        self.print_button.clicked.connect(self.print_document)
        self.save_button.clicked.connect(self.save_as)
        self.view.pageNavigator().currentPageChanged.connect(self._page_shown)
        self._set_enabled(False)

    # -- loading -----------------------------------------------------------------------------
    def load_pdf(self, data: bytes, file_name: str = "文书.pdf") -> bool:
        """Show ``data``; False (and the Chinese message in place of the pages) if it is not
        a readable PDF."""
        self.data = data
        self.file_name = file_name
        old = self.document
        self.document = load_pdf(data, self)
        self.view.setDocument(self.document if self.document is not None else self._empty)
        if old is not None:
            old.deleteLater()
        if self.document is None:
            self.error_label.setText(BROKEN_PDF)
            self.pages.setCurrentWidget(self.error_label)
            self.count_label.clear()
            self._set_enabled(False)
            return False
        count = self.document.pageCount()
        self.pages.setCurrentWidget(self.view)
        self.page_box.blockSignals(True)
        self.page_box.setRange(1, count)
        self.page_box.setValue(1)
        self.page_box.blockSignals(False)
        self.count_label.setText(f"共 {count} 页")
        self._set_enabled(True)
        self._update_buttons()
        return True

    @property
    def broken(self) -> bool:
        return self.document is None and bool(self.data)

    @property
    def page_count(self) -> int:
        return 0 if self.document is None else self.document.pageCount()

    # -- pages -------------------------------------------------------------------------------
    def current_page(self) -> int:
        """The page shown (0-based)."""
        return self.view.pageNavigator().currentPage()

    def go_to_page(self, page: int) -> None:
        if self.document is None:
            return
        page = max(0, min(page, self.page_count - 1))
        navigator = self.view.pageNavigator()
        navigator.jump(page, QPointF(), navigator.currentZoom())
        self._page_shown(page)

    def next_page(self) -> None:
        self.go_to_page(self.current_page() + 1)

    def previous_page(self) -> None:
        self.go_to_page(self.current_page() - 1)

    def _page_shown(self, page: int) -> None:
        if self.page_box.value() != page + 1:
            self.page_box.blockSignals(True)
            self.page_box.setValue(page + 1)
            self.page_box.blockSignals(False)
        self._update_buttons()
        self.pageChanged.emit(page)

    def _update_buttons(self) -> None:
        page, count = self.current_page(), self.page_count
        self.previous_button.setEnabled(count > 0 and page > 0)
        self.next_button.setEnabled(count > 0 and page < count - 1)

    # -- zoom --------------------------------------------------------------------------------
    def set_zoom(self, factor: float) -> None:
        """``FIT_WIDTH`` (0), ``FIT_PAGE`` (-1) or a factor (1.0 = 100 %)."""
        index = self.zoom_box.findData(factor)
        if index >= 0 and index != self.zoom_box.currentIndex():
            self.zoom_box.setCurrentIndex(index)  # comes back through _zoom_chosen
            return
        if factor == FIT_WIDTH:
            self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        elif factor == FIT_PAGE:
            self.view.setZoomMode(QPdfView.ZoomMode.FitInView)
        else:
            self.view.setZoomMode(QPdfView.ZoomMode.Custom)
            self.view.setZoomFactor(factor)

    def zoom_factor(self) -> float:
        """The zoom chosen (``FIT_WIDTH``, ``FIT_PAGE`` or a factor)."""
        mode = self.view.zoomMode()
        if mode == QPdfView.ZoomMode.FitToWidth:
            return FIT_WIDTH
        if mode == QPdfView.ZoomMode.FitInView:
            return FIT_PAGE
        return float(self.view.zoomFactor())

    def zoom_in(self) -> None:
        self._step_zoom(+1)

    def zoom_out(self) -> None:
        self._step_zoom(-1)

    def _step_zoom(self, step: int) -> None:
        factors = [f for _label, f in ZOOM_CHOICES if f > 0]
        current = self.zoom_factor()
        if current <= 0:
            current = float(self.view.zoomFactor()) or 1.0
        if step > 0:
            bigger = [f for f in factors if f > current + 1e-6]
            target = bigger[0] if bigger else factors[-1]
        else:
            smaller = [f for f in factors if f < current - 1e-6]
            target = smaller[-1] if smaller else factors[0]
        self.set_zoom(target)

    def _zoom_chosen(self, index: int) -> None:
        self.set_zoom(float(self.zoom_box.itemData(index)))

    # -- printing ----------------------------------------------------------------------------
    def print_document(self) -> bool:
        """打印…: ask for the printer, then print page by page. False if nothing was started."""
        if self.document is None or (self.job is not None and self.job.running):
            return False
        printer = self.printer if self.printer is not None else new_printer()
        printer.setDocName(Path(self.file_name).stem)
        printer.setFromTo(1, self.page_count)
        if not self.ask_printer(printer, self.window()):
            return False
        self.print_to(printer)
        return True

    def print_to(self, printer: QPrinter) -> PrintJob | None:
        """Print on ``printer`` without asking (its page range applies)."""
        if self.document is None:
            return None
        job = PrintJob(self.document, printer, self)
        self.job = job
        self.print_button.setEnabled(False)
        job.progressed.connect(
            lambda done, total: self.status_label.setText(f"正在打印：{done}/{total} 页")
        )
        job.finished.connect(self._printed)
        job.failed.connect(self._print_failed)
        job.cancelled.connect(self._print_ended)
        job.start()
        return job

    def _printed(self, pages: int) -> None:
        self._print_ended()
        text = f"已送出打印：{pages} 页"
        self.status_label.setText(text)
        self.message.emit(text)
        self.printed.emit(pages)

    def _print_failed(self, message: str) -> None:
        self._print_ended()
        self.status_label.setText("打印失败")
        show_error(self.window(), message)

    def _print_ended(self) -> None:
        self.print_button.setEnabled(self.document is not None)
        if self.job is not None:
            self.job.deleteLater()
            self.job = None

    # -- saving ------------------------------------------------------------------------------
    def save_as(self) -> bool:
        """另存为PDF…: ask for a file name, then write on the worker. False if not started."""
        if self.document is None:
            return False
        name, _filter = QFileDialog.getSaveFileName(
            self.window(), "另存为PDF", str(Path.home() / self.file_name), "PDF 文件 (*.pdf)"
        )
        if not name:
            return False
        target = Path(name)
        if target.suffix.lower() != ".pdf":
            target = target.with_name(target.name + ".pdf")
        data = self.data

        def write(_store: Store) -> str:
            write_pdf(target, data)
            return str(target)

        def done(path: str) -> None:
            text = f"已保存到 {path}"
            self.status_label.setText("已保存")
            self.message.emit(text)
            self.saved.emit(path)

        def failed(exc: BaseException) -> None:
            show_error(self.window(), f"保存失败：{pdf_error_text(exc)}")

        self.ctx.tasks.run(write, on_success=done, on_failure=failed)
        return True

    def _set_enabled(self, enabled: bool) -> None:
        for widget in (
            self.previous_button,
            self.next_button,
            self.page_box,
            self.zoom_box,
            self.print_button,
            self.save_button,
        ):
            widget.setEnabled(enabled)


class PdfPreviewDialog(QDialog):
    """A window with a :class:`PdfPreview` and 关闭 (Esc)."""

    def __init__(
        self,
        ctx: AppContext,
        data: bytes,
        *,
        title: str,
        file_name: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("pdfPreviewDialog")
        self.setWindowTitle(f"预览 - {title}")
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.preview = PdfPreview(ctx, self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.preview, 1)
        layout.addWidget(buttons)
        # Big enough for a page at the user's text size (no fixed pixels).
        line = self.fontMetrics().height()
        self.resize(line * 50, line * 45)
        self.preview.load_pdf(data, file_name)
        self.preview.view.setFocus()

    def done(self, result: int) -> None:
        job = self.preview.job
        if job is not None and job.running:
            job.cancel()
        super().done(result)


def open_preview(
    ctx: AppContext, data: bytes, *, title: str, file_name: str, parent: QWidget | None
) -> PdfPreviewDialog:
    """Open a preview window (not modal; deleted when closed)."""
    dialog = PdfPreviewDialog(ctx, data, title=title, file_name=file_name, parent=parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog

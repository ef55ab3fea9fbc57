"""The PDF preview: real PDFs shown with QtPdf, navigated, zoomed, printed to a PDF file printer
(checked with pdfinfo) and saved; a broken file shows the Chinese message."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen import canvas

from tests.ui.conftest import MessageBoxCatcher
from ui.context import AppContext
from ui.pdf_preview import (
    BROKEN_PDF,
    FIT_PAGE,
    FIT_WIDTH,
    PdfPreview,
    PdfPreviewDialog,
    open_preview,
    print_pdf,
    safe_file_name,
)
from ui.qt import QFileDialog, QPdfView, QPrinter, Qt, QWidget


def make_pdf(pages: int, *, wide_last: bool = False) -> bytes:
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    for i in range(pages):
        if wide_last and i == pages - 1:
            pdf.setPageSize(landscape(A4))
        pdf.setFont("Helvetica", 24)
        pdf.drawString(72, 700, f"Page {i + 1} of {pages}")
        pdf.rect(36, 36, 500, 760)
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def pdfinfo(path: Path) -> dict[str, str]:
    text = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return {
        key.strip(): value.strip()
        for key, _sep, value in (line.partition(":") for line in text.splitlines())
    }


def file_printer(path: Path) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    return printer


@pytest.fixture
def preview(qtbot: QtBot, ctx: AppContext) -> PdfPreview:
    widget = PdfPreview(ctx)
    qtbot.addWidget(widget)
    widget.resize(900, 700)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_a_multi_page_pdf_shows_its_pages_and_their_count(preview: PdfPreview) -> None:
    assert preview.load_pdf(make_pdf(5), "案件.pdf")
    assert preview.page_count == 5
    assert preview.count_label.text() == "共 5 页"
    assert preview.page_box.maximum() == 5 and preview.page_box.value() == 1
    assert preview.pages.currentWidget() is preview.view
    assert preview.view.document() is preview.document
    assert preview.print_button.isEnabled() and preview.save_button.isEnabled()
    assert not preview.previous_button.isEnabled() and preview.next_button.isEnabled()


def test_pages_are_navigated_by_buttons_keys_and_the_page_box(
    qtbot: QtBot, preview: PdfPreview
) -> None:
    preview.load_pdf(make_pdf(4))
    qtbot.mouseClick(preview.next_button, Qt.MouseButton.LeftButton)
    assert preview.current_page() == 1 and preview.page_box.value() == 2
    preview.view.setFocus()
    qtbot.keyClick(preview.view, Qt.Key.Key_PageDown)
    assert preview.current_page() == 2 and preview.page_box.value() == 3
    qtbot.keyClick(preview.view, Qt.Key.Key_PageDown)
    assert preview.current_page() == 3 and not preview.next_button.isEnabled()
    qtbot.keyClick(preview.view, Qt.Key.Key_PageDown)  # the last page stays
    assert preview.current_page() == 3
    qtbot.mouseClick(preview.previous_button, Qt.MouseButton.LeftButton)
    assert preview.current_page() == 2

    preview.page_box.setFocus()
    preview.page_box.selectAll()
    qtbot.keyClicks(preview.page_box, "1")
    qtbot.keyClick(preview.page_box, Qt.Key.Key_Return)
    assert preview.current_page() == 0 and not preview.previous_button.isEnabled()


def test_zoom_fit_width_whole_page_and_percentages(qtbot: QtBot, preview: PdfPreview) -> None:
    preview.load_pdf(make_pdf(2))
    assert preview.zoom_factor() == FIT_WIDTH
    assert preview.view.zoomMode() == QPdfView.ZoomMode.FitToWidth

    preview.zoom_box.setCurrentIndex(preview.zoom_box.findText("150%"))
    assert preview.view.zoomMode() == QPdfView.ZoomMode.Custom
    assert preview.view.zoomFactor() == pytest.approx(1.5)

    preview.view.setFocus()
    qtbot.keyClick(preview.view, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert preview.view.zoomFactor() == pytest.approx(2.0)
    assert preview.zoom_box.currentText() == "200%"
    qtbot.keyClick(preview.view, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(preview.view, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert preview.zoom_box.currentText() == "125%"

    preview.zoom_box.setCurrentIndex(preview.zoom_box.findText("整页"))
    assert preview.zoom_factor() == FIT_PAGE
    assert preview.view.zoomMode() == QPdfView.ZoomMode.FitInView


def test_save_as_writes_the_same_bytes(
    qtbot: QtBot, preview: PdfPreview, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = make_pdf(3)
    preview.load_pdf(data, "（2025）城关调字第1号_人民调解协议书.pdf")
    asked: list[str] = []

    def fake_save(_parent: QWidget, _title: str, suggested: str, _filter: str) -> tuple[str, str]:
        asked.append(suggested)
        return str(tmp_path / "协议书"), "PDF 文件 (*.pdf)"  # no suffix typed

    monkeypatch.setattr(QFileDialog, "getSaveFileName", fake_save)
    with qtbot.waitSignal(preview.saved, timeout=5000) as saved:
        qtbot.mouseClick(preview.save_button, Qt.MouseButton.LeftButton)
    assert asked[0].endswith("（2025）城关调字第1号_人民调解协议书.pdf")
    target = tmp_path / "协议书.pdf"
    assert saved.args == [str(target)]
    assert target.read_bytes() == data
    assert not list(tmp_path.glob("*.part"))


def test_printing_to_a_pdf_file_printer_prints_every_page(
    qtbot: QtBot, preview: PdfPreview, tmp_path: Path
) -> None:
    preview.load_pdf(make_pdf(4, wide_last=True), "卷宗.pdf")
    out = tmp_path / "printed.pdf"
    asked: list[tuple[int, int]] = []

    def ask(printer: QPrinter, _parent: QWidget | None) -> bool:
        asked.append((printer.fromPage(), printer.toPage()))
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        return True

    preview.ask_printer = ask
    with qtbot.waitSignal(preview.printed, timeout=20000) as printed:
        preview.setFocus()
        qtbot.keyClick(preview, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert asked == [(1, 4)]
    assert printed.args == [4]
    info = pdfinfo(out)
    assert info["Pages"] == "4"
    assert info["Page size"].startswith("595") and "A4" in info["Page size"]
    assert preview.status_label.text() == "已送出打印：4 页"
    assert preview.print_button.isEnabled()


def test_a_page_range_prints_only_those_pages(
    qtbot: QtBot, preview: PdfPreview, tmp_path: Path
) -> None:
    preview.load_pdf(make_pdf(5))
    out = tmp_path / "range.pdf"
    printer = file_printer(out)
    printer.setFromTo(2, 3)
    with qtbot.waitSignal(preview.printed, timeout=20000) as printed:
        preview.print_to(printer)
    assert printed.args == [2]
    assert pdfinfo(out)["Pages"] == "2"


def test_cancelling_the_print_dialog_prints_nothing(
    qtbot: QtBot, preview: PdfPreview, tmp_path: Path
) -> None:
    preview.load_pdf(make_pdf(2))
    preview.ask_printer = lambda _printer, _parent: False
    assert not preview.print_document()
    assert preview.job is None


def test_a_broken_pdf_shows_the_chinese_message(qtbot: QtBot, preview: PdfPreview) -> None:
    assert not preview.load_pdf(b"%PDF-1.7\nthis is not really a PDF", "坏.pdf")
    assert preview.broken
    assert preview.pages.currentWidget() is preview.error_label
    assert preview.error_label.text() == BROKEN_PDF
    assert "无法显示这份PDF文件" in preview.error_label.text()
    assert not preview.print_button.isEnabled() and not preview.save_button.isEnabled()
    assert not preview.print_document() and not preview.save_as()
    # A good file afterwards is shown again.
    assert preview.load_pdf(make_pdf(1))
    assert preview.pages.currentWidget() is preview.view and preview.page_count == 1


def test_print_pdf_without_a_preview_and_with_a_broken_file(
    qtbot: QtBot, tmp_path: Path, message_boxes: MessageBoxCatcher
) -> None:
    out = tmp_path / "direct.pdf"
    done: list[int] = []
    job = print_pdf(
        make_pdf(3),
        None,
        ask_printer=lambda _p, _w: True,
        printer=file_printer(out),
        on_finished=done.append,
    )
    assert job is not None
    qtbot.waitUntil(lambda: done == [3], timeout=20000)
    assert pdfinfo(out)["Pages"] == "3"

    assert print_pdf(b"garbage", None, ask_printer=lambda _p, _w: True) is None
    qtbot.waitUntil(lambda: BROKEN_PDF in message_boxes.texts())


def test_the_preview_window_opens_and_closes_with_escape(qtbot: QtBot, ctx: AppContext) -> None:
    dialog = open_preview(ctx, make_pdf(2), title="人民调解协议书", file_name="a.pdf", parent=None)
    assert isinstance(dialog, PdfPreviewDialog)
    qtbot.waitExposed(dialog)
    assert dialog.windowTitle() == "预览 - 人民调解协议书"
    assert dialog.preview.page_count == 2
    with qtbot.waitSignal(dialog.finished):
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)


def test_file_names_lose_characters_the_file_system_refuses() -> None:
    assert (
        safe_file_name("（2025）城关调字第1号/协议:书?.pdf") == "（2025）城关调字第1号_协议_书_.pdf"
    )
    assert safe_file_name(" .. ") == "文书"

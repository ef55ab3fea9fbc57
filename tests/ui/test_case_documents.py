"""The case editor's 文书 panel on real cases: the documents are made by the PDF core on the
worker, previewed, printed to a PDF-file printer and saved."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from justice_desktop import pdf
from justice_desktop.store.database import Store
from tests.ui.conftest import MessageBoxCatcher
from tests.ui.factories import MadeCase
from ui.case_documents import BOUND_FILE, BOUND_FILE_TITLE, CaseDocumentsPanel
from ui.context import AppContext
from ui.pdf_preview import PdfPreviewDialog
from ui.qt import QFileDialog, QPrinter, Qt, QWidget
from ui.tasks import TaskManager


def pdfinfo_pages(path_or_data: Path | bytes) -> int:
    if isinstance(path_or_data, Path):
        run = subprocess.run(["pdfinfo", str(path_or_data)], capture_output=True, text=True)
    else:
        run = subprocess.run(["pdfinfo", "-"], input=path_or_data, capture_output=True)
    out = run.stdout if isinstance(run.stdout, str) else run.stdout.decode()
    pages = [line.split(":")[1] for line in out.splitlines() if line.startswith("Pages:")]
    return int(pages[0])


def pdftotext(data: bytes) -> str:
    run = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True)
    return run.stdout.decode()


UNPRINTABLE = "\U00030000"  # 𰀀, CJK extension G: no shipped font has it


def add_case_with_applicant(store: Store, name: str) -> str:
    """A case whose applicant is ``name`` (registered like the factories' cases)."""
    from datetime import date

    from justice_desktop.domain.case_inputs import CaseInput
    from justice_desktop.domain.party import PartyInput
    from justice_desktop.store.cases import CaseService
    from justice_desktop.store.office import committees, users

    return CaseService(store).register(
        users(store)[0]["id"],
        CaseInput(
            committee_id=committees(store)[0]["id"],
            registered_on=date(2025, 3, 1),
            source="applied",
            dispute_type="neighbourhood",
            summary="双方因院墙边界发生争执。",
            parties=[
                PartyInput(side="applicant", name=name),
                PartyInput(side="respondent", name="李四"),
            ],
            mediators=["王调解"],
            village="城关村",
        ),
    )


class Holder:
    """The case the panel works on (the editor's ``case_id``)."""

    def __init__(self, case_id: str | None) -> None:
        self.case_id = case_id


@pytest.fixture
def holder(made: list[MadeCase]) -> Holder:
    return Holder(made[0].case_id)


@pytest.fixture
def panel(qtbot: QtBot, ctx: AppContext, holder: Holder) -> CaseDocumentsPanel:
    widget = CaseDocumentsPanel(ctx, lambda: holder.case_id)
    qtbot.addWidget(widget)
    assert widget.selected() is None and not widget.print_current()  # titles not read yet
    widget.show()
    qtbot.waitExposed(widget)
    qtbot.waitUntil(lambda: widget.filled)
    return widget


def open_preview(qtbot: QtBot, panel: CaseDocumentsPanel) -> PdfPreviewDialog:
    with qtbot.waitSignal(panel.previewOpened, timeout=20000) as opened:
        panel.documents.setFocus()
        qtbot.keyClick(panel.documents, Qt.Key.Key_Return)
    dialog = opened.args[0]
    assert isinstance(dialog, PdfPreviewDialog)
    qtbot.addWidget(dialog)
    return dialog


def test_the_list_offers_the_bound_file_and_every_form(panel: CaseDocumentsPanel) -> None:
    titles = [panel.documents.item(i).text() for i in range(panel.documents.count())]
    assert titles == [BOUND_FILE_TITLE, *pdf.FORMS.values()]
    assert panel.selected() == (BOUND_FILE, False)
    assert not panel.blank_check.isEnabled()  # the bound file has no blank form
    first_form = next(iter(pdf.FORMS))
    panel.select(first_form)
    assert panel.blank_check.isEnabled()
    panel.blank_check.setChecked(True)
    assert panel.selected() == (first_form, True)


def test_a_form_of_the_case_is_previewed(
    qtbot: QtBot, panel: CaseDocumentsPanel, tasks: TaskManager, made: list[MadeCase]
) -> None:
    key, title = next(iter(pdf.FORMS.items()))
    panel.select(key)
    dialog = open_preview(qtbot, panel)
    preview = dialog.preview
    assert not preview.broken
    assert preview.page_count == pdfinfo_pages(preview.data) >= 1
    assert preview.count_label.text() == f"共 {preview.page_count} 页"
    assert dialog.windowTitle() == f"预览 - {title}"
    assert preview.file_name.startswith(made[0].case_number.replace("/", "_"))
    assert preview.file_name.endswith(f"_{title}.pdf")
    assert made[0].case_number in pdftotext(preview.data)
    dialog.close()


def test_the_bound_case_file_is_previewed_with_all_its_pages(
    qtbot: QtBot, panel: CaseDocumentsPanel, tasks: TaskManager, made: list[MadeCase]
) -> None:
    expected = tasks.call(lambda s: pdf.render_case_file(s, made[0].case_id))
    panel.select(BOUND_FILE)
    dialog = open_preview(qtbot, panel)
    assert dialog.preview.page_count == pdfinfo_pages(expected)
    assert dialog.preview.file_name.endswith("_卷宗.pdf")
    dialog.close()


def test_a_blank_form_carries_none_of_the_case(
    qtbot: QtBot, panel: CaseDocumentsPanel, made: list[MadeCase]
) -> None:
    key, title = next(iter(pdf.FORMS.items()))
    panel.select(key)
    panel.blank_check.setChecked(True)
    dialog = open_preview(qtbot, panel)
    assert dialog.preview.file_name == f"{title}（空白）.pdf"
    text = pdftotext(dialog.preview.data)
    assert made[0].applicant not in text
    dialog.close()


def test_print_current_prints_the_chosen_document(
    qtbot: QtBot,
    panel: CaseDocumentsPanel,
    tasks: TaskManager,
    made: list[MadeCase],
    tmp_path: Path,
) -> None:
    out = tmp_path / "printed.pdf"
    asked: list[str] = []

    def ask(printer: QPrinter, _parent: QWidget | None) -> bool:
        asked.append(printer.docName())
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        return True

    panel.ask_printer = ask
    panel.select(BOUND_FILE)
    messages: list[str] = []
    panel.message.connect(messages.append)
    assert panel.print_current()
    qtbot.waitUntil(lambda: any("已送出打印" in m for m in messages), timeout=30000)
    expected = tasks.call(lambda s: pdf.render_case_file(s, made[0].case_id))
    assert asked == ["卷宗"]
    assert pdfinfo_pages(out) == pdfinfo_pages(expected)


def test_save_as_writes_the_document(
    qtbot: QtBot,
    panel: CaseDocumentsPanel,
    made: list[MadeCase],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key, title = list(pdf.FORMS.items())[-1]
    suggested: list[str] = []

    def fake_save(_parent: QWidget, _title: str, name: str, _filter: str) -> tuple[str, str]:
        suggested.append(name)
        return str(tmp_path / Path(name).name), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", fake_save)
    messages: list[str] = []
    panel.message.connect(messages.append)
    panel.select(key)
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(m.startswith("已保存到") for m in messages), timeout=20000)
    saved = tmp_path / Path(suggested[0]).name
    assert saved.name.endswith(f"_{title}.pdf")
    data = saved.read_bytes()
    assert data.startswith(b"%PDF") and pdfinfo_pages(data) >= 1
    assert made[0].case_number in pdftotext(data)


def test_no_case_open_means_nothing_to_print(panel: CaseDocumentsPanel, holder: Holder) -> None:
    holder.case_id = None
    assert not panel.print_current()
    assert not panel.preview()


def test_a_case_that_cannot_be_rendered_shows_the_chinese_reason(
    qtbot: QtBot,
    panel: CaseDocumentsPanel,
    holder: Holder,
    ctx: AppContext,
    tasks: TaskManager,
    made: list[MadeCase],
    message_boxes: MessageBoxCatcher,
) -> None:
    from justice_desktop.store.cases import CaseService

    user_id = ctx.user.id
    tasks.call(lambda s: CaseService(s).delete_case(user_id, made[1].case_id, "登记错误"))
    holder.case_id = made[1].case_id
    key, title = next(iter(pdf.FORMS.items()))
    panel.select(key)
    assert panel.preview()
    qtbot.waitUntil(lambda: bool(message_boxes.texts()), timeout=20000)
    text = message_boxes.texts()[0]
    assert text.startswith(f"无法生成《{title}》：")
    assert panel.last_preview is None


def test_a_character_no_font_has_is_reported_before_printing(
    qtbot: QtBot,
    panel: CaseDocumentsPanel,
    holder: Holder,
    tasks: TaskManager,
    message_boxes: MessageBoxCatcher,
    tmp_path: Path,
) -> None:
    holder.case_id = tasks.call(lambda s: add_case_with_applicant(s, f"王{UNPRINTABLE}"))
    printed: list[QPrinter] = []
    panel.ask_printer = lambda printer, _parent: bool(printed.append(printer))
    panel.select(BOUND_FILE)
    assert panel.print_current()
    qtbot.waitUntil(lambda: bool(message_boxes.texts()), timeout=20000)
    text = message_boxes.texts()[0]
    assert text.startswith("无法生成《卷宗》：")
    assert UNPRINTABLE in text
    assert printed == []  # never reached the printer


def test_a_panel_closed_before_its_list_arrives_is_left_alone(
    qtbot: QtBot, ctx: AppContext, tasks: TaskManager
) -> None:
    widget = CaseDocumentsPanel(ctx, lambda: None)
    gone: list[bool] = []
    widget.destroyed.connect(lambda: gone.append(True))
    widget.deleteLater()
    qtbot.waitUntil(lambda: gone == [True])
    tasks.call(lambda _s: None)  # the titles have been read
    qtbot.wait(50)  # and delivered to nobody: no error

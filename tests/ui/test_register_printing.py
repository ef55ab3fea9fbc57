"""Printing registers from their screens: the PDF is made on the worker and previewed."""

from __future__ import annotations

import subprocess
from datetime import date, datetime
from pathlib import Path

from pytestqt.qtbot import QtBot

from justice_desktop.domain.consultations import AdviserLogInput
from justice_desktop.domain.understanders import UnderstanderInput
from justice_desktop.store.consultations import AdviserLogService
from justice_desktop.store.understanders import UnderstanderService
from ui.adviser_logs_screen import AdviserLogsScreen
from ui.context import AppContext
from ui.pdf_preview import PdfPreviewDialog
from ui.qt import QApplication
from ui.understanders_screen import UnderstandersScreen


def preview_text(qtbot: QtBot, tmp_path: Path, title_part: str) -> str:
    """Wait for the preview window whose title holds ``title_part``; its PDF's text."""
    found: list[PdfPreviewDialog] = []

    def opened() -> bool:
        found[:] = [
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, PdfPreviewDialog) and title_part in w.windowTitle() and w.isVisible()
        ]
        return bool(found)

    qtbot.waitUntil(opened, timeout=15000)
    dialog = found[0]
    assert dialog.preview.page_count >= 1
    data = dialog.preview.data  # the bytes shown
    path = tmp_path / "shown.pdf"
    path.write_bytes(data)
    dialog.close()
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return "".join(out.stdout.split())


def test_roster_prints_from_the_understanders_screen(
    qtbot: QtBot, ctx: AppContext, tmp_path: Path
) -> None:
    def add(store: object) -> None:
        service = UnderstanderService(store, ctx.tables)  # type: ignore[arg-type]
        service.add(ctx.user.id, UnderstanderInput("赵一", "东村", "committee"))
        service.add(ctx.user.id, UnderstanderInput("钱二", "西村", "self"))

    ctx.tasks.call(add)
    screen = UnderstandersScreen(ctx)
    qtbot.addWidget(screen)
    screen.show()
    qtbot.waitUntil(lambda: screen.roster_model.rowCount() == 2, timeout=5000)
    screen.print_roster_button.click()
    text = preview_text(qtbot, tmp_path, "法律明白人名册")
    assert "法律明白人名册" in text and "赵一" in text and "钱二" in text
    screen.print_sign_in_button.click()  # no training chosen: told, nothing opens
    assert "选中一次培训" in screen.message.text()


def test_adviser_log_prints_for_the_current_user(
    qtbot: QtBot, ctx: AppContext, tmp_path: Path
) -> None:
    year = ctx.today().year

    def add(store: object) -> None:
        AdviserLogService(store, ctx.tables).record(  # type: ignore[arg-type]
            ctx.user.id,
            AdviserLogInput(
                adviser=ctx.user.name,
                village="南村",
                started_at=datetime(year, 1, 8, 9, 0),
                hours=4,
                on_site=True,
                kind="consultation",
                object="村民",
                content="宅基地政策解答",
            ),
        )

    ctx.tasks.call(add)
    screen = AdviserLogsScreen(ctx)
    qtbot.addWidget(screen)
    screen.show()
    assert screen.print_current()
    text = preview_text(qtbot, tmp_path, "法律顾问工作日志")
    assert "南村" in text and "宅基地政策解答" in text
    assert date(year, 1, 8).strftime("%Y") in text

"""批量导出PDF over real cases: one file per case (or per case and form), cancelling keeps only
whole files and says what was written, a failing case is listed and the others go on."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from justice_desktop import pdf
from justice_desktop.store.cases import CaseService
from tests.ui.conftest import MessageBoxCatcher, type_text
from tests.ui.factories import MadeCase
from tests.ui.test_case_documents import UNPRINTABLE, add_case_with_applicant
from ui import batch_pdf
from ui.batch_pdf import (
    NOTHING_SELECTED,
    BatchPdfDialog,
    BatchResult,
    export_selected_cases,
    selected_case_ids,
)
from ui.case_documents import case_number
from ui.context import AppContext
from ui.pdf_preview import safe_file_name
from ui.qt import (
    QAbstractItemView,
    QItemSelectionModel,
    QStandardItem,
    QStandardItemModel,
    Qt,
    QTableView,
)
from ui.tasks import TaskManager


def pages(path: Path) -> int:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    return int(next(line.split(":")[1] for line in out.splitlines() if line.startswith("Pages:")))


def make_dialog(qtbot: QtBot, ctx: AppContext, case_ids: list[str]) -> BatchPdfDialog:
    dialog = BatchPdfDialog(ctx, case_ids)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: dialog.forms_list.count() == len(pdf.FORMS))
    return dialog


def run_export(qtbot: QtBot, dialog: BatchPdfDialog, folder: Path) -> BatchResult:
    dialog.folder_edit.setFocus()
    type_text(qtbot, dialog.folder_edit, str(folder))
    with qtbot.waitSignal(dialog.exported, timeout=60000) as exported:
        qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    result = exported.args[0]
    assert isinstance(result, BatchResult)
    return result


def test_the_bound_files_of_several_cases_one_file_each(
    qtbot: QtBot, ctx: AppContext, made: list[MadeCase], tmp_path: Path
) -> None:
    cases = made[:3]
    dialog = make_dialog(qtbot, ctx, [c.case_id for c in cases])
    folder = tmp_path / "导出"
    result = run_export(qtbot, dialog, folder)
    expected = [folder / f"{safe_file_name(c.case_number)}_卷宗.pdf" for c in cases]
    assert result.written == expected
    assert sorted(folder.iterdir()) == sorted(expected)
    assert all(pages(path) >= 1 for path in expected)
    assert not result.failed and not result.cancelled
    summary = dialog.summary.toPlainText()
    assert summary.startswith(f"已导出 3 个案件，共 3 个文件，保存在：{folder}")
    assert all(path.name in summary for path in expected)
    assert dialog.start_button.isEnabled() and dialog.start_button.text() == "再次导出"


def test_chosen_forms_of_several_cases(
    qtbot: QtBot, ctx: AppContext, made: list[MadeCase], tmp_path: Path
) -> None:
    cases = made[3:5]
    dialog = make_dialog(qtbot, ctx, [c.case_id for c in cases])
    qtbot.mouseClick(dialog.forms_radio, Qt.MouseButton.LeftButton)
    assert dialog.forms_list.isEnabled()
    qtbot.mouseClick(dialog.all_button, Qt.MouseButton.LeftButton)
    assert dialog.chosen_forms() == list(pdf.FORMS)
    qtbot.mouseClick(dialog.none_button, Qt.MouseButton.LeftButton)
    assert dialog.chosen_forms() == []
    chosen = list(pdf.FORMS.items())[:2]
    for row in range(2):
        dialog.forms_list.item(row).setCheckState(Qt.CheckState.Checked)
    out = tmp_path / "out"
    result = run_export(qtbot, dialog, out)
    expected = {
        out / f"{safe_file_name(c.case_number)}_{title}.pdf"
        for c in cases
        for _key, title in chosen
    }
    assert set(result.written) == expected and len(result.written) == 4
    assert set(out.iterdir()) == expected
    assert "已导出 2 个案件，共 4 个文件" in dialog.summary.toPlainText()


def test_a_failing_case_is_listed_and_the_others_are_exported(
    qtbot: QtBot, ctx: AppContext, tasks: TaskManager, made: list[MadeCase], tmp_path: Path
) -> None:
    cases = made[5:7]
    unprintable = tasks.call(lambda s: add_case_with_applicant(s, f"王{UNPRINTABLE}"))
    number = tasks.call(lambda s: case_number(s, unprintable))
    user_id = ctx.user.id
    tasks.call(lambda s: CaseService(s).delete_case(user_id, made[7].case_id, "重复登记"))
    ids = [cases[0].case_id, unprintable, made[7].case_id, cases[1].case_id]
    dialog = make_dialog(qtbot, ctx, ids)
    result = run_export(qtbot, dialog, tmp_path / "out")
    assert [p.name for p in result.written] == [
        f"{safe_file_name(c.case_number)}_卷宗.pdf" for c in cases
    ]
    assert [case for case, _reason in result.failed] == [number, made[7].case_id]
    assert UNPRINTABLE in result.failed[0][1]
    summary = dialog.summary.toPlainText()
    assert "已导出 2 个案件，共 2 个文件" in summary
    assert f"以下 2 个案件未能导出：\n    {number}：" in summary
    assert not any(number in p.name for p in (tmp_path / "out").iterdir())


def test_cancelling_keeps_whole_files_and_says_which(
    qtbot: QtBot,
    ctx: AppContext,
    made: list[MadeCase],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cases = made[:6]
    dialog = make_dialog(qtbot, ctx, [c.case_id for c in cases])
    real = batch_pdf.render_document
    calls: list[str] = []

    def render_then_cancel(*args: Any, **kwargs: Any) -> Any:
        rendered = real(*args, **kwargs)
        calls.append(args[1])
        if len(calls) == 2:  # the user presses 取消 while the second case is being made
            dialog.cancel()
        return rendered

    monkeypatch.setattr(batch_pdf, "render_document", render_then_cancel)
    out = tmp_path / "out"
    result = run_export(qtbot, dialog, out)
    first = out / f"{safe_file_name(cases[0].case_number)}_卷宗.pdf"
    assert result.cancelled
    assert result.written == [first]
    assert list(out.iterdir()) == [first]  # no half file, no .part left
    summary = dialog.summary.toPlainText()
    assert summary.startswith("导出已取消。\n已导出 1 个案件，共 1 个文件")
    assert first.name in summary
    assert "还有 5 个案件因取消而未导出。" in summary
    assert dialog.token is None


def test_the_dialog_asks_for_a_folder_and_a_form(
    qtbot: QtBot, ctx: AppContext, made: list[MadeCase], tmp_path: Path
) -> None:
    dialog = make_dialog(qtbot, ctx, [made[0].case_id])
    assert not dialog.start()
    assert dialog.error_label.text() == "请选择导出到哪个文件夹。"
    assert dialog.focusWidget() is dialog.folder_edit
    out = tmp_path / "out"
    dialog.folder_edit.setText(str(out))
    dialog.forms_radio.setChecked(True)
    qtbot.keyClick(dialog.folder_edit, Qt.Key.Key_Return)  # Enter = 开始导出
    assert dialog.error_label.text() == "请至少勾选一种文书，或选择“整卷”。"
    assert dialog.token is None and not out.exists()


def test_selected_rows_give_the_case_ids(
    qtbot: QtBot, ctx: AppContext, message_boxes: MessageBoxCatcher
) -> None:
    model = QStandardItemModel(4, 1)
    for row in range(4):
        model.setItem(row, 0, QStandardItem(f"案件{row}"))
    table = QTableView()
    qtbot.addWidget(table)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    ids = {0: "a", 1: "b", 2: None, 3: "d"}  # row 2: its page is not loaded
    selection = table.selectionModel()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for row in (3, 2, 0):
        selection.select(model.index(row, 0), flags)
    assert selected_case_ids(table, ids.get) == ["a", "d"]

    assert export_selected_cases(ctx, [], None) is None
    qtbot.waitUntil(lambda: NOTHING_SELECTED in message_boxes.texts())

"""导出Excel… and the roster / attendance import dialog, driven through the screens over a
real encrypted store; the workbooks are made and read back with openpyxl."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from pytestqt.qtbot import QtBot

from justice_desktop.domain.consultations import AdviserLogInput, ConsultationInput
from justice_desktop.domain.understanders import TrainingInput, UnderstanderInput
from justice_desktop.excel.exports import ExportRequest
from justice_desktop.store.consultations import AdviserLogService, ConsultationService
from justice_desktop.store.database import Store
from justice_desktop.store.office import add_user
from justice_desktop.store.understanders import UnderstanderService, load_training
from tests.ui.conftest import CASES, MessageBoxCatcher
from ui import excel_export, excel_import_dialog
from ui.adviser_logs_screen import AdviserLogsScreen
from ui.cases_screen import CasesScreen
from ui.consultations_screen import ConsultationsScreen
from ui.context import AppContext, CurrentUser
from ui.excel_export import FULL_DISABLED_TEXT, ExcelExportDialog, run_export
from ui.excel_import_dialog import IGNORE_LABEL, ExcelImportDialog
from ui.qt import QVBoxLayout, QWidget
from ui.tasks import CancelToken, Progress, TaskManager
from ui.understanders_screen import UnderstandersScreen

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def resident_id(first17: str) -> str:
    """A valid 18-character ID number (the check character computed)."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return first17 + "10X98765432"[total % 11]


IDS = [resident_id(f"1101051980010{i}00{i}") for i in range(1, 5)]
HEADER = ["序号", "姓名", "身份证号码", "联系电话", "所在村（社区）"]


def people_rows(bad_phone: bool = False) -> list[list[Any]]:
    return [
        [1, "周一", IDS[0], "13812340001", "东村"],
        [2, "吴二", IDS[1], "12345" if bad_phone else "13812340002", "东村"],
        [3, "郑三", IDS[2], "", "西村"],
    ]


def write_xlsx(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "名册"
    sheet.append(["某某街道法律明白人名册"])  # a title row above the header, as offices do
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def all_cells(path: Path) -> list[str]:
    book = load_workbook(path, read_only=True)
    out = [str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row]
    book.close()
    return [v for v in out if v != "None"]


class Host(QWidget):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.people = UnderstandersScreen(ctx, self)
        QVBoxLayout(self).addWidget(self.people)


@pytest.fixture
def host(qtbot: QtBot, ctx: AppContext) -> Iterator[Host]:
    widget = Host(ctx)
    qtbot.addWidget(widget)
    with qtbot.waitSignal(widget.people.rosterLoaded, timeout=5000):
        widget.show()
    yield widget
    widget.close()


def add_people(tasks: TaskManager, ctx: AppContext) -> None:
    def add(store: Store) -> None:
        svc = UnderstanderService(store)
        svc.add(ctx.user.id, UnderstanderInput("赵甲", "东村", "committee", id_number=IDS[3]))
        svc.add(ctx.user.id, UnderstanderInput("钱乙", "西村", "self", phone="13900001111"))

    tasks.call(add)


def roster_count(tasks: TaskManager) -> int:
    return len(tasks.call(lambda s: UnderstanderService(s).roster()))


def export_through(
    qtbot: QtBot, dialog: ExcelExportDialog, monkeypatch: pytest.MonkeyPatch, target: Path
) -> Any:
    monkeypatch.setattr(excel_export, "ask_save_path", lambda *_a: target)
    with qtbot.waitSignal(dialog.exported, timeout=10000) as blocker:
        dialog.export_button.click()
    return blocker.args[0]


# -- export -------------------------------------------------------------------------------------
def test_roster_export_is_masked_and_full_is_disabled_for_a_clerk(
    qtbot: QtBot,
    host: Host,
    ctx: AppContext,
    tasks: TaskManager,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    message_boxes: MessageBoxCatcher,
) -> None:
    add_people(tasks, ctx)
    assert ctx.user.role == "clerk"
    with qtbot.waitSignal(host.people.rosterLoaded, timeout=5000):
        host.people.reload_roster()
    host.people.export_roster_button.click()
    dialog = host.people.excel_dialog
    assert isinstance(dialog, ExcelExportDialog)
    qtbot.waitUntil(lambda: dialog.full_note.text() == FULL_DISABLED_TEXT, timeout=5000)
    assert not dialog.full_option.isEnabled()
    assert dialog.masked_option.isChecked()
    assert "所长" in dialog.full_option.toolTip()

    target = tmp_path / "out" / "名册.xlsx"
    target.parent.mkdir()
    result = export_through(qtbot, dialog, monkeypatch, target)
    assert result.rows == 2 and not result.full
    cells = all_cells(target)
    assert "110105********" + IDS[3][-4:] in cells
    assert IDS[3] not in cells
    assert "139****1111" in cells and "13900001111" not in cells
    assert sorted(p.name for p in target.parent.iterdir()) == ["名册.xlsx"]  # no temp file left
    qtbot.waitUntil(lambda: any("已导出" in t for t in message_boxes.texts()), timeout=5000)


def test_full_export_for_the_head(
    qtbot: QtBot,
    host: Host,
    ctx: AppContext,
    tasks: TaskManager,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    message_boxes: MessageBoxCatcher,
) -> None:
    add_people(tasks, ctx)
    head_id = tasks.call(lambda s: add_user(s, ctx.user.id, "王所长", "head"))
    ctx.set_user(CurrentUser(head_id, "王所长", "head"))
    dialog = host.people.export_roster()
    with qtbot.waitSignal(dialog.permissionChecked, timeout=5000) as blocker:
        pass
    assert blocker.args == [True]
    assert dialog.full_option.isEnabled()
    dialog.full_option.setChecked(True)
    target = tmp_path / "完整名册.xlsx"
    result = export_through(qtbot, dialog, monkeypatch, target)
    assert result.full
    assert IDS[3] in all_cells(target)


def test_cases_export_follows_the_filter(
    qtbot: QtBot,
    ctx: AppContext,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    message_boxes: MessageBoxCatcher,
) -> None:
    win = CasesScreen(ctx)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.case_model.loaded, timeout=5000)
    assert win.excel_button.text() == "导出Excel…"
    index = win.type_filter.findData("contract")
    with qtbot.waitSignal(win.case_model.countChanged, timeout=5000):
        win.type_filter.setCurrentIndex(index)
    shown = win.case_model.rowCount()
    assert 0 < shown < CASES
    win.excel_button.click()
    dialog = win.excel_dialog
    assert dialog is not None
    result = export_through(qtbot, dialog, monkeypatch, tmp_path / "cases.xlsx")
    assert result.rows == shown
    win.search.stop()
    win.close()


# -- roster import --------------------------------------------------------------------------------
def open_import(
    qtbot: QtBot, host: Host, monkeypatch: pytest.MonkeyPatch, path: Path
) -> ExcelImportDialog:
    monkeypatch.setattr(excel_import_dialog, "ask_open_path", lambda *_a: path)
    host.people.import_roster_button.click()
    dialog = host.people.excel_dialog
    assert isinstance(dialog, ExcelImportDialog)
    qtbot.waitUntil(
        lambda: dialog.plan is not None or bool(dialog.error_label.text()), timeout=10000
    )
    return dialog


def apply(qtbot: QtBot, dialog: ExcelImportDialog) -> Any:
    assert dialog.import_button.isEnabled()
    with qtbot.waitSignal(dialog.imported, timeout=10000) as blocker:
        dialog.import_button.click()
    return blocker.args[0]


def test_import_with_a_bad_row_then_fixed_and_a_second_import_adds_nobody(
    qtbot: QtBot,
    host: Host,
    tasks: TaskManager,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = write_xlsx(tmp_path / "报送名册.xlsx", HEADER, people_rows(bad_phone=True))
    dialog = open_import(qtbot, host, monkeypatch, path)
    plan = dialog.plan
    assert plan is not None
    assert "名册" in dialog.sheet_label.text() and "第2行" in dialog.sheet_label.text()
    problems = dialog.problem_texts()
    assert [(row, col) for row, col, _m in problems] == [("4", "联系电话")]
    assert not dialog.import_button.isEnabled()
    assert dialog.skip_check.isEnabled()
    assert "有问题 1 行" in dialog.counts_label.text()
    assert roster_count(tasks) == 0  # the dry run wrote nothing

    write_xlsx(path, HEADER, people_rows())  # corrected in Excel
    with qtbot.waitSignal(dialog.planned, timeout=10000):
        dialog.recheck_button.click()
    assert dialog.problem_texts() == []
    assert "新增 3 人" in dialog.counts_label.text()
    with qtbot.waitSignal(host.people.rosterLoaded, timeout=10000) as loaded:
        outcome = apply(qtbot, dialog)
    assert (outcome.added, outcome.updated) == (3, 0)
    assert loaded.args == [3]  # the roster refreshed
    assert "新增3人" in dialog.outcome_label.text()
    assert not dialog.import_button.isEnabled()
    dialog.close()

    again = open_import(qtbot, host, monkeypatch, path)
    assert again is not dialog
    assert "新增 0 人" in again.counts_label.text() and "无变化 3 人" in again.counts_label.text()
    outcome = apply(qtbot, again)
    assert outcome.added == 0 and outcome.unchanged == 3
    assert roster_count(tasks) == 3


def test_import_skipping_the_bad_row(
    qtbot: QtBot,
    host: Host,
    tasks: TaskManager,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = write_xlsx(tmp_path / "名册.xlsx", HEADER, people_rows(bad_phone=True))
    dialog = open_import(qtbot, host, monkeypatch, path)
    assert not dialog.import_button.isEnabled()
    dialog.skip_check.setChecked(True)
    outcome = apply(qtbot, dialog)
    assert (outcome.added, outcome.skipped_rows) == (2, 1)
    names = {str(u["name"]) for u in tasks.call(lambda s: UnderstanderService(s).roster())}
    assert names == {"周一", "郑三"}


def test_changing_a_column_mapping_plans_again(
    qtbot: QtBot,
    host: Host,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    header = ["姓名", "身份证号码", "号码", "所在村（社区）"]  # "号码" is not recognised
    rows = [["周一", IDS[0], "13812340001", "东村"]]
    path = write_xlsx(tmp_path / "x.xlsx", header, rows)
    dialog = open_import(qtbot, host, monkeypatch, path)
    combo = dialog.mapping_combo("号码")
    assert combo is not None and combo.currentText() == IGNORE_LABEL
    with qtbot.waitSignal(dialog.planned, timeout=10000) as blocker:
        combo.setCurrentIndex(combo.findData("phone"))
    plan = blocker.args[0]
    assert ("号码", "phone") in plan.columns
    assert plan.new_rows[0][1]["phone"] == "13812340001"
    refreshed = dialog.mapping_combo("号码")
    assert refreshed is not None and refreshed.currentData() == "phone"


def test_a_broken_file_shows_the_message_and_writes_nothing(
    qtbot: QtBot,
    host: Host,
    tasks: TaskManager,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "坏文件.xlsx"
    path.write_bytes(b"this is not a workbook")
    monkeypatch.setattr(excel_import_dialog, "ask_open_path", lambda *_a: path)
    host.people.import_roster_button.click()
    dialog = host.people.excel_dialog
    assert isinstance(dialog, ExcelImportDialog)
    qtbot.waitUntil(lambda: bool(dialog.error_label.text()), timeout=10000)
    assert dialog.plan is None
    assert not dialog.error_label.isHidden()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in dialog.error_label.text())
    assert not dialog.import_button.isEnabled()
    assert roster_count(tasks) == 0


# -- attendance import -------------------------------------------------------------------------------
def test_attendance_import_twice_adds_nobody_the_second_time(
    qtbot: QtBot,
    host: Host,
    ctx: AppContext,
    tasks: TaskManager,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    add_people(tasks, ctx)
    today = ctx.today()

    def train(store: Store) -> str:
        return UnderstanderService(store).add_training(
            ctx.user.id,
            TrainingInput(date(today.year, 1, 5), "民法典宣讲", "李律师", "offline", 2.0),
        )

    training_id = tasks.call(train)
    with qtbot.waitSignal(host.people.trainingsLoaded, timeout=5000):
        host.people.reload_trainings()
    host.people.tabs.setCurrentIndex(1)
    host.people.training_view.selectRow(0)
    host.people.training_view.setCurrentIndex(host.people.training_model.index(0, 0))
    assert host.people.import_attendance_button.isEnabled()
    path = write_xlsx(
        tmp_path / "签到表.xlsx",
        ["姓名", "身份证号", "签名"],
        [["赵甲", IDS[3], ""], ["钱乙", "", ""]],
    )
    monkeypatch.setattr(excel_import_dialog, "ask_open_path", lambda *_a: path)
    for expected in (2, 0):
        host.people.import_attendance_button.click()
        dialog = host.people.excel_dialog
        assert isinstance(dialog, ExcelImportDialog)
        qtbot.waitUntil(lambda: dialog.plan is not None, timeout=10000)  # noqa: B023
        assert "民法典宣讲" in dialog.sheet_label.text()
        with qtbot.waitSignal(host.people.trainingsLoaded, timeout=10000):
            outcome = apply(qtbot, dialog)
        assert outcome.added == expected
        dialog.close()
    _row, attendees = tasks.call(lambda s: load_training(s, training_id))
    assert len(attendees) == 2


# -- the other lists -------------------------------------------------------------------------------
def test_consultations_adviser_logs_and_trainings_export(
    qtbot: QtBot,
    host: Host,
    ctx: AppContext,
    tasks: TaskManager,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    message_boxes: MessageBoxCatcher,
) -> None:
    today = ctx.today()
    last_year = date(today.year - 1, 6, 10)

    def record(store: Store) -> None:
        svc = ConsultationService(store)
        category = svc.tables["consultation_categories"].codes()[0]
        mode = svc.tables["consultation_modes"].codes()[0]
        for day in (today, last_year):
            svc.record(
                ctx.user.id,
                ConsultationInput(
                    day, category, "邻居占用通道怎么办？", "王律师", mode, name="赵六"
                ),
            )
        logs = AdviserLogService(store)
        for when in (datetime(today.year, 1, 3, 9), datetime(today.year - 1, 3, 3, 9)):
            logs.record(
                ctx.user.id,
                AdviserLogInput("孙顾问", "东村", when, 4, "lecture", "村民", "民法典讲座"),
            )
        UnderstanderService(store).add_training(
            ctx.user.id, TrainingInput(date(today.year, 1, 5), "宪法宣讲", "李律师", "online", 1.5)
        )

    tasks.call(record)
    consultations = ConsultationsScreen(ctx)
    advisers = AdviserLogsScreen(ctx)
    for widget in (consultations, advisers):
        qtbot.addWidget(widget)
    consultations.excel_button.click()
    assert consultations.excel_dialog is not None
    result = export_through(qtbot, consultations.excel_dialog, monkeypatch, tmp_path / "c.xlsx")
    assert (result.kind, result.rows) == ("consultations", 1)
    assert "赵*" in all_cells(tmp_path / "c.xlsx")
    advisers.excel_button.click()
    assert advisers.excel_dialog is not None
    result = export_through(qtbot, advisers.excel_dialog, monkeypatch, tmp_path / "a.xlsx")
    assert (result.kind, result.rows) == ("adviser-logs", 1)
    host.people.export_trainings_button.click()
    dialog = host.people.excel_dialog
    assert isinstance(dialog, ExcelExportDialog)
    result = export_through(qtbot, dialog, monkeypatch, tmp_path / "t.xlsx")
    assert (result.kind, result.rows) == ("trainings", 1)
    assert "宪法宣讲" in all_cells(tmp_path / "t.xlsx")


def test_an_abandoned_export_leaves_no_file(
    ctx: AppContext, tasks: TaskManager, tmp_path: Path
) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    token = CancelToken()
    token.cancel()
    target = folder / "名册.xlsx"
    progress = Progress(token, lambda _d, _t: None)
    tasks.call(lambda s: run_export(s, ctx.user.id, ExportRequest("roster"), target, progress))
    assert list(folder.iterdir()) == []
    kept = folder / "kept.xlsx"
    tasks.call(
        lambda s: run_export(
            s,
            ctx.user.id,
            ExportRequest("roster"),
            kept,
            Progress(CancelToken(), lambda _d, _t: None),
        )
    )
    assert [p.name for p in folder.iterdir()] == ["kept.xlsx"]


def test_cancel_stops_an_export_under_way(
    ctx: AppContext, tasks: TaskManager, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """取消 reaches the export between rows: it stops there, leaves no file and audits
    nothing (the dialog's progress callback cancels the token at its first report)."""
    from justice_desktop.excel import exports

    monkeypatch.setattr(exports, "PROGRESS_EVERY", 1)
    folder = tmp_path / "exports"
    folder.mkdir()
    token = CancelToken()
    reports: list[int] = []

    def post(done: int, _total: int) -> None:
        reports.append(done)
        token.cancel()

    audited = tasks.call(lambda s: s.scalar("SELECT count(*) FROM audit_log"))
    result = tasks.call(
        lambda s: run_export(
            s, ctx.user.id, ExportRequest("cases"), folder / "案件.xlsx", Progress(token, post)
        )
    )
    assert result is None and reports == [1]
    assert list(folder.iterdir()) == []
    assert tasks.call(lambda s: s.scalar("SELECT count(*) FROM audit_log")) == audited

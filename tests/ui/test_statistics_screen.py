"""The 统计 screen on a real store: the figures of a hand-built data set (40 cases, one a day
from 2 January 2025, the dispute types cycling through five), the period switch, drill-down
to exactly the counted cases and on to the case editor, the charts, PDF and Excel."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
from pytestqt.qtbot import QtBot

from justice_desktop.domain.consultations import AdviserLogInput
from justice_desktop.statistics import custom_period, month_period, quarter_period, year_period
from justice_desktop.statistics.tables import MAIN_COLUMNS, Cell, DrillKey, StatRow, StatTable
from justice_desktop.store.consultations import AdviserLogService
from justice_desktop.store.database import Store
from tests.ui.conftest import MessageBoxCatcher
from tests.ui.factories import DISPUTES, MadeCase
from ui.context import AppContext
from ui.pdf_preview import PdfPreviewDialog
from ui.qt import QApplication, QBarSeries, QLineSeries, QPieSeries, Qt, QTest
from ui.statistics_models import excel_sheet, load_statistics, write_statistics_xlsx
from ui.statistics_screen import DrillDialog, StatisticsScreen

WAIT = 10_000


def _screen(qtbot: QtBot, ctx: AppContext) -> StatisticsScreen:
    screen = StatisticsScreen(ctx)
    qtbot.addWidget(screen)
    screen.show()
    return screen


def _choose(qtbot: QtBot, screen: StatisticsScreen, period: object) -> None:
    with qtbot.waitSignal(screen.computed, timeout=WAIT):
        screen.set_period(period)  # type: ignore[arg-type]
    assert not screen.computing


def _shown(screen: StatisticsScreen, table: str, row: int, column: int) -> str:
    model = screen.mediation_views[table].stat_model
    return str(model.data(model.index(row, column)))


def test_month_figures_and_period_switch(
    qtbot: QtBot, ctx: AppContext, made: list[MadeCase]
) -> None:
    screen = _screen(qtbot, ctx)
    _choose(qtbot, screen, month_period(2025, 1))
    assert screen.data is not None and screen.data.period.label == "2025年1月"
    # 2 … 31 January: 30 cases, 2 parties each, none settled
    assert _shown(screen, "summary", 0, 0) == "合计"
    assert _shown(screen, "summary", 0, 1) == "30"
    assert _shown(screen, "summary", 0, 2) == "60"
    assert _shown(screen, "summary", 0, 3) == "0"
    model = screen.mediation_views["summary"].stat_model
    assert model.headerData(1, Qt.Orientation.Horizontal) == "调解案件数（件）"
    assert model.data(model.index(0, 0), Qt.ItemDataRole.FontRole).bold()
    # by dispute type: six of each of the five types
    disputes = screen.data.report.table("dispute_type")
    for code in DISPUTES:
        assert disputes.value(code, "registered") == 6
    # sub-rows are indented on screen
    view = screen.mediation_views["source"]
    sub = next(i for i, r in enumerate(view.stat_model.table.rows) if r.level == 1)  # type: ignore[union-attr]
    assert str(view.stat_model.data(view.stat_model.index(sub, 0))).startswith("\u3000\u3000")

    _choose(qtbot, screen, month_period(2025, 2))
    assert _shown(screen, "summary", 0, 1) == "10"
    assert "2025年2月" in screen.rate_label.text()
    _choose(qtbot, screen, quarter_period(2025, 1))
    assert _shown(screen, "summary", 0, 1) == "40"
    _choose(qtbot, screen, custom_period(made[5].registered_on, made[14].registered_on))
    assert _shown(screen, "summary", 0, 1) == "10"
    _choose(qtbot, screen, year_period(2024))
    assert _shown(screen, "summary", 0, 1) == "0"
    assert "调解成功率：—" in screen.rate_label.text()


def test_changing_the_widgets_recomputes(qtbot: QtBot, ctx: AppContext) -> None:
    screen = _screen(qtbot, ctx)
    _choose(qtbot, screen, month_period(2025, 1))
    with qtbot.waitSignal(screen.computed, timeout=WAIT):
        screen.month.setCurrentIndex(1)
    assert screen.data is not None and screen.data.period == month_period(2025, 2)
    assert _shown(screen, "summary", 0, 1) == "10"
    with qtbot.waitSignal(screen.computed, timeout=WAIT):
        screen.kind.setCurrentIndex(2)  # 年报
    assert screen.data.period == year_period(2025)
    assert _shown(screen, "summary", 0, 1) == "40"


def test_drill_down_lists_the_counted_cases_and_opens_one(
    qtbot: QtBot, ctx: AppContext, made: list[MadeCase]
) -> None:
    screen = _screen(qtbot, ctx)
    _choose(qtbot, screen, month_period(2025, 2))
    view = screen.mediation_views["dispute_type"]
    table = view.stat_model.table
    assert table is not None
    row = next(i for i, r in enumerate(table.rows) if r.code == "contract")
    index = view.stat_model.index(row, 1)
    assert view.stat_model.data(index) == "2"
    view.setCurrentIndex(index)
    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_Return)
    dialog = screen.drill_dialog
    assert isinstance(dialog, DrillDialog)
    qtbot.waitUntil(lambda: dialog.listing is not None, timeout=WAIT)
    expected = [m for m in made if m.registered_on.month == 2 and m.dispute_type == "contract"]
    assert dialog.heading.text().startswith("2025年2月　按纠纷类型")
    assert dialog.listing is not None
    assert [r.record_id for r in dialog.listing.rows] == [m.case_id for m in expected]
    first = dialog.listing.rows[0].cells
    assert first[0] == expected[0].case_number
    assert expected[0].applicant not in first[1] and "*" in first[1]  # masked
    assert first[2] == ctx.tables["dispute_types"].label("contract")
    assert first[3] == expected[0].registered_on.isoformat()
    with qtbot.waitSignal(screen.caseRequested, timeout=WAIT) as opened:
        dialog.view.setCurrentIndex(dialog.model.index(1, 0))
        QTest.keyClick(dialog.view, Qt.Key.Key_Return)
    assert opened.args == [expected[1].case_id]


def test_every_case_figure_drills_to_its_count(qtbot: QtBot, ctx: AppContext) -> None:
    screen = _screen(qtbot, ctx)
    _choose(qtbot, screen, quarter_period(2025, 1))
    assert screen.data is not None
    checked = 0
    for _t, _r, col, cell in screen.data.report.cells():
        if cell.key is None or col.key in ("parties", "amount", "people") or not cell.value:
            continue
        dialog = screen.open_drill(cell.key)
        assert dialog is not None
        qtbot.waitUntil(lambda d=dialog: d.listing is not None, timeout=WAIT)  # type: ignore[misc]
        assert dialog.listing is not None and len(dialog.listing.rows) == cell.value, cell.key
        assert dialog.model.rowCount() == cell.value
        dialog.close()
        checked += 1
    assert checked >= 10


def test_charts_have_a_point_per_month(qtbot: QtBot, ctx: AppContext) -> None:
    screen = _screen(qtbot, ctx)
    _choose(qtbot, screen, month_period(2025, 1))
    months = screen.months_view.chart().series()
    assert len(months) == 1 and isinstance(months[0], QBarSeries)
    sets = months[0].barSets()
    assert [s.label() for s in sets] == ["受理", "调解成功"]
    assert [sets[0].at(i) for i in range(sets[0].count())] == [30, 10] + [0] * 10
    pie = screen.dispute_view.chart().series()[0]
    assert isinstance(pie, QPieSeries)
    assert pie.count() == 5 and sum(s.value() for s in pie.slices()) == 30
    line = screen.rate_view.chart().series()[0]
    assert isinstance(line, QLineSeries)
    assert line.count() == 2  # January and February had cases; both at 0 %
    assert [line.at(i).y() for i in range(2)] == [0, 0]


def test_print_opens_the_preview_and_excel_writes_the_tables(
    qtbot: QtBot, ctx: AppContext, tmp_path: Path
) -> None:
    screen = _screen(qtbot, ctx)
    _choose(qtbot, screen, month_period(2025, 1))
    for tab in range(3):
        screen.tabs.setCurrentIndex(tab)
        assert screen.print_current()
        qtbot.waitUntil(
            lambda: any(isinstance(w, PdfPreviewDialog) for w in QApplication.topLevelWidgets()),
            timeout=WAIT,
        )
        dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, PdfPreviewDialog)]
        for d in dialogs:
            d.close()
        QApplication.processEvents()
    screen.tabs.setCurrentIndex(0)
    target = tmp_path / "统计.xlsx"
    assert screen.export_excel(target)
    qtbot.waitUntil(target.exists, timeout=WAIT)
    qtbot.waitUntil(lambda: "已导出" in screen.status.text(), timeout=WAIT)
    book = openpyxl.load_workbook(target)
    assert len(book.sheetnames) == 6
    values = [c.value for row in book.worksheets[0].iter_rows() for c in row]
    assert "合计" in values and 30 in values


def test_drill_key_without_data_is_ignored(qtbot: QtBot, ctx: AppContext) -> None:
    screen = StatisticsScreen(ctx)
    qtbot.addWidget(screen)
    assert screen.open_drill(DrillKey("registered")) is None
    assert not screen.print_current()


def test_adviser_figures_cover_the_days_that_have_ended(ctx: AppContext) -> None:
    """A past year's adviser report covers December and the fourth quarter; this year's
    covers the months ended before today (June ends for the report on 1 July)."""
    user = ctx.user.id

    def record(store: Store) -> None:
        svc = AdviserLogService(store)
        for month in range(1, 12):  # on site January to November, not in December
            svc.record(
                user,
                AdviserLogInput(
                    "周律师", "东村", datetime(2025, month, 10, 9), 4, "lecture", "村民", "讲座"
                ),
            )

    ctx.tasks.call(record)
    past = ctx.tasks.call(lambda s: load_statistics(s, year_period(2025), date(2026, 3, 1)))
    assert past.advisers.until == date(2025, 12, 31)
    (row,) = past.advisers.rows
    assert (row.visits_done, row.visits_required) == (11, 12)
    assert (row.lectures_done, row.lectures_required) == (4, 4)
    assert [s.period for s in past.advisers.shortfalls] == ["2025-12"]
    july = ctx.tasks.call(lambda s: load_statistics(s, month_period(2025, 7), date(2025, 7, 1)))
    assert july.advisers.until == date(2025, 6, 30)
    (row,) = july.advisers.rows
    assert (row.visits_required, row.lectures_required) == (6, 2)
    june = ctx.tasks.call(lambda s: load_statistics(s, month_period(2025, 6), date(2025, 6, 30)))
    (row,) = june.advisers.rows
    assert (row.visits_required, row.lectures_required) == (5, 1)


def test_adviser_figures_drill_to_the_entries_of_the_year(qtbot: QtBot, ctx: AppContext) -> None:
    """The adviser table is yearly: its drill-down lists the year's entries behind the figure
    (also those another adviser wrote in a village now credited to this one), not the
    entries of the month chosen above."""
    user = ctx.user.id

    def record(store: Store) -> list[str]:
        svc = AdviserLogService(store)
        return [
            svc.record(user, AdviserLogInput(who, village, when, 4, kind, "村民", "服务"))
            for who, village, when, kind in (
                ("吴律师", "西村", datetime(2025, 1, 15, 9), "consultation"),
                ("周律师", "西村", datetime(2025, 3, 10, 9), "lecture"),
                ("周律师", "西村", datetime(2025, 6, 10, 9), "consultation"),
            )
        ]

    west_jan, west_mar, west_jun = ctx.tasks.call(record)
    screen = _screen(qtbot, ctx)
    _choose(qtbot, screen, month_period(2025, 6))
    assert screen.data is not None
    table = screen.data.advisers.table()
    for column, expected, first in (
        ("visits_done", [west_jan, west_mar, west_jun], ("2025-01-15", "吴律师", "西村")),
        ("lectures_done", [west_mar], ("2025-03-10", "周律师", "西村")),
    ):
        key = table.cell("周律师", column).key
        assert key is not None
        dialog = screen.open_drill(key)
        assert dialog is not None
        qtbot.waitUntil(lambda d=dialog: d.listing is not None, timeout=WAIT)  # type: ignore[misc]
        assert dialog.listing is not None
        assert [r.record_id for r in dialog.listing.rows] == expected, column
        assert dialog.listing.rows[0].cells[:3] == first
        assert "2025年6月" not in dialog.heading.text()  # a yearly figure
        dialog.close()


def test_excel_shows_amounts_in_wan_with_the_report_s_four_decimals(tmp_path: Path) -> None:
    """协议涉及金额（万元） is exact to the yuan (4 decimals): 350 yuan shows as 0.035, not 0.04."""
    columns = MAIN_COLUMNS
    values: list[float | int | None] = [3, 6, 2, 66.7, 0, 0.035]
    table = StatTable(
        "summary",
        "总体情况",
        columns,
        (StatRow("合计", tuple(Cell(v) for v in values), total=True),),
    )
    target = tmp_path / "金额.xlsx"
    write_statistics_xlsx(
        target, [excel_sheet(table, "2025年1月")], office="城关司法所", exported_at=datetime.now()
    )
    ws = openpyxl.load_workbook(target).worksheets[0]
    row = next(r for r in ws.iter_rows() if r[0].value == "合计")
    amount, rate = row[6], row[4]
    assert amount.value == 0.035 and rate.value == 66.7
    assert amount.number_format == "0.00##"
    assert rate.number_format == "0.0#"


def test_excel_to_a_place_that_cannot_be_written_says_why_in_chinese(
    qtbot: QtBot, ctx: AppContext, tmp_path: Path, message_boxes: MessageBoxCatcher
) -> None:
    screen = _screen(qtbot, ctx)
    _choose(qtbot, screen, month_period(2025, 1))
    folder = tmp_path / "导出"
    folder.mkdir()
    target = folder / "统计.xlsx"
    target.mkdir()  # a folder of that name
    assert screen.export_excel(target)
    qtbot.waitUntil(lambda: bool(message_boxes.texts()), timeout=WAIT)
    (text,) = message_boxes.texts()
    assert "导出Excel失败" in text and "同名的文件夹" in text, text
    assert list(folder.iterdir()) == [target]  # no temporary file left

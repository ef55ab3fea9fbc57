"""What the 统计 screen shows, apart from the screen itself: the data read on the worker, the
table model of a :class:`StatTable`, the drill-down lists, the charts and the Excel sheets.

* :func:`load_statistics` (worker) — the 人民调解 report of a period, the months of its year,
  the 法律明白人 and adviser reports of its year, in one :class:`StatisticsData`.
* :func:`load_drill` (worker) — the records behind a figure as display rows (case number,
  parties masked, dispute type, registration date, status; or the people / log entries).
* :class:`StatTableModel` — a statistics block for a table view: the row labels (sub-rows
  indented), a column per figure with its unit in the header, the 合计 row bold; the
  :class:`DrillKey` of each figure under :data:`DRILL_ROLE`.
* :func:`months_chart`, :func:`dispute_chart`, :func:`rate_chart` — the QtCharts charts.
* :func:`excel_sheet` / :func:`write_statistics_xlsx` — statistics blocks to .xlsx through the
  generic writer (:mod:`justice_desktop.excel.writer`).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from justice_desktop.codes.tables import CodeTable
from justice_desktop.excel.exports import cannot_write_message
from justice_desktop.excel.writer import Column as SheetColumn
from justice_desktop.excel.writer import ColumnKind as SheetKind
from justice_desktop.excel.writer import Table as Sheet
from justice_desktop.excel.writer import write_workbook
from justice_desktop.pdf.statistics_report import format_value, row_label
from justice_desktop.statistics.periods import Period
from justice_desktop.statistics.tables import DrillKey, MediationReport, StatTable
from justice_desktop.store import statistics as st
from justice_desktop.store.consultations import AdviserLogService
from justice_desktop.store.database import Store
from justice_desktop.store.queries import CaseQueries
from justice_desktop.store.understanders import UnderstanderService
from justice_desktop.validation import ValidationError
from ui.case_rows import CaseRowFormatter
from ui.qt import (
    AnyIndex,
    QAbstractTableModel,
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QFont,
    QLineSeries,
    QModelIndex,
    QObject,
    QPieSeries,
    Qt,
    QValueAxis,
)

__all__ = [
    "DRILL_ROLE",
    "DrillList",
    "DrillRow",
    "StatTableModel",
    "StatisticsData",
    "dispute_chart",
    "excel_sheet",
    "load_drill",
    "load_statistics",
    "months_chart",
    "rate_chart",
    "write_statistics_xlsx",
]

DRILL_ROLE = int(Qt.ItemDataRole.UserRole) + 1
CASE_HEADERS = ("案号", "当事人", "纠纷类型", "受理日期", "状态")
UNDERSTANDER_HEADERS = ("姓名", "村（社区）", "村民小组", "状态")
ADVISER_LOG_HEADERS = ("日期", "法律顾问", "村（社区）", "时长（小时）", "服务内容")
STATUS_LABELS = {"active": "在册", "removed": "已清退"}


# -- read on the worker --------------------------------------------------------------------
@dataclass(frozen=True)
class StatisticsData:
    period: Period
    report: MediationReport
    series: list[st.MonthPoint]  # the 12 months of the period's (first) year
    understanders: st.UnderstanderReport
    advisers: st.AdviserReport


def load_statistics(
    store: Store, period: Period, today: date, tables: dict[str, CodeTable] | None = None
) -> StatisticsData:
    """Runs on the worker. The 法律明白人 and adviser figures are of the period's year, the
    advisers' minimums counted up to yesterday, the last day that has ended (or the year's
    last day, for a past year)."""
    year = period.start.year
    until = st.report_until(year, today)
    return StatisticsData(
        period=period,
        report=st.mediation_report(store, period, tables),
        series=st.monthly_series(store, year),
        understanders=st.understander_report(store, year),
        advisers=st.adviser_report(store, year, until),
    )


@dataclass(frozen=True)
class DrillRow:
    record_id: str
    cells: tuple[str, ...]


@dataclass(frozen=True)
class DrillList:
    table: str  # "cases", "understanders" or "adviser_logs"
    headers: tuple[str, ...]
    rows: tuple[DrillRow, ...]


def load_drill(
    store: Store,
    key: DrillKey,
    period: Period,
    tables: dict[str, CodeTable],
    until: date | None = None,
) -> DrillList:
    """Runs on the worker: the records behind the figure ``key`` of ``period``, in order
    (an adviser figure: of the period's year up to ``until``, as the report shown)."""
    table, ids = st.record_ids(store, key, period, until=until)
    if table == "cases":
        found = CaseQueries(store).rows_by_id(ids)
        fmt = CaseRowFormatter(tables)
        rows = [fmt.format(found[i]) for i in ids if i in found]
        return DrillList(
            table,
            CASE_HEADERS,
            tuple(DrillRow(r.case_id, r.cells[: len(CASE_HEADERS)]) for r in rows),
        )
    if table == "understanders":
        people = {str(r["id"]): r for r in UnderstanderService(store, tables).roster(status=None)}
        return DrillList(
            table,
            UNDERSTANDER_HEADERS,
            tuple(
                DrillRow(
                    i,
                    (
                        str(people[i]["name"]),
                        str(people[i]["village"]),
                        str(people[i]["villager_group"] or ""),
                        STATUS_LABELS.get(str(people[i]["status"]), str(people[i]["status"])),
                    ),
                )
                for i in ids
                if i in people
            ),
        )
    entries = {
        str(r["id"]): r for r in AdviserLogService(store, tables).entries(None, period.start.year)
    }
    return DrillList(
        table,
        ADVISER_LOG_HEADERS,
        tuple(
            DrillRow(
                i,
                (
                    str(entries[i]["started_at"])[:10],
                    str(entries[i]["adviser"]),
                    str(entries[i]["village"]),
                    f"{float(entries[i]['hours']):g}",
                    str(entries[i]["content"])[:40],
                ),
            )
            for i in ids
            if i in entries
        ),
    )


# -- a statistics block in a table view ------------------------------------------------------
class StatTableModel(QAbstractTableModel):
    """Column 0: the row label (sub-rows indented); then one column per figure."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._table: StatTable | None = None
        self._bold = QFont()
        self._bold.setBold(True)

    @property
    def table(self) -> StatTable | None:
        return self._table

    def set_table(self, table: StatTable | None) -> None:
        self.beginResetModel()
        self._table = table
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self._table is None:
            return 0
        return len(self._table.rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self._table is None:
            return 0
        return 1 + len(self._table.columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if self._table is None or role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return "项目" if section == 0 else self._table.columns[section - 1].label
        return None

    def key_at(self, index: AnyIndex) -> DrillKey | None:
        if self._table is None or not index.isValid() or index.column() == 0:
            return None
        cell = self._table.rows[index.row()].cells[index.column() - 1]
        return cell.key

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if self._table is None or not index.isValid():
            return None
        row = self._table.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return row_label(row)
            column = self._table.columns[col - 1]
            return format_value(row.cells[col - 1].value, column.decimals)
        if role == Qt.ItemDataRole.FontRole and row.total:
            return self._bold
        if role == Qt.ItemDataRole.TextAlignmentRole and col > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and self.key_at(index) is not None:
            return "双击或按回车查看明细"
        if role == DRILL_ROLE:
            return self.key_at(index)
        return None


# -- charts -----------------------------------------------------------------------------------
MONTH_LABELS = [f"{m}月" for m in range(1, 13)]


def months_chart(series: Sequence[st.MonthPoint], year: int) -> QChart:
    """Cases registered and settled per month (bars)."""
    chart = QChart()
    chart.setTitle(f"{year}年各月受理与调解成功案件数（件）")
    registered = QBarSet("受理")
    succeeded = QBarSet("调解成功")
    for p in series:
        registered.append(float(p.registered))
        succeeded.append(float(p.succeeded))
    bars = QBarSeries()
    bars.append(registered)
    bars.append(succeeded)
    chart.addSeries(bars)
    x = QBarCategoryAxis()
    x.append([f"{p.month}月" for p in series])
    y = QValueAxis()
    y.setLabelFormat("%d")
    top = max([p.registered for p in series] + [p.succeeded for p in series] + [1])
    y.setRange(0, top)
    y.applyNiceNumbers()
    chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
    bars.attachAxis(x)
    bars.attachAxis(y)
    return chart


def dispute_chart(table: StatTable, period_label: str) -> QChart:
    """Cases registered in the period by top-level dispute type (pie; types with none left
    out)."""
    chart = QChart()
    chart.setTitle(f"{period_label}按纠纷类型受理案件（件）")
    pie = QPieSeries()
    for row in table.rows:
        if row.total or row.level != 0:
            continue
        count = int(row.cells[0].value or 0)
        if count > 0:
            pie.append(f"{row.label} {count}件", float(count))
    pie.setLabelsVisible(pie.count() <= 12)
    chart.addSeries(pie)
    return chart


def rate_chart(series: Sequence[st.MonthPoint], year: int) -> QChart:
    """The success rate month by month (line; months with no case registered have no point)."""
    chart = QChart()
    chart.setTitle(f"{year}年各月调解成功率（%）")
    line = QLineSeries()
    line.setName("调解成功率")
    rates = [(p.month, p.success_rate) for p in series]
    for month, rate in rates:
        if rate is not None:
            line.append(float(month), float(rate))
    chart.addSeries(line)
    x = QValueAxis()
    x.setRange(1, 12)
    x.setTickCount(12)
    x.setLabelFormat("%d")  # a non-ASCII suffix here prints as "?"
    x.setTitleText("月份")
    y = QValueAxis()
    y.setRange(0, max([100.0] + [r for _m, r in rates if r is not None]))
    y.setLabelFormat("%.0f")
    chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
    line.attachAxis(x)
    line.attachAxis(y)
    return chart


# -- Excel ------------------------------------------------------------------------------------
# a figure's decimals → the column kind: counts, rates and hours (0.0#), 万元 (0.00##)
_SHEET_KINDS: dict[int, SheetKind] = {0: "int", 1: "decimal", 2: "decimal4"}


def excel_sheet(table: StatTable, period_label: str) -> Sheet:
    """One block as a sheet: 项目 then the figures (numbers as numbers)."""
    columns = [SheetColumn("项目", "text")] + [
        SheetColumn(c.label, _SHEET_KINDS[min(c.decimals, 2)]) for c in table.columns
    ]
    rows = [[row_label(r), *(c.value for c in r.cells)] for r in table.rows]
    return Sheet(
        title=f"{table.title}（{period_label}）",
        columns=columns,
        rows=rows,
        sheet_name=table.title[:31],
        note=table.note,
    )


def write_statistics_xlsx(
    path: Path, sheets: Sequence[Sheet], *, office: str, exported_at: datetime
) -> None:
    """Write under a temporary name beside ``path`` and rename when complete."""
    temp = path.with_name(f".{path.name}.part")
    try:
        with temp.open("wb") as out:
            write_workbook(out, sheets, office=office, exported_at=exported_at)
        os.replace(temp, path)
    except OSError as exc:
        raise ValidationError("path", cannot_write_message(path, exc)) from exc
    finally:
        with contextlib.suppress(OSError):
            temp.unlink()

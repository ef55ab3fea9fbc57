"""顾问日志: record legal advisers' services quickly, list them by adviser and year, and show
who falls short of the monthly on-site visit and the quarterly lecture (未达标提醒).

No public signals besides those of :class:`~ui.screen.Screen`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from justice_desktop.codes.tables import CodeTable
from justice_desktop.domain.consultations import (
    LECTURE_KIND,
    MONTHLY_VISIT_HOURS,
    AdviserShortfall,
)
from justice_desktop.store.consultations import AdviserLogService
from justice_desktop.store.database import Store
from ui.adviser_log_form import AdviserLogForm
from ui.consultation_quick_entry import QuickEntryScreen
from ui.consultation_widgets import Column, RowsTableModel
from ui.context import AppContext
from ui.qt import (
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    Qt,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from ui.register_printing import print_adviser_log

if TYPE_CHECKING:
    from ui.excel_export import ExcelExportDialog

__all__ = [
    "ALL_ADVISERS",
    "AdviserLogListModel",
    "AdviserLogsScreen",
    "ShortfallModel",
    "shortfall_rows",
]

ALL_ADVISERS = "全部顾问"
WARNING_STYLE = "color: #b3261e;"
OK_STYLE = "color: #1b5e20;"


def _label(tables: Mapping[str, CodeTable], table: str, code: object) -> str:
    try:
        return tables[table].label(str(code))
    except (KeyError, ValueError):
        return str(code)


def _hours(value: object) -> str:
    return f"{float(str(value)):g}"


def log_columns(tables: Mapping[str, CodeTable]) -> list[Column]:
    return [
        Column("服务时间", lambda r: str(r["started_at"]).replace("T", " ")),
        Column("法律顾问", lambda r: str(r["adviser"])),
        Column("村（社区）", lambda r: str(r["village"])),
        Column("时长（小时）", lambda r: _hours(r["hours"]), right=True),
        Column("实地", lambda r: "是" if r["on_site"] else "否"),
        Column("服务类别", lambda r: _label(tables, "adviser_service_kinds", r["kind"])),
        Column("服务对象", lambda r: str(r["object"])),
        Column("服务内容", lambda r: " ".join(str(r["content"]).split())),
        Column("服务结果", lambda r: str(r["result"])),
    ]


class AdviserLogListModel(RowsTableModel):
    """Log entries, newest first (``ID_ROLE`` gives the id)."""

    def __init__(self, tables: Mapping[str, CodeTable], parent: QWidget | None = None) -> None:
        super().__init__(log_columns(tables), parent)


def period_text(period: str) -> str:
    """``2025-03`` → 2025年3月; ``2025Q1`` → 2025年第1季度."""
    if "Q" in period:
        year, quarter = period.split("Q", 1)
        return f"{year}年第{quarter}季度"
    year, _, month = period.partition("-")
    return f"{year}年{int(month)}月" if month.isdigit() else period


def missing_text(s: AdviserShortfall) -> str:
    if s.kind == "visit":
        return (
            f"实地服务{s.done:g}小时，每月至少{s.required:g}小时，还差{s.required - s.done:g}小时"
        )
    return f"法治讲座{s.done:g}次，每季度至少{s.required:g}次"


def shortfall_rows(shortfalls: Sequence[AdviserShortfall]) -> list[dict[str, Any]]:
    return [
        {
            "id": f"{s.village}|{s.period}|{s.kind}",
            "adviser": s.adviser,
            "village": s.village,
            "period": period_text(s.period),
            "missing": missing_text(s),
            "kind": s.kind,
        }
        for s in shortfalls
    ]


class ShortfallModel(RowsTableModel):
    """未达标提醒: one row per village and month (visit) or quarter (lecture)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            [
                Column("法律顾问", lambda r: str(r["adviser"])),
                Column("村（社区）", lambda r: str(r["village"])),
                Column("期间", lambda r: str(r["period"])),
                Column("未达标内容", lambda r: str(r["missing"])),
            ],
            parent,
        )


@dataclass(frozen=True)
class LogView:
    adviser: str | None
    year: int
    entries: list[dict[str, Any]]
    shortfalls: list[AdviserShortfall]
    advisers: list[str]
    villages: list[str]


def _table(parent: QWidget, model: RowsTableModel, name: str) -> QTableView:
    view = QTableView(parent)
    view.setObjectName(name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.horizontalHeader().setStretchLastSection(True)
    return view


class AdviserLogsScreen(QuickEntryScreen):
    title = "顾问日志"
    draft_key = "adviser_log:new"
    record_kind = "adviser_logs"
    unsaved_what = "正在录入的顾问日志"
    saved_text = "服务记录已保存，可以录入下一条。"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("adviserLogsScreen")
        form = AdviserLogForm(ctx.tables, now=ctx.now, adviser=lambda: ctx.user.name)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(form)
        entry = QWidget(self)
        entry_layout = QVBoxLayout(entry)
        entry_layout.setContentsMargins(0, 0, 0, 0)
        heading = QLabel("登记法律顾问服务", entry)
        heading.setObjectName("heading")
        entry_layout.addWidget(heading)
        entry_layout.addWidget(scroll, 1)
        entry_layout.addWidget(self.status)

        # -- filters and the list ----------------------------------------------------------------
        listing = QWidget(self)
        list_layout = QVBoxLayout(listing)
        list_layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        adviser_label = QLabel("法律顾问", listing)
        self.adviser_filter = QComboBox(listing)
        self.adviser_filter.setObjectName("adviserFilter")
        self.adviser_filter.addItem(ALL_ADVISERS, None)
        adviser_label.setBuddy(self.adviser_filter)
        year_label = QLabel("年度", listing)
        self.year_spin = QSpinBox(listing)
        self.year_spin.setObjectName("yearFilter")
        self.year_spin.setRange(2000, 2100)
        self.year_spin.setValue(ctx.today().year)
        self.year_spin.setSuffix(" 年")
        year_label.setBuddy(self.year_spin)
        self.count_label = QLabel(listing)
        bar.addWidget(adviser_label)
        bar.addWidget(self.adviser_filter)
        bar.addWidget(year_label)
        bar.addWidget(self.year_spin)
        self.print_button = QPushButton("打印工作日志…", listing)
        self.print_button.setObjectName("printAdviserLog")
        self.print_button.setToolTip("所选法律顾问本年度的工作日志（PDF）")
        bar.addWidget(self.print_button)
        self.excel_button = QPushButton("导出Excel…", listing)
        self.excel_button.setObjectName("exportAdviserLogsExcel")
        self.excel_button.setToolTip("把本年度全部法律顾问的工作日志导出为Excel表格")
        bar.addWidget(self.excel_button)
        bar.addStretch(1)
        bar.addWidget(self.count_label)
        self.model = AdviserLogListModel(ctx.tables, self)
        self.table = _table(listing, self.model, "adviserLogTable")

        self.shortfall_box = QGroupBox("未达标提醒", listing)
        self.shortfall_box.setObjectName("shortfallPanel")
        short_layout = QVBoxLayout(self.shortfall_box)
        self.shortfall_label = QLabel(self.shortfall_box)
        self.shortfall_label.setWordWrap(True)
        self.shortfall_model = ShortfallModel(self)
        self.shortfall_table = _table(self.shortfall_box, self.shortfall_model, "shortfallTable")
        rule = QLabel(
            f"要求：每个村（社区）每月实地服务不少于{MONTHLY_VISIT_HOURS:g}小时，"
            "每季度至少开展一次法治讲座；只统计已结束的月份和季度。",
            self.shortfall_box,
        )
        rule.setWordWrap(True)
        short_layout.addWidget(self.shortfall_label)
        short_layout.addWidget(self.shortfall_table, 1)
        short_layout.addWidget(rule)

        inner = QSplitter(Qt.Orientation.Vertical, listing)
        inner.addWidget(self.table)
        inner.addWidget(self.shortfall_box)
        inner.setChildrenCollapsible(False)
        list_layout.addLayout(bar)
        list_layout.addWidget(inner, 1)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(entry)
        splitter.addWidget(listing)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        self.setup_entry(form)
        self.adviser_filter.currentIndexChanged.connect(self.reload_list)
        self.print_button.clicked.connect(lambda: self.print_current())
        self.excel_button.clicked.connect(self.export_excel)
        self.year_spin.valueChanged.connect(self.reload_list)
        ctx.recordsChanged.connect(self._records_changed)
        ctx.dataReloaded.connect(self._data_reloaded)
        self._request = 0
        self.excel_dialog: ExcelExportDialog | None = None
        self.reload_list()

    @property
    def log_form(self) -> AdviserLogForm:
        assert isinstance(self.form, AdviserLogForm)
        return self.form

    # -- Screen -----------------------------------------------------------------------------------
    def activate(self) -> None:
        self.reload_list()

    def record_job(self) -> Callable[[Store], str]:
        data = self.log_form.to_input()
        tables, user_id = self.ctx.tables, self.ctx.user.id
        return lambda store: AdviserLogService(store, tables).record(user_id, data)

    # -- the list and the shortfalls ----------------------------------------------------------------
    def print_current(self) -> bool:
        """Ctrl+P: the chosen adviser's work log for the year (the current user by default)."""
        adviser = self.selected_adviser() or self.ctx.user.name
        print_adviser_log(self.ctx, self, adviser, self.year_spin.value())
        return True

    def export_excel(self) -> ExcelExportDialog:
        """导出Excel…: the year's work log of every adviser (the export has no adviser
        filter)."""
        from justice_desktop.excel.exports import ExportRequest
        from ui.excel_export import ExportSpec, open_export_dialog

        year = self.year_spin.value()
        note = "（“法律顾问”筛选不影响导出）" if self.selected_adviser() else ""
        spec = ExportSpec(
            ExportRequest("adviser-logs", year=year),
            f"法律顾问工作日志{year}年",
            f"导出{year}年全部法律顾问的工作日志{note}。",
        )
        self.excel_dialog = open_export_dialog(self.ctx, spec, self)
        return self.excel_dialog

    def selected_adviser(self) -> str | None:
        data = self.adviser_filter.currentData()
        return str(data) if data else None

    def reload_list(self, *_args: object) -> None:
        if self.ctx.tasks.closed:
            return
        adviser, year = self.selected_adviser(), self.year_spin.value()
        tables, until = self.ctx.tables, self.ctx.today()
        self._request += 1
        request = self._request

        def read(store: Store) -> LogView:
            svc = AdviserLogService(store, tables)
            entries = [dict(r) for r in reversed(svc.entries(adviser, year))]
            return LogView(
                adviser,
                year,
                entries,
                svc.shortfalls_for(year, until, adviser),
                svc.advisers(),
                svc.villages(),
            )

        def show(view: LogView) -> None:
            if request == self._request:
                self._show(view)

        self.ctx.tasks.run(read, on_success=self.alive(show))

    def _show(self, view: LogView) -> None:
        self._fill_advisers(view.advisers)
        self.log_form.set_suggestions(
            sorted({*view.advisers, *(u.name for u in self.ctx.users)}), view.villages
        )
        self.model.set_rows(view.entries)
        who = view.adviser or ALL_ADVISERS
        hours = sum(float(r["hours"]) for r in view.entries)
        self.count_label.setText(
            f"{view.year}年 {who}：{len(view.entries)} 条服务记录，共 {hours:g} 小时"
        )
        self.shortfall_model.set_rows(shortfall_rows(view.shortfalls))
        visits = sum(1 for s in view.shortfalls if s.kind == "visit")
        lectures = sum(1 for s in view.shortfalls if s.kind == LECTURE_KIND)
        if view.shortfalls:
            self.shortfall_label.setText(
                f"{view.year}年有 {len(view.shortfalls)} 项未达标："
                f"实地服务不足 {visits} 个村月，法治讲座缺 {lectures} 个村季度。"
            )
            self.shortfall_label.setStyleSheet(WARNING_STYLE)
        elif not view.entries:
            self.shortfall_label.setText(f"{view.year}年尚无服务记录。")
            self.shortfall_label.setStyleSheet("")
        else:
            self.shortfall_label.setText(f"{view.year}年已结束的月份和季度全部达标。")
            self.shortfall_label.setStyleSheet(OK_STYLE)

    def _fill_advisers(self, advisers: list[str]) -> None:
        current = self.selected_adviser()
        known = [self.adviser_filter.itemData(i) for i in range(1, self.adviser_filter.count())]
        if known == advisers:
            return
        self.adviser_filter.blockSignals(True)
        self.adviser_filter.clear()
        self.adviser_filter.addItem(ALL_ADVISERS, None)
        for name in advisers:
            self.adviser_filter.addItem(name, name)
        index = self.adviser_filter.findData(current) if current else 0
        self.adviser_filter.setCurrentIndex(max(index, 0))
        self.adviser_filter.blockSignals(False)

    def _records_changed(self, kind: str) -> None:
        if kind == "adviser_logs":
            self.reload_list()

    def _data_reloaded(self) -> None:
        self.log_form.set_tables(self.ctx.tables)
        self.model.set_columns(log_columns(self.ctx.tables))

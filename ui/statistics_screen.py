"""统计: the official statistics of a chosen period, their charts, drill-down, PDF and Excel.

* The period chooser: 月报 / 季报 / 年报 / 自定义 with the year and the month or quarter, or two
  dates. Any change recomputes on the database worker (a busy bar shows meanwhile; a result
  for a period no longer chosen is dropped).
* Tabs: 人民调解统计表 (the six blocks of :class:`MediationReport`), 法律明白人 (the village
  quota table and who is short of training hours), 法律顾问 (each adviser against the minimums
  and what falls short), 图表 (cases per month, by dispute type, the success rate per month).
* Double-click (or Enter) on a figure with a :class:`DrillKey` opens :class:`DrillDialog`: the
  records behind it, read on the worker; opening a case there emits :attr:`caseRequested`,
  which the main window answers by opening the case editor.
* 打印/导出PDF (Ctrl+P) makes the current tab's report as PDF on the worker and opens the
  preview (print or save from there); 导出Excel writes the current tab's tables to .xlsx.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from justice_desktop.pdf.statistics_report import short_people_table, shortfall_table
from justice_desktop.statistics.periods import (
    QUARTER_NAMES,
    Period,
    custom_period,
    month_period,
    quarter_period,
    year_period,
)
from justice_desktop.statistics.tables import CASE_MEASURES, DrillKey, StatTable
from justice_desktop.store.database import Store
from justice_desktop.validation import ValidationError
from ui.context import AppContext
from ui.dialogs import show_error
from ui.errors import friendly_message
from ui.qt import (
    AnyIndex,
    QAbstractItemView,
    QChart,
    QChartView,
    QComboBox,
    QDate,
    QDateEdit,
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QKeyEvent,
    QLabel,
    QPainter,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QStandardItem,
    QStandardItemModel,
    Qt,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
    Signal,
)
from ui.register_printing import show_register
from ui.screen import Screen
from ui.statistics_models import (
    DrillList,
    StatisticsData,
    StatTableModel,
    dispute_chart,
    excel_sheet,
    load_drill,
    load_statistics,
    months_chart,
    rate_chart,
    write_statistics_xlsx,
)

__all__ = ["DrillDialog", "StatTableView", "StatisticsScreen"]

KINDS = (("month", "月报"), ("quarter", "季报"), ("year", "年报"), ("custom", "自定义"))
TAB_MEDIATION, TAB_UNDERSTANDERS, TAB_ADVISERS, TAB_CHARTS = range(4)
RELOAD_KINDS = ("cases", "understanders", "trainings", "adviser_logs", "settings")


class StatTableView(QTableView):
    """A statistics block; ``drill(key)`` on double-click or Enter on a figure with records."""

    drill = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.stat_model = StatTableModel(self)
        self.setModel(self.stat_model)
        self.verticalHeader().hide()
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.doubleClicked.connect(self._chosen)

    def set_table(self, table: StatTable | None) -> None:
        self.stat_model.set_table(table)
        self.resizeColumnToContents(0)
        height = self.horizontalHeader().sizeHint().height() + 2 * self.frameWidth() + 2
        height += sum(self.rowHeight(r) for r in range(self.stat_model.rowCount()))
        self.setFixedHeight(height)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self._chosen(self.currentIndex())
            return
        super().keyPressEvent(event)

    def _chosen(self, index: AnyIndex) -> None:
        key = self.stat_model.key_at(index)
        if key is not None:
            self.drill.emit(key)


class _ListView(QTableView):
    """A read-only list whose row is chosen by double-click or Enter."""

    chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().hide()
        self.horizontalHeader().setStretchLastSection(True)
        self.doubleClicked.connect(lambda index: self.chosen.emit(index.row()))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.chosen.emit(self.currentIndex().row())
            return
        super().keyPressEvent(event)


def _fill(model: QStandardItemModel, headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    model.clear()
    model.setHorizontalHeaderLabels(list(headers))
    for row in rows:
        model.appendRow([QStandardItem(text) for text in row])


class DrillDialog(QDialog):
    """The records behind one figure; a case opens in the case editor (``caseChosen``)."""

    caseChosen = Signal(str)

    def __init__(
        self,
        ctx: AppContext,
        key: DrillKey,
        period: Period,
        caption: str,
        parent: QWidget,
        until: date | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(f"明细：{caption}")
        self.resize(760, 420)
        self.status = QLabel("正在读取…")
        self.model = QStandardItemModel(self)
        self.view = _ListView(self)
        self.view.setModel(self.model)
        self.view.chosen.connect(self._open_row)
        close = QPushButton("关闭")
        close.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        # the 法律明白人 and adviser figures are of the year named in their caption, not of
        # the month or quarter chosen for the 人民调解 table
        self.heading = QLabel(
            f"{period.label}　{caption}" if key.measure in CASE_MEASURES else caption
        )
        layout.addWidget(self.heading)
        layout.addWidget(self.status)
        layout.addWidget(self.view, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.listing: DrillList | None = None
        tables = ctx.tables
        ctx.tasks.run(
            lambda store: load_drill(store, key, period, tables, until),
            on_success=self._loaded,
            on_failure=self._failed,
        )

    def _loaded(self, listing: DrillList) -> None:
        self.listing = listing
        _fill(self.model, listing.headers, [r.cells for r in listing.rows])
        self.view.resizeColumnsToContents()
        hint = "，双击打开案件" if listing.table == "cases" and listing.rows else ""
        self.status.setText(f"共{len(listing.rows)}条{hint}")

    def _failed(self, exc: BaseException) -> None:
        self.status.setText("读取明细失败。")
        show_error(self, f"读取明细失败：{friendly_message(exc)}")

    def _open_row(self, row: int) -> None:
        if self.listing is None or self.listing.table != "cases":
            return
        if 0 <= row < len(self.listing.rows):
            self.caseChosen.emit(self.listing.rows[row].record_id)
            self.accept()


class StatisticsScreen(Screen):
    title = "统计"
    caseRequested = Signal(str)
    computed = Signal()  # figures of the chosen period are shown (tests wait for it)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.data: StatisticsData | None = None
        self._generation = 0
        self._stale = True
        self.drill_dialog: DrillDialog | None = None
        today = ctx.today()
        # -- the period chooser
        self.kind = QComboBox()
        for code, label in KINDS:
            self.kind.addItem(label, code)
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.year.setValue(today.year)
        self.year.setSuffix("年")
        self.month = QComboBox()
        self.month.addItems([f"{m}月" for m in range(1, 13)])
        self.month.setCurrentIndex(today.month - 1)
        self.quarter = QComboBox()
        self.quarter.addItems(list(QUARTER_NAMES))
        self.quarter.setCurrentIndex((today.month - 1) // 3)
        self.date_from = QDateEdit(QDate(today.year, 1, 1))
        self.date_to = QDateEdit(QDate(today.year, today.month, today.day))
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.to_label = QLabel("至")
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(120)
        self.busy.hide()
        self.status = QLabel("")
        self.print_button = QPushButton("打印/导出PDF…")
        self.print_button.setToolTip("生成当前页签的统计表（PDF），可预览、打印或保存（Ctrl+P）")
        self.print_button.clicked.connect(self.print_current)
        self.excel_button = QPushButton("导出Excel…")
        self.excel_button.setToolTip("把当前页签的统计表导出为Excel文件")
        self.excel_button.clicked.connect(self.export_excel)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("统计期间："))
        for field_widget in (
            self.kind,
            self.year,
            self.month,
            self.quarter,
            self.date_from,
            self.to_label,
            self.date_to,
        ):
            bar.addWidget(field_widget)
        bar.addWidget(self.busy)
        bar.addWidget(self.status, 1)
        bar.addWidget(self.print_button)
        bar.addWidget(self.excel_button)
        # -- tabs
        self.tabs = QTabWidget()
        self.rate_label = QLabel("")
        self.mediation_views: dict[str, StatTableView] = {}
        self.mediation_titles: dict[str, QLabel] = {}
        mediation = QWidget()
        mlayout = QVBoxLayout(mediation)
        mlayout.addWidget(self.rate_label)
        for key in (
            "summary",
            "body_type",
            "source",
            "dispute_type",
            "agreement_form",
            "prevention",
        ):
            title = QLabel("")
            title.setStyleSheet("font-weight: bold;")
            view = self._stat_view()
            self.mediation_titles[key] = title
            self.mediation_views[key] = view
            mlayout.addWidget(title)
            mlayout.addWidget(view)
        mlayout.addStretch(1)
        self.tabs.addTab(self._scrolled(mediation), "人民调解统计表")

        self.quota_view = self._stat_view()
        self.short_people_view = self._stat_view()
        understanders = QWidget()
        ulayout = QVBoxLayout(understanders)
        self.quota_title = QLabel("")
        self.quota_note = QLabel("")
        self.short_people_title = QLabel("")
        for part in (
            self.quota_title,
            self.quota_view,
            self.quota_note,
            self.short_people_title,
            self.short_people_view,
        ):
            ulayout.addWidget(part)
        ulayout.addStretch(1)
        self.tabs.addTab(self._scrolled(understanders), "法律明白人")

        self.adviser_view = self._stat_view()
        self.adviser_short_view = self._stat_view()
        advisers = QWidget()
        alayout = QVBoxLayout(advisers)
        self.adviser_title = QLabel("")
        self.adviser_note = QLabel("")
        self.adviser_short_title = QLabel("")
        for part in (
            self.adviser_title,
            self.adviser_view,
            self.adviser_note,
            self.adviser_short_title,
            self.adviser_short_view,
        ):
            alayout.addWidget(part)
        alayout.addStretch(1)
        self.tabs.addTab(self._scrolled(advisers), "法律顾问")

        charts = QWidget()
        grid = QGridLayout(charts)
        self.months_view = QChartView()
        self.dispute_view = QChartView()
        self.rate_view = QChartView()
        for i, chart_view in enumerate((self.months_view, self.dispute_view, self.rate_view)):
            chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
            chart_view.setMinimumHeight(260)
            grid.addWidget(chart_view, i // 2, i % 2)
        self.tabs.addTab(charts, "图表")

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.tabs, 1)

        self._show_period_fields()
        self.kind.currentIndexChanged.connect(self._kind_changed)
        for signal in (
            self.year.valueChanged,
            self.month.currentIndexChanged,
            self.quarter.currentIndexChanged,
            self.date_from.dateChanged,
            self.date_to.dateChanged,
        ):
            signal.connect(self.recompute)
        ctx.recordsChanged.connect(self._records_changed)
        ctx.dataReloaded.connect(self._mark_stale)

    # -- building ---------------------------------------------------------------------------
    def _stat_view(self) -> StatTableView:
        view = StatTableView()
        view.drill.connect(self.open_drill)
        return view

    @staticmethod
    def _scrolled(widget: QWidget) -> QScrollArea:
        area = QScrollArea()
        area.setWidgetResizable(True)
        area.setWidget(widget)
        return area

    # -- the period -----------------------------------------------------------------------------
    def _kind_changed(self) -> None:
        self._show_period_fields()
        self.recompute()

    def _show_period_fields(self) -> None:
        kind = self.kind.currentData()
        self.year.setVisible(kind != "custom")
        self.month.setVisible(kind == "month")
        self.quarter.setVisible(kind == "quarter")
        for w in (self.date_from, self.to_label, self.date_to):
            w.setVisible(kind == "custom")

    def set_period(self, period: Period) -> None:
        """Choose ``period`` in the chooser (computes once)."""
        widgets = (self.kind, self.year, self.month, self.quarter, self.date_from, self.date_to)
        for w in widgets:
            w.blockSignals(True)
        try:
            self.kind.setCurrentIndex([k for k, _l in KINDS].index(period.kind))
            self.year.setValue(period.start.year)
            self.month.setCurrentIndex(period.start.month - 1)
            self.quarter.setCurrentIndex((period.start.month - 1) // 3)
            s, e = period.start, period.end
            self.date_from.setDate(QDate(s.year, s.month, s.day))
            self.date_to.setDate(QDate(e.year, e.month, e.day))
        finally:
            for w in widgets:
                w.blockSignals(False)
        self._show_period_fields()
        self.recompute()

    def period(self) -> Period:
        """The chosen period; raises :class:`ValidationError` for a reversed custom range."""
        kind = self.kind.currentData()
        year = self.year.value()
        if kind == "month":
            return month_period(year, self.month.currentIndex() + 1)
        if kind == "quarter":
            return quarter_period(year, self.quarter.currentIndex() + 1)
        if kind == "year":
            return year_period(year)
        f, t = self.date_from.date(), self.date_to.date()
        return custom_period(date(f.year(), f.month(), f.day()), date(t.year(), t.month(), t.day()))

    # -- computing ------------------------------------------------------------------------------
    def activate(self) -> None:
        if self._stale or self.data is None:
            self.recompute()

    def _mark_stale(self) -> None:
        self._stale = True
        if self.isVisible():
            self.recompute()

    def _records_changed(self, kind: str) -> None:
        if kind in RELOAD_KINDS:
            self._mark_stale()

    @property
    def computing(self) -> bool:
        return not self.busy.isHidden()

    def recompute(self) -> None:
        """Compute the chosen period's figures on the worker."""
        try:
            period = self.period()
        except ValidationError as exc:
            self.status.setText(exc.message)
            return
        self._generation += 1
        generation = self._generation
        self._stale = False
        self.busy.show()
        self.status.setText(f"正在计算{period.label}的统计数据…")
        today = self.ctx.today()
        tables = self.ctx.tables

        def done(data: StatisticsData) -> None:
            if generation != self._generation:
                return  # the period changed meanwhile
            self.busy.hide()
            self._show(data)

        def failed(exc: BaseException) -> None:
            if generation != self._generation:
                return
            self.busy.hide()
            self.status.setText("统计失败。")
            show_error(self, f"统计失败：{friendly_message(exc)}")

        self.ctx.tasks.run(
            lambda store: load_statistics(store, period, today, tables),
            on_success=done,
            on_failure=failed,
        )

    def _show(self, data: StatisticsData) -> None:
        self.data = data
        report = data.report
        rate = report.success_rate
        self.status.setText(f"统计期间：{data.period.label}")
        self.rate_label.setText(
            f"{data.period.label}：受理{report.registered}件，调解成功{report.succeeded}件，"
            + ("调解成功率：—" if rate is None else f"调解成功率：{rate:.1f}%")
        )
        for table in report.tables:
            view = self.mediation_views.get(table.key)
            if view is not None:
                self.mediation_titles[table.key].setText(table.title)
                view.set_table(table)
        quota = data.understanders.quota_table()
        self.quota_title.setText(quota.title)
        self.quota_view.set_table(quota)
        self.quota_note.setText(quota.note)
        people = short_people_table(data.understanders)
        self.short_people_title.setText(f"{people.title}：{len(people.rows)}人")
        self.short_people_view.set_table(people)
        advisers = data.advisers.table()
        self.adviser_title.setText(advisers.title)
        self.adviser_view.set_table(advisers)
        self.adviser_note.setText(advisers.note)
        short = shortfall_table(data.advisers)
        self.adviser_short_title.setText(f"{short.title}：{len(short.rows)}项")
        self.adviser_short_view.set_table(short)
        year = data.period.start.year
        self._set_chart(self.months_view, months_chart(data.series, year))
        self._set_chart(
            self.dispute_view, dispute_chart(report.table("dispute_type"), data.period.label)
        )
        self._set_chart(self.rate_view, rate_chart(data.series, year))
        self.computed.emit()

    @staticmethod
    def _set_chart(view: QChartView, chart: QChart) -> None:
        old = view.chart()
        view.setChart(chart)
        if old is not None:
            old.deleteLater()

    # -- drill-down -----------------------------------------------------------------------------
    def open_drill(self, key: DrillKey) -> DrillDialog | None:
        """The records behind the figure ``key`` of the period shown."""
        if self.data is None:
            return None
        view = self.sender()
        caption = "明细"
        if isinstance(view, StatTableView):
            index = view.currentIndex()
            table = view.stat_model.table
            if table is not None and index.isValid() and index.column() > 0:
                caption = (
                    f"{table.title}　{table.rows[index.row()].label}　"
                    f"{table.columns[index.column() - 1].label}"
                )
        dialog = DrillDialog(
            self.ctx, key, self.data.period, caption, self, self.data.advisers.until
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.caseChosen.connect(self.caseRequested.emit)
        dialog.show()
        self.drill_dialog = dialog
        return dialog

    # -- printing and Excel ---------------------------------------------------------------------
    def _current_report(self) -> tuple[str, Callable[[Store], bytes], list[StatTable]] | None:
        data = self.data
        if data is None:
            return None
        from justice_desktop.pdf import statistics_report as sr

        filled_on = self.ctx.today()
        office = self.ctx.data.office_name
        tab = self.tabs.currentIndex()
        if tab == TAB_UNDERSTANDERS:
            u = data.understanders
            return (
                f"法律明白人工作统计表（{u.year}年）",
                lambda _s: sr.understander_report_pdf(u, office=office, filled_on=filled_on),
                [u.quota_table(), short_people_table(u)],
            )
        if tab == TAB_ADVISERS:
            a = data.advisers
            return (
                f"法律顾问工作统计表（{a.year}年）",
                lambda _s: sr.adviser_report_pdf(a, office=office, filled_on=filled_on),
                [a.table(), shortfall_table(a)],
            )
        r = data.report
        return (
            f"人民调解工作统计表（{r.period.label}）",
            lambda _s: sr.mediation_report_pdf(r, filled_on=filled_on, office=office),
            list(r.tables),
        )

    def print_current(self) -> bool:
        """Ctrl+P: the current tab's report as PDF in the preview (the charts tab prints the
        人民调解 table)."""
        current = self._current_report()
        if current is None:
            return False
        title, make, _tables = current
        show_register(self.ctx, self, title, make)
        return True

    def export_excel(self, path: Path | None = None) -> bool:
        """The current tab's tables to .xlsx (asks where unless ``path`` is given)."""
        current = self._current_report()
        if current is None or self.data is None:
            return False
        title, _make, tables = current
        if path is None:
            chosen, _filter = QFileDialog.getSaveFileName(
                self, "导出Excel", f"{title}.xlsx", "Excel 工作簿 (*.xlsx)"
            )
            if not chosen:
                return False
            path = Path(chosen)
            if path.suffix.lower() != ".xlsx":
                path = path.with_suffix(".xlsx")
        label = self.data.period.label
        sheets = [excel_sheet(t, label) for t in tables]
        office = self.ctx.data.office_name
        now = self.ctx.now()
        target = path

        def write(_store: Store) -> None:
            write_statistics_xlsx(target, sheets, office=office, exported_at=now)

        def done(_result: None) -> None:
            self.status.setText(f"已导出：{target.name}")

        def failed(exc: BaseException) -> None:
            show_error(self, f"导出Excel失败：{friendly_message(exc)}")

        self.ctx.tasks.run(write, on_success=done, on_failure=failed)
        return True

"""调解案件: the case list (filters, search, chosen columns) and the case editor.

The list is :class:`ui.case_list_model.CaseListModel` (ids and pages, never whole tables);
the search box is debounced by :class:`ui.search_results.SearchController`; both work on the
database worker. Opening a case (double-click, Enter, a search hit, the 工作台) shows
:class:`ui.case_editor.CaseEditor` in place of the list; 返回列表 (or Esc) comes back.

The columns a user hides or shows (right-click on the header) are remembered per user
(preference ``case_columns``).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from justice_desktop.domain.lifecycle import STATUS_LABELS
from justice_desktop.store.database import Store
from justice_desktop.store.local_state import get_preference, set_preference
from justice_desktop.store.queries import CaseFilter, CaseQueries
from ui.case_list_model import DEFAULT_PAGE_SIZE, CaseListModel
from ui.case_rows import COLUMN_INDEX, COLUMNS, DEFAULT_DESCENDING, DEFAULT_HIDDEN
from ui.context import AppContext
from ui.errors import friendly_message
from ui.forms import code_combo, combo_value, date_edit, fill_code_combo, to_date
from ui.qt import (
    QAbstractItemView,
    QAction,
    QCheckBox,
    QComboBox,
    QEvent,
    QHBoxLayout,
    QHeaderView,
    QKeySequence,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QModelIndex,
    QPoint,
    QPushButton,
    QShortcut,
    QStackedWidget,
    Qt,
    QTableView,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)
from ui.screen import Screen
from ui.search_results import SEARCH_DELAY_MS, SearchController, SearchResultsModel

if TYPE_CHECKING:
    from ui.case_editor import CaseEditor
    from ui.excel_export import ExcelExportDialog

__all__ = ["SEARCH_PLACEHOLDER", "CasesScreen"]

SEARCH_PLACEHOLDER = "搜索姓名、拼音首字母、身份证号、电话、案号或关键词"
COLUMNS_PREF = "case_columns"
MEDIATORS_DELAY_MS = 1000
ALL = "全部"

PAGE_CASES = 0
PAGE_RESULTS = 1


class CasesScreen(Screen):
    title = "调解案件"

    #: The number of cases the list shows (after filters).
    countChanged = Signal(int)
    #: A search hit of another kind (understander, consultation) was opened.
    hitActivated = Signal(str, str)
    #: A message for the status bar.
    message = Signal(str)

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        search_delay_ms: int = SEARCH_DELAY_MS,
    ) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("casesScreen")
        tasks = ctx.tasks
        # Pages arrive asynchronously: scrolling through a million never blocks the window.
        self.case_model = CaseListModel(
            tasks, page_size=page_size, blocking=False, tables=ctx.tables, parent=self
        )
        self.search_model = SearchResultsModel(self)
        self.search = SearchController(
            tasks, self.search_model, delay_ms=search_delay_ms, parent=self
        )

        # -- filters and search --
        self.search_box = QLineEdit(self)
        self.search_box.setObjectName("searchBox")
        self.search_box.setPlaceholderText(SEARCH_PLACEHOLDER)
        self.search_box.setClearButtonEnabled(True)
        self.new_button = QPushButton("登记纠纷（Ctrl+N）", self)
        self.new_button.setObjectName("newCaseButton")
        self.count_label = QLabel(self)
        self.count_label.setObjectName("listCount")
        self.hint_label = QLabel(self)
        self.hint_label.setObjectName("searchHint")
        self.hint_label.setWordWrap(True)
        self.hint_label.hide()

        self.status_filter = QComboBox(self)
        self.status_filter.setObjectName("statusFilter")
        self.status_filter.addItem(ALL, None)
        for code, label in STATUS_LABELS.items():
            self.status_filter.addItem(label, code)
        self.type_filter = code_combo(self, ctx.tables["dispute_types"], empty=ALL)
        self.type_filter.setObjectName("typeFilter")
        self.source_filter = code_combo(self, ctx.tables["case_sources"], empty=ALL)
        self.source_filter.setObjectName("sourceFilter")
        self.mediator_filter = QComboBox(self)
        self.mediator_filter.setObjectName("mediatorFilter")
        self.mediator_filter.addItem(ALL, None)
        self.date_check = QCheckBox("受理日期", self)
        self.date_check.setObjectName("dateFilterOn")
        today = ctx.today()
        self.date_from = date_edit(self, date(today.year, 1, 1))
        self.date_from.setObjectName("dateFrom")
        self.date_to = date_edit(self, today)
        self.date_to.setObjectName("dateTo")
        self.clear_filters_button = QPushButton("清除筛选", self)

        # -- the list and the results --
        self.case_table = self._make_case_table()
        self.results_label = QLabel(self)
        self.results_label.setObjectName("resultsLabel")
        self.results_view = QListView(self)
        self.results_view.setObjectName("searchResults")
        self.results_view.setModel(self.search_model)
        self.results_view.setAlternatingRowColors(True)
        self.results_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results_view.setSpacing(2)
        self.results_view.setUniformItemSizes(True)  # no measuring of every hit on each search
        results_page = QWidget(self)
        results_layout = QVBoxLayout(results_page)
        results_layout.setContentsMargins(0, 0, 0, 0)
        results_layout.addWidget(self.results_label)
        results_layout.addWidget(self.results_view)
        self.list_stack = QStackedWidget(self)
        self.list_stack.insertWidget(PAGE_CASES, self.case_table)
        self.list_stack.insertWidget(PAGE_RESULTS, results_page)

        list_page = QWidget(self)
        top = QHBoxLayout()
        top.addWidget(self.search_box, 1)
        top.addWidget(self.new_button)
        self.export_button = QPushButton("批量导出PDF…", self)
        self.export_button.setObjectName("batchPdfButton")
        self.export_button.setToolTip("把选中案件的整卷或所选文书导出为PDF文件")
        self.export_button.clicked.connect(self.export_pdfs)
        top.addWidget(self.export_button)
        self.excel_button = QPushButton("导出Excel…", self)
        self.excel_button.setObjectName("excelExportButton")
        self.excel_button.setToolTip("把当前筛选条件下的全部案件导出为Excel表格（默认脱敏）")
        self.excel_button.clicked.connect(self.export_excel)
        top.addWidget(self.excel_button)
        filters = QHBoxLayout()
        for label, widget in (
            ("状态", self.status_filter),
            ("纠纷类型", self.type_filter),
            ("来源", self.source_filter),
            ("调解员", self.mediator_filter),
        ):
            filters.addWidget(QLabel(label, list_page))
            filters.addWidget(widget)
        filters.addSpacing(8)
        filters.addWidget(self.date_check)
        filters.addWidget(self.date_from)
        filters.addWidget(QLabel("至", list_page))
        filters.addWidget(self.date_to)
        filters.addWidget(self.clear_filters_button)
        filters.addStretch(1)
        filters.addWidget(self.count_label)
        list_layout = QVBoxLayout(list_page)
        list_layout.setContentsMargins(0, 0, 0, 0)
        list_layout.addLayout(top)
        list_layout.addLayout(filters)
        list_layout.addWidget(self.hint_label)
        list_layout.addWidget(self.list_stack, 1)

        self.excel_dialog: ExcelExportDialog | None = None
        self._editor: CaseEditor | None = None  # built when a case is first opened
        self.pages = QStackedWidget(self)
        self.pages.addWidget(list_page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)

        clear_shortcut = QShortcut(QKeySequence(Qt.Key.Key_Escape), self.search_box)
        clear_shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        clear_shortcut.activated.connect(self.search_box.clear)

        self.search_box.textChanged.connect(self.search.set_text)
        self.search_box.returnPressed.connect(self.search.search_now)
        self.search.resultsReady.connect(self._show_results)
        self.search.cleared.connect(self._show_case_list)
        self.search.hintChanged.connect(self._set_hint)
        self.case_model.countChanged.connect(self.countChanged)
        self.case_model.countChanged.connect(self._show_count)
        self.case_model.loadFailed.connect(self.message)
        self.results_view.activated.connect(self._open_hit)
        self.case_table.activated.connect(self._open_row)
        self.new_button.clicked.connect(self.new_record)
        for combo in (self.status_filter, self.type_filter, self.source_filter):
            combo.currentIndexChanged.connect(self._apply_filters)
        self.mediator_filter.currentIndexChanged.connect(self._apply_filters)
        self.date_check.toggled.connect(self._apply_filters)
        self.date_from.dateChanged.connect(self._date_changed)
        self.date_to.dateChanged.connect(self._date_changed)
        self.clear_filters_button.clicked.connect(self.clear_filters)
        ctx.recordsChanged.connect(self._records_changed)
        ctx.userChanged.connect(self._load_columns)
        ctx.dataReloaded.connect(self._codes_reloaded)

        self.case_model.reload()
        self._fresh = True  # just loaded: the first activate() need not read again
        self._load_columns()
        # The mediators' names (a scan of every case's mediators) wait until the first page
        # is on screen: the worker takes tasks in order.
        QTimer.singleShot(MEDIATORS_DELAY_MS, self._load_mediators)

    @property
    def editor(self) -> CaseEditor:
        """The case editor (its module and widgets are loaded on first use: start-up)."""
        if self._editor is None:
            from ui.case_editor import CaseEditor

            editor = CaseEditor(self.ctx, self)
            editor.closed.connect(self.show_list)
            editor.saved.connect(self._case_saved)
            editor.message.connect(self.message)
            self.pages.addWidget(editor)
            self._editor = editor
        return self._editor

    # -- Screen --------------------------------------------------------------------------------
    def activate(self) -> None:
        if self._fresh:
            self._fresh = False
            return
        if not self.editing:
            self.case_model.reload()

    def new_record(self) -> bool:
        if self.editing and not self.editor.can_leave():
            return True
        self.editor.new_case()
        self.pages.setCurrentWidget(self.editor)
        return True

    def save(self) -> bool:
        return self.editing and self.editor.save()

    def can_leave(self) -> bool:
        return not self.editing or self.editor.can_leave()

    def print_current(self) -> bool:
        """Ctrl+P in the case editor: print the document chosen on its 文书 tab."""
        if not self.editing or self.editor.case_id is None:
            return False
        self.editor.tabs.setCurrentWidget(self.editor.documents)
        return self.editor.documents.print_current()

    def export_pdfs(self) -> None:
        """批量导出PDF…: the bound files or chosen forms of the selected cases."""
        from ui.batch_pdf import export_selected_cases, selected_case_ids

        ids = selected_case_ids(self.case_table, self.case_model.case_id)
        export_selected_cases(self.ctx, ids, self)

    def export_excel(self) -> ExcelExportDialog:
        """导出Excel…: every case of the current filter (not only the page on screen; a
        search in the box does not narrow the export)."""
        from justice_desktop.excel.exports import ExportRequest
        from ui.excel_export import ExportSpec, open_export_dialog

        case_filter = self.current_filter()
        count = self.case_model.rowCount()
        spec = ExportSpec(
            ExportRequest("cases", case_filter=case_filter),
            "人民调解案件列表",
            f"导出当前筛选条件下的全部案件（共 {count} 件）。搜索框中的搜索不影响导出。",
        )
        self.excel_dialog = open_export_dialog(self.ctx, spec, self)
        return self.excel_dialog

    def flush_drafts(self) -> None:
        if self._editor is not None:
            self._editor.flush_drafts()

    # -- public ----------------------------------------------------------------------------------
    @property
    def editing(self) -> bool:
        return self._editor is not None and self.pages.currentWidget() is self._editor

    def open_case(self, case_id: str) -> None:
        if self.editing and not self.editor.can_leave():
            return
        self.editor.open_case(case_id)
        self.pages.setCurrentWidget(self.editor)

    def show_list(self) -> None:
        self.pages.setCurrentIndex(0)
        self.case_table.setFocus()

    def focus_search(self) -> None:
        if self.editing and not self.editor.can_leave():
            return
        self.show_list()
        self.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_box.selectAll()

    def showing_results(self) -> bool:
        return self.list_stack.currentIndex() == PAGE_RESULTS

    def current_filter(self) -> CaseFilter:
        dated = self.date_check.isChecked()
        return CaseFilter(
            status=combo_value(self.status_filter),
            dispute_type=combo_value(self.type_filter),
            source=combo_value(self.source_filter),
            mediator=combo_value(self.mediator_filter),
            registered_from=to_date(self.date_from.date()) if dated else None,
            registered_to=to_date(self.date_to.date()) if dated else None,
        )

    def clear_filters(self) -> None:
        for combo in (self.status_filter, self.type_filter, self.source_filter):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.mediator_filter.blockSignals(True)
        self.mediator_filter.setCurrentIndex(0)
        self.mediator_filter.blockSignals(False)
        self.date_check.blockSignals(True)
        self.date_check.setChecked(False)
        self.date_check.blockSignals(False)
        self._apply_filters()

    def hidden_columns(self) -> list[str]:
        return [c.key for i, c in enumerate(COLUMNS) if self.case_table.isColumnHidden(i)]

    def set_column_visible(self, key: str, visible: bool) -> None:
        """Show or hide a column and remember the choice for the user."""
        self.case_table.setColumnHidden(COLUMN_INDEX[key], not visible)
        hidden = self.hidden_columns()
        user_id = self.ctx.user.id
        self.ctx.tasks.run(lambda store: set_preference(store, user_id, COLUMNS_PREF, hidden))

    # -- internals -------------------------------------------------------------------------------
    def _make_case_table(self) -> QTableView:
        table = QTableView(self)
        table.setObjectName("caseTable")
        table.setModel(self.case_model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        table.setCornerButtonEnabled(False)
        rows = table.verticalHeader()
        rows.hide()
        # Fixed row heights: the view never measures rows, so a million rows cost nothing.
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(table.fontMetrics().height() + 10)
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._column_menu)
        scale = max(1.0, table.fontMetrics().height() / 17)
        for i, column in enumerate(COLUMNS):
            table.setColumnWidth(i, int(column.width * scale))
            table.setColumnHidden(i, column.key in DEFAULT_HIDDEN)
        header.setSectionResizeMode(COLUMN_INDEX["parties"], QHeaderView.ResizeMode.Stretch)
        order = Qt.SortOrder.DescendingOrder if DEFAULT_DESCENDING else Qt.SortOrder.AscendingOrder
        self._sort_column, self._sort_order = COLUMN_INDEX["registered_on"], order
        header.setSortIndicator(self._sort_column, order)
        header.sortIndicatorChanged.connect(self._on_sort_indicator)
        table.setSortingEnabled(True)
        return table

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange:  # the UI scale changed: taller rows
            rows = self.case_table.verticalHeader()
            rows.setDefaultSectionSize(self.case_table.fontMetrics().height() + 10)
        super().changeEvent(event)

    def _column_menu(self, pos: QPoint) -> None:
        menu = self.column_menu()
        menu.popup(self.case_table.horizontalHeader().mapToGlobal(pos))

    def column_menu(self) -> QMenu:
        """The header's menu: one checkable action per column (the case number stays)."""
        menu = QMenu("显示的列", self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        for i, column in enumerate(COLUMNS):
            action = QAction(column.title, menu)
            action.setCheckable(True)
            action.setChecked(not self.case_table.isColumnHidden(i))
            action.setEnabled(column.key != "case_number")
            action.setData(column.key)
            action.toggled.connect(
                lambda on, key=column.key: self.set_column_visible(key, bool(on))
            )
            menu.addAction(action)
        return menu

    def _load_columns(self) -> None:
        user_id = self.ctx.user.id

        def read(store: Store) -> Any:
            return get_preference(store, user_id, COLUMNS_PREF, list(DEFAULT_HIDDEN))

        def apply(hidden: Any) -> None:
            wanted = {str(k) for k in hidden} if isinstance(hidden, list) else set(DEFAULT_HIDDEN)
            wanted.discard("case_number")
            for i, column in enumerate(COLUMNS):
                self.case_table.setColumnHidden(i, column.key in wanted)

        self.ctx.tasks.run(read, on_success=apply)

    def _load_mediators(self) -> None:
        if self.ctx.tasks.closed:  # the delayed first load after the window was closed
            return

        def apply(names: list[str]) -> None:
            current = combo_value(self.mediator_filter)
            self.mediator_filter.blockSignals(True)
            self.mediator_filter.clear()
            self.mediator_filter.addItem(ALL, None)
            for name in names:
                self.mediator_filter.addItem(name, name)
            index = self.mediator_filter.findData(current)
            self.mediator_filter.setCurrentIndex(max(index, 0))
            self.mediator_filter.blockSignals(False)

        self.ctx.tasks.run(lambda store: CaseQueries(store).mediators(), on_success=apply)

    def _date_changed(self) -> None:
        if self.date_check.isChecked():
            self._apply_filters()

    def _apply_filters(self) -> None:
        self.case_model.set_filter(self.current_filter())

    def _on_sort_indicator(self, column: int, order: Qt.SortOrder) -> None:
        if COLUMNS[column].sort_key is None:  # not sortable: put the arrow back
            self.case_table.horizontalHeader().setSortIndicator(self._sort_column, self._sort_order)
            return
        self._sort_column, self._sort_order = column, order

    def _show_count(self, count: int) -> None:
        self.count_label.setText(f"共 {count} 件")

    def _show_results(self, query: str, found: int) -> None:
        if found >= self.search.limit:
            self.results_label.setText(
                f"“{query}”的搜索结果：最相关的前 {found} 条（输入更多字可缩小范围）"
            )
        elif found:
            self.results_label.setText(f"“{query}”的搜索结果：{found} 条")
        else:
            self.results_label.setText(f"没有找到与“{query}”匹配的记录。")
        self.list_stack.setCurrentIndex(PAGE_RESULTS)

    def _show_case_list(self) -> None:
        self.list_stack.setCurrentIndex(PAGE_CASES)

    def _set_hint(self, hint: str) -> None:
        self.hint_label.setText(hint)
        self.hint_label.setVisible(bool(hint))

    def _open_hit(self, index: QModelIndex) -> None:
        hit = self.search_model.hit(index.row())
        if hit is None:
            return
        if hit.kind == "case":
            self.open_case(hit.ref_id)
        self.hitActivated.emit(hit.kind, hit.ref_id)

    def _open_row(self, index: QModelIndex) -> None:
        case_id = self.case_model.case_id(index.row())
        if case_id is not None:
            self.open_case(case_id)

    def _case_saved(self, _case_id: str) -> None:
        self.ctx.notify("cases")

    def _records_changed(self, kind: str) -> None:
        if kind == "cases":
            self.case_model.reload()
            self._load_mediators()

    def _codes_reloaded(self) -> None:
        fill_code_combo(self.type_filter, self.ctx.tables["dispute_types"], empty=ALL)
        fill_code_combo(self.source_filter, self.ctx.tables["case_sources"], empty=ALL)
        self.case_model.invalidate_codes(self.ctx.tables)
        self.case_model.reload()

    def show_error(self, exc: BaseException) -> None:
        self.message.emit(friendly_message(exc))

"""The main window: the case list with a search box above it.

Widgets only: the case list is :class:`ui.case_list_model.CaseListModel`, the search is
:class:`ui.search_results.SearchController`, the title and status bar come from
:mod:`ui.overview`; all of them do their database work on the worker of the
:class:`ui.tasks.TaskManager` the window is given (and does not own).
"""

from __future__ import annotations

from ui.case_list_model import DEFAULT_PAGE_SIZE, CaseListModel
from ui.case_rows import COLUMN_INDEX, COLUMNS, DEFAULT_DESCENDING
from ui.errors import friendly_message
from ui.overview import Overview, case_count_text, load_overview, pending_text, window_title
from ui.qt import (
    QAbstractItemView,
    QAction,
    QCloseEvent,
    QHeaderView,
    QKeySequence,
    QLabel,
    QLineEdit,
    QListView,
    QMainWindow,
    QModelIndex,
    QShortcut,
    QStackedWidget,
    Qt,
    QTableView,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)
from ui.search_results import SEARCH_DELAY_MS, SearchController, SearchResultsModel
from ui.tasks import TaskManager

SEARCH_PLACEHOLDER = "搜索姓名、拼音首字母、身份证号、电话、案号或关键词"
STATUS_REFRESH_MS = 60_000
MESSAGE_TIMEOUT_MS = 10_000

PAGE_CASES = 0
PAGE_RESULTS = 1


class MainWindow(QMainWindow):
    #: A search result was opened (double-click or Enter): kind and id.
    hitActivated = Signal(str, str)

    def __init__(
        self,
        tasks: TaskManager,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        search_delay_ms: int = SEARCH_DELAY_MS,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._overview: Overview | None = None
        self.setWindowTitle(window_title(None))
        self.resize(1180, 720)

        self.case_model = CaseListModel(tasks, page_size=page_size, parent=self)
        self.search_model = SearchResultsModel(self)
        self.search = SearchController(
            tasks, self.search_model, delay_ms=search_delay_ms, parent=self
        )

        self.search_box = QLineEdit(self)
        self.search_box.setObjectName("searchBox")
        self.search_box.setPlaceholderText(SEARCH_PLACEHOLDER)
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setMinimumHeight(self.search_box.fontMetrics().height() + 14)

        self.hint_label = QLabel(self)
        self.hint_label.setObjectName("searchHint")
        self.hint_label.setWordWrap(True)
        self.hint_label.hide()

        self.case_table = self._make_case_table()

        self.results_label = QLabel(self)
        self.results_label.setObjectName("resultsLabel")
        self.results_view = QListView(self)
        self.results_view.setObjectName("searchResults")
        self.results_view.setModel(self.search_model)
        self.results_view.setAlternatingRowColors(True)
        self.results_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results_view.setSpacing(2)
        results_page = QWidget(self)
        results_layout = QVBoxLayout(results_page)
        results_layout.setContentsMargins(0, 0, 0, 0)
        results_layout.addWidget(self.results_label)
        results_layout.addWidget(self.results_view)

        self.stack = QStackedWidget(self)
        self.stack.insertWidget(PAGE_CASES, self.case_table)
        self.stack.insertWidget(PAGE_RESULTS, results_page)

        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(10, 10, 10, 6)
        layout.addWidget(self.search_box)
        layout.addWidget(self.hint_label)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.count_label = QLabel("正在读取案件…", self)
        self.count_label.setObjectName("caseCount")
        self.pending_label = QLabel("", self)
        self.pending_label.setObjectName("pendingSync")
        self.statusBar().addPermanentWidget(self.count_label)
        self.statusBar().addPermanentWidget(self.pending_label)

        self.find_action = QAction("搜索", self)
        self.find_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Find))
        self.find_action.triggered.connect(self.focus_search)
        self.addAction(self.find_action)
        clear_shortcut = QShortcut(QKeySequence(Qt.Key.Key_Escape), self.search_box)
        clear_shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        clear_shortcut.activated.connect(self.search_box.clear)

        self._status_timer = QTimer(self)
        self._status_timer.setInterval(STATUS_REFRESH_MS)
        self._status_timer.timeout.connect(self.refresh_overview)

        self.search_box.textChanged.connect(self.search.set_text)
        self.search_box.returnPressed.connect(self.search.search_now)
        self.search.resultsReady.connect(self._show_results)
        self.search.cleared.connect(self._show_case_list)
        self.search.hintChanged.connect(self._set_hint)
        self.case_model.countChanged.connect(self._show_count)
        self.case_model.loadFailed.connect(self._show_message)
        self.results_view.activated.connect(self._open_hit)

        self.case_model.reload()
        self.refresh_overview()
        self._status_timer.start()

    # -- public ------------------------------------------------------------------------------
    @property
    def overview(self) -> Overview | None:
        return self._overview

    def focus_search(self) -> None:
        self.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_box.selectAll()

    def showing_results(self) -> bool:
        return self.stack.currentIndex() == PAGE_RESULTS

    def refresh_overview(self) -> None:
        """Read the title and status bar figures again (on the worker)."""
        if not self._tasks.closed:
            self._tasks.run(
                load_overview, on_success=self._apply_overview, on_failure=self._show_error
            )

    # -- internals -----------------------------------------------------------------------------
    def _make_case_table(self) -> QTableView:
        table = QTableView(self)
        table.setObjectName("caseTable")
        table.setModel(self.case_model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
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
        scale = max(1.0, table.fontMetrics().height() / 17)
        for i, column in enumerate(COLUMNS):
            table.setColumnWidth(i, int(column.width * scale))
        header.setSectionResizeMode(COLUMN_INDEX["parties"], QHeaderView.ResizeMode.Stretch)
        order = Qt.SortOrder.DescendingOrder if DEFAULT_DESCENDING else Qt.SortOrder.AscendingOrder
        self._sort_column, self._sort_order = COLUMN_INDEX["registered_on"], order
        header.setSortIndicator(self._sort_column, order)
        header.sortIndicatorChanged.connect(self._on_sort_indicator)
        table.setSortingEnabled(True)
        return table

    def _on_sort_indicator(self, column: int, order: Qt.SortOrder) -> None:
        if COLUMNS[column].sort_key is None:  # 当事人: not sortable, put the arrow back
            self.case_table.horizontalHeader().setSortIndicator(self._sort_column, self._sort_order)
            return
        self._sort_column, self._sort_order = column, order

    def _apply_overview(self, overview: Overview) -> None:
        self._overview = overview
        self.setWindowTitle(window_title(overview))
        self.pending_label.setText(pending_text(overview.pending_sync))

    def _show_count(self, count: int) -> None:
        self.count_label.setText(case_count_text(count))

    def _show_results(self, query: str, found: int) -> None:
        if found >= self.search.limit:
            self.results_label.setText(
                f"“{query}”的搜索结果：最相关的前 {found} 条（输入更多字可缩小范围）"
            )
        elif found:
            self.results_label.setText(f"“{query}”的搜索结果：{found} 条")
        else:
            self.results_label.setText(f"没有找到与“{query}”匹配的记录。")
        self.stack.setCurrentIndex(PAGE_RESULTS)

    def _show_case_list(self) -> None:
        self.stack.setCurrentIndex(PAGE_CASES)

    def _set_hint(self, hint: str) -> None:
        self.hint_label.setText(hint)
        self.hint_label.setVisible(bool(hint))

    def _show_message(self, message: str) -> None:
        self.statusBar().showMessage(message, MESSAGE_TIMEOUT_MS)

    def _show_error(self, exc: BaseException) -> None:
        self._show_message(friendly_message(exc))

    def _open_hit(self, index: QModelIndex) -> None:
        hit = self.search_model.hit(index.row())
        if hit is not None:
            self.hitActivated.emit(hit.kind, hit.ref_id)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._status_timer.stop()
        self.search.stop()
        super().closeEvent(event)


__all__ = ["SEARCH_PLACEHOLDER", "MainWindow"]

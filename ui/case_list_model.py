"""The case list as a lazy table model over the store.

The model never loads the whole table.  It holds the number of matching cases and an LRU of
pages (200 rows each by default); ``data()`` for a row whose page is not cached fetches that
page (ids and display strings in one query, see :class:`ui.case_rows.CaseListSource`).
All database work runs on the worker of :class:`ui.tasks.TaskManager`:

* the count for a filter or sort order comes back asynchronously; when it arrives the new
  query is applied in one model reset (until then the old rows stay on screen);
* pages are fetched either *blocking* (``TaskManager.call``: the GUI waits a few ms for the
  worker — simple, and what this version uses) or *asynchronously* (``blocking=False``:
  ``data()`` returns nothing for the rows at first and ``dataChanged`` fills them in).

Stale results are dropped by generation numbers, so a fast typist or a quick re-sort never
sees rows of an older query.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from justice_desktop.codes.tables import CodeTable
from justice_desktop.store.queries import CaseFilter
from ui.case_rows import COLUMNS, CaseListRow, CaseListSource, CaseQuery
from ui.errors import friendly_message
from ui.qt import AnyIndex, QAbstractTableModel, QModelIndex, QObject, Qt, Signal
from ui.tasks import TaskManager, TaskManagerClosedError

log = logging.getLogger(__name__)

#: data(index, CASE_ID_ROLE) gives the case id of the row.
CASE_ID_ROLE = Qt.ItemDataRole.UserRole + 1

DEFAULT_PAGE_SIZE = 200
DEFAULT_MAX_PAGES = 50  # 10,000 rows of display strings: a few MB


class CaseListModel(QAbstractTableModel):
    """Lazy, page-cached model of the case list (see the module docstring)."""

    #: The number of matching cases, each time a query has been applied.
    countChanged = Signal(int)
    #: A Chinese message when counting or fetching failed.
    loadFailed = Signal(str)

    def __init__(
        self,
        tasks: TaskManager,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        max_pages: int = DEFAULT_MAX_PAGES,
        blocking: bool = True,
        tables: Mapping[str, CodeTable] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        if page_size < 1 or max_pages < 1:
            raise ValueError("page_size and max_pages must be positive")
        self._tasks = tasks
        self._source = CaseListSource(tables)
        self._page_size = page_size
        self._max_pages = max_pages
        self._blocking = blocking
        self._query = CaseQuery()  # the query the rows on screen belong to
        self._wanted = CaseQuery()  # the query being counted, applied when its count arrives
        self._count = 0
        self._loaded = False
        self._pages: OrderedDict[int, list[CaseListRow]] = OrderedDict()
        self._pending: set[int] = set()
        self._failed: set[int] = set()
        self._generation = 0  # bumped whenever a new query is applied
        self._request = 0  # bumped whenever a count is requested

    # -- what to show --------------------------------------------------------------------
    @property
    def query(self) -> CaseQuery:
        """The query whose rows are shown now."""
        return self._query

    @property
    def loaded(self) -> bool:
        """Whether a count has arrived since the model was created."""
        return self._loaded

    @property
    def page_size(self) -> int:
        return self._page_size

    def cached_pages(self) -> list[int]:
        """Page numbers in the cache, least recently used first (for tests and debugging)."""
        return list(self._pages)

    def set_filter(self, flt: CaseFilter) -> None:
        self._wanted = CaseQuery(flt, self._wanted.sort, self._wanted.descending)
        self.reload()

    def set_sort(self, sort: str, descending: bool) -> None:
        if (sort, descending) != (self._wanted.sort, self._wanted.descending):
            self._wanted = CaseQuery(self._wanted.filter, sort, descending)
            self.reload()

    def invalidate_codes(self, tables: Mapping[str, CodeTable] | None = None) -> None:
        """The office changed a code table: rows are formatted with fresh labels."""
        self._source.invalidate(tables)

    def reload(self) -> None:
        """Count the wanted query again and then show it from the top, with fresh rows."""
        if self._tasks.closed:
            return
        self._request += 1
        request, query = self._request, self._wanted
        source, size = self._source, self._page_size

        def count_and_first_page(store: Any) -> tuple[int, list[CaseListRow]]:
            # The first page comes with the count: the list shows rows one round trip sooner.
            count = source.count(store, query)
            return count, source.page(store, query, 0, size, count) if count else []

        self._tasks.run(
            count_and_first_page,
            on_success=lambda found: self._apply(request, query, found[0], found[1]),
            on_failure=lambda exc: self._count_failed(request, exc),
        )

    def case_id(self, row: int) -> str | None:
        """The id of the case in ``row`` (fetching its page if needed)."""
        found = self._row(row)
        return None if found is None else found.case_id

    # -- Qt model interface ---------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's default
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's default
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.column() >= len(COLUMNS):
            return None
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, CASE_ID_ROLE):
            return None
        found = self._row(index.row())
        if found is None:
            return None
        if role == CASE_ID_ROLE:
            return found.case_id
        return found.cells[index.column()]

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section].title if 0 <= section < len(COLUMNS) else None
        return str(section + 1) if 0 <= section < self._count else None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        key = COLUMNS[column].sort_key
        if key is not None:
            self.set_sort(key, order == Qt.SortOrder.DescendingOrder)

    # -- internals -------------------------------------------------------------------------
    def _apply(
        self, request: int, query: CaseQuery, count: int, first: list[CaseListRow] | None = None
    ) -> None:
        if request != self._request:
            return  # a newer query was asked for meanwhile
        self.beginResetModel()
        self._query = query
        self._count = count
        self._generation += 1
        self._pages.clear()
        self._pending.clear()
        self._failed.clear()
        if first:
            self._pages[0] = first
        self._loaded = True
        self.endResetModel()
        self.countChanged.emit(count)

    def _count_failed(self, request: int, exc: BaseException) -> None:
        if request == self._request:
            self.loadFailed.emit(friendly_message(exc))

    def _row(self, row: int) -> CaseListRow | None:
        if not 0 <= row < self._count:
            return None
        number, offset = divmod(row, self._page_size)
        page = self._pages.get(number)
        if page is None:
            self._fetch(number)
            page = self._pages.get(number)
            if page is None:
                return None
        else:
            self._pages.move_to_end(number)
        return page[offset] if offset < len(page) else None

    def _fetch(self, number: int) -> None:
        if number in self._pending or number in self._failed or self._tasks.closed:
            return
        generation, query = self._generation, self._query
        offset, limit = number * self._page_size, self._page_size
        source, total = self._source, self._count

        def fetch(store: Any) -> list[CaseListRow]:
            return source.page(store, query, offset, limit, total)

        if self._blocking:
            try:
                rows = self._tasks.call(fetch)
            except TaskManagerClosedError:
                return
            except Exception as exc:
                self._page_failed(generation, number, exc)
                return
            self._store_page(number, rows)
            return
        self._pending.add(number)
        self._tasks.run(
            fetch,
            on_success=lambda rows: self._page_arrived(generation, number, rows),
            on_failure=lambda exc: self._page_failed(generation, number, exc),
        )

    def _store_page(self, number: int, rows: list[CaseListRow]) -> None:
        self._pages[number] = rows
        self._pages.move_to_end(number)
        while len(self._pages) > self._max_pages:
            self._pages.popitem(last=False)

    def _page_arrived(self, generation: int, number: int, rows: list[CaseListRow]) -> None:
        if generation != self._generation:
            return
        self._pending.discard(number)
        self._store_page(number, rows)
        first = number * self._page_size
        last = min(first + self._page_size, self._count) - 1
        if last >= first:
            self.dataChanged.emit(
                self.index(first, 0),
                self.index(last, len(COLUMNS) - 1),
                [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, CASE_ID_ROLE],
            )

    def _page_failed(self, generation: int, number: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self._pending.discard(number)
        self._failed.add(number)  # no retry storm on every repaint; reload() tries again
        log.error(
            "fetching case list page %d failed",
            number,
            exc_info=(type(exc), exc, exc.__traceback__),
        )
        self.loadFailed.emit(friendly_message(exc))


__all__ = ["CASE_ID_ROLE", "DEFAULT_PAGE_SIZE", "CaseListModel"]

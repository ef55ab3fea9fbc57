"""The search box's logic: debounced search on the database worker, and the results model.

:class:`SearchController` knows nothing of widgets: the window feeds it the search text and
listens to its signals.  Each keystroke restarts a single-shot timer; only when typing
pauses (250 ms) does one search run on the worker.  Results of an older query than the one
last asked for are dropped.  An empty box clears the results at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from justice_desktop.store.database import Store
from ui.errors import friendly_message
from ui.qt import AnyIndex, QAbstractListModel, QModelIndex, QObject, Qt, QTimer, Signal
from ui.tasks import TaskManager

if TYPE_CHECKING:  # the search module itself is imported on the first search (start-up time)
    from justice_desktop.store.search import SearchHit

SEARCH_DELAY_MS = 250
SEARCH_LIMIT = 200

KIND_LABELS: dict[str, str] = {"case": "案件", "understander": "法律明白人", "consultation": "咨询"}

#: data(index, HIT_KIND_ROLE) → "case" / "understander" / "consultation"
HIT_KIND_ROLE = Qt.ItemDataRole.UserRole + 1
#: data(index, HIT_REF_ROLE) → the id of the case, understander or consultation
HIT_REF_ROLE = Qt.ItemDataRole.UserRole + 2


def hit_text(hit: SearchHit) -> str:
    """Two lines: "[案件] title" and the subtitle.  Titles and subtitles were masked when
    they were indexed (names, ID numbers, phones)."""
    head = f"[{KIND_LABELS.get(hit.kind, hit.kind)}] {hit.title}"
    return f"{head}\n{hit.subtitle}"  # always two lines: the list's rows are all one size


class SearchResultsModel(QAbstractListModel):
    """The hits of the last search, best first."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._hits: list[SearchHit] = []

    @property
    def hits(self) -> list[SearchHit]:
        return list(self._hits)

    def set_hits(self, hits: list[SearchHit]) -> None:
        self.beginResetModel()
        self._hits = list(hits)
        self.endResetModel()

    def clear(self) -> None:
        if self._hits:
            self.set_hits([])

    def hit(self, row: int) -> SearchHit | None:
        return self._hits[row] if 0 <= row < len(self._hits) else None

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's default
        return 0 if parent.isValid() else len(self._hits)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        hit = self.hit(index.row()) if index.isValid() and index.column() == 0 else None
        if hit is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return hit_text(hit)
        if role == Qt.ItemDataRole.ToolTipRole:
            from justice_desktop.store.search import TIER_LABELS

            return f"匹配方式：{TIER_LABELS.get(hit.tier, '')}"
        if role == HIT_KIND_ROLE:
            return hit.kind
        if role == HIT_REF_ROLE:
            return hit.ref_id
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )


class SearchController(QObject):
    """Debounces the search text and runs the search on the worker."""

    #: The query and how many hits it found, once the results model holds them.
    resultsReady = Signal(str, int)
    #: The search text became empty: show the case list again.
    cleared = Signal()
    #: A hint for the status line ("" for none), e.g. when 1–2 digits found nothing.
    hintChanged = Signal(str)

    def __init__(
        self,
        tasks: TaskManager,
        model: SearchResultsModel,
        *,
        delay_ms: int = SEARCH_DELAY_MS,
        limit: int = SEARCH_LIMIT,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._tasks = tasks
        self._model = model
        self._limit = limit
        self._text = ""
        self._serial = 0
        self._active_query = ""
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.search_now)

    @property
    def model(self) -> SearchResultsModel:
        return self._model

    @property
    def limit(self) -> int:
        """The most hits one search shows."""
        return self._limit

    @property
    def active_query(self) -> str:
        """The query whose results are shown ("" when none are)."""
        return self._active_query

    def set_text(self, text: str) -> None:
        """Called on every edit of the search box."""
        self._text = text
        if not text.strip():
            self._timer.stop()
            self._clear()
            return
        self._timer.start()

    def search_now(self) -> None:
        """Run the search for the current text without waiting (Enter in the box)."""
        self._timer.stop()
        query = self._text.strip()
        if not query:
            self._clear()
            return
        if self._tasks.closed:
            return
        self._serial += 1
        serial, limit = self._serial, self._limit

        def find(store: Store) -> list[SearchHit]:
            from justice_desktop.store.search import search

            return search(store.conn, query, limit=limit)

        self._tasks.run(
            find,
            on_success=lambda hits: self._show(serial, query, hits),
            on_failure=lambda exc: self._failed(serial, exc),
        )

    def stop(self) -> None:
        """Stop the timer and ignore results still on their way (window closing)."""
        self._timer.stop()
        self._serial += 1

    def _clear(self) -> None:
        self._serial += 1  # results of searches still running are dropped
        self._active_query = ""
        self._model.clear()
        self.hintChanged.emit("")
        self.cleared.emit()

    def _show(self, serial: int, query: str, hits: list[SearchHit]) -> None:
        if serial != self._serial:
            return
        self._active_query = query
        self._model.set_hits(hits)
        from justice_desktop.store.search import search_hint

        self.hintChanged.emit("" if hits else (search_hint(query) or ""))
        self.resultsReady.emit(query, len(hits))

    def _failed(self, serial: int, exc: BaseException) -> None:
        if serial == self._serial:
            self.hintChanged.emit(friendly_message(exc))


__all__ = [
    "HIT_KIND_ROLE",
    "HIT_REF_ROLE",
    "KIND_LABELS",
    "SearchController",
    "SearchResultsModel",
    "hit_text",
]

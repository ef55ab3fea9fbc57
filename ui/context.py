"""What every screen shares: the task manager, the person working, the office and its code
tables, and signals that tell screens to re-read.

Screens receive one :class:`AppContext`; they never hold the store. The context's data is
read on the worker by :func:`load_context_data` (no Qt) and handed to the GUI thread.

* ``userChanged`` — another local profile took over (switching user needs no restart): every
  screen re-reads what depends on the user (drafts, preferences).
* ``recordsChanged(kind)`` — a screen saved something of ``kind`` (``cases``,
  ``understanders``, ``trainings``, ``consultations``, ``adviser_logs``, ``settings``); other
  screens showing that kind re-read. ``settings`` also means: code tables, committees or users
  changed, so :meth:`AppContext.reload` is called by whoever changed them.
* ``sync`` — the :class:`ui.sync_controller.SyncController` of the window (None when the
  program runs without sync, as in most screen tests). After a sync that brought records
  the context is reloaded and every kind is notified.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from justice_desktop.codes.tables import CodeTable
from justice_desktop.store.code_tables import load_tables
from justice_desktop.store.database import Store
from justice_desktop.store.office import ROLE_LABELS, committees, office_name, users
from justice_desktop.store.session import is_demo
from ui.qt import QObject, Signal
from ui.tasks import TaskManager

if TYPE_CHECKING:  # imported only by the window that runs sync
    from ui.sync_controller import SyncController

__all__ = [
    "AppContext",
    "ContextData",
    "CurrentUser",
    "RECORD_KINDS",
    "load_context_data",
]

RECORD_KINDS = (
    "cases",
    "understanders",
    "trainings",
    "consultations",
    "adviser_logs",
    "settings",
)


@dataclass(frozen=True)
class CurrentUser:
    """The local profile working now; every record and audit entry names its ``id``."""

    id: str
    name: str
    role: str

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    @property
    def display(self) -> str:
        return f"{self.name}（{self.role_label}）"


@dataclass(frozen=True)
class ContextData:
    office_name: str
    demo: bool
    tables: dict[str, CodeTable]
    committees: list[dict[str, str]] = field(default_factory=list)
    users: list[CurrentUser] = field(default_factory=list)


def load_context_data(store: Store) -> ContextData:
    """Runs on the worker."""
    return ContextData(
        office_name=office_name(store),
        demo=is_demo(store.data_dir),
        tables=load_tables(store),
        committees=committees(store),
        users=[CurrentUser(u["id"], u["name"], u["role"]) for u in users(store)],
    )


class AppContext(QObject):
    userChanged = Signal()
    recordsChanged = Signal(str)
    dataReloaded = Signal()

    def __init__(
        self,
        tasks: TaskManager,
        data: ContextData,
        user: CurrentUser,
        *,
        clock: Callable[[], datetime] = datetime.now,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self._data = data
        self._user = user
        self._clock = clock
        #: The sync with the city server (set by the program's window; None in tests of
        #: screens that do not sync).
        self.sync: SyncController | None = None

    # -- what screens read -------------------------------------------------------------------
    @property
    def user(self) -> CurrentUser:
        return self._user

    @property
    def data(self) -> ContextData:
        return self._data

    @property
    def tables(self) -> dict[str, CodeTable]:
        return self._data.tables

    @property
    def committees(self) -> list[dict[str, str]]:
        return self._data.committees

    @property
    def users(self) -> list[CurrentUser]:
        return self._data.users

    def now(self) -> datetime:
        return self._clock()

    def today(self) -> date:
        return self._clock().date()

    # -- changes --------------------------------------------------------------------------------
    def set_user(self, user: CurrentUser) -> None:
        if user != self._user:
            self._user = user
            self.userChanged.emit()

    def notify(self, kind: str) -> None:
        """A screen saved records of ``kind``: tell the others."""
        if kind not in RECORD_KINDS:
            raise ValueError(kind)
        self.recordsChanged.emit(kind)

    def set_data(self, data: ContextData) -> None:
        self._data = data
        known = {u.id: u for u in data.users}
        if self._user.id in known:
            self._user = known[self._user.id]
        self.dataReloaded.emit()

    def reload(self, then: Callable[[], None] | None = None) -> None:
        """Read office, committees, users and code tables again (on the worker)."""

        def done(data: ContextData) -> None:
            self.set_data(data)
            if then is not None:
                then()

        self.tasks.run(load_context_data, on_success=done)

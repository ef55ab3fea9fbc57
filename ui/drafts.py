"""Keeping a form's unsaved input as a draft, so nothing typed is ever lost.

A form owns one :class:`DraftKeeper`. It calls :meth:`DraftKeeper.touch` whenever the user
changes something; a second later (``delay_ms``) the keeper asks the form for its state
(``state()`` → JSON-able dict) and writes it with :func:`justice_desktop.store.local_state
.save_draft` on the database worker. A write commits at once, so a killed process or a power
cut loses at most the last second of typing. :meth:`flush` writes now (the window is
closing); :meth:`discard` deletes the draft (the record was saved, or the user threw the
changes away). :meth:`fetch` reads the draft back when the form opens again.

The draft belongs to the user working now: another local profile never sees it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from justice_desktop.store.database import Store
from justice_desktop.store.local_state import Draft, delete_draft, load_draft, save_draft
from ui.context import AppContext
from ui.qt import QObject, QTimer, Signal

__all__ = ["DRAFT_DELAY_MS", "DraftKeeper", "restored_text"]

DRAFT_DELAY_MS = 1000


def restored_text(draft: Draft) -> str:
    return f"已恢复 {draft.saved_at:%Y-%m-%d %H:%M} 自动保存的草稿（尚未正式保存）。"


class DraftKeeper(QObject):
    """Writes ``state()`` under ``key`` for the current user, a moment after each change."""

    saved = Signal()

    def __init__(
        self,
        ctx: AppContext,
        key: str,
        state: Callable[[], dict[str, Any]],
        *,
        title: Callable[[], str] = lambda: "",
        delay_ms: int = DRAFT_DELAY_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._key = key
        self._state = state
        self._title = title
        self._user_id = ctx.user.id
        self._dirty = False
        self._pending = False  # changed since the draft was last written
        self._paused = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.flush)

    @property
    def key(self) -> str:
        return self._key

    @property
    def dirty(self) -> bool:
        """Changed since the last save of the record (or the last discard)."""
        return self._dirty

    def set_key(self, key: str) -> None:
        """The form now edits another record (e.g. a new case got its id)."""
        self._key = key

    def pause(self) -> None:
        """While the form fills itself (loading a record, restoring a draft) changes are not
        the user's: :meth:`touch` does nothing until :meth:`resume`."""
        self._paused += 1

    def resume(self) -> None:
        self._paused = max(0, self._paused - 1)

    def touch(self, *_args: object) -> None:
        """The user changed something (connect any change signal here)."""
        if self._paused:
            return
        self._dirty = True
        self._pending = True
        self._timer.start()

    def flush(self) -> None:
        """Write the draft now, if anything changed."""
        self._timer.stop()
        if not self._pending or self._ctx.tasks.closed:
            return
        self._pending = False
        payload = self._state()
        title = self._title()
        user_id, key = self._user_id, self._key

        def write(store: Store) -> None:
            save_draft(store, user_id, key, payload, title)

        self._ctx.tasks.run(write, on_success=lambda _none: self._emit_saved())

    def _emit_saved(self) -> None:
        with contextlib.suppress(RuntimeError):  # the form (and this keeper) was deleted
            self.saved.emit()

    def discard(self) -> None:
        """Forget the changes: the record was saved, or the user threw them away."""
        self._timer.stop()
        self._dirty = False
        self._pending = False
        if self._ctx.tasks.closed:
            return
        user_id, key = self._user_id, self._key
        self._ctx.tasks.run(lambda store: delete_draft(store, user_id, key))

    def mark_clean(self) -> None:
        """The form's content equals the saved record (no draft write pending)."""
        self._timer.stop()
        self._dirty = False
        self._pending = False

    def fetch(self, on_found: Callable[[Draft], None]) -> None:
        """Read this form's draft (on the worker); ``on_found`` only if there is one."""
        user_id, key = self._user_id, self._key

        def found(draft: Draft | None) -> None:
            if draft is not None:
                on_found(draft)

        self._ctx.tasks.run(lambda store: load_draft(store, user_id, key), on_success=found)

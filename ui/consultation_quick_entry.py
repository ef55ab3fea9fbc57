"""Quick entry: a form that records one item after another by keyboard alone.

:class:`QuickForm` is the form half (fields, draft state, error lines, Enter moves on,
Ctrl+S saves); :class:`QuickEntryScreen` the screen half (saving on the worker, clearing
for the next item, the draft under a fixed key, asking before leaving unsaved input).
The 法律咨询 and 顾问日志 screens are built on them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from justice_desktop.store.database import Store
from justice_desktop.store.local_state import Draft
from justice_desktop.validation import ValidationError
from ui.consultation_widgets import (
    Alive,
    SaveKey,
    TypeableCombo,
    set_tab_chain,
)
from ui.context import AppContext
from ui.drafts import DraftKeeper, restored_text
from ui.forms import (
    EnterMovesOn,
    FieldErrors,
    UnsavedAnswer,
    ask_unsaved,
    connect_changes,
    set_widget_value,
    widget_value,
)
from ui.qt import (
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QShowEvent,
    Qt,
    QWidget,
    Signal,
)
from ui.screen import Screen

__all__ = ["QuickEntryScreen", "QuickForm", "SAVED_STYLE"]

SAVED_STYLE = "color: #1b5e20;"
NOTE_STYLE = "color: #8a5300;"


class QuickForm(QWidget):
    """Fields registered by name; ``changed`` on every edit, ``saveRequested`` on Ctrl+S or
    Enter in the last field."""

    changed = Signal()
    saveRequested = Signal()
    clearRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.note = QLabel(self)
        self.note.setObjectName("draftNote")
        self.note.setWordWrap(True)
        self.note.setStyleSheet(NOTE_STYLE)
        self.note.hide()
        self.banner = QLabel(self)
        self.banner.setObjectName("errorBanner")
        self.errors = FieldErrors(self.banner)
        self.fields: dict[str, QWidget] = {}
        self._order: list[QWidget] = []

    # -- building -----------------------------------------------------------------------------
    def register(self, name: str, widget: QWidget) -> QWidget:
        """``widget`` holds the draft value ``name``; its edits emit ``changed``."""
        self.fields[name] = widget
        connect_changes(widget, self.changed.emit)
        return widget

    def finish(self, order: list[QWidget]) -> None:
        """Tab/Enter visit ``order``; Enter in its last field saves; Ctrl+S saves anywhere."""
        self._order = order
        set_tab_chain(order)
        EnterMovesOn(self, last=order[-1], on_last=self.saveRequested.emit)
        SaveKey(self, self.saveRequested.emit)
        for widget in order:
            if isinstance(widget, QPlainTextEdit):
                widget.setTabChangesFocus(True)

    # -- state ----------------------------------------------------------------------------------
    def first_field(self) -> QWidget:
        return self._order[0]

    def focus_first(self) -> None:
        self.first_field().setFocus(Qt.FocusReason.OtherFocusReason)

    def state(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, widget in self.fields.items():
            if isinstance(widget, TypeableCombo):
                out[name] = widget.currentText()
            else:
                out[name] = widget_value(widget)
        return out

    def restore(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            widget = self.fields.get(name)
            if widget is None:
                continue
            if isinstance(widget, TypeableCombo):
                widget.setEditText(str(value or ""))
                widget.resolve()
            else:
                set_widget_value(widget, value)

    def resolve_combos(self) -> None:
        for widget in self.fields.values():
            if isinstance(widget, TypeableCombo):
                widget.resolve()

    def has_input(self) -> bool:
        """Whether any text field holds something typed."""
        return any(
            (isinstance(w, QLineEdit) and w.text().strip())
            or (isinstance(w, QPlainTextEdit) and w.toPlainText().strip())
            for w in self.fields.values()
        )

    def show_note(self, text: str) -> None:
        self.note.setText(text)
        self.note.setVisible(bool(text))

    def reset(self) -> None:
        """Empty the fields and put the defaults back (subclasses)."""
        raise NotImplementedError

    def new_day(self, previous: date, today: date, *, started: bool) -> None:
        """The window stayed open past midnight: today becomes choosable, and if the next entry
        is only ``started`` now, a date still on ``previous`` (the default it was emptied
        with) moves to ``today``; an entry typed before midnight keeps the date the clerk has
        seen on it (subclasses)."""


class QuickEntryScreen(Screen):
    """A screen with one :class:`QuickForm` that records new items (see the module doc)."""

    draft_key = ""
    record_kind = ""
    unsaved_what = "当前内容"
    saved_text = "已保存。"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self._alive = Alive(self)
        self._saving = False
        self._shown_once = False
        self._day = ctx.today()  # the day the form was last emptied for a new entry
        self._restored = False  # the entry on the form is a draft brought back
        self.form: QuickForm
        self.drafts: DraftKeeper
        self.status = QLabel(self)
        self.status.setObjectName("saveStatus")
        self.status.setWordWrap(True)
        self.status.setStyleSheet(SAVED_STYLE)

    def setup_entry(self, form: QuickForm) -> None:
        """Call once the form is built."""
        self.form = form
        self.drafts = self._new_keeper()
        form.changed.connect(self._touched)
        form.saveRequested.connect(self.save)
        form.clearRequested.connect(self.discard_input)
        self.ctx.userChanged.connect(self._user_changed)
        self.fetch_draft()

    def alive(self, fn: Callable[[Any], None]) -> Callable[[Any], None]:
        return self._alive(fn)

    # -- what subclasses provide ----------------------------------------------------------------
    def record_job(self) -> Callable[[Store], str]:
        """Read the form now (GUI thread) and return the worker function saving it."""
        raise NotImplementedError

    def saved(self, record_id: str) -> None:
        """A record was saved (the form is already cleared)."""

    # -- Screen -----------------------------------------------------------------------------------
    def new_record(self) -> bool:
        self.form.focus_first()
        return True

    def save(self) -> bool:
        if self._saving:
            return True
        self.form.resolve_combos()
        job = self.record_job()
        self._saving = True
        self.status.clear()
        self.ctx.tasks.run(
            job, on_success=self.alive(self._saved), on_failure=self.alive(self._failed)
        )
        return True

    def can_leave(self) -> bool:
        if not self.drafts.dirty:
            return True
        self.drafts.flush()
        answer = ask_unsaved(self, self.unsaved_what)
        if answer == UnsavedAnswer.SAVE:
            self.save()
            return False
        if answer == UnsavedAnswer.DISCARD:
            self.clear_form()
            self.drafts.discard()
            return True
        return False

    def flush_drafts(self) -> None:
        self.drafts.flush()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            self.form.focus_first()

    def discard_input(self) -> None:
        """Throw away what was typed (and its draft); start again in the first field."""
        self.clear_form()
        self.drafts.discard()
        self.status.clear()
        self.form.focus_first()

    # -- internals --------------------------------------------------------------------------------
    def clear_form(self) -> None:
        self._day = self.ctx.today()
        self.drafts.pause()
        try:
            self.form.reset()
            self.form.errors.clear()
            self.form.show_note("")
        finally:
            self.drafts.resume()
            self._restored = False

    def _saved(self, record_id: str) -> None:
        self._saving = False
        self.clear_form()
        self.drafts.discard()
        self.status.setText(self.saved_text)
        self.form.focus_first()
        self.saved(record_id)
        self.ctx.notify(self.record_kind)

    def _failed(self, exc: BaseException) -> None:
        self._saving = False
        if isinstance(exc, ValidationError):
            self.form.errors.show(exc)
        else:
            self.ctx.tasks.failure_handler(exc)

    def _touched(self) -> None:
        today = self.ctx.today()
        if today != self._day:
            previous, self._day = self._day, today
            started = self.drafts.dirty or self._restored  # before this change
            self.form.new_day(previous, today, started=started)
        self.drafts.touch()
        if self.status.text():
            self.status.clear()

    def _new_keeper(self) -> DraftKeeper:
        return DraftKeeper(
            self.ctx, self.draft_key, self.form.state, title=lambda: self.title, parent=self
        )

    def fetch_draft(self) -> None:
        self.drafts.fetch(self.alive(self._restore))

    def _restore(self, draft: Draft) -> None:
        if self.drafts.dirty:  # the user started typing before the draft arrived
            return
        self.drafts.pause()
        try:
            self.form.restore(draft.payload)
        finally:
            self.drafts.resume()
        self._restored = True
        self.form.show_note(restored_text(draft))

    def _user_changed(self) -> None:
        # The old keeper stays (a child of the screen) until its pending write has
        # reported back: DraftKeeper emits ``saved`` from that write's callback.
        self.drafts.flush()
        self.clear_form()
        self.drafts = self._new_keeper()
        self.fetch_draft()

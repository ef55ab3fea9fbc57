"""The base of every main screen (工作台, 调解案件, 法律明白人 …) the navigation switches to.

The main window calls :meth:`Screen.activate` when the screen is shown (re-read what may have
changed), routes Ctrl+N / Ctrl+S / Ctrl+P to :meth:`new_record` / :meth:`save` /
:meth:`print_current`, and asks :meth:`can_leave` before switching away or closing (a screen
with unsaved input asks the user, see :func:`ui.forms.ask_unsaved`).
"""

from __future__ import annotations

from ui.context import AppContext
from ui.qt import QWidget

__all__ = ["Screen"]


class Screen(QWidget):
    #: Shown in the navigation and the window title.
    title: str = ""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx

    def activate(self) -> None:
        """The screen is being shown: re-read what may have changed (on the worker)."""

    def new_record(self) -> bool:
        """Ctrl+N: start a new record here; False when this screen has nothing to create."""
        return False

    def save(self) -> bool:
        """Ctrl+S: save what is being edited; False when nothing is being edited."""
        return False

    def print_current(self) -> bool:
        """Ctrl+P: print what is shown (forms come with the PDF issue); False if nothing."""
        return False

    def can_leave(self) -> bool:
        """May the user switch away (or close the window)? Ask about unsaved input here."""
        return True

    def flush_drafts(self) -> None:
        """Write pending drafts now (the program is closing)."""

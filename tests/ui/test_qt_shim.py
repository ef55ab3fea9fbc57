"""The Qt binding this program runs on is healthy (see ui/qt.py, binding_problems)."""

from __future__ import annotations

import PySide6

from ui.qt import binding_problems


def test_installed_pyside6_keeps_reference_counts() -> None:
    # PySide6 6.12.0 on Python 3.11 loses references to None and True on ordinary calls and
    # aborts the interpreter after a few thousand of them; pyproject.toml excludes it.
    assert binding_problems() == [], PySide6.__version__

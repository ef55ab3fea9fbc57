"""The Qt binding this program runs on is healthy (see ui/qt.py, binding_problems)."""

from __future__ import annotations

import PySide6

from ui.qt import binding_problems


def test_installed_pyside6_keeps_reference_counts() -> None:
    # PySide6 6.12.0 on Python 3.11 loses references to None and True on ordinary calls and
    # aborts the interpreter after a few thousand of them; pyproject.toml excludes it.
    assert binding_problems() == [], PySide6.__version__


def test_the_start_skips_the_probe_only_for_releases_known_to_be_good() -> None:
    from ui.qt import _known_good

    assert _known_good("6.11.0") and _known_good("6.8.2")
    assert not _known_good("6.12.0")
    assert not _known_good("6.1.0") and not _known_good("6.110.0")

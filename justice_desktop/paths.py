"""Where the program keeps its data on this computer."""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "justice-desktop"


def default_data_dir() -> Path:
    """The user's data folder (overridable with JUSTICE_DATA_DIR)."""
    override = os.environ.get("JUSTICE_DATA_DIR")
    if override:
        return Path(override)
    from platformdirs import user_data_dir  # imported when needed: start-up time

    return Path(user_data_dir(APP_NAME, appauthor=False))


def demo_data_dir() -> Path:
    return default_data_dir() / "demo"


def bundle_dir() -> Path | None:
    """The folder of the bundled program's files (PyInstaller's ``sys._MEIPASS``: the
    ``_internal`` folder beside the executable), or None when run from the source tree."""
    if not getattr(sys, "frozen", False):
        return None
    bundled = getattr(sys, "_MEIPASS", None)
    return Path(bundled) if bundled else Path(sys.executable).resolve().parent


def resources_dir() -> Path:
    """``resources/`` (fonts, code tables, pinyin): ``$JUSTICE_RESOURCES_DIR``, else the
    bundle's copy, else the source tree's."""
    override = os.environ.get("JUSTICE_RESOURCES_DIR")
    if override:
        return Path(override)
    bundled = bundle_dir()
    if bundled is not None:
        return bundled / "resources"
    return Path(__file__).resolve().parents[1] / "resources"

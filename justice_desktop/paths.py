"""Where the program keeps its data on this computer."""

from __future__ import annotations

import os
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


def resources_dir() -> Path:
    override = os.environ.get("JUSTICE_RESOURCES_DIR")
    return Path(override) if override else Path(__file__).resolve().parents[1] / "resources"

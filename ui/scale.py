"""UI scale (界面缩放): each user's preferred text size, 100–200 %.

The scale multiplies the application font (the bundled font installed by
:func:`ui.fonts.install_app_font`); widgets that follow the application font relayout by
themselves (Qt sends them a font-change event and their layouts recompute). The base size is
the application font's size at the first call, kept as a property of the application object,
so applying 150 % and then 100 % comes back to exactly where it started.

:func:`load_ui_scale` and :func:`save_ui_scale` run on the database worker and need no Qt
application.
"""

from __future__ import annotations

from typing import Any

from justice_desktop.store.database import Store
from justice_desktop.store.local_state import get_preference, set_preference
from ui.context import AppContext
from ui.qt import QApplication, QFont

__all__ = [
    "DEFAULT_SCALE",
    "MAX_SCALE",
    "MIN_SCALE",
    "PREFERENCE_KEY",
    "apply_ui_scale",
    "clamp_scale",
    "current_ui_scale",
    "follow_user_scale",
    "load_ui_scale",
    "save_ui_scale",
]

PREFERENCE_KEY = "ui_scale"
MIN_SCALE = 100
MAX_SCALE = 200
DEFAULT_SCALE = 100
_BASE_PROPERTY = "uiScaleBasePointSize"
_SCALE_PROPERTY = "uiScalePercent"


def clamp_scale(value: Any) -> int:
    """A stored or typed value as a percentage in range; anything unusable gives 100."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return DEFAULT_SCALE
    try:
        percent = round(float(value))
    except (TypeError, ValueError, OverflowError):
        return DEFAULT_SCALE
    return max(MIN_SCALE, min(MAX_SCALE, percent))


def load_ui_scale(store: Store, user_id: str) -> int:
    """The user's UI scale in percent (worker side)."""
    return clamp_scale(get_preference(store, user_id, PREFERENCE_KEY, DEFAULT_SCALE))


def save_ui_scale(store: Store, user_id: str, percent: int) -> int:
    value = clamp_scale(percent)
    set_preference(store, user_id, PREFERENCE_KEY, value)
    return value


def _base_point_size(app: QApplication) -> float:
    stored = app.property(_BASE_PROPERTY)
    if isinstance(stored, int | float) and stored > 0:
        return float(stored)
    font = app.font()
    size = font.pointSizeF()
    if size <= 0:  # a pixel-sized font: convert through the screen's resolution
        size = QFont().pointSizeF()
    app.setProperty(_BASE_PROPERTY, size)
    return size


def apply_ui_scale(app: QApplication, percent: int) -> int:
    """Scale the application font to ``percent`` of its size at the first call; returns the
    percentage applied."""
    value = clamp_scale(percent)
    base = _base_point_size(app)
    font = QFont(app.font())
    target = round(base * value / 100, 1)
    if abs(font.pointSizeF() - target) > 0.01:
        font.setPointSizeF(target)
        app.setFont(font)
        for widget in app.topLevelWidgets():
            widget.updateGeometry()
    app.setProperty(_SCALE_PROPERTY, value)
    return value


def current_ui_scale(app: QApplication) -> int:
    value = app.property(_SCALE_PROPERTY)
    return clamp_scale(value) if value is not None else DEFAULT_SCALE


def follow_user_scale(ctx: AppContext, app: QApplication) -> None:
    """Apply the current user's scale now and whenever another user takes over
    (the main window calls this once)."""

    def apply(percent: int) -> None:
        apply_ui_scale(app, percent)

    def load() -> None:
        user_id = ctx.user.id
        ctx.tasks.run(lambda store: load_ui_scale(store, user_id), on_success=apply)

    ctx.userChanged.connect(load)
    load()

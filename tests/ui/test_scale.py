"""UI scale: the application font follows the user's percentage, kept per user."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from justice_desktop.store.database import Store
from justice_desktop.store.local_state import get_preference
from justice_desktop.store.office import add_user
from tests.ui.factories import new_office
from ui.context import AppContext, CurrentUser
from ui.qt import QApplication, QFont, QLabel, Qt
from ui.scale import (
    apply_ui_scale,
    clamp_scale,
    current_ui_scale,
    follow_user_scale,
    load_ui_scale,
    save_ui_scale,
)
from ui.settings_screen import SettingsScreen
from ui.tasks import TaskManager


@pytest.fixture
def app(qtbot: QtBot) -> Iterator[QApplication]:
    """The application, its font and scale put back afterwards (it is shared by all tests)."""
    instance = QApplication.instance()
    assert isinstance(instance, QApplication)
    font = QFont(instance.font())
    base = instance.property("uiScaleBasePointSize")
    yield instance
    instance.setFont(font)
    instance.setProperty("uiScaleBasePointSize", base)
    instance.setProperty("uiScalePercent", None)


def test_clamp_scale() -> None:
    assert clamp_scale(150) == 150
    assert clamp_scale("175") == 175
    assert clamp_scale(50) == 100
    assert clamp_scale(900) == 200
    assert clamp_scale(None) == 100
    assert clamp_scale(True) == 100
    assert clamp_scale("大") == 100
    assert clamp_scale([150]) == 100


def test_load_and_save_need_no_qt_application(tmp_path: Path) -> None:
    store: Store = new_office(tmp_path / "office")
    try:
        assert load_ui_scale(store, "someone") == 100
        assert save_ui_scale(store, "someone", 260) == 200
        assert load_ui_scale(store, "someone") == 200
        assert load_ui_scale(store, "other") == 100
    finally:
        store.close()


def test_apply_scales_the_font_and_comes_back(qtbot: QtBot, app: QApplication) -> None:
    base = app.font().pointSizeF()
    label = QLabel("人民调解案件登记表")
    qtbot.addWidget(label)
    label.show()
    small = label.sizeHint().width()
    assert apply_ui_scale(app, 150) == 150
    assert app.font().pointSizeF() == pytest.approx(base * 1.5, abs=0.1)
    assert current_ui_scale(app) == 150
    qtbot.waitUntil(lambda: label.font().pointSizeF() == pytest.approx(base * 1.5, abs=0.1))
    assert label.sizeHint().width() > small * 1.3  # the widget relayouts with the new font
    apply_ui_scale(app, 200)
    assert app.font().pointSizeF() == pytest.approx(base * 2, abs=0.1)
    apply_ui_scale(app, 100)  # relative to the first base, not the last size
    assert app.font().pointSizeF() == pytest.approx(base, abs=0.05)


def test_settings_screen_scale_persists_per_user(
    qtbot: QtBot, app: QApplication, ctx: AppContext, tasks: TaskManager
) -> None:
    base = app.font().pointSizeF()
    screen = SettingsScreen(ctx)
    qtbot.addWidget(screen)
    screen.show()
    screen.activate()
    qtbot.waitUntil(lambda: screen.loaded, timeout=10000)
    tab = screen.scale_tab
    screen.tabs.setCurrentWidget(tab)
    assert tab.scale_spin.value() == 100
    tab.scale_spin.setFocus()
    tab.scale_spin.selectAll()
    qtbot.keyClicks(tab.scale_spin, "150")
    assert app.font().pointSizeF() == pytest.approx(base, abs=0.05)  # not while typing
    qtbot.keyClick(tab.scale_spin, Qt.Key.Key_Return)
    assert app.font().pointSizeF() == pytest.approx(base * 1.5, abs=0.1)
    me = ctx.user.id
    qtbot.waitUntil(
        lambda: tasks.call(lambda s: get_preference(s, me, "ui_scale")) == 150, timeout=10000
    )

    # another user keeps 100 %; following the user applies each one's scale
    other_id = tasks.call(lambda s: add_user(s, me, "王芳", "lawyer"))
    follow_user_scale(ctx, app)
    qtbot.waitUntil(lambda: current_ui_scale(app) == 150, timeout=10000)
    ctx.set_user(CurrentUser(other_id, "王芳", "lawyer"))
    qtbot.waitUntil(lambda: current_ui_scale(app) == 100, timeout=10000)
    assert app.font().pointSizeF() == pytest.approx(base, abs=0.05)
    assert tasks.call(lambda s: load_ui_scale(s, other_id)) == 100

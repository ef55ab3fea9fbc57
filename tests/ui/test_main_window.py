"""The main window: navigation, status bar, shortcuts, screens built on first use."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from tests.ui.conftest import CASES
from ui.cases_screen import CasesScreen
from ui.context import AppContext
from ui.main_window import SCREENS, MainWindow
from ui.qt import QApplication, QLabel, Qt


@pytest.fixture
def window(qtbot: QtBot, ctx: AppContext) -> Iterator[MainWindow]:
    win = MainWindow(ctx, start="cases")
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    qtbot.waitUntil(
        lambda: win.overview is not None and win.cases().case_model.loaded, timeout=5000
    )
    yield win
    win.close()


def test_title_and_status_bar(window: MainWindow) -> None:
    assert window.windowTitle() == "司法所工作台 — 河东区城关街司法所（演示数据）"
    assert window.count_label.text() == f"共 {CASES} 件案件"
    assert window.office_label.text() == "河东区城关街司法所"
    assert window.user_label.text().startswith("当前用户：")
    assert window.pending_label.text().startswith("待同步 ")
    assert int(window.pending_label.text().split()[1]) > 0  # registrations wait for sync
    assert window.sync_label.text() == "尚未同步"


def test_navigation_lists_every_screen_and_switches(qtbot: QtBot, window: MainWindow) -> None:
    titles = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert titles == ["工作台", "调解案件", "法律明白人", "法律咨询", "顾问日志", "统计", "设置"]
    assert window.current_key == "cases"
    assert set(window.screens) == {"cases"}  # the others are built when first shown
    window.nav.setCurrentRow(5)
    assert window.current_key == "statistics"
    assert "统计" in window.stack.currentWidget().findChild(QLabel).text()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.current_key == "cases"
    assert window.nav.currentRow() == 1


def test_every_screen_opens(window: MainWindow) -> None:
    for spec in SCREENS:
        assert window.show_screen(spec.key)
        assert window.current_key == spec.key
        assert window.screens[spec.key].isVisible()


def test_ctrl_f_goes_to_the_case_search(qtbot: QtBot, window: MainWindow) -> None:
    window.show_screen("statistics")
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.current_key == "cases"
    qtbot.waitUntil(window.cases().search_box.hasFocus, timeout=5000)


def test_ctrl_n_opens_a_new_case_and_f5_explains_sync(qtbot: QtBot, window: MainWindow) -> None:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    cases = window.cases()
    assert isinstance(cases, CasesScreen) and cases.editing
    assert cases.editor.title.text() == "登记纠纷"
    qtbot.keyClick(window, Qt.Key.Key_F5)
    assert "服务器" in window.statusBar().currentMessage()


def test_leaving_unsaved_case_asks_and_cancel_stays(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ui.case_editor as editor_module

    asked: list[str] = []

    def answer(_parent: object, what: str = "") -> str:
        asked.append(what)
        return "cancel"

    monkeypatch.setattr(editor_module, "ask_unsaved", answer)
    window.new_case()
    editor = window.cases().editor
    editor.registration.summary.setPlainText("邻居漏水")
    assert not window.show_screen("home")
    assert asked == ["本案件"]
    assert window.current_key == "cases" and window.nav.currentRow() == 1
    monkeypatch.setattr(editor_module, "ask_unsaved", lambda *_a: "discard")
    assert window.show_screen("home")


def test_switching_user_needs_no_restart(qtbot: QtBot, window: MainWindow, ctx: AppContext) -> None:
    from justice_desktop.store.office import add_user
    from ui.context import load_context_data

    admin = ctx.user
    lawyer_id = ctx.tasks.call(lambda s: add_user(s, admin.id, "周律师", "lawyer"))
    ctx.set_data(ctx.tasks.call(load_context_data))
    lawyer = next(u for u in ctx.users if u.id == lawyer_id)
    ctx.set_user(lawyer)
    assert window.user_label.text() == "当前用户：周律师（律师）"
    window.new_case()
    editor = window.cases().editor
    assert editor.registration.mediators.text() == "周律师"  # the form works for the new user


def test_navigation_grows_with_the_text_size(qtbot: QtBot, window: MainWindow) -> None:
    from ui.scale import apply_ui_scale

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = window.nav.width()
    apply_ui_scale(app, 200)
    try:
        qtbot.waitUntil(lambda: window.nav.width() > before * 1.5, timeout=5000)
        metrics = window.nav.fontMetrics()
        assert window.nav.width() > metrics.horizontalAdvance("法律明白人")  # nothing cut off
    finally:
        apply_ui_scale(app, 100)

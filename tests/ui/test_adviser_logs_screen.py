"""The 顾问日志 screen, driven through its widgets against a real encrypted store."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from justice_desktop.domain.consultations import AdviserShortfall
from justice_desktop.store.local_state import load_draft
from tests.ui.conftest import type_text
from ui.adviser_logs_screen import (
    AdviserLogListModel,
    AdviserLogsScreen,
    ShortfallModel,
    shortfall_rows,
)
from ui.context import AppContext
from ui.forms import qdatetime
from ui.qt import QApplication, Qt, QWidget
from ui.tasks import TaskManager

# Completion popups (typing a name the completer knows) say this on the offscreen platform.
pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support raise", "This plugin does not support grabbing the keyboard"
)


def open_screen(qtbot: QtBot, ctx: AppContext, *, keep: bool = True) -> AdviserLogsScreen:
    screen = AdviserLogsScreen(ctx)
    if keep:
        qtbot.addWidget(screen)
    screen.resize(1400, 900)
    screen.show()
    qtbot.waitExposed(screen)
    screen.activateWindow()
    qtbot.waitUntil(lambda: screen.form.first_field().hasFocus(), timeout=3000)
    return screen


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def type_here(qtbot: QtBot, text: str) -> None:
    type_text(qtbot, focused(), text)


def enter(qtbot: QtBot) -> None:
    qtbot.keyClick(focused(), Qt.Key.Key_Return)


def save_key(qtbot: QtBot) -> None:
    qtbot.keyClick(focused(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)


def logs(tasks: TaskManager) -> list[dict[str, Any]]:
    return tasks.call(
        lambda s: [
            dict(r)
            for r in s.query("SELECT * FROM adviser_logs WHERE deleted = 0 ORDER BY started_at")
        ]
    )


def record_by_keyboard(
    qtbot: QtBot,
    screen: AdviserLogsScreen,
    *,
    village: str,
    when: datetime,
    hours: str,
    kind: str,
    content: str,
) -> None:
    """Fill the form from its first field with Enter between fields; Enter in the last one
    saves. The time is set on the editor (its sections are typed like any date editor)."""
    form = screen.log_form
    assert focused() is form.adviser_edit
    type_here(qtbot, "周律师")  # Tab/Enter focus selects the default: typing replaces it
    enter(qtbot)
    type_here(qtbot, village)
    enter(qtbot)
    assert focused() is form.started_edit
    form.started_edit.setDateTime(qdatetime(when))
    enter(qtbot)
    assert focused() is form.hours_spin
    focused_spin = form.hours_spin
    focused_spin.selectAll()
    type_here(qtbot, hours)
    enter(qtbot)
    enter(qtbot)  # 实地服务 stays ticked
    type_here(qtbot, kind)
    enter(qtbot)
    type_here(qtbot, "村民委员会")
    enter(qtbot)
    type_here(qtbot, content)
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is form.result_edit
    type_here(qtbot, "已解答")
    enter(qtbot)


def test_record_by_keyboard_and_see_a_shortfall_appear_and_disappear(
    qtbot: QtBot, ctx: AppContext, tasks: TaskManager
) -> None:
    screen = open_screen(qtbot, ctx)
    form = screen.log_form
    last_year = ctx.today().year - 1
    # look at last year: every month has ended
    screen.year_spin.setFocus()
    screen.year_spin.selectAll()
    type_here(qtbot, str(last_year))
    qtbot.waitUntil(lambda: screen.count_label.text().startswith(f"{last_year}年"), timeout=5000)
    assert screen.shortfall_model.rowCount() == 0  # nobody serves any village yet

    form.focus_first()
    form.adviser_edit.selectAll()
    record_by_keyboard(
        qtbot,
        screen,
        village="东村",
        when=datetime(last_year, 1, 8, 9, 0),
        hours="2",
        kind="zx",  # 法律咨询解答
        content="解答土地承包问题",
    )
    qtbot.waitUntil(lambda: len(logs(tasks)) == 1, timeout=5000)
    row = logs(tasks)[0]
    assert (row["adviser"], row["village"], row["hours"], row["on_site"]) == (
        "周律师",
        "东村",
        2.0,
        1,
    )
    assert row["kind"] == "consultation" and row["started_at"] == f"{last_year}-01-08T09:00"
    assert (row["object"], row["content"], row["result"]) == (
        "村民委员会",
        "解答土地承包问题",
        "已解答",
    )
    # cleared, cursor back at the start, defaults back
    qtbot.waitUntil(lambda: form.village_edit.text() == "" and form.adviser_edit.hasFocus())
    assert form.adviser_edit.text() == ctx.user.name and form.hours_spin.value() == 4.0

    def shortfalls() -> list[tuple[str, str, str]]:
        m = screen.shortfall_model
        return [
            (str(m.index(r, 1).data()), str(m.index(r, 2).data()), str(m.index(r, 3).data()))
            for r in range(m.rowCount())
        ]

    january = f"{last_year}年1月"
    qtbot.waitUntil(lambda: any(p == january for _v, p, _m in shortfalls()), timeout=5000)
    visit = next(m for v, p, m in shortfalls() if p == january)
    assert "还差2小时" in visit
    assert ("东村", f"{last_year}年第1季度") in [(v, p) for v, p, _m in shortfalls()]
    assert len(shortfalls()) == 12 + 4  # every month short of a visit, every quarter a lecture
    assert screen.model.rowCount() == 1
    assert "未达标" in screen.shortfall_label.text()

    # two more hours in January, with a lecture: the January visit and Q1 lecture are met
    form.adviser_edit.selectAll()
    record_by_keyboard(
        qtbot,
        screen,
        village="东村",
        when=datetime(last_year, 1, 20, 14, 0),
        hours="2",
        kind="fzjz",  # 法治讲座
        content="民法典讲座",
    )
    qtbot.waitUntil(lambda: len(logs(tasks)) == 2, timeout=5000)
    qtbot.waitUntil(lambda: len(shortfalls()) == 11 + 3, timeout=5000)
    assert all(p != january for _v, p, _m in shortfalls())
    assert all(p != f"{last_year}年第1季度" for _v, p, _m in shortfalls())
    assert screen.model.rowCount() == 2


def test_filter_by_adviser_and_year(qtbot: QtBot, ctx: AppContext, tasks: TaskManager) -> None:
    screen = open_screen(qtbot, ctx)
    form = screen.log_form
    year = ctx.today().year
    for adviser, village, when in (
        ("周律师", "东村", datetime(year - 1, 3, 1, 9)),
        ("吴律师", "西村", datetime(year - 1, 3, 2, 9)),
        ("周律师", "东村", datetime(year - 2, 3, 3, 9)),
    ):
        form.adviser_edit.setText(adviser)
        form.village_edit.setText(village)
        form.started_edit.setDateTime(qdatetime(when))
        form.kind_combo.setEditText("矛盾纠纷化解")
        form.object_edit.setText("村民")
        form.content_edit.setPlainText("调解邻里纠纷")
        count = len(logs(tasks))
        screen.save()
        qtbot.waitUntil(lambda count=count: len(logs(tasks)) == count + 1, timeout=5000)
        qtbot.waitUntil(lambda: form.village_edit.text() == "", timeout=5000)  # cleared
    assert {r["kind"] for r in logs(tasks)} == {"dispute_resolution"}
    screen.year_spin.setValue(year - 1)
    qtbot.waitUntil(lambda: screen.model.rowCount() == 2, timeout=5000)
    qtbot.waitUntil(lambda: screen.adviser_filter.findData("吴律师") > 0, timeout=5000)
    screen.adviser_filter.setCurrentIndex(screen.adviser_filter.findData("吴律师"))
    qtbot.waitUntil(lambda: screen.model.rowCount() == 1, timeout=5000)
    assert screen.model.index(0, 2).data() == "西村"
    # the shortfalls follow the adviser filter
    qtbot.waitUntil(
        lambda: (
            {
                screen.shortfall_model.index(r, 0).data()
                for r in range(screen.shortfall_model.rowCount())
            }
            == {"吴律师"}
        ),
        timeout=5000,
    )


def test_errors_under_the_field_and_the_draft_comes_back(
    qtbot: QtBot, ctx: AppContext, tasks: TaskManager
) -> None:
    screen = open_screen(qtbot, ctx, keep=False)
    form = screen.log_form
    enter(qtbot)
    type_here(qtbot, "南村")
    form.kind_combo.setFocus()
    type_here(qtbot, "flzx")  # 法律咨询解答
    form.hours_spin.setValue(0)
    form.object_edit.setText("全体村民")
    form.content_edit.setPlainText("宪法宣传")
    save_key(qtbot)
    qtbot.waitUntil(lambda: form.errors.message_for("hours") != "", timeout=5000)
    assert "服务时长" in form.errors.message_for("hours")
    assert form.village_edit.text() == "南村" and form.content_edit.toPlainText() == "宪法宣传"
    assert logs(tasks) == []
    with qtbot.waitSignal(screen.drafts.saved, timeout=5000):
        pass
    draft = tasks.call(lambda s: load_draft(s, ctx.user.id, "adviser_log:new"))
    assert draft is not None and draft.payload["village"] == "南村"
    # what the main window does on closing: nothing changed since the last write, so no
    # second write; the screen goes at once
    with qtbot.assertNotEmitted(screen.drafts.saved, wait=300):
        screen.flush_drafts()
    screen.close()
    gone: list[bool] = []
    screen.destroyed.connect(lambda *_: gone.append(True))
    screen.deleteLater()
    qtbot.waitUntil(lambda: bool(gone), timeout=5000)

    again = AdviserLogsScreen(ctx)
    qtbot.addWidget(again)
    again.show()
    qtbot.waitUntil(lambda: again.log_form.village_edit.text() == "南村", timeout=5000)
    assert again.log_form.content_edit.toPlainText() == "宪法宣传"
    assert again.log_form.hours_spin.value() == 0
    assert "已恢复" in again.log_form.note.text()


def test_models_pass_qtmodeltester(
    qtbot: QtBot, qtmodeltester: ModelTester, ctx: AppContext
) -> None:
    model = AdviserLogListModel(ctx.tables)
    model.set_rows(
        [
            {
                "id": "a",
                "started_at": "2025-01-08T09:00",
                "adviser": "周律师",
                "village": "东村",
                "hours": 4.0,
                "on_site": 1,
                "kind": "lecture",
                "object": "村民",
                "content": "民法典\n讲座",
                "result": "",
            }
        ]
    )
    assert model.index(0, 5).data() == "法律知识宣传（法治讲座）"
    assert model.index(0, 7).data() == "民法典 讲座"
    qtmodeltester.check(model, force_py=True)
    qtmodeltester.check(model)
    shortfalls = ShortfallModel()
    shortfalls.set_rows(
        shortfall_rows(
            [
                AdviserShortfall("东村", "2025-03", "visit", "周律师", 1.5, 4.0),
                AdviserShortfall("东村", "2025Q1", "lecture", "周律师", 0.0, 1.0),
            ]
        )
    )
    assert shortfalls.index(0, 2).data() == "2025年3月"
    assert "还差2.5小时" in shortfalls.index(0, 3).data()
    assert shortfalls.index(1, 2).data() == "2025年第1季度"
    qtmodeltester.check(shortfalls, force_py=True)
    qtmodeltester.check(shortfalls)

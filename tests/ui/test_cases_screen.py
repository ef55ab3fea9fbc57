"""调解案件: the case list, the debounced search on the worker, filters and columns."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from justice_desktop.store.local_state import get_preference
from justice_desktop.store.search import SearchHit
from tests.ui.conftest import CASES, type_text
from tests.ui.factories import MadeCase
from ui.case_rows import COLUMN_INDEX
from ui.cases_screen import SEARCH_PLACEHOLDER, CasesScreen
from ui.context import AppContext
from ui.forms import qdate
from ui.qt import QApplication, QLineEdit, Qt
from ui.search_results import HIT_KIND_ROLE, HIT_REF_ROLE


@pytest.fixture
def window(qtbot: QtBot, ctx: AppContext) -> Iterator[CasesScreen]:
    win = CasesScreen(ctx)
    qtbot.addWidget(win)
    win.resize(1200, 700)
    win.show()
    qtbot.waitExposed(win)
    qtbot.waitUntil(lambda: win.case_model.loaded, timeout=5000)
    yield win
    win.search.stop()
    win.close()


def shown_case_number(win: CasesScreen, row: int) -> object:
    """The case number in ``row``, once its page has arrived (pages come asynchronously)."""
    model = win.case_table.model()
    index = model.index(row, COLUMN_INDEX["case_number"])
    deadline = time.monotonic() + 5
    while model.data(index) is None and time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.005)
    return model.data(index)


def test_count_of_the_list(window: CasesScreen) -> None:
    assert window.count_label.text() == f"共 {CASES} 件"


def test_case_list_is_shown_newest_first(window: CasesScreen, made: list[MadeCase]) -> None:
    assert not window.showing_results()
    assert window.case_table.isVisible()
    assert shown_case_number(window, 0) == made[-1].case_number
    assert (
        window.case_table.horizontalHeader().sortIndicatorSection() == COLUMN_INDEX["registered_on"]
    )


def test_search_box_placeholder(window: CasesScreen) -> None:
    box = window.findChild(QLineEdit, "searchBox")
    assert box is window.search_box
    assert (
        box.placeholderText()
        == SEARCH_PLACEHOLDER
        == "搜索姓名、拼音首字母、身份证号、电话、案号或关键词"
    )


def test_typing_a_name_shows_hits_after_the_pause(
    qtbot: QtBot, window: CasesScreen, made: list[MadeCase]
) -> None:
    type_text(qtbot, window.search_box, "欧阳娜娜")
    assert not window.showing_results()  # debounced: nothing yet
    qtbot.waitUntil(window.showing_results, timeout=5000)
    model = window.search_model
    expected = {c.case_id for c in made if c.applicant == "欧阳娜娜"}
    assert model.rowCount() == len(expected)
    assert {
        model.data(model.index(r, 0), HIT_REF_ROLE) for r in range(model.rowCount())
    } == expected
    first = str(model.data(model.index(0, 0)))
    assert first.startswith("[案件] （2025）津东城人调字第")
    assert "欧阳**与司马**" in first  # masked in the list, too
    assert "欧阳娜娜" not in first
    assert model.data(model.index(0, 0), HIT_KIND_ROLE) == "case"
    assert window.results_view.isVisible()
    assert not window.case_table.isVisible()
    assert "搜索结果" in window.results_label.text()


def test_one_search_per_pause(
    qtbot: QtBot, window: CasesScreen, monkeypatch: pytest.MonkeyPatch
) -> None:
    from justice_desktop.store import search as search_module

    queries: list[str] = []
    real_search = search_module.search

    def counting(conn: Any, query: str, **kwargs: Any) -> list[SearchHit]:
        queries.append(query)
        return real_search(conn, query, **kwargs)

    monkeypatch.setattr(search_module, "search", counting)
    qtbot.keyClicks(window.search_box, "zs")  # two keystrokes, one search
    qtbot.waitUntil(window.showing_results, timeout=5000)
    qtbot.wait(300)
    assert queries == ["zs"]


def test_pinyin_initials_and_case_number(
    qtbot: QtBot, window: CasesScreen, made: list[MadeCase]
) -> None:
    qtbot.keyClicks(window.search_box, "oynn")
    qtbot.waitUntil(lambda: window.search_model.rowCount() > 0, timeout=5000)
    window.search_box.clear()
    type_text(qtbot, window.search_box, "人调字第7号")
    qtbot.waitUntil(lambda: window.search.active_query == "人调字第7号", timeout=5000)
    hits = window.search_model.hits
    assert hits[0].ref_id == next(c.case_id for c in made if c.case_number.endswith("第7号"))


def test_clearing_the_search_returns_to_the_case_list(qtbot: QtBot, window: CasesScreen) -> None:
    type_text(qtbot, window.search_box, "张三")
    qtbot.waitUntil(window.showing_results, timeout=5000)
    window.search_box.clear()
    assert not window.showing_results()  # at once, no debounce
    assert window.search_model.rowCount() == 0
    assert window.case_table.isVisible()
    assert shown_case_number(window, 0) == f"（2025）津东城人调字第{CASES}号"


def test_escape_clears_the_search(qtbot: QtBot, window: CasesScreen) -> None:
    type_text(qtbot, window.search_box, "张三")
    qtbot.waitUntil(window.showing_results, timeout=5000)
    window.search_box.setFocus()
    qtbot.keyClick(window.search_box, Qt.Key.Key_Escape)
    assert window.search_box.text() == ""
    assert not window.showing_results()


def test_no_hits_and_a_hint_for_short_numbers(qtbot: QtBot, window: CasesScreen) -> None:
    qtbot.keyClicks(window.search_box, "98")
    qtbot.waitUntil(window.showing_results, timeout=5000)
    assert window.search_model.rowCount() == 0
    assert "没有找到" in window.results_label.text()
    assert window.hint_label.isVisible()
    assert "至少输入3位" in window.hint_label.text()


def test_activating_a_hit_reports_it(
    qtbot: QtBot, window: CasesScreen, made: list[MadeCase]
) -> None:
    type_text(qtbot, window.search_box, "赵敏")
    qtbot.waitUntil(lambda: window.search_model.rowCount() > 0, timeout=5000)
    with qtbot.waitSignal(window.hitActivated, timeout=5000) as blocker:
        window.results_view.activated.emit(window.search_model.index(0, 0))
    kind, ref = blocker.args
    assert kind == "case"
    assert ref in {c.case_id for c in made if c.applicant == "赵敏"}


def test_not_sortable_column_keeps_the_order(qtbot: QtBot, window: CasesScreen) -> None:
    header = window.case_table.horizontalHeader()
    header.setSortIndicator(COLUMN_INDEX["parties"], Qt.SortOrder.AscendingOrder)
    assert header.sortIndicatorSection() == COLUMN_INDEX["registered_on"]
    header.setSortIndicator(COLUMN_INDEX["case_number"], Qt.SortOrder.AscendingOrder)
    qtbot.waitUntil(lambda: window.case_model.query.sort == "case_number", timeout=5000)
    assert shown_case_number(window, 0) == "（2025）津东城人调字第1号"  # by year, then number
    assert shown_case_number(window, 1) == "（2025）津东城人调字第2号"  # not 第10号 (text order)


def test_activating_a_case_hit_opens_the_editor(
    qtbot: QtBot, window: CasesScreen, made: list[MadeCase]
) -> None:
    type_text(qtbot, window.search_box, "赵敏")
    qtbot.waitUntil(lambda: window.search_model.rowCount() > 0, timeout=5000)
    with qtbot.waitSignal(window.editor.loaded, timeout=5000) as blocker:
        window.results_view.activated.emit(window.search_model.index(0, 0))
    assert window.editing
    assert blocker.args[0] in {c.case_id for c in made if c.applicant == "赵敏"}
    assert "津东城人调字" in window.editor.title.text()


def test_filter_by_dispute_type_and_date(
    qtbot: QtBot, window: CasesScreen, made: list[MadeCase]
) -> None:
    index = window.type_filter.findData("neighbourhood")
    window.type_filter.setCurrentIndex(index)
    expected = sum(1 for c in made if c.dispute_type == "neighbourhood")
    qtbot.waitUntil(lambda: window.case_model.rowCount() == expected, timeout=5000)
    assert window.count_label.text() == f"共 {expected} 件"
    window.clear_filters()
    qtbot.waitUntil(lambda: window.case_model.rowCount() == CASES, timeout=5000)
    first = made[0].registered_on
    window.date_from.setDate(qdate(first))
    window.date_to.setDate(qdate(first + timedelta(days=4)))
    window.date_check.setChecked(True)
    qtbot.waitUntil(lambda: window.case_model.rowCount() == 5, timeout=5000)
    status = window.status_filter.findData("archived")
    window.status_filter.setCurrentIndex(status)
    qtbot.waitUntil(lambda: window.case_model.rowCount() == 0, timeout=5000)


def test_hidden_columns_are_remembered_per_user(
    qtbot: QtBot, window: CasesScreen, ctx: AppContext
) -> None:
    assert window.case_table.isColumnHidden(COLUMN_INDEX["source"])  # hidden by default
    window.set_column_visible("source", True)
    window.set_column_visible("dispute_type", False)
    user_id = ctx.user.id
    qtbot.waitUntil(
        lambda: (
            ctx.tasks.call(lambda s: get_preference(s, user_id, "case_columns"))
            == ["dispute_type", "village"]
        ),
        timeout=5000,
    )
    again = CasesScreen(ctx)
    qtbot.addWidget(again)
    qtbot.waitUntil(
        lambda: again.case_table.isColumnHidden(COLUMN_INDEX["dispute_type"]), timeout=5000
    )
    assert not again.case_table.isColumnHidden(COLUMN_INDEX["source"])
    menu = again.column_menu()
    checked = {a.data(): a.isChecked() for a in menu.actions()}
    assert checked["dispute_type"] is False and checked["source"] is True
    assert not [a for a in menu.actions() if a.data() == "case_number"][0].isEnabled()
    again.search.stop()


def test_rows_grow_with_the_text_size(qtbot: QtBot, window: CasesScreen) -> None:
    from ui.scale import apply_ui_scale

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = window.case_table.verticalHeader().defaultSectionSize()
    apply_ui_scale(app, 200)
    try:
        qtbot.waitUntil(
            lambda: window.case_table.verticalHeader().defaultSectionSize() > before * 1.5,
            timeout=5000,
        )
        assert (
            window.case_table.verticalHeader().defaultSectionSize()
            > window.case_table.fontMetrics().height()
        )
    finally:
        apply_ui_scale(app, 100)

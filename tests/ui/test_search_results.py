"""The search results model and the debounced search controller."""

from __future__ import annotations

import pytest
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from justice_desktop.store.search import TIER_EXACT_NAME, SearchHit
from tests.ui.factories import MadeCase
from ui.qt import Qt
from ui.search_results import (
    HIT_KIND_ROLE,
    HIT_REF_ROLE,
    SearchController,
    SearchResultsModel,
    hit_text,
)
from ui.tasks import TaskManager

HITS = [
    SearchHit(
        "case", "c1", "（2025）津东城人调字第1号 张*与李*邻里纠纷", "受理于2025-01-02", 1, "张三"
    ),
    SearchHit("consultation", "q1", "法律咨询 张* · 合同", "", 2, "张三"),
]


def test_hit_text() -> None:
    assert (
        hit_text(HITS[0]) == "[案件] （2025）津东城人调字第1号 张*与李*邻里纠纷\n受理于2025-01-02"
    )
    assert hit_text(HITS[1]) == "[咨询] 法律咨询 张* · 合同\n"  # two lines, all rows one size


@pytest.mark.parametrize("force_py", [False, True], ids=["qt-tester", "python-tester"])
def test_results_model_passes_qtmodeltester(qtmodeltester: ModelTester, force_py: bool) -> None:
    model = SearchResultsModel()
    qtmodeltester.check(model, force_py=force_py)  # empty, and keeps watching the changes
    model.set_hits(HITS)
    assert model.rowCount() == 2
    index = model.index(0, 0)
    assert model.data(index, HIT_KIND_ROLE) == "case"
    assert model.data(index, HIT_REF_ROLE) == "c1"
    assert model.data(index, Qt.ItemDataRole.ToolTipRole) == "匹配方式：姓名"
    assert HITS[0].tier == TIER_EXACT_NAME
    model.clear()
    assert model.rowCount() == 0


def test_controller_debounces_and_drops_stale_results(
    qtbot: QtBot, tasks: TaskManager, made: list[MadeCase]
) -> None:
    model = SearchResultsModel()
    controller = SearchController(tasks, model, delay_ms=50)
    ready: list[tuple[str, int]] = []
    controller.resultsReady.connect(lambda q, n: ready.append((q, n)))
    controller.set_text("李")
    controller.set_text("李四")
    qtbot.waitUntil(lambda: ready != [], timeout=5000)
    assert ready == [("李四", sum(1 for c in made if c.respondent == "李四"))]
    # a search still on its way when the box is cleared never shows up
    controller.set_text("孙丽")
    controller.search_now()
    with qtbot.waitSignal(controller.cleared, timeout=1000):
        controller.set_text("")
    qtbot.wait(200)
    assert model.rowCount() == 0
    assert controller.active_query == ""
    assert len(ready) == 1

"""The lazy case list model over a real store."""

from __future__ import annotations

import pytest
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from justice_desktop.store.connection import DatabaseError
from justice_desktop.store.queries import CaseFilter
from tests.ui.conftest import CASES
from tests.ui.factories import MadeCase
from ui.case_list_model import CASE_ID_ROLE, CaseListModel
from ui.case_rows import COLUMN_INDEX, COLUMNS, CaseListRow, CaseListSource
from ui.errors import DISK_IO
from ui.qt import QModelIndex, Qt
from ui.tasks import TaskManager


def loaded_model(qtbot: QtBot, tasks: TaskManager, **kwargs: object) -> CaseListModel:
    model = CaseListModel(tasks, **kwargs)  # type: ignore[arg-type]
    with qtbot.waitSignal(model.countChanged, timeout=5000):
        model.reload()
    return model


def cell(model: CaseListModel, row: int, key: str) -> object:
    return model.data(model.index(row, COLUMN_INDEX[key]), Qt.ItemDataRole.DisplayRole)


@pytest.mark.parametrize("force_py", [False, True], ids=["qt-tester", "python-tester"])
def test_passes_qtmodeltester(
    qtbot: QtBot, qtmodeltester: ModelTester, tasks: TaskManager, force_py: bool
) -> None:
    model = loaded_model(qtbot, tasks, page_size=7, max_pages=3)
    assert model.rowCount() == CASES
    qtmodeltester.check(model, force_py=force_py)


def test_passes_qtmodeltester_with_asynchronous_pages(
    qtbot: QtBot, qtmodeltester: ModelTester, tasks: TaskManager
) -> None:
    model = loaded_model(qtbot, tasks, page_size=7, blocking=False)
    qtmodeltester.check(model, force_py=True)  # keeps checking as pages arrive
    qtbot.waitUntil(lambda: cell(model, 0, "case_number") is not None, timeout=5000)
    with qtbot.waitSignal(model.modelReset, timeout=5000):
        model.reload()


def test_empty_before_the_count_arrives(tasks: TaskManager) -> None:
    model = CaseListModel(tasks)
    assert model.rowCount() == 0
    assert not model.loaded
    assert model.columnCount() == len(COLUMNS)


def test_headers_are_chinese(qtbot: QtBot, tasks: TaskManager) -> None:
    model = loaded_model(qtbot, tasks)
    titles = [model.headerData(i, Qt.Orientation.Horizontal) for i in range(model.columnCount())]
    assert titles == [
        "案号",
        "当事人",
        "纠纷类型",
        "受理日期",
        "状态",
        "调解期限",
        "案件来源",
        "村（社区）",
    ]


def test_first_rows_show_the_newest_cases_in_order(
    qtbot: QtBot, tasks: TaskManager, made: list[MadeCase]
) -> None:
    model = loaded_model(qtbot, tasks, page_size=7)
    newest_first = sorted(made, key=lambda c: c.registered_on, reverse=True)
    shown = [cell(model, row, "case_number") for row in range(CASES)]
    assert shown == [c.case_number for c in newest_first]
    assert shown[0] == f"（2025）津东城人调字第{CASES}号"
    assert model.data(model.index(0, 0), CASE_ID_ROLE) == newest_first[0].case_id
    assert model.case_id(CASES - 1) == newest_first[-1].case_id
    assert cell(model, 0, "registered_on") == newest_first[0].registered_on.isoformat()


def test_parties_are_masked(qtbot: QtBot, tasks: TaskManager, made: list[MadeCase]) -> None:
    model = loaded_model(qtbot, tasks)
    by_id = {c.case_id: c for c in made}
    texts = {}
    for row in range(model.rowCount()):
        case = by_id[str(model.case_id(row))]
        texts[(case.applicant, case.respondent)] = cell(model, row, "parties")
    assert texts[("张三", "李四")] == "张*与李*"
    assert texts[("欧阳娜娜", "司马光明")] == "欧阳**与司马**"
    assert texts[("买买提·艾力", "黄河")] == "买**·**与黄*"
    every_cell = [
        str(model.data(model.index(r, c)))
        for r in range(model.rowCount())
        for c in range(len(COLUMNS))
    ]
    for case in made:  # no full name anywhere in the list, nor a phone number
        assert not any(case.applicant in text or case.respondent in text for text in every_cell)
    assert not any("1381234" in text for text in every_cell)


def test_labels_from_code_tables_and_statuses(
    qtbot: QtBot, tasks: TaskManager, made: list[MadeCase]
) -> None:
    model = loaded_model(qtbot, tasks)
    labels = {"neighbourhood": "邻里", "marriage_family": "婚姻家庭", "contract": "合同"}
    by_id = {c.case_id: c for c in made}
    for row in range(10):
        case = by_id[str(model.case_id(row))]
        if case.dispute_type in labels:
            assert cell(model, row, "dispute_type") == labels[case.dispute_type]
        assert cell(model, row, "status") == "已受理"
        assert str(cell(model, row, "due_on")).startswith("2025-")


def test_fetches_pages_lazily_and_keeps_an_lru(qtbot: QtBot, tasks: TaskManager) -> None:
    model = loaded_model(qtbot, tasks, page_size=5, max_pages=3)
    assert model.cached_pages() == [0]  # the first page comes with the count, no others
    assert cell(model, 37, "case_number") is not None
    assert model.cached_pages() == [0, 7]
    for row in (12, 22):
        cell(model, row, "case_number")
    assert model.cached_pages() == [7, 2, 4]  # page 0 was least recently used
    cell(model, 0, "case_number")
    assert model.cached_pages() == [2, 4, 0]
    cell(model, 1, "case_number")
    cell(model, 30, "case_number")
    assert model.cached_pages() == [4, 0, 6]


def test_rows_outside_the_table_give_nothing(qtbot: QtBot, tasks: TaskManager) -> None:
    model = loaded_model(qtbot, tasks)
    assert model.data(model.index(CASES, 0)) is None
    assert model.data(QModelIndex()) is None
    assert model.case_id(-1) is None


def test_filter_is_counted_on_the_worker(
    qtbot: QtBot, tasks: TaskManager, made: list[MadeCase]
) -> None:
    model = loaded_model(qtbot, tasks)
    with qtbot.waitSignal(model.countChanged, timeout=5000) as blocker:
        model.set_filter(CaseFilter(dispute_type="contract"))
    expected = sum(1 for c in made if c.dispute_type == "contract")
    assert blocker.args == [expected]
    assert model.rowCount() == expected
    assert {cell(model, r, "dispute_type") for r in range(expected)} == {"合同"}


def test_sorting_by_a_column(qtbot: QtBot, tasks: TaskManager, made: list[MadeCase]) -> None:
    model = loaded_model(qtbot, tasks)
    with qtbot.waitSignal(model.modelReset, timeout=5000):
        model.sort(COLUMN_INDEX["registered_on"], Qt.SortOrder.AscendingOrder)
    assert cell(model, 0, "case_number") == made[0].case_number
    # 当事人 cannot be sorted: nothing happens
    model.sort(COLUMN_INDEX["parties"], Qt.SortOrder.AscendingOrder)
    assert model.query.sort == "registered_on"


def test_asynchronous_pages_arrive_by_data_changed(
    qtbot: QtBot, tasks: TaskManager, made: list[MadeCase]
) -> None:
    model = loaded_model(qtbot, tasks, page_size=10, blocking=False)
    assert cell(model, 15, "case_number") is None  # requested, not there yet
    with qtbot.waitSignal(model.dataChanged, timeout=5000) as blocker:
        pass
    top_left, bottom_right = blocker.args[0], blocker.args[1]
    assert (top_left.row(), bottom_right.row()) == (10, 19)
    newest_first = sorted(made, key=lambda c: c.registered_on, reverse=True)
    assert cell(model, 15, "case_number") == newest_first[15].case_number


def test_a_newer_query_drops_stale_results(qtbot: QtBot, tasks: TaskManager) -> None:
    model = loaded_model(qtbot, tasks)
    counts: list[int] = []
    model.countChanged.connect(counts.append)
    model.set_filter(CaseFilter(dispute_type="contract"))
    model.set_filter(CaseFilter())  # asked before the first count came back
    qtbot.waitUntil(lambda: counts != [], timeout=5000)
    qtbot.wait(100)
    assert counts == [CASES]
    assert model.query.filter == CaseFilter()


def test_failures_become_a_chinese_message(
    qtbot: QtBot, tasks: TaskManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = loaded_model(qtbot, tasks, page_size=5)

    def broken(*_args: object) -> list[CaseListRow]:
        raise DatabaseError("disk I/O error")

    monkeypatch.setattr(CaseListSource, "page", broken)
    with qtbot.waitSignal(model.loadFailed, timeout=5000) as blocker:
        model.reload()  # the count comes with the first page: both fail, the rows stay
    assert blocker.args == [DISK_IO]
    assert cell(model, 0, "case_number") is not None
    with qtbot.waitSignal(model.loadFailed, timeout=5000) as blocker:
        assert cell(model, 7, "case_number") is None  # a page not read yet
    assert blocker.args == [DISK_IO]
    # a failed page is not fetched again on every repaint
    with qtbot.assertNotEmitted(model.loadFailed):
        assert cell(model, 6, "case_number") is None

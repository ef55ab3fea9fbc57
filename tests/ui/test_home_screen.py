"""工作台: reminders overdue first with Chinese text, today's work, quick actions, re-reading."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from functools import partial
from pathlib import Path

import pytest
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from justice_desktop.domain.case_inputs import CaseInput, SessionInput
from justice_desktop.domain.consultations import ConsultationInput
from justice_desktop.domain.party import PartyInput
from justice_desktop.store.cases import CaseService
from justice_desktop.store.consultations import ConsultationService
from justice_desktop.store.database import Store
from justice_desktop.store.office import committees, users
from tests.ui.factories import MadeCase, new_office
from ui import home_screen
from ui.context import AppContext, load_context_data
from ui.home_models import CASE_ID_ROLE, OVERDUE_COLOR, load_home
from ui.home_screen import HomeScreen
from ui.qt import (
    QApplication,
    QColor,
    QFont,
    QFontMetrics,
    QPoint,
    Qt,
    QWidget,
)
from ui.tasks import TaskManager

NOW = datetime(2025, 6, 16, 9, 30)
TODAY = NOW.date()


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _register(store: Store, registered_on: date, applicant: str, respondent: str) -> MadeCase:
    service = CaseService(store)
    case_id = service.register(
        users(store)[0]["id"],
        CaseInput(
            committee_id=committees(store)[0]["id"],
            registered_on=registered_on,
            source="applied",
            dispute_type="neighbourhood",
            summary="双方因排水沟和院墙边界发生争执。",
            parties=[
                PartyInput(side="applicant", name=applicant, phone="13812345678"),
                PartyInput(side="respondent", name=respondent),
            ],
            mediators=["王调解"],
            village="城关村",
        ),
    )
    number = str(store.scalar("SELECT case_number FROM cases WHERE id = ?", (case_id,)))
    return MadeCase(case_id, number, registered_on, applicant, respondent, "neighbourhood")


@pytest.fixture
def store_and_cases(tmp_path: Path) -> tuple[Store, list[MadeCase]]:
    """Around 2025-06-16: one case overdue, one due today, one due soon, one not yet due, one
    registered today (the store's clock says it is 2025-06-16 too)."""
    store = new_office(tmp_path / "office")
    store.clock = Clock(NOW)
    made = [
        _register(store, date(2025, 5, 20), "王秀英", "周强"),  # due 06-20: 还剩 4 天
        _register(store, date(2025, 5, 10), "张三", "李四"),  # due 06-10: 已逾期 6 天
        _register(store, date(2025, 6, 2), "刘洋", "吴刚"),  # due 07-02: not yet
        _register(store, date(2025, 5, 16), "欧阳娜娜", "司马光明"),  # due 06-16: 今天到期
        _register(store, TODAY, "陈静", "黄河"),  # registered today
    ]
    return store, made


@pytest.fixture
def ctx(tasks: TaskManager) -> AppContext:
    data = tasks.call(load_context_data)
    return AppContext(tasks, data, data.users[0], clock=Clock(NOW))


@pytest.fixture
def screen(qtbot: QtBot, ctx: AppContext) -> Iterator[HomeScreen]:
    widget = HomeScreen(ctx)
    qtbot.addWidget(widget)
    widget.resize(1100, 700)
    widget.show()
    with qtbot.waitSignal(widget.loaded, timeout=5000):
        widget.activate()
    yield widget


def _cells(screen: HomeScreen) -> list[list[str]]:
    model = screen.reminder_model
    return [
        [str(model.data(model.index(r, c))) for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]


def _double_click(qtbot: QtBot, widget: QWidget, pos: QPoint) -> None:
    """As a mouse does it: press and release, then the double-click event and release
    (QTest's mouseDClick alone sends no first press, so a view ignores it)."""
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=pos)
    qtbot.mouseDClick(widget, Qt.MouseButton.LeftButton, pos=pos)


def test_reminders_overdue_first_in_red_with_masked_parties(
    screen: HomeScreen, made: list[MadeCase]
) -> None:
    soon, overdue, _later, today, _fresh = made
    assert screen.objectName() == "homeScreen" and screen.title == "工作台"
    assert _cells(screen) == [
        [overdue.case_number, "张*与李*", "调解期限", "2025年6月10日", "已逾期 6 天"],
        [today.case_number, "欧阳**与司马**", "调解期限", "2025年6月16日", "今天到期"],
        [soon.case_number, "王**与周*", "调解期限", "2025年6月20日", "还剩 4 天"],
    ]
    model = screen.reminder_model
    assert model.data(model.index(0, 4), Qt.ItemDataRole.ForegroundRole) == QColor(OVERDUE_COLOR)
    assert model.data(model.index(2, 4), Qt.ItemDataRole.ForegroundRole) is None
    assert model.data(model.index(1, 0), CASE_ID_ROLE) == today.case_id
    summary = screen.reminder_summary.text()
    assert "逾期 1 项" in summary and "今天到期 1 项" in summary and "7 天内到期 1 项" in summary
    assert screen.reminder_table.isVisible() and not screen.reminder_empty.isVisible()
    assert "2025年6月16日，星期一" in screen.greeting.text()
    assert screen.ctx.user.name in screen.greeting.text()


def test_today_work_counts_and_list(screen: HomeScreen, made: list[MadeCase]) -> None:
    tiles = {label: tile.accessibleName() for label, tile in screen.count_tiles.items()}
    assert tiles["受理纠纷"] == "受理纠纷 1"
    assert tiles["调解记录"] == "调解记录 0"
    assert tiles["法律咨询"] == "法律咨询 0"
    assert tiles["今天到期"] == "今天到期 1"
    model = screen.today_model
    assert model.rowCount() == 1
    assert model.data(model.index(0, 0)) == f"受理　{made[4].case_number}　陈*与黄*"


def test_double_click_and_enter_open_the_case(
    qtbot: QtBot, screen: HomeScreen, made: list[MadeCase]
) -> None:
    opened: list[str] = []
    screen.caseRequested.connect(opened.append)
    table = screen.reminder_table
    assert not table.currentIndex().isValid()  # nothing selected at first: colours show
    button = screen.action_buttons["newCaseButton"]
    button.setFocus()
    qtbot.keyClick(button, Qt.Key.Key_Backtab)  # Shift+Tab from the first button: the table
    assert table.hasFocus() and table.currentIndex().row() == 0
    qtbot.keyClick(table, Qt.Key.Key_Return)
    assert opened == [made[1].case_id]  # the most overdue comes first

    rect = table.visualRect(screen.reminder_model.index(1, 1))
    _double_click(qtbot, table.viewport(), rect.center())
    assert opened == [made[1].case_id, made[3].case_id]  # once: 今天到期, the second row

    table.setCurrentIndex(screen.reminder_model.index(2, 0))
    qtbot.keyClick(table, Qt.Key.Key_Return)
    assert opened[-1] == made[0].case_id
    qtbot.keyClick(table, Qt.Key.Key_Up)
    qtbot.keyClick(table, Qt.Key.Key_Up)
    qtbot.keyClick(table, Qt.Key.Key_Enter)
    assert opened[-1] == made[1].case_id


def test_quick_actions_emit_their_signals(qtbot: QtBot, screen: HomeScreen) -> None:
    buttons = screen.action_buttons
    assert "Ctrl+N" in buttons["newCaseButton"].text()
    assert "Ctrl+N" in buttons["newCaseButton"].toolTip()
    with qtbot.waitSignal(screen.newCaseRequested, timeout=1000):
        qtbot.mouseClick(buttons["newCaseButton"], Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(screen.newCaseRequested, timeout=1000):
        assert screen.new_record() is True  # Ctrl+N routed by the main window
    expected = {
        "consultationButton": ("记录咨询", "consultations"),
        "understandersButton": ("法律明白人培训", "understanders"),
        "adviserLogsButton": ("顾问日志", "adviser_logs"),
    }
    for name, (text, target) in expected.items():
        assert buttons[name].text() == text
        with qtbot.waitSignal(screen.screenRequested, timeout=1000) as blocker:
            qtbot.mouseClick(buttons[name], Qt.MouseButton.LeftButton)
        assert blocker.args == [target]
    # keyboard: Tab reaches the buttons, Enter presses the focused one
    buttons["adviserLogsButton"].setFocus()
    with qtbot.waitSignal(screen.screenRequested, timeout=1000) as blocker:
        qtbot.keyClick(buttons["adviserLogsButton"], Qt.Key.Key_Return)
    assert blocker.args == ["adviser_logs"]


def test_models_pass_qtmodeltester(
    qtbot: QtBot, qtmodeltester: ModelTester, screen: HomeScreen, ctx: AppContext
) -> None:
    qtmodeltester.check(screen.reminder_model, force_py=True)
    qtmodeltester.check(screen.today_model, force_py=True)
    with qtbot.waitSignal(screen.loaded, timeout=5000):
        screen.reload()  # the models reset under the tester's eyes


def test_rereads_when_records_change(
    qtbot: QtBot, screen: HomeScreen, ctx: AppContext, tasks: TaskManager, made: list[MadeCase]
) -> None:
    user = ctx.user.id

    def work(store: Store) -> MadeCase:
        CaseService(store).add_session(
            user,
            made[0].case_id,
            SessionInput(datetime(2025, 6, 16, 9), "双方陈述意见，调解员释法说理。", "王调解"),
        )
        ConsultationService(store).record(
            user,
            ConsultationInput(
                consulted_on=TODAY,
                category="labour",
                question="老板拖欠三个月工资怎么办？",
                answered_by="张律师",
                mode="on_site",
                name="冯七",
                village="东村",
            ),
        )
        return _register(store, date(2025, 5, 1), "赵敏", "何平")  # due 06-01: 15 days late

    older = tasks.call(work)
    with qtbot.waitSignal(screen.loaded, timeout=5000):
        ctx.notify("cases")
    first = _cells(screen)[0]
    assert first[0] == older.case_number and first[4] == "已逾期 15 天"
    assert "逾期 2 项" in screen.reminder_summary.text()
    assert screen.count_tiles["调解记录"].accessibleName() == "调解记录 1"
    assert screen.count_tiles["法律咨询"].accessibleName() == "法律咨询 1"
    texts = [
        str(screen.today_model.data(screen.today_model.index(r, 0)))
        for r in range(screen.today_model.rowCount())
    ]
    assert any(t.startswith(f"调解　{made[0].case_number}　王**与周*") for t in texts), texts
    assert "咨询　冯* · 劳动争议" in texts, texts

    # a consultation line opens the consultation register, a case line the case
    rows = {t.split("　")[0]: r for r, t in enumerate(texts)}
    asked: list[str] = []
    screen.screenRequested.connect(asked.append)
    opened: list[str] = []
    screen.caseRequested.connect(opened.append)
    view = screen.today_list
    for kind in ("咨询", "调解"):
        rect = view.visualRect(screen.today_model.index(rows[kind], 0))
        _double_click(qtbot, view.viewport(), rect.center())
    assert asked == ["consultations"] and opened == [made[0].case_id]


def test_user_change_rereads_and_keeps_the_selection(
    qtbot: QtBot, screen: HomeScreen, ctx: AppContext, made: list[MadeCase]
) -> None:
    screen.reminder_table.setCurrentIndex(screen.reminder_model.index(2, 0))
    other = type(ctx.user)("other-user", "赵所长", "head")
    with qtbot.waitSignal(screen.loaded, timeout=5000):
        ctx.set_user(other)
    assert "赵所长" in screen.greeting.text()
    current = screen.reminder_table.currentIndex()
    assert screen.reminder_model.data(current, CASE_ID_ROLE) == made[0].case_id


def test_many_reminders_show_the_count_and_the_most_urgent(
    qtbot: QtBot, screen: HomeScreen, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(home_screen, "load_home", partial(load_home, limit=2))
    with qtbot.waitSignal(screen.loaded, timeout=5000):
        screen.activate()
    assert screen.reminder_model.rowCount() == 2
    assert "共 3 项，下面列出最紧急的 2 项" in screen.reminder_summary.text()
    assert _cells(screen)[0][4] == "已逾期 6 天"


def test_nothing_due(qtbot: QtBot, ctx: AppContext) -> None:
    ctx._clock = Clock(datetime(2025, 5, 21, 9))  # before any deadline is near
    widget = HomeScreen(ctx)
    qtbot.addWidget(widget)
    widget.show()
    with qtbot.waitSignal(widget.loaded, timeout=5000):
        widget.activate()
    assert widget.reminder_model.rowCount() == 0
    assert widget.reminder_empty.isVisible() and not widget.reminder_table.isVisible()
    assert widget.reminder_empty.text() == "没有逾期或 7 天内到期的事项。"
    assert widget.today_empty.isVisible()


def test_readable_at_200_percent(qtbot: QtBot, screen: HomeScreen) -> None:
    button = screen.action_buttons["newCaseButton"]
    small = button.sizeHint()
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    original = app.font()
    big = QFont(original)
    big.setPointSizeF(original.pointSizeF() * 2)
    app.setFont(big)
    try:
        qtbot.wait(50)  # font-change events reach the widgets
        _check_readable(qtbot, screen, big, small.height())
    finally:
        app.setFont(original)


def _check_readable(qtbot: QtBot, screen: HomeScreen, big: QFont, small_height: int) -> None:
    metrics = QFontMetrics(big)
    widgets: list[QWidget] = [
        *screen.action_buttons.values(),
        screen.reminder_summary,
        screen.greeting,
        *screen.count_tiles.values(),
    ]
    for w in widgets:
        assert w.font().pointSizeF() == pytest.approx(big.pointSizeF())
        assert w.maximumHeight() > 10_000, w.objectName()  # no fixed heights
        assert w.sizeHint().height() >= metrics.height()
    button = screen.action_buttons["newCaseButton"]
    assert button.sizeHint().height() > small_height
    assert button.sizeHint().width() >= metrics.horizontalAdvance(button.text())
    tile = screen.count_tiles["受理纠纷"]
    assert tile.sizeHint().height() >= 2 * metrics.height()  # the number and its label
    screen.resize(screen.minimumSizeHint().expandedTo(screen.size()))
    qtbot.wait(50)
    table = screen.reminder_table
    for row in range(screen.reminder_model.rowCount()):
        assert table.rowHeight(row) >= metrics.height()
    assert table.columnWidth(4) >= metrics.horizontalAdvance("已逾期 6 天")

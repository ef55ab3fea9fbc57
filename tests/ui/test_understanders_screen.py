"""The 法律明白人 screen, driven through its widgets over a real encrypted store."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from justice_desktop.domain.understanders import TrainingInput, UnderstanderInput
from justice_desktop.store.database import Store
from justice_desktop.store.understanders import UnderstanderService, roster_with_hours
from tests.ui.conftest import MessageBoxCatcher, type_text
from ui.context import AppContext, CurrentUser
from ui.qt import (
    QKeySequence,
    QListWidgetItem,
    QShortcut,
    Qt,
    QVBoxLayout,
    QWidget,
)
from ui.tasks import TaskManager
from ui.understander_models import (
    HOURS_COLUMN,
    ID_ROLE,
    TARGET_COLUMN,
    RosterModel,
    RosterQuery,
    TrainingListModel,
    load_roster,
    load_trainings,
)
from ui.understanders_screen import UnderstandersScreen

VALID_ID = "11010519491231002X"  # a woman born 1949-12-31
WRONG_CHECK_ID = "110105194912310021"


class Host(QWidget):
    """What the main window does for a screen: Ctrl+N / Ctrl+S go to new_record() / save()."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.screen = UnderstandersScreen(ctx, self)
        QVBoxLayout(self).addWidget(self.screen)
        new = QShortcut(QKeySequence("Ctrl+N"), self)
        new.activated.connect(self.screen.new_record)
        save = QShortcut(QKeySequence("Ctrl+S"), self)
        save.activated.connect(self.screen.save)


def open_host(qtbot: QtBot, ctx: AppContext) -> Host:
    host = Host(ctx)
    qtbot.addWidget(host)
    with qtbot.waitSignal(host.screen.rosterLoaded, timeout=5000):
        host.show()
        host.activateWindow()
    qtbot.waitActive(host)
    return host


def add_people(tasks: TaskManager, ctx: AppContext) -> dict[str, str]:
    def add(store: Store) -> dict[str, str]:
        svc = UnderstanderService(store)
        people = {
            "赵一": UnderstanderInput("赵一", "东村", "committee", phone="13812340001"),
            "钱二": UnderstanderInput("钱二", "东村", "self"),
            "孙三": UnderstanderInput("孙三", "西村", "committee", priority_group="mediator"),
        }
        return {name: svc.add(ctx.user.id, u) for name, u in people.items()}

    return tasks.call(add)


def press(qtbot: QtBot, widget: QWidget, sequence: str) -> None:
    keys = QKeySequence(sequence)[0]
    qtbot.keyClick(widget, keys.key(), keys.keyboardModifiers())


def roster_names(host: Host) -> list[str]:
    model = host.screen.roster_model
    return [str(model.data(model.index(r, 0))) for r in range(model.rowCount())]


def hours_of(tasks: TaskManager, year: int) -> dict[str, float]:
    return {
        r["name"]: float(r["hours_in_year"])
        for r in tasks.call(lambda s: roster_with_hours(s, year, status=None))
    }


@pytest.fixture
def people(tasks: TaskManager, ctx: AppContext) -> dict[str, str]:
    return add_people(tasks, ctx)


@pytest.fixture
def host(qtbot: QtBot, ctx: AppContext) -> Iterator[Host]:
    yield open_host(qtbot, ctx)


# -- adding and editing ---------------------------------------------------------------------
def test_add_by_typing_and_ctrl_s(qtbot: QtBot, host: Host, tasks: TaskManager) -> None:
    screen, form = host.screen, host.screen.form
    press(qtbot, screen.roster_view, "Ctrl+N")
    assert screen.page == "understander"
    qtbot.waitUntil(lambda: form.name.hasFocus(), timeout=3000)
    type_text(qtbot, form.name, "欧阳娜娜")
    qtbot.keyClick(form.name, Qt.Key.Key_Return)  # Enter moves on
    assert form.id_number.hasFocus()
    type_text(qtbot, form.id_number, VALID_ID.lower())
    assert form.gender.currentText() == "女"
    assert "1949-12-31" in form.id_info.text() and form.id_info.isVisibleTo(form)
    type_text(qtbot, form.phone, "138 1234 5678")
    type_text(qtbot, form.village, "城关村")
    type_text(qtbot, form.villager_group, "三组")
    form.nomination_route.setFocus()
    qtbot.keyClick(form.nomination_route, Qt.Key.Key_Down)  # 个人自荐
    type_text(qtbot, form.appointed_on, "2025-01-05")
    press(qtbot, form.appointed_on, "Ctrl+S")

    def saved() -> list[dict[str, object]]:
        return tasks.call(lambda s: s.query("SELECT * FROM understanders WHERE name = '欧阳娜娜'"))

    qtbot.waitUntil(lambda: len(saved()) == 1, timeout=5000)
    row = saved()[0]
    assert (row["id_number"], row["gender"], row["birth_date"]) == (VALID_ID, "女", "1949-12-31")
    assert (row["phone"], row["village"], row["villager_group"]) == (
        "13812345678",
        "城关村",
        "三组",
    )
    assert (row["nomination_route"], row["appointed_on"], row["status"]) == (
        "self",
        "2025-01-05",
        "active",
    )
    qtbot.waitUntil(lambda: screen.page == "roster", timeout=3000)
    qtbot.waitUntil(lambda: "欧阳娜娜" in roster_names(host), timeout=5000)
    model = screen.roster_model
    r = roster_names(host).index("欧阳娜娜")
    assert model.data(model.index(r, 3)) == "138****5678"  # masked in the list
    assert model.data(model.index(r, 4)) == "个人自荐"
    assert model.data(model.index(r, 7)) == "在册"
    assert screen.current_understander_id() == row["id"]


def test_edit_opens_on_enter_and_saves(
    qtbot: QtBot, host: Host, tasks: TaskManager, people: dict[str, str]
) -> None:
    screen = host.screen
    screen.reload_roster()
    qtbot.waitUntil(lambda: len(roster_names(host)) == 3, timeout=5000)
    row = roster_names(host).index("钱二")
    screen.roster_view.setFocus()
    screen.roster_view.setCurrentIndex(screen.roster_model.index(row, 0))
    qtbot.keyClick(screen.roster_view, Qt.Key.Key_Return)
    assert screen.page == "understander"
    form = screen.form
    qtbot.waitUntil(lambda: form.name.text() == "钱二", timeout=5000)
    type_text(qtbot, form.phone, "022-12345678")
    press(qtbot, form.phone, "Ctrl+S")
    qtbot.waitUntil(
        lambda: (
            tasks.call(
                lambda s: s.scalar(
                    "SELECT phone FROM understanders WHERE id = ?", (people["钱二"],)
                )
            )
            == "022-12345678"
        ),
        timeout=5000,
    )
    views = tasks.call(
        lambda s: s.scalar(
            "SELECT count(*) FROM audit_log WHERE action = 'view' AND record_id = ?",
            (people["钱二"],),
        )
    )
    assert views == 1  # opening the record in full is audited


def test_wrong_id_number_shows_the_message_under_the_field(
    qtbot: QtBot, host: Host, tasks: TaskManager
) -> None:
    screen, form = host.screen, host.screen.form
    press(qtbot, screen.roster_view, "Ctrl+N")
    type_text(qtbot, form.name, "李四")
    type_text(qtbot, form.id_number, WRONG_CHECK_ID[:17])
    assert form.errors.message_for("id_number") == ""  # not full length yet
    type_text(qtbot, form.id_number, WRONG_CHECK_ID[17])
    assert form.errors.message_for("id_number") == "身份证号码校验位错误，请核对后重新输入"
    assert form.id_number.text() == WRONG_CHECK_ID
    assert not form.id_info.isVisibleTo(form)
    type_text(qtbot, form.village, "东村")
    form.nomination_route.setFocus()
    qtbot.keyClick(form.nomination_route, Qt.Key.Key_Down)
    press(qtbot, form.village, "Ctrl+S")
    assert form.errors.message_for("id_number") == "身份证号码校验位错误，请核对后重新输入"
    assert form.id_number.text() == WRONG_CHECK_ID  # kept
    assert form.id_number.hasFocus()
    assert screen.page == "understander"
    # a correction clears the message; an empty village is shown under its own field
    qtbot.keyClick(form.id_number, Qt.Key.Key_Backspace)
    assert form.errors.message_for("id_number") == ""
    type_text(qtbot, form.id_number, "X")
    form.village.clear()
    press(qtbot, form.name, "Ctrl+S")
    assert form.errors.message_for("village") == "请填写所在村（社区）"
    assert form.name.text() == "李四"
    assert tasks.call(lambda s: s.scalar("SELECT count(*) FROM understanders")) == 0


def test_draft_survives_closing_and_comes_back(
    qtbot: QtBot, ctx: AppContext, tasks: TaskManager, message_boxes: MessageBoxCatcher
) -> None:
    host = open_host(qtbot, ctx)
    form = host.screen.form
    press(qtbot, host.screen.roster_view, "Ctrl+N")
    type_text(qtbot, form.name, "周五")
    type_text(qtbot, form.village, "南村")
    type_text(qtbot, form.id_number, "110105")
    assert form.dirty
    # leaving asks (the message box is closed unanswered: stay)
    assert not host.screen.can_leave()
    assert any("尚未保存" in text for text in message_boxes.texts())
    assert host.screen.page == "understander"
    keeper = form.keeper
    assert keeper is not None
    with qtbot.waitSignal(keeper.saved, timeout=5000):
        pass  # written a second after the last change
    host.close()
    host.deleteLater()
    qtbot.wait(10)

    again = open_host(qtbot, ctx)
    press(qtbot, again.screen.roster_view, "Ctrl+N")
    new_form = again.screen.form
    qtbot.waitUntil(lambda: new_form.name.text() == "周五", timeout=5000)
    assert new_form.village.text() == "南村"
    assert new_form.id_number.text() == "110105"
    assert new_form.note.isVisibleTo(new_form) and "已恢复" in new_form.note.text()
    assert new_form.dirty
    # saving the record deletes the draft
    new_form.nomination_route.setFocus()
    qtbot.keyClick(new_form.nomination_route, Qt.Key.Key_Down)
    new_form.id_number.clear()
    press(qtbot, new_form.name, "Ctrl+S")
    qtbot.waitUntil(lambda: again.screen.page == "roster", timeout=5000)
    qtbot.waitUntil(
        lambda: tasks.call(lambda s: s.scalar("SELECT count(*) FROM drafts")) == 0, timeout=5000
    )
    assert tasks.call(lambda s: s.scalar("SELECT name FROM understanders")) == "周五"


# -- trainings ----------------------------------------------------------------------------------
def test_record_a_training_with_attendance(
    qtbot: QtBot, host: Host, tasks: TaskManager, ctx: AppContext, people: dict[str, str]
) -> None:
    screen = host.screen
    year = ctx.today().year
    bar = screen.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(1).center())
    assert screen.page == "trainings"
    press(qtbot, screen.training_view, "Ctrl+N")
    assert screen.page == "training"
    form = screen.training_form
    qtbot.waitUntil(lambda: form.people.count() == 3, timeout=5000)
    type_text(qtbot, form.topic, "民法典婚姻家庭编")
    qtbot.keyClick(form.topic, Qt.Key.Key_Return)
    assert form.trainer.hasFocus()
    type_text(qtbot, form.trainer, "张律师")
    form.hours.setFocus()
    form.hours.selectAll()
    qtbot.keyClicks(form.hours, "3")
    # 东村 only, then 全选: the two people of 东村
    form.village_filter.setFocus()
    form.village_filter.setCurrentIndex(form.village_filter.findData("东村"))
    assert [form.people.item(i).isHidden() for i in range(3)] == [False, False, True]
    qtbot.mouseClick(form.check_all, Qt.MouseButton.LeftButton)
    form.village_filter.setCurrentIndex(0)
    assert "已勾选 2 人" in form.count_label.text()
    press(qtbot, form.topic, "Ctrl+S")

    qtbot.waitUntil(lambda: hours_of(tasks, year)["赵一"] == 3.0, timeout=5000)
    assert hours_of(tasks, year) == {"赵一": 3.0, "钱二": 3.0, "孙三": 0.0}
    qtbot.waitUntil(lambda: screen.training_model.rowCount() == 1, timeout=5000)
    model = screen.training_model
    assert model.data(model.index(0, 1)) == "民法典婚姻家庭编"
    assert model.data(model.index(0, 6)) == "2人"
    # the roster shows this year's hours against the target
    roster = screen.roster_model
    qtbot.waitUntil(lambda: roster.data(roster.index(0, HOURS_COLUMN)) == "3", timeout=5000)
    assert roster_names(host) == ["赵一", "钱二", "孙三"]
    assert roster.data(roster.index(0, TARGET_COLUMN)) == "未达标（差9学时）"
    assert roster.data(roster.index(2, TARGET_COLUMN)) == "未达标（差12学时）"
    assert "12学时" in screen.target_label.text()

    # correct the attendance: 钱二 did not come, 孙三 did
    centre = screen.training_view.visualRect(model.index(0, 0)).center()
    viewport = screen.training_view.viewport()
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=centre)
    qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=centre)
    assert screen.page == "training"
    qtbot.waitUntil(lambda: form.topic.text() == "民法典婚姻家庭编", timeout=5000)
    assert "已勾选 2 人" in form.count_label.text()
    for name in ("钱二", "孙三"):
        item = form.item_for(name)
        assert isinstance(item, QListWidgetItem)
        form.people.setFocus()
        form.people.setCurrentItem(item)
        qtbot.keyClick(form.people, Qt.Key.Key_Space)
    press(qtbot, form.people, "Ctrl+S")
    qtbot.waitUntil(lambda: hours_of(tasks, year)["孙三"] == 3.0, timeout=5000)
    assert hours_of(tasks, year) == {"赵一": 3.0, "钱二": 0.0, "孙三": 3.0}


def test_only_short_filter_and_year(
    qtbot: QtBot, host: Host, tasks: TaskManager, ctx: AppContext, people: dict[str, str]
) -> None:
    def train(store: Store) -> None:
        UnderstanderService(store).add_training(
            ctx.user.id,
            TrainingInput(
                ctx.today(), "全年集中培训", "李所长", "offline", 12, attendee_ids=[people["赵一"]]
            ),
        )

    tasks.call(train)
    screen = host.screen
    screen.reload()
    qtbot.waitUntil(lambda: len(roster_names(host)) == 3, timeout=5000)
    with qtbot.waitSignal(screen.rosterLoaded, timeout=5000):
        qtbot.mouseClick(screen.only_short, Qt.MouseButton.LeftButton)
    assert roster_names(host) == ["钱二", "孙三"]
    assert "未达标 2 人" in screen.roster_summary.text()
    with qtbot.waitSignal(screen.rosterLoaded, timeout=5000):
        screen.year.setValue(ctx.today().year - 1)
    assert roster_names(host) == ["赵一", "钱二", "孙三"]  # nobody trained last year


# -- removal ----------------------------------------------------------------------------------
def test_remove_with_reason(
    qtbot: QtBot, host: Host, tasks: TaskManager, people: dict[str, str]
) -> None:
    screen = host.screen
    screen.reload_roster()
    qtbot.waitUntil(lambda: len(roster_names(host)) == 3, timeout=5000)
    row = roster_names(host).index("孙三")
    index = screen.roster_model.index(row, 0)
    qtbot.mouseClick(
        screen.roster_view.viewport(),
        Qt.MouseButton.LeftButton,
        pos=screen.roster_view.visualRect(index).center(),
    )
    assert screen.remove_button.isEnabled()
    qtbot.mouseClick(screen.remove_button, Qt.MouseButton.LeftButton)
    dialog = screen.removal_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.errors.message_for("removal_reason") == "请填写清退原因"
    type_text(qtbot, dialog.reason, "迁出本村")
    with qtbot.waitSignal(screen.rosterLoaded, timeout=5000):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    row_db = tasks.call(
        lambda s: s.query("SELECT * FROM understanders WHERE id = ?", (people["孙三"],))[0]
    )
    assert (row_db["status"], row_db["removal_reason"]) == ("removed", "迁出本村")
    qtbot.waitUntil(lambda: roster_names(host) == ["赵一", "钱二"], timeout=5000)
    # the status filter shows the removed person
    with qtbot.waitSignal(screen.rosterLoaded, timeout=5000):
        screen.status_filter.setFocus()
        qtbot.keyClick(screen.status_filter, Qt.Key.Key_Down)  # 已清退
    assert roster_names(host) == ["孙三"]
    model = screen.roster_model
    assert model.data(model.index(0, 7)) == "已清退"
    assert not screen.remove_button.isEnabled() or screen.current_understander_id() is None
    with qtbot.waitSignal(screen.rosterLoaded, timeout=5000):
        qtbot.keyClick(screen.status_filter, Qt.Key.Key_Down)  # 全部
    assert sorted(roster_names(host)) == sorted(["赵一", "钱二", "孙三"])


def test_filters_by_village_priority_and_name(
    qtbot: QtBot, host: Host, people: dict[str, str]
) -> None:
    screen = host.screen
    screen.reload_roster()
    qtbot.waitUntil(lambda: screen.village_filter.count() == 3, timeout=5000)
    with qtbot.waitSignal(screen.rosterLoaded, timeout=5000):
        screen.village_filter.setCurrentIndex(screen.village_filter.findData("西村"))
    assert roster_names(host) == ["孙三"]
    with qtbot.waitSignal(screen.rosterLoaded, timeout=5000):
        screen.village_filter.setCurrentIndex(0)
    with qtbot.waitSignal(screen.rosterLoaded, timeout=5000):
        screen.priority_filter.setCurrentIndex(screen.priority_filter.findData("mediator"))
    assert roster_names(host) == ["孙三"]
    with qtbot.waitSignal(screen.rosterLoaded, timeout=5000):
        screen.priority_filter.setCurrentIndex(0)
    with qtbot.waitSignal(screen.rosterLoaded, timeout=5000):
        type_text(qtbot, screen.name_filter, "钱")
    assert roster_names(host) == ["钱二"]


# -- models --------------------------------------------------------------------------------------
def test_models_pass_qtmodeltester(
    qtmodeltester: ModelTester, tasks: TaskManager, ctx: AppContext, people: dict[str, str]
) -> None:
    year = ctx.today().year
    tasks.call(
        lambda s: UnderstanderService(s).add_training(
            ctx.user.id,
            TrainingInput(
                ctx.today(), "培训", "张律师", "online", 2, attendee_ids=[people["赵一"]]
            ),
        )
    )
    roster = RosterModel(year)
    qtmodeltester.check(roster, force_py=True)
    data = tasks.call(lambda s: load_roster(s, ctx.tables, RosterQuery(year, status=None)))
    roster.set_data(year, data.rows)
    assert roster.rowCount() == 3 and roster.columnCount() == 8
    assert roster.headerData(HOURS_COLUMN, Qt.Orientation.Horizontal) == f"培训学时（{year}年）"
    assert roster.data(roster.index(0, 0), ID_ROLE) == people["赵一"]
    assert roster.data(roster.index(0, 3)) == "138****0001"
    qtmodeltester.check(roster, force_py=True)
    qtmodeltester.check(roster)
    trainings = TrainingListModel()
    trainings.set_rows(tasks.call(lambda s: load_trainings(s, year)).rows)
    assert trainings.rowCount() == 1
    qtmodeltester.check(trainings, force_py=True)
    qtmodeltester.check(trainings)


def test_reacts_to_records_changed_elsewhere(
    qtbot: QtBot, host: Host, tasks: TaskManager, ctx: AppContext
) -> None:
    add_people(tasks, ctx)
    assert roster_names(host) == []
    with qtbot.waitSignal(host.screen.rosterLoaded, timeout=5000):
        ctx.notify("understanders")
    assert roster_names(host) == ["赵一", "钱二", "孙三"]


def test_training_draft_keeps_the_ticks(
    qtbot: QtBot, ctx: AppContext, tasks: TaskManager, people: dict[str, str]
) -> None:
    host = open_host(qtbot, ctx)
    host.screen.tabs.setCurrentIndex(1)
    press(qtbot, host.screen.training_view, "Ctrl+N")
    form = host.screen.training_form
    qtbot.waitUntil(lambda: form.people.count() == 3, timeout=5000)
    type_text(qtbot, form.topic, "人民调解技巧")
    item = form.item_for("孙三")
    assert item is not None
    form.people.setFocus()
    form.people.setCurrentItem(item)
    qtbot.keyClick(form.people, Qt.Key.Key_Space)
    assert form.checked_ids() == [people["孙三"]]
    host.screen.flush_drafts()  # the program is closing
    qtbot.waitUntil(
        lambda: tasks.call(lambda s: s.scalar("SELECT count(*) FROM drafts")) == 1, timeout=5000
    )
    host.close()

    again = open_host(qtbot, ctx)
    again.screen.tabs.setCurrentIndex(1)
    press(qtbot, again.screen.training_view, "Ctrl+N")
    new_form = again.screen.training_form
    qtbot.waitUntil(lambda: new_form.topic.text() == "人民调解技巧", timeout=5000)
    assert new_form.checked_ids() == [people["孙三"]]
    assert "已勾选 1 人" in new_form.count_label.text()


def test_switching_user_keeps_the_draft_for_its_owner(
    qtbot: QtBot, host: Host, ctx: AppContext, tasks: TaskManager
) -> None:
    first = ctx.user
    press(qtbot, host.screen.roster_view, "Ctrl+N")
    type_text(qtbot, host.screen.form.name, "吴六")
    with qtbot.waitSignal(host.screen.rosterLoaded, timeout=5000):
        ctx.set_user(CurrentUser("someone-else", "值班员", first.role))
    assert host.screen.page == "roster"
    qtbot.waitUntil(
        lambda: (
            tasks.call(lambda s: s.query("SELECT user_id, draft_key FROM drafts"))
            == [{"user_id": first.id, "draft_key": "understander:new"}]
        ),
        timeout=5000,
    )
    # the other user's new form starts empty
    press(qtbot, host.screen.roster_view, "Ctrl+N")
    tasks.call(lambda s: None)  # the draft look-up has run …
    qtbot.wait(50)  # … and its answer has been delivered
    assert host.screen.form.name.text() == ""
    assert not host.screen.form.note.isVisibleTo(host.screen.form)

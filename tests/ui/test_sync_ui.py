"""The sync screens against a real city-server process (SQLite backend) on 127.0.0.1: login on
设置 → 同步, F5 pushing a case, progress and 取消, the conflicts and refused-changes dialogs,
the day-end attempt — with real widgets, offscreen."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa
from pytestqt.qtbot import QtBot
from sqlalchemy.engine import Engine

from justice_desktop.store import sync_state
from justice_desktop.store.cases import CaseService
from justice_desktop.store.database import Store, create_store
from justice_desktop.store.keys import MemoryVault
from justice_desktop.store.office import OfficeSetup, committees, set_up_office, users
from sync.client import service
from sync.client.engine import SyncReport
from sync.client.tokens import MemoryTokenStore
from sync.protocol import Role
from sync.server import accounts
from sync.server.config import unix_now
from sync.server.db import make_engine, records, sqlite_url
from tests.core.conftest import make_case_input
from tests.sync.conftest import PASSWORD, Account, random_address
from tests.sync.machines import new_machine
from tests.sync.server_process import ServerProcess, running_server
from tests.ui.conftest import MessageBoxCatcher
from ui.app import GuiSession
from ui.conflicts_dialog import ConflictsDialog, ResolveDialog
from ui.context import AppContext, load_context_data
from ui.main_window import MainWindow
from ui.parked_dialog import ParkedDialog
from ui.qt import QApplication, Qt, QTimer, QWidget
from ui.settings_screen import SettingsScreen
from ui.sync_controller import SyncController, SyncOutcome, day_end_due
from ui.tasks import TaskManager
from ui.user_switch import UserSwitchDialog

WAIT_MS = 30_000


@dataclass(frozen=True)
class City:
    server: ServerProcess
    engine: Engine


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Iterator[City]:
    url = sqlite_url(tmp_path_factory.mktemp("city-ui") / "city.sqlite3")
    with running_server(url, tmp_path_factory.mktemp("server-logs-ui")) as process:
        engine = make_engine(url)
        yield City(process, engine)
        engine.dispose()


@pytest.fixture
def clerk(city: City) -> Account:
    """A clerk of a new office (each test its own)."""
    tag = uuid.uuid4().hex[:10]
    office_id = accounts.create_office(city.engine, f"司法所-{tag}", f"区-{tag}", unix_now())
    username = f"clerk-{tag}"
    user_id = accounts.create_user(
        city.engine,
        username=username,
        role=Role.CLERK,
        password=PASSWORD,
        now=unix_now(),
        office=str(office_id),
    )
    return Account(user_id, username, Role.CLERK)


def new_store(folder: Path) -> Store:
    """A real (not demo) office database as the first-run wizard leaves it."""
    store, _recovery = create_store(folder, MemoryVault({}))
    set_up_office(store, OfficeSetup("城关司法所", "城关街道人民调解委员会", "津东城"))
    return store


def register_case(store: Store, **overrides: Any) -> str:
    values: dict[str, Any] = {"registered_on": date.today(), **overrides}
    user_id = users(store)[0]["id"]
    case_input = make_case_input(committees(store)[0]["id"], **values)
    return CaseService(store).register(user_id, case_input)


def http_session() -> requests.Session:
    """Each test's client has an address of its own (the server limits logins per address)."""
    session = requests.Session()
    session.headers["X-Forwarded-For"] = random_address()
    return session


@dataclass
class Desk:
    window: MainWindow
    ctx: AppContext
    tasks: TaskManager
    sync: SyncController
    tokens: MemoryTokenStore
    base_url: str
    threads: list[threading.Thread]

    def call(self, fn: Callable[[Store], Any]) -> Any:
        return self.tasks.call(fn)

    def settings(self) -> SettingsScreen:
        assert self.window.show_screen("settings")
        screen = self.window.screens["settings"]
        assert isinstance(screen, SettingsScreen)
        return screen


@pytest.fixture
def desk(qtbot: QtBot, tmp_path: Path, city: City) -> Iterator[Desk]:
    store = new_store(tmp_path / "desk")
    tasks = TaskManager(store)
    data = tasks.call(load_context_data)
    ctx = AppContext(tasks, data, data.users[0])
    tokens = MemoryTokenStore()
    controller = SyncController(tasks.second_connection, tokens, http_factory=http_session)
    threads: list[threading.Thread] = []
    original = controller.sync_function

    def watched(*args: Any, **kwargs: Any) -> SyncReport:
        threads.append(threading.current_thread())
        return original(*args, **kwargs)

    controller.sync_function = watched
    ctx.sync = controller
    window = MainWindow(ctx, start="home")
    qtbot.addWidget(window)
    window.attach_sync(controller)
    window.show()
    qtbot.waitExposed(window)
    yield Desk(window, ctx, tasks, controller, tokens, city.server.base_url, threads)
    controller.cancel()
    controller.wait()
    window.close()
    tasks.shutdown()


def click(qtbot: QtBot, widget: QWidget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def log_in(qtbot: QtBot, desk: Desk, account: Account) -> None:
    tab = desk.settings().sync_tab
    tab.url_edit.setText(desk.base_url)
    tab.user_edit.setText(account.username)
    tab.password_edit.setText(PASSWORD)
    click(qtbot, tab.login_button)
    qtbot.waitUntil(lambda: account.username in tab.account_label.text(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not desk.sync.busy, timeout=WAIT_MS)


def press_f5(qtbot: QtBot, desk: Desk) -> SyncOutcome:
    desk.window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is desk.window, timeout=5000)
    before = desk.sync.last_outcome
    with qtbot.waitSignal(desk.sync.finished, timeout=WAIT_MS):
        qtbot.keyClick(desk.window, Qt.Key.Key_F5)
    outcome = desk.sync.last_outcome
    assert outcome is not None and outcome is not before
    return outcome


def server_has(city: City, record_id: str) -> bool:
    with city.engine.connect() as conn:
        found = conn.execute(
            sa.select(records.c.record_id).where(records.c.record_id == record_id)
        ).first()
    return found is not None


# -- login ------------------------------------------------------------------------------------


def test_login_on_the_sync_settings_page(qtbot: QtBot, desk: Desk, clerk: Account) -> None:
    screen = desk.settings()
    tab = screen.sync_tab
    assert screen.tabs.tabText(screen.tabs.indexOf(tab)) == "同步"
    screen.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.loaded, timeout=5000)
    assert tab.account_label.text() == "未登录"
    assert tab.day_end_label.text().startswith(service.DEFAULT_DAY_END)

    click(qtbot, tab.login_button)  # nothing filled in
    assert tab.errors.message_for("url") == "请填写市局服务器的地址"

    tab.url_edit.setText("ftp://城关")
    tab.user_edit.setText(clerk.username)
    tab.password_edit.setText("wrong-password")
    click(qtbot, tab.login_button)
    assert "服务器地址不正确" in tab.errors.message_for("url")
    assert not desk.sync.busy  # refused before any network

    tab.url_edit.setText("http://127.0.0.1:9")  # nothing listens there
    click(qtbot, tab.login_button)
    qtbot.waitUntil(lambda: "无法连接" in tab.errors.message_for("url"), timeout=WAIT_MS)
    assert tab.url_edit.text() == "http://127.0.0.1:9"

    tab.url_edit.setText(desk.base_url)
    click(qtbot, tab.login_button)
    qtbot.waitUntil(lambda: bool(tab.errors.message_for("password")), timeout=WAIT_MS)
    assert tab.errors.message_for("password") == "用户名或密码不正确"
    assert (tab.url_edit.text(), tab.user_edit.text(), tab.password_edit.text()) == (
        desk.base_url,
        clerk.username,
        "wrong-password",
    )
    assert tab.account_label.text() == "未登录"

    tab.password_edit.setText(PASSWORD)
    click(qtbot, tab.login_button)
    qtbot.waitUntil(lambda: clerk.username in tab.account_label.text(), timeout=WAIT_MS)
    assert tab.password_edit.text() == ""  # not kept on screen after it worked
    assert "已登录" in tab.errors.banner_text
    assert tab.logout_button.isEnabled()
    status = desk.call(service.status)
    assert status.configured and status.username == clerk.username
    assert desk.tokens.entries  # the tokens went to the token store, not the database

    click(qtbot, tab.logout_button)
    qtbot.waitUntil(lambda: tab.account_label.text() == "未登录", timeout=WAIT_MS)
    assert not desk.tokens.entries
    assert not desk.call(service.status).configured


def test_f5_without_login_opens_the_sync_settings(
    qtbot: QtBot, desk: Desk, message_boxes: MessageBoxCatcher
) -> None:
    outcome = press_f5(qtbot, desk)
    assert outcome.needs_login
    assert desk.window.current_key == "settings"
    screen = desk.window.screens["settings"]
    assert isinstance(screen, SettingsScreen)
    assert screen.tabs.currentWidget() is screen.sync_tab
    assert "尚未设置市局服务器" in screen.sync_tab.errors.banner_text
    assert desk.window.statusBar().currentMessage().startswith("同步未完成：")
    assert message_boxes.seen == []


# -- sync ---------------------------------------------------------------------------------------


def test_f5_pushes_a_registered_case_off_the_gui_thread(
    qtbot: QtBot, desk: Desk, clerk: Account, city: City, message_boxes: MessageBoxCatcher
) -> None:
    log_in(qtbot, desk, clerk)
    case_id = desk.call(register_case)
    desk.ctx.notify("cases")
    qtbot.waitUntil(lambda: desk.window.pending_label.text() != "待同步 0 条", timeout=5000)
    outcome = press_f5(qtbot, desk)
    assert outcome.ok, outcome.message
    assert desk.threads and all(t is not threading.main_thread() for t in desk.threads)
    assert desk.window.statusBar().currentMessage().startswith("同步完成：上传 ")
    assert server_has(city, case_id)
    qtbot.waitUntil(lambda: desk.window.pending_label.text() == "待同步 0 条", timeout=5000)
    qtbot.waitUntil(lambda: desk.window.sync_label.text().startswith("上次同步 "), timeout=5000)
    assert not desk.window.sync_ui.bar.running_shown  # type: ignore[union-attr]
    assert desk.call(sync_state.pending_count) == 0
    assert message_boxes.seen == []


def test_progress_shows_and_cancel_keeps_what_is_left(
    qtbot: QtBot, desk: Desk, clerk: Account
) -> None:
    log_in(qtbot, desk, clerk)
    desk.call(lambda store: [register_case(store) for _ in range(12)])
    pending = desk.call(sync_state.pending_count)
    desk.sync.engine_options["push_batch"] = 5
    gate = threading.Event()
    inner = desk.sync.sync_function

    def held(*args: Any, progress: Callable[[Any], None], **kwargs: Any) -> SyncReport:
        def report(p: Any) -> None:
            progress(p)
            if p.phase.startswith("正在上传") and p.done > 0:
                gate.wait(WAIT_MS / 1000)  # the first batch is confirmed: wait for 取消

        return inner(*args, progress=report, **kwargs)

    desk.sync.sync_function = held
    bar = desk.window.sync_ui.bar  # type: ignore[union-attr]
    desk.window.activateWindow()
    qtbot.keyClick(desk.window, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: bar.running_shown, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: bar.progress.maximum() == pending, timeout=WAIT_MS)
    assert 0 < bar.progress.value() < pending  # determinate: the total is known
    assert bar.phase_label.text() == "正在上传本机的修改…"
    desk.window.syncRequested.emit()  # a second F5 while it runs starts nothing
    assert len(desk.threads) == 1
    with qtbot.waitSignal(desk.sync.finished, timeout=WAIT_MS):
        click(qtbot, bar.cancel_button)
        gate.set()
    outcome = desk.sync.last_outcome
    assert outcome is not None and outcome.cancelled
    assert desk.window.statusBar().currentMessage().startswith("同步已取消")
    assert not bar.running_shown
    left = desk.call(sync_state.pending_count)
    assert 0 < left < pending  # the confirmed batch stays sent, the rest waits
    outcome = press_f5(qtbot, desk)
    assert outcome.ok and desk.call(sync_state.pending_count) == 0


def test_a_conflict_is_listed_and_resolved_in_the_dialog(
    qtbot: QtBot, tmp_path: Path, desk: Desk, clerk: Account, message_boxes: MessageBoxCatcher
) -> None:
    log_in(qtbot, desk, clerk)
    case_id = desk.call(register_case)
    number = desk.call(lambda s: s.query("SELECT case_number FROM cases WHERE id = ?", (case_id,)))
    assert press_f5(qtbot, desk).ok  # this machine founds the office's data
    other = new_machine(tmp_path, "other", desk.base_url, clerk)
    try:
        assert other.sync().joined
        other.update("cases", case_id, {"summary": "另一台电脑的说法"})
        pulled_id = other.register_case()
        other.sync()
        user = desk.ctx.user.id

        def edit(store: Store) -> None:
            with store.tx(user) as tx:
                tx.update("cases", case_id, {"summary": "本机的说法"})

        desk.call(edit)
        with qtbot.waitSignal(
            desk.ctx.recordsChanged, timeout=WAIT_MS, check_params_cb=lambda k: k == "cases"
        ):  # the screens are told: the case list shows the pulled case
            outcome = press_f5(qtbot, desk)
        assert desk.call(lambda s: sync_state.record_row(s, "cases", pulled_id)) is not None
        assert outcome.ok and outcome.report is not None and outcome.report.conflicts == 1
        bar = desk.window.sync_ui.bar  # type: ignore[union-attr]
        qtbot.waitUntil(lambda: bar.conflicts_link.text() == "冲突 1 处", timeout=5000)
        assert bar.conflicts_link.isVisible()
        click(qtbot, bar.conflicts_link)
        dialog = next(w for w in desk.window.findChildren(ConflictsDialog) if w.isVisible())
        qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=5000)
        texts = [dialog.table.item(0, c).text() for c in range(dialog.table.columnCount())]
        assert texts[:3] == ["调解案件", number[0]["case_number"], "纠纷简要情况"]
        assert {texts[3], texts[4]} == {"本机的说法", "另一台电脑的说法"}
        click(qtbot, dialog.resolve_button)
        resolve = dialog.resolve_dialog
        assert isinstance(resolve, ResolveDialog) and resolve.isVisible()
        assert resolve.findChild(QWidget, "conflict_base") is not None
        resolve.choose("own", "双方确认的说法")
        with qtbot.waitSignal(dialog.changed, timeout=WAIT_MS):
            click(qtbot, resolve.findChild(QWidget, "resolveOk"))
        assert threading.main_thread() not in desk.threads
        qtbot.waitUntil(lambda: dialog.table.rowCount() == 0, timeout=5000)
        assert dialog.status_label.text().startswith("已处理：调解案件")
        row = desk.call(lambda s: sync_state.record_row(s, "cases", case_id))
        assert row is not None and row["summary"] == "双方确认的说法"
        qtbot.waitUntil(lambda: not bar.conflicts_link.isVisible(), timeout=5000)
        dialog.accept()
        other.sync()
        assert other.row("cases", case_id)["summary"] == "双方确认的说法"
    finally:
        other.close()
    assert message_boxes.seen == []


def test_a_new_pc_joins_the_office_data_and_asks_who_is_working(
    qtbot: QtBot, tmp_path: Path, desk: Desk, clerk: Account, message_boxes: MessageBoxCatcher
) -> None:
    founder = new_machine(tmp_path, "founder", desk.base_url, clerk)
    try:
        case_id = founder.register_case()
        founder.sync()
        office_users = {str(u["id"]) for u in users(founder.store)}
    finally:
        founder.close()
    local_user = desk.ctx.user.id
    assert local_user not in office_users
    log_in(qtbot, desk, clerk)
    chosen: list[str] = []

    def answer_the_question() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, UserSwitchDialog) and widget.isVisible():
                user = widget.selected_user()
                chosen.append(user.id if user is not None else "")
                widget.accept_choice()

    answerer = QTimer()
    answerer.timeout.connect(answer_the_question)
    answerer.start(20)
    try:
        outcome = press_f5(qtbot, desk)
        assert outcome.report is not None and outcome.report.joined
        qtbot.waitUntil(lambda: bool(chosen), timeout=WAIT_MS)
    finally:
        answerer.stop()
    assert any("已加入本所" in text for text in message_boxes.texts())
    assert desk.ctx.user.id in office_users and desk.ctx.user.id == chosen[0]
    assert {u.id for u in desk.ctx.users} == office_users
    assert desk.window.statusBar().currentMessage().startswith("同步完成：已加入本所数据")
    assert desk.call(lambda s: sync_state.record_row(s, "cases", case_id)) is not None


def test_parked_changes_are_listed_and_sent_again(qtbot: QtBot, desk: Desk, clerk: Account) -> None:
    log_in(qtbot, desk, clerk)
    case_id = desk.call(register_case)
    assert press_f5(qtbot, desk).ok

    def refused_change(store: Store) -> None:
        # A change the server cannot take (a field it does not know: a newer program's column).
        store.conn.execute(
            "INSERT INTO outbox (table_name, record_id, version, op, changes, created_at, "
            "created_by) VALUES ('cases', ?, 9, 'update', '{\"future_field\": [null, 1]}', "
            "'2026-01-01', 'u')",
            (case_id,),
        )

    desk.call(refused_change)
    outcome = press_f5(qtbot, desk)
    assert outcome.report is not None and outcome.report.parked == 1
    assert "1 条被服务器拒收" in desk.window.statusBar().currentMessage()
    bar = desk.window.sync_ui.bar  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: bar.parked_link.text() == "被拒收 1 条", timeout=5000)
    click(qtbot, bar.parked_link)
    dialog = next(w for w in desk.window.findChildren(ParkedDialog) if w.isVisible())
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=5000)
    assert dialog.table.item(0, 0).text() == "调解案件"
    assert dialog.table.item(0, 2).text() == "修改"
    assert "future_field" in dialog.table.item(0, 3).text()
    click(qtbot, dialog.resend_button)  # nothing selected yet
    assert dialog.status_label.text() == "请先选择要重新发送的修改。"
    dialog.table.selectRow(0)
    with qtbot.waitSignal(dialog.loaded, timeout=5000):
        click(qtbot, dialog.resend_button)
    assert dialog.table.rowCount() == 0
    assert desk.call(sync_state.parked_count) == 0
    assert desk.call(sync_state.pending_count) == 1
    qtbot.waitUntil(lambda: not bar.parked_link.isVisible(), timeout=5000)
    qtbot.waitUntil(lambda: desk.window.pending_label.text() == "待同步 1 条", timeout=5000)
    dialog.accept()


# -- the day-end attempt ------------------------------------------------------------------------


def test_day_end_is_due_once_a_day_at_or_after_the_time() -> None:
    today = date(2026, 3, 2)
    assert not day_end_due(datetime(2026, 3, 2, 17, 29), "17:30", None)
    assert day_end_due(datetime(2026, 3, 2, 17, 30), "17:30", None)
    assert day_end_due(datetime(2026, 3, 2, 23, 5), "17:30", date(2026, 3, 1))
    assert not day_end_due(datetime(2026, 3, 2, 23, 5), "17:30", today)
    assert day_end_due(datetime(2026, 3, 2, 9, 0), "08:45", None)


def test_the_window_syncs_quietly_at_day_end(
    qtbot: QtBot,
    tmp_path: Path,
    city: City,
    clerk: Account,
    message_boxes: MessageBoxCatcher,
) -> None:
    store = new_store(tmp_path / "desk")
    tokens = MemoryTokenStore()
    service.log_in(store, city.server.base_url, clerk.username, PASSWORD, tokens, http_session())
    case_id = register_case(store)
    tasks = TaskManager(store)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    now = [datetime.combine(date.today(), datetime.min.time()).replace(hour=12)]
    session = GuiSession(app, tasks, token_store=tokens, clock=lambda: now[0])
    session.maintenance_delay_ms = 60 * 60 * 1000  # not part of this test
    session.show_main_window()
    try:
        assert session.sync is not None and session.window is not None
        assert session.day_end_timer is not None and session.day_end_timer.isActive()
        session.check_day_end()  # noon: not yet
        tasks.call(lambda _s: None)
        qtbot.wait(50)
        assert not session.sync.busy and session.sync.last_outcome is None
        now[0] = now[0].replace(hour=17, minute=45)
        with qtbot.waitSignal(session.sync.finished, timeout=WAIT_MS):
            session.check_day_end()
        outcome = session.sync.last_outcome
        assert outcome is not None and outcome.quiet and outcome.ok, outcome
        assert server_has(city, case_id)
        assert session.day_end_attempted == now[0].date()
        session.check_day_end()  # once a day
        tasks.call(lambda _s: None)
        qtbot.wait(50)
        assert not session.sync.busy and session.sync.last_outcome is outcome
        assert message_boxes.seen == []
    finally:
        session.close()
        tasks.shutdown()


def test_warnings_are_shown_once(
    desk: Desk, message_boxes: MessageBoxCatcher, qtbot: QtBot
) -> None:
    warning = "本机时钟与市局服务器相差约 12 分钟，请校准本机时间"
    for _ in range(2):
        desk.sync.finished.emit(SyncOutcome(report=SyncReport(pulled=0, warnings=[warning])))
    qtbot.waitUntil(lambda: bool(message_boxes.seen), timeout=5000)
    qtbot.wait(100)
    assert message_boxes.texts() == [warning]
    assert desk.window.statusBar().currentMessage() == "同步完成：上传 0 条，下载 0 条"
    # the quiet day-end attempt puts a new warning in the status bar, no box
    other = "有一个附件下载后校验不符，下次同步时重新下载"
    desk.sync.finished.emit(SyncOutcome(report=SyncReport(warnings=[other]), quiet=True))
    assert desk.window.statusBar().currentMessage().endswith(other)
    qtbot.wait(100)
    assert message_boxes.texts() == [warning]

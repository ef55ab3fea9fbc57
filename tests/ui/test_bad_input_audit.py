"""Bad input, driven through the real widgets on a real encrypted office database: wrong ID
numbers, over-long text, dates out of order, absurd amounts, a server address that is not
one, a server that answers with HTML or garbage. Each case checks the Chinese message at the
field, that what was typed is still there, and that nothing invalid reached the database."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests
from pytestqt.qtbot import QtBot

import ui.case_editor as case_editor_module
from justice_desktop.domain.case_inputs import (
    AgreementInput,
    FollowUpInput,
    validate_registration,
)
from justice_desktop.domain.understanders import TrainingInput, UnderstanderInput
from justice_desktop.pdf.api import check_printable
from justice_desktop.store.cases import CaseService
from justice_desktop.store.database import Store
from justice_desktop.store.local_state import load_draft
from justice_desktop.store.office import add_user, committees, users
from justice_desktop.store.understanders import UnderstanderService
from justice_desktop.validation import ValidationError
from sync.client import service
from sync.client.tokens import MemoryTokenStore
from tests.core.conftest import make_case_input
from tests.ui.test_case_editor import fill
from tests.ui.test_consultations_screen import add_consultation
from tests.ui.test_consultations_screen import consultations as consultation_rows
from tests.ui.test_consultations_screen import open_screen as open_consultations
from tests.ui.test_first_run import MemoryCreator
from tests.ui.test_settings_screen import Answerer
from tests.ui.test_understanders_screen import open_host, press
from ui.adviser_logs_screen import AdviserLogsScreen
from ui.case_editor import CaseEditor
from ui.consultations_screen import ConsultationsScreen
from ui.context import AppContext
from ui.first_run import FirstRunWizard
from ui.forms import qdate, set_combo_value
from ui.qt import Qt, QWidget, QWizard
from ui.settings_screen import SettingsScreen
from ui.sync_controller import SyncController
from ui.sync_settings import NOT_THE_SYNC_SERVER, SyncTab
from ui.tasks import TaskManager
from ui.understanders_screen import RemovalDialog

WAIT_MS = 20_000


def click(qtbot: QtBot, widget: QWidget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


# -- a server that answers badly ------------------------------------------------------------------
class _Answer(BaseHTTPRequestHandler):
    status = 200
    content_type = "text/html; charset=utf-8"
    body = b""

    def _reply(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.send_response(self.status)
        self.send_header("Content-Type", self.content_type)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    do_GET = _reply
    do_POST = _reply

    def log_message(self, format: str, *args: Any) -> None:
        return


def _serve(status: int, content_type: str, body: bytes) -> Iterator[str]:
    handler = type(
        "Handler", (_Answer,), {"status": status, "content_type": content_type, "body": body}
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def sync_tab(qtbot: QtBot, ctx: AppContext) -> Iterator[SyncTab]:
    controller = SyncController(
        ctx.tasks.second_connection, MemoryTokenStore(), http_factory=requests.Session
    )
    ctx.sync = controller
    tab = SyncTab(ctx)
    qtbot.addWidget(tab)
    tab.show()
    tab.refresh()
    qtbot.waitUntil(lambda: tab.loaded, timeout=5000)
    yield tab
    controller.cancel()
    controller.wait()


def _log_in(qtbot: QtBot, tab: SyncTab, url: str) -> None:
    tab.url_edit.setText(url)
    tab.user_edit.setText("clerk")
    tab.password_edit.setText("secret-pass")
    click(qtbot, tab.login_button)


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("https://[::1", "主机名有误"),  # raised ValueError out of the slot
        ("http://", "主机名有误"),  # was sent to "https://http:"
        ("abc def", "不能有空格"),
        ("sfj.example.gov.cn:abc", "端口"),
        ("https://sfj.example.gov.cn:99999", "端口"),
        ("https://clerk:secret@sfj.example.gov.cn", "用户名或密码"),
    ],
)
def test_a_server_address_that_is_not_one_is_refused_at_the_field(
    qtbot: QtBot, sync_tab: SyncTab, url: str, why: str
) -> None:
    _log_in(qtbot, sync_tab, url)
    assert sync_tab.ctx.sync is not None and not sync_tab.ctx.sync.busy  # no network at all
    message = sync_tab.errors.message_for("url")
    assert message.startswith("服务器地址不正确") and why in message
    assert (sync_tab.url_edit.text(), sync_tab.user_edit.text(), sync_tab.password_edit.text()) == (
        url,
        "clerk",
        "secret-pass",
    )
    assert sync_tab.ctx.tasks.call(service.status).server_url == ""


def test_an_address_typed_with_full_width_punctuation_is_read_as_meant(
    qtbot: QtBot, sync_tab: SyncTab
) -> None:
    for url in _serve(200, "text/html; charset=utf-8", b"<html></html>"):
        port = url.rsplit(":", 1)[1]
        typed = f"http：／／127。0。0。1：{port}／"
        _log_in(qtbot, sync_tab, typed)
        qtbot.waitUntil(lambda: "正在登录" not in sync_tab.errors.banner_text, timeout=WAIT_MS)
        # it passed the address check and reached that server (which is not a sync server)
        assert sync_tab.errors.message_for("url") == NOT_THE_SYNC_SERVER
        assert sync_tab.url_edit.text() == typed


@pytest.mark.parametrize(
    ("status", "ctype", "body"),
    [
        # a web site's page at that address (the bureau's portal instead of its sync server)
        (200, "text/html; charset=utf-8", "<html><body>市司法局门户网站</body></html>".encode()),
        (200, "application/json", b"{not json"),
        (200, "application/json", b"[1, 2, 3]"),
        (200, "application/json", b'{"username": 5}'),
        (200, "application/octet-stream", bytes(range(256))),
    ],
)
def test_an_answer_that_is_not_the_sync_servers_points_at_the_address(
    qtbot: QtBot, sync_tab: SyncTab, status: int, ctype: str, body: bytes
) -> None:
    for url in _serve(status, ctype, body):
        _log_in(qtbot, sync_tab, url)
        qtbot.waitUntil(lambda: sync_tab.errors.message_for("url") != "", timeout=WAIT_MS)
        # was only "市局服务器的答复无法识别，请稍后再试" at the bottom of the page
        assert "请核对服务器地址" in sync_tab.errors.message_for("url")
        assert (sync_tab.url_edit.text(), sync_tab.password_edit.text()) == (url, "secret-pass")
        assert sync_tab.account_label.text() == "未登录"
        assert sync_tab.ctx.tasks.call(service.status).server_url == ""


def test_a_server_error_page_says_try_later(qtbot: QtBot, sync_tab: SyncTab) -> None:
    for url in _serve(502, "text/html", b"<html>Bad Gateway</html>"):
        _log_in(qtbot, sync_tab, url)
        qtbot.waitUntil(lambda: "HTTP 502" in sync_tab.errors.banner_text, timeout=WAIT_MS)
        assert "稍后再试" in sync_tab.errors.banner_text
        assert sync_tab.password_edit.text() == "secret-pass"
        assert sync_tab.account_label.text() == "未登录"


# -- the case editor -----------------------------------------------------------------------------


def db(ctx: AppContext, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    return ctx.tasks.call(lambda store: store.query(sql, params))  # type: ignore[no-any-return]


REGISTERED_AGO = 20
AGREED_AGO = 10
VISITED_AGO = 5


def case_at(ctx: AppContext, stage: str) -> str:
    """A case registered 20 days ago and taken to ``stage`` (registered, agreed, visited,
    closed) through the core service."""
    today = ctx.today()

    def make(store: Store) -> str:
        svc = CaseService(store, ctx.tables)
        uid = users(store)[0]["id"]
        cid = svc.register(
            uid,
            make_case_input(
                committees(store)[0]["id"], registered_on=today - timedelta(REGISTERED_AGO)
            ),
        )
        if stage == "registered":
            return cid
        svc.record_agreement(
            uid,
            cid,
            AgreementInput(
                form="written",
                effective_on=today - timedelta(AGREED_AGO),
                facts="排水沟占地。",
                terms=["李四拆除排水沟"],
                performance_manner="自行拆除",
                performance_place="现场",
                performance_deadline=today - timedelta(AGREED_AGO - 3),
            ),
        )
        if stage == "agreed":
            return cid
        svc.record_follow_up(
            uid,
            cid,
            FollowUpInput(
                done_on=today - timedelta(VISITED_AGO), visitor="王调解", performance="performed"
            ),
        )
        if stage == "visited":
            return cid
        svc.close_case(uid, cid, today - timedelta(VISITED_AGO - 1), "")
        return cid

    return ctx.tasks.call(make)  # type: ignore[no-any-return]


@pytest.fixture
def editor(qtbot: QtBot, ctx: AppContext) -> Iterator[CaseEditor]:
    widget = CaseEditor(ctx)
    qtbot.addWidget(widget)
    widget.resize(1200, 900)
    widget.show()
    yield widget


def open_case(qtbot: QtBot, editor: CaseEditor, case_id: str) -> None:
    with qtbot.waitSignal(editor.loaded, timeout=5000):
        editor.open_case(case_id)


def refused(qtbot: QtBot, editor: CaseEditor, name: str, field: str) -> str:
    """Submit stage form ``name``; wait for the refusal; return the message under ``field``."""
    form = editor.stage_forms[name]
    assert form.isEnabled()
    form.submit.click()
    qtbot.waitUntil(lambda: form.errors.banner_text != "", timeout=5000)
    return form.errors.message_for(field)


def case_row(ctx: AppContext, case_id: str) -> dict[str, Any]:
    return db(ctx, "SELECT * FROM cases WHERE id = ?", (case_id,))[0]


def test_closing_before_the_follow_up_is_refused(
    qtbot: QtBot, editor: CaseEditor, ctx: AppContext
) -> None:
    case_id = case_at(ctx, "visited")
    open_case(qtbot, editor, case_id)
    form = editor.close_form
    form.fields["closed_on"].setDate(qdate(ctx.today() - timedelta(VISITED_AGO + 2)))  # type: ignore[attr-defined]
    message = refused(qtbot, editor, "close", "closed_on")
    assert "结案日期" in message and "回访日期" in message
    form.fields["closed_on"].setDate(qdate(ctx.today() - timedelta(REGISTERED_AGO + 5)))  # type: ignore[attr-defined]
    assert "受理日期" in refused(qtbot, editor, "close", "closed_on")
    assert case_row(ctx, case_id)["status"] == "succeeded"


def test_archiving_before_closing_is_refused(
    qtbot: QtBot, editor: CaseEditor, ctx: AppContext
) -> None:
    case_id = case_at(ctx, "closed")
    open_case(qtbot, editor, case_id)
    form = editor.archive_form
    fill(form.fields["volume_no"], "2026-调-001")
    fill(form.fields["retention_period"], "years_10")
    form.fields["archived_on"].setDate(qdate(ctx.today() - timedelta(REGISTERED_AGO + 5)))  # type: ignore[attr-defined]
    message = refused(qtbot, editor, "archive", "archived_on")
    assert "归档日期" in message and "结案日期" in message
    assert case_row(ctx, case_id)["status"] == "closed"


def test_over_long_volume_number_is_refused(
    qtbot: QtBot, editor: CaseEditor, ctx: AppContext
) -> None:
    case_id = case_at(ctx, "closed")
    open_case(qtbot, editor, case_id)
    form = editor.archive_form
    long = "卷" * 200
    fill(form.fields["volume_no"], long)
    fill(form.fields["retention_period"], "years_10")
    message = refused(qtbot, editor, "archive", "volume_no")
    assert "不能超过" in message
    assert form.fields["volume_no"].text() == long  # type: ignore[attr-defined]
    assert case_row(ctx, case_id)["status"] == "closed"


def test_over_long_closing_note_is_shown_at_its_field(
    qtbot: QtBot, editor: CaseEditor, ctx: AppContext
) -> None:
    case_id = case_at(ctx, "visited")
    open_case(qtbot, editor, case_id)
    form = editor.close_form
    long = "说" * 5001
    fill(form.fields["note"], long)
    message = refused(qtbot, editor, "close", "note")
    assert "5000" in message
    assert form.fields["note"].text() == long  # type: ignore[attr-defined]


def test_failure_dated_before_registration_is_shown_at_its_field(
    qtbot: QtBot, editor: CaseEditor, ctx: AppContext
) -> None:
    case_id = case_at(ctx, "registered")
    open_case(qtbot, editor, case_id)
    form = editor.failure
    form.fields["on"].setDate(qdate(ctx.today() - timedelta(REGISTERED_AGO + 1)))  # type: ignore[attr-defined]
    fill(form.fields["failure_reason"], "双方分歧过大")
    form.routes[next(iter(form.routes))].setChecked(True)
    message = refused(qtbot, editor, "failure", "on")
    assert "受理日期" in message
    assert case_row(ctx, case_id)["status"] == "registered"


def test_extension_without_both_consents_is_shown_at_the_consent_boxes(
    qtbot: QtBot, editor: CaseEditor, ctx: AppContext
) -> None:
    case_id = case_at(ctx, "registered")
    open_case(qtbot, editor, case_id)
    form = editor.extension
    due = ctx.today() + timedelta(40)
    form.fields["new_due_on"].setDate(qdate(due))  # type: ignore[attr-defined]
    fill(form.fields["applicant_consent"], True)
    fill(form.fields["consent_record"], "申请人口头同意")
    message = refused(qtbot, editor, "extension", "applicant_consent")
    assert "被申请人" in message and "同意" in message
    assert form.fields["consent_record"].text() == "申请人口头同意"  # type: ignore[attr-defined]
    assert db(ctx, "SELECT count(*) AS n FROM extensions WHERE case_id = ?", (case_id,)) == [
        {"n": 0}
    ]


# -- 法律明白人 ----------------------------------------------------------------------------------
def test_roster_filing_date_before_the_appointment_is_refused(
    qtbot: QtBot, ctx: AppContext, tasks: TaskManager
) -> None:
    host = open_host(qtbot, ctx)
    form = host.screen.form
    press(qtbot, host.screen.roster_view, "Ctrl+N")
    form.name.setText("李四")
    form.village.setText("东村")
    form.nomination_route.setCurrentIndex(1)
    form.appointed_on.setText("2025-06-01")
    form.filed_on.setText("2025年1月1日")
    host.screen.save()
    message = form.errors.message_for("filed_on")
    assert "备案日期" in message and "聘任日期" in message
    assert (form.appointed_on.text(), form.filed_on.text()) == ("2025-06-01", "2025年1月1日")
    assert tasks.call(lambda s: s.scalar("SELECT count(*) FROM understanders")) == 0


def test_removal_dated_before_the_appointment_is_refused(
    qtbot: QtBot, ctx: AppContext, tasks: TaskManager
) -> None:
    def add(store: Store) -> str:
        person = UnderstanderInput("赵一", "东村", "committee", appointed_on=ctx.today())
        return UnderstanderService(store).add(ctx.user.id, person)

    uid = tasks.call(add)
    dialog = RemovalDialog(ctx, uid, "赵一")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.reason.setPlainText("迁出本村")
    dialog.removed_on.setDate(qdate(ctx.today() - timedelta(30)))
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.errors.message_for("removed_on") != "", timeout=5000)
    assert "聘任日期" in dialog.errors.message_for("removed_on")
    assert dialog.reason.toPlainText() == "迁出本村"
    row = tasks.call(lambda s: s.query("SELECT status FROM understanders WHERE id = ?", (uid,)))
    assert row[0]["status"] == "active"


# -- 设置 ----------------------------------------------------------------------------------------
@pytest.fixture
def settings(qtbot: QtBot, ctx: AppContext) -> Iterator[SettingsScreen]:
    widget = SettingsScreen(ctx)
    qtbot.addWidget(widget)
    widget.show()
    widget.activate()
    qtbot.waitUntil(lambda: widget.loaded, timeout=10000)
    yield widget


@pytest.mark.parametrize(
    ("prefix", "why"),
    [
        ("津东城人调字", "人调字"),  # printed as （2025）津东城人调字人调字第1号
        ("（2025）津东", "括号"),
        ("津 东", "空格"),
    ],
)
def test_case_number_prefix_that_would_print_wrongly_is_refused(
    qtbot: QtBot, settings: SettingsScreen, tasks: TaskManager, prefix: str, why: str
) -> None:
    tab = settings.office_tab
    tab.name_edit.setText("东村人民调解委员会")
    tab.prefix_edit.setText(prefix)
    set_combo_value(tab.body_combo, "village")
    before = tasks.call(committees)
    click(qtbot, tab.add_button)
    qtbot.waitUntil(lambda: tab.errors.message_for("number_prefix") != "", timeout=10000)
    assert why in tab.errors.message_for("number_prefix")
    assert (tab.name_edit.text(), tab.prefix_edit.text()) == ("东村人民调解委员会", prefix)
    assert tasks.call(committees) == before


@pytest.mark.parametrize(
    ("damage", "why"),
    [
        ("empty", "已损坏或不完整"),  # was restored: the office's data replaced by an empty file
        ("cut_short", "已损坏或不完整"),  # said the *database* was damaged, "没有找到备份"
        ("damaged_page", "已损坏或不完整"),  # dumped pages of SQLite's English findings
        ("not_a_backup", "不是本所数据库的备份"),  # said the database key was wrong
    ],
)
def test_a_broken_backup_file_is_refused_with_a_short_chinese_message(
    qtbot: QtBot, settings: SettingsScreen, tasks: TaskManager, damage: str, why: str
) -> None:
    tab = settings.backup_tab
    settings.tabs.setCurrentWidget(tab)
    click(qtbot, tab.backup_button)
    qtbot.waitUntil(lambda: tab.table.rowCount() == 1, timeout=20000)
    data_dir: Path = tasks.call(lambda s: s.data_dir)
    path = sorted((data_dir / "backups").glob("justice-*.db"))[-1]
    data = path.read_bytes()
    broken = {
        "empty": b"",
        "cut_short": data[: len(data) // 3],
        "damaged_page": data[:8192] + bytes(4096) + data[8192 + 4096 :],
        "not_a_backup": "<html><body>备份</body></html>".encode() * 200,
    }[damage]
    path.write_bytes(broken)
    user_id = settings.ctx.user.id
    tasks.call(lambda s: add_user(s, user_id, "备份后新增", "clerk"))
    answers = Answerer("恢复")
    try:
        tab.table.selectRow(0)
        click(qtbot, tab.restore_button)
        qtbot.waitUntil(lambda: len(answers.seen) == 2, timeout=20000)
    finally:
        answers.stop()
    message = answers.seen[1]
    assert why in message and path.name in message
    assert len(message) < 120 and "Tree" not in message and "malformed" not in message
    assert not tab.restored
    assert tab.status.text() == "没有恢复，当前数据库未作改动。"
    assert any(u["name"] == "备份后新增" for u in tasks.call(users))  # the database is as it was
    assert not list(data_dir.glob("justice.db.replaced-*"))


# -- 法律咨询 → 转调解 --------------------------------------------------------------------------
def test_referral_mediators_typed_with_the_chinese_list_comma_are_two_people(
    qtbot: QtBot, ctx: AppContext, tasks: TaskManager
) -> None:
    add_consultation(tasks, ctx)
    screen = open_consultations(qtbot, ctx)
    qtbot.waitUntil(lambda: screen.model.rowCount() == 1, timeout=5000)
    screen.table.selectRow(0)
    click(qtbot, screen.refer_button)
    qtbot.waitUntil(lambda: screen.referral_dialog is not None, timeout=5000)
    dialog = screen.referral_dialog
    assert dialog is not None
    dialog.mediator_edit.setText("李明、王芳")  # as the registration form accepts them
    dialog.dispute_combo.set_code("neighbourhood")
    dialog.respondent_edit.setText("褚八")
    with qtbot.waitSignal(screen.caseOpened, timeout=5000) as opened:
        click(qtbot, dialog.ok_button)
    rows = db(
        ctx,
        "SELECT name FROM case_mediators WHERE case_id = ? ORDER BY lead DESC, name",
        (opened.args[0],),
    )
    assert sorted(r["name"] for r in rows) == ["李明", "王芳"]


# -- nothing typed is lost -------------------------------------------------------------------------
def test_saving_one_stage_form_keeps_what_is_typed_in_the_others(
    qtbot: QtBot, editor: CaseEditor, ctx: AppContext, tmp_path: Path
) -> None:
    case_id = case_at(ctx, "registered")
    open_case(qtbot, editor, case_id)
    record = editor.session.fields["record"]
    fill(record, "第二次调解：双方各让一步，尚未写完")
    fill(editor.registration.village, "东村")
    investigation = editor.investigation
    fill(investigation.fields["subject"], "李四")
    fill(investigation.fields["investigator"], "王调解")
    fill(investigation.fields["qa"], "问：何时发现？\n答：上周。")
    with qtbot.waitSignal(editor.loaded, timeout=5000):
        investigation.submit.click()
    assert db(ctx, "SELECT subject FROM investigations WHERE case_id = ?", (case_id,)) == [
        {"subject": "李四"}
    ]
    assert investigation.fields["subject"].text() == ""  # type: ignore[attr-defined]  # saved: emptied
    # was: every other form emptied and the case's draft deleted
    assert record.toPlainText() == "第二次调解：双方各让一步，尚未写完"  # type: ignore[attr-defined]
    assert editor.registration.village.text() == "东村"
    assert editor.dirty
    user_id = ctx.user.id

    def draft_record() -> object:
        draft = ctx.tasks.call(lambda s: load_draft(s, user_id, f"case:{case_id}"))
        return None if draft is None else draft.payload["forms"]["session"]["record"]

    qtbot.waitUntil(lambda: draft_record() == "第二次调解：双方各让一步，尚未写完", timeout=5000)

    # adding an attachment meanwhile keeps it too
    scan = tmp_path / "调解笔录.pdf"
    scan.write_bytes(b"%PDF-1.4\n%scan\n")
    with qtbot.waitSignal(editor.loaded, timeout=5000):
        editor.add_attachment_file(scan)
    assert record.toPlainText() == "第二次调解：双方各让一步，尚未写完"  # type: ignore[attr-defined]
    assert editor.registration.village.text() == "东村"


def test_registration_date_moved_after_a_recorded_session_is_refused(
    qtbot: QtBot, editor: CaseEditor, ctx: AppContext
) -> None:
    today = ctx.today()
    case_id = case_at(ctx, "registered")
    open_case(qtbot, editor, case_id)
    session = editor.session
    session.fields["held_at"].setDate(qdate(today - timedelta(15)))  # type: ignore[attr-defined]
    fill(session.fields["mediators"], "王调解")
    fill(session.fields["record"], "双方陈述")
    with qtbot.waitSignal(editor.loaded, timeout=5000):
        session.submit.click()
    reg = editor.registration
    registered = reg.registered_on.date()
    reg.registered_on.setDate(qdate(today - timedelta(3)))
    reg.village.setFocus()  # Ctrl+S saves the form the cursor is in
    assert editor.save()
    qtbot.waitUntil(lambda: reg.errors.message_for("registered_on") != "", timeout=5000)
    message = reg.errors.message_for("registered_on")
    assert "受理日期" in message and "调解日期" in message
    assert reg.registered_on.date() == qdate(today - timedelta(3))  # kept as typed
    assert case_row(ctx, case_id)["registered_on"] == registered.toString("yyyy-MM-dd")


def test_an_id_number_typed_in_groups_is_not_judged_before_it_is_complete(
    qtbot: QtBot, editor: CaseEditor
) -> None:
    editor.new_case()
    party = editor.registration.parties.forms[0]
    number = "110105 19880512 0325"  # as printed on many forms
    for n, char in enumerate(number, start=1):
        qtbot.keyClicks(party.id_number, char)
        if n < len(number):
            # was: "身份证号码应为18位，您输入了16位" once 18 characters were in
            assert party.id_error == "", (n, party.id_error)
    assert party.id_error == "" and "1988年05月12日" in party.id_info.text()
    qtbot.keyClicks(party.id_number, "9")
    assert party.id_error == "身份证号码应为18位，您输入了19位"
    assert party.id_number.text() == number + "9"


def test_a_second_user_with_the_same_name_is_refused(
    qtbot: QtBot, settings: SettingsScreen, ctx: AppContext, tasks: TaskManager
) -> None:
    tab = settings.users_tab
    settings.tabs.setCurrentWidget(tab)
    name = ctx.user.name  # the office's first user
    tab.name_edit.setText(f" {name} ")
    tab.role_combo.setCurrentIndex(1)
    click(qtbot, tab.add_button)
    qtbot.waitUntil(lambda: tab.errors.message_for("name") != "", timeout=10000)
    assert f"已有名为“{name}”的用户" in tab.errors.message_for("name")
    assert tab.name_edit.text() == f" {name} "
    assert [u["name"] for u in tasks.call(users)].count(name) == 1


def test_a_person_already_on_the_roster_is_not_added_twice(
    qtbot: QtBot, ctx: AppContext, tasks: TaskManager
) -> None:
    number = "11010519491231002X"

    def add(store: Store) -> str:
        person = UnderstanderInput("赵一", "东村", "committee", id_number=number)
        return UnderstanderService(store).add(ctx.user.id, person)

    first = tasks.call(add)
    host = open_host(qtbot, ctx)
    form = host.screen.form
    press(qtbot, host.screen.roster_view, "Ctrl+N")
    form.name.setText("赵一")
    form.village.setText("西村")
    form.nomination_route.setCurrentIndex(1)
    typed = "１１０１０５１９４９１２３１００２ｘ"  # the same number, full-width, lower-case x
    form.id_number.setText(typed)
    host.screen.save()
    qtbot.waitUntil(lambda: form.errors.message_for("id_number") != "", timeout=5000)
    assert "赵一" in form.errors.message_for("id_number")
    assert "东村" in form.errors.message_for("id_number")
    assert form.id_number.text() == typed
    rows = tasks.call(lambda s: s.query("SELECT id FROM understanders WHERE deleted = 0"))
    assert [r["id"] for r in rows] == [first]


def test_the_same_id_number_on_two_parties_is_refused(
    qtbot: QtBot, editor: CaseEditor, ctx: AppContext
) -> None:
    editor.new_case()
    reg = editor.registration
    fill(reg.source, "applied")
    fill(reg.dispute_type, "neighbourhood")
    fill(reg.summary, "相邻通行纠纷")
    applicant, respondent = reg.parties.forms
    applicant.name.setText("张三")
    applicant.id_number.setText("11010519491231002X")
    respondent.name.setText("李四")
    respondent.id_number.setText("110105 19491231 002x")  # copied from the applicant's row
    before = db(ctx, "SELECT count(*) AS n FROM cases")
    reg.village.setFocus()
    assert editor.save()
    qtbot.waitUntil(lambda: reg.errors.message_for("parties[1].id_number") != "", timeout=5000)
    assert "当事人1" in reg.errors.message_for("parties[1].id_number")
    assert respondent.id_number.text() == "110105 19491231 002x"
    assert db(ctx, "SELECT count(*) AS n FROM cases") == before


# -- the window left open overnight ---------------------------------------------------------------
def test_after_midnight_today_can_still_be_entered(
    qtbot: QtBot, tasks: TaskManager, ctx: AppContext
) -> None:
    """The editor is built once, when the window opens; the office PC stays on overnight."""
    now = [datetime.now() - timedelta(days=1)]
    night = AppContext(tasks, ctx.data, ctx.user, clock=lambda: now[0])
    widget = CaseEditor(night)
    qtbot.addWidget(widget)
    widget.show()
    now[0] = datetime.now()  # the next morning
    today = now[0].date()
    widget.new_case()
    reg = widget.registration
    assert reg.registered_on.date() == qdate(today)  # was: yesterday, as a new case's default
    reg.registered_on.setDate(qdate(today))
    assert reg.registered_on.date() == qdate(today)  # was: silently put back to yesterday
    fill(reg.source, "applied")
    fill(reg.dispute_type, "neighbourhood")
    fill(reg.summary, "噪声纠纷")
    reg.parties.forms[0].name.setText("张三")
    reg.parties.forms[1].name.setText("李四")
    reg.village.setFocus()
    with qtbot.waitSignal(widget.saved, timeout=5000) as saved:
        widget.save()
    assert case_row(ctx, str(saved.args[0]))["registered_on"] == today.isoformat()
    qtbot.waitUntil(lambda: widget.file is not None, timeout=5000)
    for name in ("failure", "close"):
        field = widget.stage_forms[name].fields["on" if name == "failure" else "closed_on"]
        field.setDate(qdate(today))  # type: ignore[attr-defined]
        assert field.date() == qdate(today), name  # type: ignore[attr-defined]


def test_the_first_consultation_of_the_morning_is_dated_today(
    qtbot: QtBot, tasks: TaskManager, ctx: AppContext
) -> None:
    now = [datetime.now() - timedelta(days=1)]
    night = AppContext(tasks, ctx.data, ctx.user, clock=lambda: now[0])
    screen = ConsultationsScreen(night)
    qtbot.addWidget(screen)
    screen.show()
    now[0] = datetime.now()  # left open overnight; nothing saved since yesterday
    form = screen.consultation_form
    form.name_edit.setText("王五")  # the clerk starts typing
    form.category_combo.set_code("contract")
    form.question_edit.setPlainText("合同违约怎么办")
    today = now[0].date()
    assert form.date_edit.date() == qdate(today)  # was: yesterday, and today out of reach
    assert screen.save()
    qtbot.waitUntil(lambda: len(consultation_rows(tasks)) == 1, timeout=5000)
    assert consultation_rows(tasks)[0]["consulted_on"] == today.isoformat()


def test_the_first_adviser_log_of_the_morning_starts_today(
    qtbot: QtBot, tasks: TaskManager, ctx: AppContext
) -> None:
    now = [datetime.now() - timedelta(days=1)]
    night = AppContext(tasks, ctx.data, ctx.user, clock=lambda: now[0])
    screen = AdviserLogsScreen(night)
    qtbot.addWidget(screen)
    screen.show()
    now[0] = datetime.now()
    form = screen.log_form
    form.village_edit.setText("南村")
    assert form.started_edit.date() == qdate(now[0].date())


def test_referral_of_a_consultation_with_a_long_employer_can_be_completed(
    qtbot: QtBot, ctx: AppContext, tasks: TaskManager
) -> None:
    employer = "天津市河东区某某街道办事处社区服务中心综合治理办公室网格员兼某某社区居民委员会人民调解委员会专职人民调解员"
    assert 50 < len(employer) <= 100  # fits 工作单位及职业, not a party's 职业 (50)
    add_consultation(tasks, ctx, employer=employer)
    screen = open_consultations(qtbot, ctx)
    qtbot.waitUntil(lambda: screen.model.rowCount() == 1, timeout=5000)
    screen.table.selectRow(0)
    click(qtbot, screen.refer_button)
    qtbot.waitUntil(lambda: screen.referral_dialog is not None, timeout=5000)
    dialog = screen.referral_dialog
    assert dialog is not None
    dialog.dispute_combo.set_code("neighbourhood")
    dialog.respondent_edit.setText("褚八")
    click(qtbot, dialog.ok_button)
    # the message is under a field that can be corrected there and then
    qtbot.waitUntil(lambda: dialog.errors.message_for("parties[0].occupation") != "", timeout=5000)
    assert "50" in dialog.errors.message_for("parties[0].occupation")
    assert dialog.occupation_edit.text() == employer
    dialog.occupation_edit.setText("网格员、人民调解员")
    with qtbot.waitSignal(screen.caseOpened, timeout=5000) as opened:
        click(qtbot, dialog.ok_button)
    rows = db(
        ctx,
        "SELECT occupation FROM parties WHERE case_id = ? AND side = 'applicant'",
        (opened.args[0],),
    )
    assert rows == [{"occupation": "网格员、人民调解员"}]


def test_invisible_characters_pasted_from_word_do_not_block_printing(
    qtbot: QtBot, editor: CaseEditor, ctx: AppContext
) -> None:
    """Word puts \\x07 at the end of a table cell and \\x0b for a manual line break; a web page
    may carry zero-width spaces. They are invisible on screen, so the clerk cannot delete them;
    they were stored, and printing refused the case ('字库中没有… 请改用同音字')."""
    editor.new_case()
    reg = editor.registration
    fill(reg.source, "applied")
    fill(reg.dispute_type, "neighbourhood")
    fill(reg.summary, "楼上漏水\x0b损坏吊顶\x07")
    applicant, respondent = reg.parties.forms
    applicant.name.setText("张三\x07")
    applicant.address.setText("幸福里\u200b3号")
    applicant.phone.setText("138\u200b1234\u200b5678")
    applicant.id_number.setText("\ufeff11010519491231002X")
    respondent.name.setText("\ufeff李四")
    fill(reg.mediators, "王调解\u200b、李明")
    reg.village.setFocus()
    with qtbot.waitSignal(editor.saved, timeout=5000) as saved:
        assert editor.save()
    case_id = str(saved.args[0])
    assert case_row(ctx, case_id)["summary"] == "楼上漏水\n损坏吊顶"
    parties = db(
        ctx,
        "SELECT name, address, phone, id_number FROM parties WHERE case_id = ? ORDER BY position",
        (case_id,),
    )
    assert parties == [
        {
            "name": "张三",
            "address": "幸福里3号",
            "phone": "13812345678",
            "id_number": "11010519491231002X",
        },
        {"name": "李四", "address": "", "phone": "", "id_number": None},
    ]
    mediators = db(ctx, "SELECT name FROM case_mediators WHERE case_id = ?", (case_id,))
    assert sorted(m["name"] for m in mediators) == ["李明", "王调解"]
    assert ctx.tasks.call(lambda s: check_printable(s, case_id)) == []


def test_a_pasted_date_with_an_invisible_character_is_read(
    qtbot: QtBot, ctx: AppContext, tasks: TaskManager
) -> None:
    host = open_host(qtbot, ctx)
    form = host.screen.form
    press(qtbot, host.screen.roster_view, "Ctrl+N")
    form.name.setText("李四")
    form.village.setText("东村")
    form.nomination_route.setCurrentIndex(1)
    form.appointed_on.setText("\ufeff2025-03-01\u200b")  # copied from a web page
    with qtbot.waitSignal(host.screen.form.saved, timeout=5000):
        host.screen.save()
    rows = tasks.call(lambda s: s.query("SELECT appointed_on FROM understanders"))
    assert rows == [{"appointed_on": "2025-03-01"}]


def test_changing_the_year_of_registration_is_explained_under_the_date(
    qtbot: QtBot, editor: CaseEditor, ctx: AppContext
) -> None:
    case_id = case_at(ctx, "registered")
    open_case(qtbot, editor, case_id)
    reg = editor.registration
    last_year = date((ctx.today() - timedelta(REGISTERED_AGO)).year - 1, 12, 31)
    reg.registered_on.setDate(qdate(last_year))
    reg.village.setFocus()
    assert editor.save()
    qtbot.waitUntil(lambda: reg.errors.banner_text != "", timeout=5000)
    assert "受理年份" in reg.errors.message_for("registered_on")  # was under 调委会
    assert reg.errors.message_for("committee_id") == ""
    assert case_row(ctx, case_id)["registered_on"] != last_year.isoformat()


@pytest.mark.qt_log_ignore("Corrupt JPEG data", "JPEG datastream contains no image")
def test_a_damaged_photo_says_why_it_is_not_shown(
    qtbot: QtBot,
    editor: CaseEditor,
    ctx: AppContext,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    case_id = case_at(ctx, "registered")
    open_case(qtbot, editor, case_id)
    photo = tmp_path / "现场照片.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0" + bytes(200))  # a JPEG cut short on the card
    with qtbot.waitSignal(editor.loaded, timeout=5000):
        editor.add_attachment_file(photo)
    asked: list[str] = []
    monkeypatch.setattr(
        case_editor_module.QFileDialog,
        "getSaveFileName",
        lambda *args, **_kw: (asked.append(str(args[1])), ("", ""))[1],
    )
    messages: list[str] = []
    editor.message.connect(messages.append)
    editor.attachments.setCurrentRow(0)
    editor.view_attachment()
    qtbot.waitUntil(lambda: bool(asked), timeout=5000)
    # was: a bare 'save as' dialog, with no word of why the photo was not shown
    assert any("现场照片.jpg" in m and "无法显示" in m for m in messages)


def test_an_agreement_dated_before_a_recorded_session_is_refused(
    qtbot: QtBot, editor: CaseEditor, ctx: AppContext
) -> None:
    today = ctx.today()
    case_id = case_at(ctx, "registered")
    open_case(qtbot, editor, case_id)
    session = editor.session
    session.fields["held_at"].setDate(qdate(today - timedelta(5)))  # type: ignore[attr-defined]
    fill(session.fields["mediators"], "王调解")
    fill(session.fields["record"], "第二次调解，双方同意拆除排水沟")
    with qtbot.waitSignal(editor.loaded, timeout=5000):
        session.submit.click()
    form = editor.agreement
    fill(form.fields["facts"], "排水沟占地")
    fill(form.fields["terms"], "李四于十日内拆除排水沟")
    fill(form.fields["performance_manner"], "自行拆除")
    fill(form.fields["performance_place"], "现场")
    fill(form.fields["has_deadline"], True)
    form.fields["effective_on"].setDate(qdate(today - timedelta(8)))  # type: ignore[attr-defined]
    message = refused(qtbot, editor, "agreement", "effective_on")
    assert "协议" in message and "已记录的调解日期" in message
    assert form.fields["terms"].toPlainText() == "李四于十日内拆除排水沟"  # type: ignore[attr-defined]
    assert case_row(ctx, case_id)["status"] == "mediating"

    failure = editor.failure
    failure.fields["on"].setDate(qdate(today - timedelta(8)))  # type: ignore[attr-defined]
    fill(failure.fields["failure_reason"], "双方分歧过大")
    failure.routes[next(iter(failure.routes))].setChecked(True)
    assert "已记录的调解日期" in refused(qtbot, editor, "failure", "on")
    assert case_row(ctx, case_id)["status"] == "mediating"


def test_a_year_typed_1925_for_2025_is_not_taken(
    qtbot: QtBot, editor: CaseEditor, ctx: AppContext
) -> None:
    editor.new_case()
    reg = editor.registration
    field = reg.registered_on
    field.setDate(qdate(date(1925, 3, 1)))  # what typing 1 for 2 in the year ends in
    assert field.date().year() >= 2000  # Qt's own floor is 1752: 1925 was kept
    # and the core refuses such a date whatever sends it
    with pytest.raises(ValidationError) as refusal:
        validate_registration(
            make_case_input(ctx.committees[0]["id"], registered_on=date(1925, 3, 1)),
            ctx.tables,
            ctx.today(),
        )
    assert refusal.value.field == "registered_on" and "年份不合理" in refusal.value.message


def test_a_save_on_leaving_that_fails_brings_the_form_back(
    qtbot: QtBot, ctx: AppContext, tasks: TaskManager
) -> None:
    """保存 in the unsaved-input question closed the form at once; when the save was then
    refused (here: the ID number is already on the roster), nobody was told."""
    number = "11010519491231002X"
    tasks.call(
        lambda s: UnderstanderService(s).add(
            ctx.user.id, UnderstanderInput("赵一", "东村", "committee", id_number=number)
        )
    )
    host = open_host(qtbot, ctx)
    screen, form = host.screen, host.screen.form
    press(qtbot, screen.roster_view, "Ctrl+N")
    form.name.setText("赵一")
    form.village.setText("西村")
    form.nomination_route.setCurrentIndex(1)
    form.id_number.setText(number)
    answers = Answerer("保存")
    requested: list[str] = []
    screen.screenRequested.connect(requested.append)  # the clerk may be elsewhere by now
    try:
        form.request_close()  # Esc, then 保存
        qtbot.waitUntil(lambda: len(answers.seen) == 2, timeout=5000)
    finally:
        answers.stop()
    assert "没有保存" in answers.seen[1] and "已登记在名册中" in answers.seen[1]
    assert "“法律明白人”页面" in answers.seen[1]
    assert screen.page == "understander"  # back on the form
    assert requested == ["understanders"]
    assert (form.name.text(), form.village.text(), form.id_number.text()) == (
        "赵一",
        "西村",
        number,
    )
    assert "已登记在名册中" in form.errors.message_for("id_number")
    assert tasks.call(lambda s: s.scalar("SELECT count(*) FROM understanders")) == 1


# -- the first-run wizard (the 案号简称 is set there first) ---------------------------------------
def test_the_wizard_refuses_a_case_number_prefix_that_would_print_wrongly(
    qtbot: QtBot, tmp_path: Path
) -> None:
    wizard = FirstRunWizard(tmp_path / "data", create=MemoryCreator())
    qtbot.addWidget(wizard)
    wizard.show()
    page = wizard.office_page
    page.office_edit.setText("河东区城关街司法所")
    page.committee_edit.setText("城关街道人民调解委员会")
    page.prefix_edit.setText("津东城人调字")
    wizard.button(QWizard.WizardButton.NextButton).click()
    assert wizard.currentPage() is page
    assert "人调字" in page.errors.message_for("number_prefix")
    assert page.prefix_edit.text() == "津东城人调字"


def test_input_for_an_action_the_saved_stage_ends_does_not_block_leaving(
    qtbot: QtBot, editor: CaseEditor, ctx: AppContext
) -> None:
    case_id = case_at(ctx, "registered")
    open_case(qtbot, editor, case_id)
    fill(editor.failure.fields["failure_reason"], "双方分歧过大")  # then they agreed after all
    form = editor.agreement
    form.fields["form"].setCurrentIndex(1)  # type: ignore[attr-defined]  # 口头协议
    fill(form.fields["oral_content"], "李四当场赔偿500元")
    with qtbot.waitSignal(editor.loaded, timeout=5000):
        form.submit.click()
    assert case_row(ctx, case_id)["status"] == "succeeded"
    assert not editor.failure.isEnabled()
    assert not editor.dirty  # leaving does not ask to save what can no longer be saved


def test_a_case_stored_before_2000_keeps_its_date_when_edited(
    qtbot: QtBot, editor: CaseEditor, ctx: AppContext
) -> None:
    """A case registered with a year before 2000 by an older program (another PC's, synced):
    the 受理 tab shows its date as stored, and other edits save without changing it (the
    date field's floor put it back to 2000-01-01, a year the case number cannot move to)."""
    case_id = case_at(ctx, "registered")
    uid = ctx.user.id

    def backdate(store: Store) -> None:
        with store.tx(uid) as tx:
            tx.update("cases", case_id, {"registered_on": "1999-11-20", "year": 1999})

    ctx.tasks.call(backdate)
    open_case(qtbot, editor, case_id)
    reg = editor.registration
    assert reg.registered_on.date() == qdate(date(1999, 11, 20))
    assert not editor.dirty
    reg.village.setText("南村")
    with qtbot.waitSignal(editor.saved, timeout=5000):
        assert editor.save()
    row = case_row(ctx, case_id)
    assert (row["registered_on"], row["village"]) == ("1999-11-20", "南村")
    # a new case in the same window has the floor again
    editor.new_case()
    reg.registered_on.setDate(qdate(date(1925, 3, 1)))
    assert reg.registered_on.date().year() >= 2000


def test_a_training_stored_before_2000_keeps_its_date_when_corrected(
    qtbot: QtBot, ctx: AppContext, tasks: TaskManager
) -> None:
    """Correcting a training an older program stored with a year before 2000 (no floor then)
    did not show it but 2000-01-01, and the correction saved that date silently."""
    old = date(1999, 6, 1)

    def train(store: Store) -> str:
        return UnderstanderService(store).add_training(
            ctx.user.id, TrainingInput(old, "民法典", "李所长", "offline", 2)
        )

    training_id = tasks.call(train)
    host = open_host(qtbot, ctx)
    host.screen.open_training(training_id)
    form = host.screen.training_form
    qtbot.waitUntil(lambda: form.topic.text() == "民法典", timeout=5000)
    assert form.held_on.date() == qdate(old)
    form.topic.setText("民法典婚姻家庭编")
    with qtbot.waitSignal(form.saved, timeout=5000):
        host.screen.save()
    rows = tasks.call(lambda s: s.query("SELECT held_on, topic FROM trainings"))
    assert rows == [{"held_on": "1999-06-01", "topic": "民法典婚姻家庭编"}]
    form.open_new()
    qtbot.waitUntil(form.isEnabled, timeout=5000)
    form.held_on.setDate(qdate(date(1925, 3, 1)))
    assert form.held_on.date().year() >= 2000


def test_a_consultation_typed_before_midnight_keeps_its_date(
    qtbot: QtBot, tasks: TaskManager, ctx: AppContext
) -> None:
    """Typed in the evening, finished the next morning (the PC stays on): the date the clerk
    has seen on the form since the evening is the consultation's, not moved to the morning."""
    now = [datetime.now() - timedelta(days=1)]
    night = AppContext(tasks, ctx.data, ctx.user, clock=lambda: now[0])
    screen = ConsultationsScreen(night)
    qtbot.addWidget(screen)
    screen.show()
    form = screen.consultation_form
    yesterday = now[0].date()
    form.name_edit.setText("王五")  # in the evening
    form.category_combo.set_code("contract")
    now[0] = datetime.now()  # the next morning
    form.question_edit.setPlainText("合同违约怎么办")
    assert form.date_edit.date() == qdate(yesterday)  # was: moved to today unseen
    form.date_edit.setDate(qdate(now[0].date()))  # today can still be chosen
    assert form.date_edit.date() == qdate(now[0].date())
    form.date_edit.setDate(qdate(yesterday))
    assert screen.save()
    qtbot.waitUntil(lambda: len(consultation_rows(tasks)) == 1, timeout=5000)
    assert consultation_rows(tasks)[0]["consulted_on"] == yesterday.isoformat()


def test_an_adviser_log_typed_before_midnight_keeps_its_start(
    qtbot: QtBot, tasks: TaskManager, ctx: AppContext
) -> None:
    now = [datetime.now() - timedelta(days=1)]
    night = AppContext(tasks, ctx.data, ctx.user, clock=lambda: now[0])
    screen = AdviserLogsScreen(night)
    qtbot.addWidget(screen)
    screen.show()
    form = screen.log_form
    yesterday = now[0].date()
    form.village_edit.setText("南村")
    now[0] = datetime.now()
    form.content_edit.setPlainText("解答村民合同问题")
    assert form.started_edit.date() == qdate(yesterday)


def test_typed_registration_put_back_after_a_save_does_not_undo_a_synced_change(
    qtbot: QtBot, editor: CaseEditor, ctx: AppContext
) -> None:
    """Only what the clerk typed on the 受理 tab is put back after a stage form is saved: a
    field changed meanwhile on another PC (pulled by the sync) shows its new value, and
    saving the 受理 tab does not silently write the old one back over it."""
    case_id = case_at(ctx, "registered")
    open_case(qtbot, editor, case_id)
    fill(editor.registration.summary, "邻里噪声纠纷，已补充")
    uid = ctx.user.id

    def synced(store: Store) -> None:  # what a pull from another PC writes
        with store.tx(uid) as tx:
            tx.update("cases", case_id, {"village": "西村"})

    ctx.tasks.call(synced)
    investigation = editor.investigation
    fill(investigation.fields["subject"], "李四")
    fill(investigation.fields["investigator"], "王调解")
    fill(investigation.fields["qa"], "问：何时发现？\n答：上周。")
    with qtbot.waitSignal(editor.loaded, timeout=5000):
        investigation.submit.click()
    reg = editor.registration
    assert reg.summary.toPlainText() == "邻里噪声纠纷，已补充"  # typed: put back
    assert reg.village.text() == "西村"  # was: the old value put back over the synced one
    reg.village.setFocus()
    with qtbot.waitSignal(editor.saved, timeout=5000):
        assert editor.save()
    row = case_row(ctx, case_id)
    assert (row["summary"], row["village"]) == ("邻里噪声纠纷，已补充", "西村")


def test_a_case_dated_after_today_by_a_pc_whose_clock_runs_ahead_is_shown_as_stored(
    qtbot: QtBot, editor: CaseEditor, ctx: AppContext
) -> None:
    """A 受理日期 later than this PC's today (registered on a PC whose clock runs ahead, then
    synced) was shown as today, and saving the 受理 tab silently changed it; now it is shown
    as stored and saving says it lies in the future. The next case has today's cap again."""
    case_id = case_at(ctx, "registered")
    ahead = ctx.today() + timedelta(3)
    uid = ctx.user.id

    def postdate(store: Store) -> None:
        with store.tx(uid) as tx:
            tx.update("cases", case_id, {"registered_on": ahead.isoformat()})

    ctx.tasks.call(postdate)
    open_case(qtbot, editor, case_id)
    reg = editor.registration
    assert reg.registered_on.date() == qdate(ahead)
    reg.village.setText("南村")
    reg.village.setFocus()  # Ctrl+S saves the form the cursor is in
    assert editor.save()
    qtbot.waitUntil(lambda: reg.errors.message_for("registered_on") != "", timeout=5000)
    assert "受理日期" in reg.errors.message_for("registered_on")
    assert reg.registered_on.date() == qdate(ahead) and reg.village.text() == "南村"
    assert case_row(ctx, case_id)["registered_on"] == ahead.isoformat()
    other = case_at(ctx, "registered")
    open_case(qtbot, editor, other)
    assert reg.registered_on.maximumDate() == qdate(ctx.today())
    reg.registered_on.setDate(qdate(ahead))
    assert reg.registered_on.date() == qdate(ctx.today())

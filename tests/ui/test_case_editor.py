"""The case editor, driven through its widgets: a dispute from registration to archiving,
bad input kept with its message, drafts that come back, only allowed actions offered."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from justice_desktop.store.local_state import load_draft
from justice_desktop.validation.id_number import resident_id_check_char
from tests.ui.conftest import type_text
from ui.case_editor import CaseEditor
from ui.cases_screen import CasesScreen
from ui.context import AppContext
from ui.forms import set_combo_value
from ui.qt import QApplication, QCheckBox, QComboBox, QLineEdit, QPlainTextEdit, Qt, QWidget

BASE = "11010519880512032"
GOOD_ID = BASE + resident_id_check_char(BASE)
BAD_ID = BASE + ("0" if GOOD_ID[-1] != "0" else "1")


@pytest.fixture
def screen(qtbot: QtBot, ctx: AppContext) -> Iterator[CasesScreen]:
    s = CasesScreen(ctx)
    qtbot.addWidget(s)
    s.resize(1200, 900)
    s.show()
    qtbot.waitExposed(s)
    qtbot.waitUntil(lambda: s.case_model.loaded, timeout=5000)
    yield s
    s.search.stop()
    s.close()


def db(ctx: AppContext, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    return ctx.tasks.call(lambda store: store.query(sql, params))


def fill(widget: QWidget, value: Any) -> None:
    """Set a field as a user would have (text edits emit their edit signals)."""
    if isinstance(widget, QLineEdit):
        widget.setFocus()
        widget.clear()
        widget.insert(str(value))  # emits textEdited like typing
    elif isinstance(widget, QPlainTextEdit):
        widget.setPlainText(str(value))
    elif isinstance(widget, QComboBox):
        set_combo_value(widget, value)
    elif isinstance(widget, QCheckBox):
        widget.setChecked(bool(value))
    else:
        raise TypeError(widget)


def register(qtbot: QtBot, screen: CasesScreen) -> str:
    screen.new_record()
    editor = screen.editor
    reg = editor.registration
    fill(reg.source, "applied")
    fill(reg.dispute_type, "neighbourhood")
    fill(reg.summary, "楼上卫生间漏水，损坏楼下吊顶，双方对赔偿数额有争议。")
    fill(reg.claims, "赔偿修复费用2000元")
    first, second = reg.parties.forms
    type_text(qtbot, first.name, "张三")
    qtbot.keyClicks(first.id_number, GOOD_ID)
    assert "岁" in first.id_info.text() and first.id_error == ""
    assert first.gender.currentData() in ("男", "女")  # filled from the ID number
    type_text(qtbot, second.name, "李四")
    fill(second.phone, "13812345678")
    with qtbot.waitSignal(editor.saved, timeout=5000) as blocker:
        assert editor.save()
    case_id = str(blocker.args[0])
    qtbot.waitUntil(
        lambda: editor.file is not None and editor.file.case["id"] == case_id, timeout=5000
    )
    return case_id


def submit(qtbot: QtBot, editor: CaseEditor, name: str, values: dict[str, Any]) -> None:
    form = editor.stage_forms[name]
    assert form.isEnabled(), f"{name} should be offered"
    for field, value in values.items():
        fill(form.fields[field], value)
    with qtbot.waitSignals([editor.saved, editor.loaded], timeout=5000, raising=False) as b:
        form.submit.click()
    assert b.signal_triggered, form.banner.text()


def status(ctx: AppContext, case_id: str) -> str:
    return str(db(ctx, "SELECT status FROM cases WHERE id = ?", (case_id,))[0]["status"])


def test_a_dispute_from_registration_to_archiving(
    qtbot: QtBot, screen: CasesScreen, ctx: AppContext
) -> None:
    case_id = register(qtbot, screen)
    editor = screen.editor
    assert status(ctx, case_id) == "registered"
    parties = db(
        ctx,
        "SELECT name, id_number, gender FROM parties WHERE case_id = ? ORDER BY position",
        (case_id,),
    )
    assert [p["name"] for p in parties] == ["张三", "李四"]
    assert parties[0]["id_number"] == GOOD_ID and parties[0]["gender"] in ("男", "女")
    assert "人调字" in editor.title.text() and "已受理" in editor.title.text()
    # only what a registered case allows
    assert not editor.stage_forms["follow_up"].isEnabled()
    assert not editor.stage_forms["archive"].isEnabled()

    submit(
        qtbot,
        editor,
        "investigation",
        {
            "subject": "李四",
            "investigator": "李明",
            "qa": "问：漏水何时发现？\n答：上周三。",
        },
    )
    submit(qtbot, editor, "session", {"mediators": "李明", "record": "双方陈述，同意修复吊顶。"})
    assert status(ctx, case_id) == "mediating"
    submit(
        qtbot,
        editor,
        "agreement",
        {
            "facts": "楼上漏水致楼下吊顶损坏。",
            "terms": "李四于十日内修复吊顶\n张三不再追究其他责任",
            "performance_manner": "修复",
            "performance_place": "张三家中",
            "has_deadline": True,
        },
    )
    assert status(ctx, case_id) == "succeeded"
    assert editor.stage_forms["follow_up"].isEnabled()
    assert not editor.stage_forms["failure"].isEnabled()
    assert not editor.registration.isEnabled()  # registration is closed now

    submit(qtbot, editor, "follow_up", {"performance": "performed", "notes": "已修复。"})
    submit(qtbot, editor, "judicial_apply", {"court": "河东区人民法院"})
    qtbot.waitUntil(lambda: editor.stage_forms["judicial_result"].isEnabled(), timeout=5000)
    submit(
        qtbot,
        editor,
        "judicial_result",
        {
            "result": "confirmed",
            "decision_no": "（2026）津0102民特调确字第3号",
        },
    )
    submit(qtbot, editor, "close", {"note": ""})
    assert status(ctx, case_id) == "closed"
    submit(qtbot, editor, "archive", {"volume_no": "2026-调-001", "retention_period": "years_10"})
    assert status(ctx, case_id) == "archived"
    assert not any(f.isEnabled() for f in editor.stage_forms.values())
    assert "已归档" in editor.title.text()
    # the history names who did it
    qtbot.waitUntil(lambda: editor.history.rowCount() > 10, timeout=5000)
    users = {editor.history.item(r, 1).text() for r in range(editor.history.rowCount())}
    assert users == {ctx.user.name}


def test_wrong_id_number_shows_the_message_and_keeps_the_text(
    qtbot: QtBot, screen: CasesScreen, ctx: AppContext
) -> None:
    screen.new_record()
    reg = screen.editor.registration
    first = reg.parties.forms[0]
    qtbot.keyClicks(first.id_number, BAD_ID)
    assert "校验" in first.id_error or "身份证" in first.id_error
    fill(reg.source, "applied")
    fill(reg.dispute_type, "neighbourhood")
    fill(reg.summary, "纠纷")
    type_text(qtbot, first.name, "张三")
    type_text(qtbot, reg.parties.forms[1].name, "李四")
    before = db(ctx, "SELECT count(*) AS n FROM cases")[0]["n"]
    screen.editor.save()
    qtbot.waitUntil(lambda: not reg.banner.isHidden(), timeout=5000)
    assert first.id_number.text() == BAD_ID  # kept
    assert first.id_error  # message under the field
    assert first.id_number.property("invalid") is True
    assert db(ctx, "SELECT count(*) AS n FROM cases")[0]["n"] == before


def test_over_long_summary_is_refused_next_to_the_field(
    qtbot: QtBot, screen: CasesScreen, ctx: AppContext
) -> None:
    screen.new_record()
    reg = screen.editor.registration
    fill(reg.source, "applied")
    fill(reg.dispute_type, "neighbourhood")
    text = "漏" * 2001
    fill(reg.summary, text)
    type_text(qtbot, reg.parties.forms[0].name, "张三")
    type_text(qtbot, reg.parties.forms[1].name, "李四")
    screen.editor.save()
    qtbot.waitUntil(lambda: reg.errors.message_for("summary") != "", timeout=5000)
    assert "2000" in reg.errors.message_for("summary")
    assert reg.summary.toPlainText() == text


def test_missing_respondent_side_is_explained(qtbot: QtBot, screen: CasesScreen) -> None:
    screen.new_record()
    reg = screen.editor.registration
    fill(reg.source, "applied")
    fill(reg.dispute_type, "neighbourhood")
    fill(reg.summary, "纠纷")
    type_text(qtbot, reg.parties.forms[0].name, "张三")
    reg.parties.forms[1].remove_button.click()
    screen.editor.save()
    qtbot.waitUntil(lambda: "被申请人" in reg.errors.banner_text, timeout=5000)


def test_stage_form_error_keeps_input(qtbot: QtBot, screen: CasesScreen, ctx: AppContext) -> None:
    register(qtbot, screen)
    editor = screen.editor
    form = editor.stage_forms["investigation"]
    fill(form.fields["subject"], "李四")
    fill(form.fields["qa"], "")
    form.submit.click()
    qtbot.waitUntil(lambda: form.errors.message_for("qa") != "", timeout=5000)
    assert "一问一答" in form.errors.message_for("qa")
    assert form.fields["subject"].text() == "李四"  # type: ignore[attr-defined]


def test_draft_of_a_new_case_comes_back(qtbot: QtBot, screen: CasesScreen, ctx: AppContext) -> None:
    screen.new_record()
    reg = screen.editor.registration
    type_text(qtbot, reg.parties.forms[0].name, "欧阳娜娜")
    fill(reg.summary, "邻里噪声纠纷，尚未写完")
    user_id = ctx.user.id
    qtbot.waitUntil(
        lambda: ctx.tasks.call(lambda s: load_draft(s, user_id, "case:new")) is not None,
        timeout=5000,
    )
    screen.editor.drafts.discard = lambda: None  # type: ignore[method-assign]  # as after a crash
    again = CasesScreen(ctx)
    qtbot.addWidget(again)
    again.new_record()
    qtbot.waitUntil(
        lambda: again.editor.note.isVisible() or not again.editor.note.isHidden(), timeout=5000
    )
    assert "草稿" in again.editor.note.text()
    assert again.editor.registration.parties.forms[0].name.text() == "欧阳娜娜"
    assert again.editor.registration.summary.toPlainText() == "邻里噪声纠纷，尚未写完"
    again.search.stop()


def test_saving_deletes_the_draft(qtbot: QtBot, screen: CasesScreen, ctx: AppContext) -> None:
    case_id = register(qtbot, screen)
    user_id = ctx.user.id
    qtbot.waitUntil(
        lambda: ctx.tasks.call(lambda s: load_draft(s, user_id, "case:new")) is None, timeout=5000
    )
    assert ctx.tasks.call(lambda s: load_draft(s, user_id, f"case:{case_id}")) is None


def test_attachment_is_stored_and_shown(
    qtbot: QtBot, screen: CasesScreen, ctx: AppContext, tmp_path: Path
) -> None:
    register(qtbot, screen)
    editor = screen.editor
    from ui.qt import QColor, QImage

    image = QImage(40, 30, QImage.Format.Format_RGB32)
    image.fill(QColor("red"))
    path = tmp_path / "现场照片.png"
    assert image.save(str(path))
    with qtbot.waitSignal(editor.saved, timeout=5000):
        editor.add_attachment_file(path)
    qtbot.waitUntil(lambda: editor.attachments.count() == 1, timeout=5000)
    assert editor.attachments.item(0).text().startswith("现场照片.png")
    editor.attachments.setCurrentRow(0)
    editor.view_attachment()
    qtbot.waitUntil(lambda: not editor.attachment_preview.pixmap().isNull(), timeout=5000)
    missing = tmp_path / "没有这个文件.pdf"
    messages: list[str] = []
    editor.message.connect(messages.append)
    editor.add_attachment_file(missing)
    qtbot.waitUntil(lambda: any("无法读取" in m for m in messages), timeout=5000)


def test_enter_moves_to_the_next_field(qtbot: QtBot, screen: CasesScreen) -> None:
    screen.new_record()
    reg = screen.editor.registration
    screen.window().activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is screen.window(), timeout=5000)
    reg.village.setFocus()
    qtbot.waitUntil(reg.village.hasFocus, timeout=5000)
    qtbot.keyClick(reg.village, Qt.Key.Key_Return)
    assert not reg.village.hasFocus()


def test_enter_leaves_combo_boxes_and_date_editors(qtbot: QtBot, screen: CasesScreen) -> None:
    screen.new_record()
    reg = screen.editor.registration
    screen.window().activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is screen.window(), timeout=5000)
    reg.registered_on.setFocus()
    qtbot.waitUntil(reg.registered_on.hasFocus, timeout=5000)
    inner = QApplication.focusWidget()
    assert inner is not None
    qtbot.keyClick(inner, Qt.Key.Key_Return)
    focused = QApplication.focusWidget()
    assert focused is not None and not reg.registered_on.isAncestorOf(focused)
    assert focused is not reg.registered_on


def test_attachment_kind_places_it_in_the_bound_file(
    qtbot: QtBot,
    screen: CasesScreen,
    ctx: AppContext,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    case_id = register(qtbot, screen)
    editor = screen.editor
    path = tmp_path / "身份证复印件.pdf"
    path.write_bytes(b"%PDF-1.4\n%test\n")
    import ui.case_editor as module

    monkeypatch.setattr(module.QFileDialog, "getOpenFileName", lambda *_a, **_k: (str(path), ""))
    set_combo_value(editor.attachment_kind, "identity")
    with qtbot.waitSignal(editor.saved, timeout=5000):
        editor._choose_attachment()
    rows = db(ctx, "SELECT kind, file_name FROM attachments WHERE case_id = ?", (case_id,))
    assert rows == [{"kind": "identity", "file_name": "身份证复印件.pdf"}]
    qtbot.waitUntil(lambda: editor.attachments.count() == 1, timeout=5000)
    assert "当事人身份证明" in editor.attachments.item(0).text()


def test_documents_tab_only_for_a_saved_case(qtbot: QtBot, screen: CasesScreen) -> None:
    screen.new_record()
    editor = screen.editor
    index = editor.tabs.indexOf(editor.documents)
    assert editor.tabs.tabText(index) == "文书"
    assert not editor.tabs.isTabEnabled(index)
    assert screen.print_current() is False  # nothing to print before the case is saved
    register(qtbot, screen)
    assert editor.tabs.isTabEnabled(editor.tabs.indexOf(editor.documents))

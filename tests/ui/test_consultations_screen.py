"""The 法律咨询 screen, driven through its widgets against a real encrypted store."""

from __future__ import annotations

from typing import Any

import pytest
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from justice_desktop.domain.consultations import ANONYMOUS_LABEL, ConsultationInput
from justice_desktop.store.cases import CaseService
from justice_desktop.store.consultations import ConsultationService
from justice_desktop.store.database import Store
from justice_desktop.store.local_state import load_draft
from tests.ui.conftest import MessageBoxCatcher, type_text
from ui.consultation_widgets import ID_ROLE
from ui.consultations_screen import ConsultationListModel, ConsultationsScreen
from ui.context import AppContext
from ui.qt import QApplication, Qt, QWidget
from ui.tasks import TaskManager

# Completion popups (typing a name the completer knows) say this on the offscreen platform.
pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support raise", "This plugin does not support grabbing the keyboard"
)


def open_screen(qtbot: QtBot, ctx: AppContext, *, keep: bool = True) -> ConsultationsScreen:
    """The screen shown, cursor in its first field; ``keep=False``: the test deletes it."""
    screen = ConsultationsScreen(ctx)
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


def consultations(tasks: TaskManager) -> list[dict[str, Any]]:
    return tasks.call(
        lambda s: [dict(r) for r in s.query("SELECT * FROM consultations WHERE deleted = 0")]
    )


def test_record_a_consultation_by_keyboard_only(
    qtbot: QtBot, ctx: AppContext, tasks: TaskManager
) -> None:
    screen = open_screen(qtbot, ctx)
    form = screen.consultation_form
    assert focused() is form.name_edit
    type_here(qtbot, "张三")
    enter(qtbot)
    assert focused() is form.anonymous_check
    enter(qtbot)
    type_here(qtbot, "m")  # 男
    enter(qtbot)
    type_here(qtbot, "45")
    enter(qtbot)
    type_here(qtbot, "13812345678")
    enter(qtbot)
    type_here(qtbot, "hz")  # pinyin initials of 汉族
    enter(qtbot)
    assert form.ethnicity_combo.currentText() == "汉族"
    enter(qtbot)  # 工作单位
    enter(qtbot)  # 住址
    type_here(qtbot, "城关村")
    enter(qtbot)
    assert focused() is form.category_combo
    type_here(qtbot, "hyjt")  # 婚姻家庭
    enter(qtbot)
    assert focused() is form.question_edit
    type_here(qtbot, "离婚后孩子抚养费怎么算？")
    qtbot.keyClick(focused(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)

    qtbot.waitUntil(lambda: len(consultations(tasks)) == 1, timeout=5000)
    row = consultations(tasks)[0]
    assert (row["name"], row["gender"], row["age"], row["phone"]) == (
        "张三",
        "男",
        45,
        "13812345678",
    )
    assert (row["ethnicity"], row["category"], row["mode"]) == ("01", "marriage_family", "on_site")
    assert row["question"] == "离婚后孩子抚养费怎么算？"
    assert row["answered_by"] == ctx.user.name
    assert row["consulted_on"] == ctx.today().isoformat()
    assert row["village"] == "城关村" and row["anonymous"] == 0
    # cleared for the next one, cursor back in the first field, defaults in place
    qtbot.waitUntil(lambda: form.name_edit.text() == "" and form.name_edit.hasFocus())
    assert form.question_edit.toPlainText() == "" and form.category_combo.currentText() == ""
    assert form.mode_combo.currentText() == "实地"
    assert form.answerer_edit.text() == ctx.user.name
    assert "已保存" in screen.status.text()
    # the list shows it, masked
    qtbot.waitUntil(lambda: screen.model.rowCount() == 1, timeout=5000)
    shown = [screen.model.index(0, c).data() for c in range(screen.model.columnCount())]
    assert "张*" in shown and "138****5678" in shown and "婚姻家庭" in shown
    assert "张三" not in shown and "13812345678" not in shown


def test_enter_in_the_last_field_saves(qtbot: QtBot, ctx: AppContext, tasks: TaskManager) -> None:
    screen = open_screen(qtbot, ctx)
    form = screen.consultation_form
    qtbot.keyClick(form.anonymous_check, Qt.Key.Key_Space)
    assert form.anonymous_check.isChecked() and not form.name_edit.isEnabled()
    form.category_combo.setFocus()
    type_here(qtbot, "ld")  # 劳动争议
    enter(qtbot)
    type_here(qtbot, "单位不签劳动合同")
    form.notes_edit.setFocus()
    type_here(qtbot, "来访")
    enter(qtbot)
    qtbot.waitUntil(lambda: len(consultations(tasks)) == 1, timeout=5000)
    row = consultations(tasks)[0]
    assert (row["anonymous"], row["name"], row["category"]) == (1, "", "labour")
    assert row["notes"] == "来访"
    qtbot.waitUntil(lambda: screen.model.rowCount() == 1, timeout=5000)
    assert screen.model.index(0, 1).data() == ANONYMOUS_LABEL
    screen.table.selectRow(0)
    assert not screen.refer_button.isEnabled()  # anonymous: no case without identity


def test_bad_input_shows_the_message_under_the_field_and_keeps_the_text(
    qtbot: QtBot, ctx: AppContext, tasks: TaskManager
) -> None:
    screen = open_screen(qtbot, ctx)
    form = screen.consultation_form
    type_here(qtbot, "李四")
    form.phone_edit.setFocus()
    type_here(qtbot, "12345")
    form.category_combo.setFocus()
    type_here(qtbot, "ht")  # 合同
    enter(qtbot)
    type_here(qtbot, "合同违约怎么办")
    qtbot.keyClick(focused(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: form.errors.message_for("phone") != "", timeout=5000)
    assert "电话" in form.errors.message_for("phone")
    assert form.phone_edit.text() == "12345" and form.name_edit.text() == "李四"
    assert form.question_edit.toPlainText() == "合同违约怎么办"
    assert focused() is form.phone_edit
    assert consultations(tasks) == []

    # fixed phone, over-long question: the next message, still nothing lost
    form.phone_edit.clear()
    type_here(qtbot, "13912345678")
    form.question_edit.setPlainText("问" * 5001)
    screen.save()
    qtbot.waitUntil(lambda: form.errors.message_for("question") != "", timeout=5000)
    assert "咨询问题" in form.errors.message_for("question")
    assert form.errors.message_for("phone") == ""
    assert len(form.question_edit.toPlainText()) == 5001
    assert consultations(tasks) == []

    form.question_edit.setPlainText("合同违约怎么办")
    screen.save()
    qtbot.waitUntil(lambda: len(consultations(tasks)) == 1, timeout=5000)
    assert consultations(tasks)[0]["phone"] == "13912345678"


def test_the_draft_survives_closing_the_screen(
    qtbot: QtBot, ctx: AppContext, tasks: TaskManager
) -> None:
    screen = open_screen(qtbot, ctx, keep=False)
    form = screen.consultation_form
    type_here(qtbot, "王五")
    form.question_edit.setFocus()
    type_here(qtbot, "宅基地纠纷")
    with qtbot.waitSignal(screen.drafts.saved, timeout=5000):
        pass
    draft = tasks.call(lambda s: load_draft(s, ctx.user.id, "consultation:new"))
    assert draft is not None and draft.payload["name"] == "王五"
    screen.close()
    gone: list[bool] = []
    screen.destroyed.connect(lambda *_: gone.append(True))
    screen.deleteLater()
    qtbot.waitUntil(lambda: bool(gone), timeout=5000)

    again = ConsultationsScreen(ctx)
    qtbot.addWidget(again)
    again.show()
    form2 = again.consultation_form
    qtbot.waitUntil(lambda: form2.name_edit.text() == "王五", timeout=5000)
    assert form2.question_edit.toPlainText() == "宅基地纠纷"
    assert form2.note.isVisible() and "已恢复" in form2.note.text()
    # saving it removes the draft
    form2.category_combo.setEditText("房产宅基地")
    again.save()
    qtbot.waitUntil(lambda: len(consultations(tasks)) == 1, timeout=5000)
    qtbot.waitUntil(
        lambda: tasks.call(lambda s: load_draft(s, ctx.user.id, "consultation:new")) is None,
        timeout=5000,
    )
    assert not form2.note.isVisible()


def test_can_leave_asks_about_unsaved_input(
    qtbot: QtBot, ctx: AppContext, message_boxes: MessageBoxCatcher
) -> None:
    screen = open_screen(qtbot, ctx)
    assert screen.can_leave()
    type_here(qtbot, "赵六")
    assert not screen.can_leave()  # the box was closed without choosing: stay
    assert any("正在录入的咨询" in text for text in message_boxes.texts())
    assert screen.consultation_form.name_edit.text() == "赵六"


def add_consultation(tasks: TaskManager, ctx: AppContext, **kw: Any) -> str:
    values: dict[str, Any] = {
        "consulted_on": ctx.today(),
        "category": "labour",
        "question": "老板拖欠三个月工资怎么办？",
        "answered_by": "李明",
        "mode": "on_site",
        "name": "冯七",
        "phone": "13712345678",
        "village": "城关村",
    }
    values.update(kw)
    user_id = ctx.user.id
    return tasks.call(lambda s: ConsultationService(s).record(user_id, ConsultationInput(**values)))


def test_turn_a_consultation_into_a_case(qtbot: QtBot, ctx: AppContext, tasks: TaskManager) -> None:
    cid = add_consultation(tasks, ctx)
    screen = open_screen(qtbot, ctx)
    qtbot.waitUntil(lambda: screen.model.rowCount() == 1, timeout=5000)
    screen.table.selectRow(0)
    assert screen.refer_button.isEnabled()
    qtbot.mouseClick(screen.refer_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.referral_dialog is not None, timeout=5000)
    dialog = screen.referral_dialog
    assert dialog is not None
    assert "冯七" in dialog.applicant_label.text()
    assert dialog.mediator_edit.text() == ctx.user.name
    assert dialog.summary_edit.toPlainText() == "老板拖欠三个月工资怎么办？"

    # no dispute type yet: the message under it, the dialog stays
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.errors.message_for("dispute_type") != "", timeout=5000)
    dialog.dispute_combo.setFocus()
    type_here(qtbot, "ldzy")  # 劳动争议, which has sub-types
    enter(qtbot)
    assert dialog.subtype_combo.isEnabled()
    type_here(qtbot, "tq")  # 拖欠农民工工资
    enter(qtbot)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    # no respondent yet
    qtbot.waitUntil(lambda: dialog.errors.message_for("parties[1].name") != "", timeout=5000)
    assert "被申请人" in dialog.errors.message_for("parties[1].name")
    assert dialog.subtype_combo.currentText() == "拖欠农民工工资"
    dialog.kind_combo.setCurrentIndex(1)  # 单位
    dialog.respondent_edit.setFocus()
    type_here(qtbot, "某建筑公司")
    dialog.representative_edit.setFocus()
    type_here(qtbot, "褚八")
    with qtbot.waitSignal(screen.caseOpened, timeout=5000) as opened:
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    case_id = opened.args[0]

    def case_of(store: Store) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        loaded = CaseService(store).load(case_id)
        return dict(loaded.case), [dict(p) for p in loaded.parties]

    case, parties = tasks.call(case_of)
    assert case["summary"] == "老板拖欠三个月工资怎么办？"
    assert case["dispute_type"] == "labour" and case["dispute_subtype"]
    by_side = {p["side"]: p for p in parties}
    assert by_side["applicant"]["name"] == "冯七"
    assert by_side["applicant"]["phone"] == "13712345678"
    assert by_side["respondent"]["name"] == "某建筑公司"
    row = tasks.call(lambda s: dict(ConsultationService(s).get(cid)))
    assert row["referral_case_id"] == case_id and row["referral"] == "mediation"
    qtbot.waitUntil(lambda: screen.referral_dialog is None, timeout=5000)
    # the list shows it referred, and it cannot be referred twice
    qtbot.waitUntil(lambda: "已立案" in str(screen.model.index(0, 7).data()), timeout=5000)
    screen.table.selectRow(0)
    assert not screen.refer_button.isEnabled()


def test_list_model_passes_qtmodeltester(
    qtbot: QtBot, qtmodeltester: ModelTester, ctx: AppContext, tasks: TaskManager
) -> None:
    add_consultation(tasks, ctx)
    add_consultation(tasks, ctx, anonymous=True, name="", phone="")
    rows = tasks.call(
        lambda s: (
            [dict(r) for r in ConsultationService(s).register_for_month(2000, 1)]
            + [dict(r) for r in s.query("SELECT * FROM consultations")]
        )
    )
    model = ConsultationListModel(ctx.tables)
    model.set_rows(rows)
    assert model.rowCount() == 2
    assert {model.index(r, 0).data(ID_ROLE) for r in range(2)} == {r["id"] for r in rows}
    qtmodeltester.check(model, force_py=True)
    qtmodeltester.check(model)

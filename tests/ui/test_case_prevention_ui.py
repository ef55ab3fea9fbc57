"""The statistics' prevention fields on the registration form, driven through the widgets: a case
registered with 防止激化 kinds and 人数 is counted in the prevention block; bad 人数 is refused
under the field with the text kept; the fields come back when the case is opened again and are
part of the draft."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from justice_desktop.statistics import MediationReport, StatTable, year_period
from justice_desktop.store import statistics as st
from justice_desktop.store.local_state import load_draft
from tests.ui.conftest import type_text
from ui.case_registration import RegistrationForm
from ui.cases_screen import CasesScreen
from ui.context import AppContext
from ui.forms import set_combo_value
from ui.qt import QCheckBox, QComboBox, QLineEdit, QPlainTextEdit, QWidget


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


def report(ctx: AppContext) -> MediationReport:
    period = year_period(ctx.today().year)
    return ctx.tasks.call(lambda store: st.mediation_report(store, period))


def figures(table: StatTable, kind: str) -> tuple[int, int]:
    """件 and 人 of a 防止… row."""
    cases, people = table.row(kind).values
    return int(cases or 0), int(people or 0)


def fill(widget: QWidget, value: Any) -> None:
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


def start_case(qtbot: QtBot, screen: CasesScreen) -> RegistrationForm:
    screen.new_record()
    reg = screen.editor.registration
    fill(reg.source, "applied")
    fill(reg.dispute_type, "neighbourhood")
    fill(reg.summary, "两户因修建围墙引发争执，双方亲属聚集，有冲突的危险。")
    type_text(qtbot, reg.parties.forms[0].name, "张三")
    type_text(qtbot, reg.parties.forms[1].name, "李四")
    return reg


def save(qtbot: QtBot, screen: CasesScreen) -> str:
    editor = screen.editor
    with qtbot.waitSignal(editor.saved, timeout=5000) as blocker:
        assert editor.save()
    case_id = str(blocker.args[0])
    qtbot.waitUntil(
        lambda: editor.file is not None and editor.file.case["id"] == case_id, timeout=5000
    )
    return case_id


def test_registered_prevention_is_counted(
    qtbot: QtBot, screen: CasesScreen, ctx: AppContext
) -> None:
    before = report(ctx).table("prevention")
    reg = start_case(qtbot, screen)
    assert set(reg.prevented) == {"suicide", "criminal", "group_petition", "group_fight"}
    fill(reg.prevented["group_fight"], True)
    fill(reg.prevented["criminal"], True)
    fill(reg.prevented_people, "１５人")  # full-width digits as an input method types them
    fill(reg.from_screening, True)
    fill(reg.difficult, True)
    case_id = save(qtbot, screen)

    row = db(
        ctx,
        "SELECT prevented, prevented_people, from_screening, difficult FROM cases WHERE id = ?",
        (case_id,),
    )[0]
    assert json.loads(row["prevented"]) == ["criminal", "group_fight"]
    assert (row["prevented_people"], row["from_screening"], row["difficult"]) == (15, 1, 1)
    after = report(ctx).table("prevention")
    for kind in ("criminal", "group_fight"):
        cases, people = figures(before, kind)
        assert figures(after, kind) == (cases + 1, people + 15)
    for kind in ("suicide", "group_petition"):
        assert figures(after, kind) == figures(before, kind)
    assert after.value("screened", "count") == int(before.value("screened", "count") or 0) + 1

    # opened again, the form shows what was saved; correcting it updates the counts
    assert reg.prevented["group_fight"].isChecked() and reg.prevented["criminal"].isChecked()
    assert not reg.prevented["suicide"].isChecked()
    assert reg.prevented_people.text() == "15"
    fill(reg.prevented["criminal"], False)
    fill(reg.prevented_people, "4")
    save(qtbot, screen)
    qtbot.waitUntil(
        lambda: (
            db(ctx, "SELECT prevented_people FROM cases WHERE id = ?", (case_id,))[0][
                "prevented_people"
            ]
            == 4
        ),
        timeout=5000,
    )
    corrected = report(ctx).table("prevention")
    assert figures(corrected, "criminal") == figures(before, "criminal")
    cases, people = figures(before, "group_fight")
    assert figures(corrected, "group_fight") == (cases + 1, people + 4)


@pytest.mark.parametrize(
    ("kinds", "typed", "words"),
    [
        (["suicide"], "abc", "整数"),
        (["suicide"], "12000", "0到9999"),
        (["group_petition"], "", "请填写防止激化涉及的人数"),
        ([], "8", "不应填写涉及人数"),
    ],
)
def test_bad_people_is_refused_under_the_field_and_kept(
    qtbot: QtBot, screen: CasesScreen, ctx: AppContext, kinds: list[str], typed: str, words: str
) -> None:
    reg = start_case(qtbot, screen)
    for kind in kinds:
        fill(reg.prevented[kind], True)
    fill(reg.prevented_people, typed)
    count = db(ctx, "SELECT count(*) AS n FROM cases")[0]["n"]
    screen.editor.save()
    qtbot.waitUntil(lambda: reg.errors.message_for("prevented_people") != "", timeout=5000)
    assert words in reg.errors.message_for("prevented_people")
    assert reg.prevented_people.property("invalid") is True
    assert reg.prevented_people.text() == typed  # kept
    assert [k for k, box in reg.prevented.items() if box.isChecked()] == kinds
    assert db(ctx, "SELECT count(*) AS n FROM cases")[0]["n"] == count

    # corrected, it saves
    fill(reg.prevented_people, "3" if kinds else "")
    save(qtbot, screen)
    assert reg.errors.message_for("prevented_people") == ""


def test_prevention_is_part_of_the_draft(
    qtbot: QtBot, screen: CasesScreen, ctx: AppContext
) -> None:
    reg = start_case(qtbot, screen)
    fill(reg.prevented["suicide"], True)
    fill(reg.prevented_people, "2")
    user_id = ctx.user.id

    def drafted() -> bool:
        draft = ctx.tasks.call(lambda s: load_draft(s, user_id, "case:new"))
        if draft is None:
            return False
        registration = draft.payload.get("registration") or {}
        return bool(registration.get("prevented_people") == "2")

    qtbot.waitUntil(drafted, timeout=5000)
    screen.editor.drafts.discard = lambda: None  # type: ignore[method-assign]  # as after a crash
    again = CasesScreen(ctx)
    qtbot.addWidget(again)
    again.new_record()
    qtbot.waitUntil(lambda: "草稿" in again.editor.note.text(), timeout=5000)
    form = again.editor.registration
    assert form.prevented["suicide"].isChecked()
    assert not form.prevented["criminal"].isChecked()
    assert form.prevented_people.text() == "2"
    again.search.stop()

"""The first-run wizard: pages with their checks, the database created in the background,
the recovery key shown once and confirmed."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from justice_desktop.store.database import Store, create_store, open_store
from justice_desktop.store.errors import StoreError
from justice_desktop.store.keys import MemoryVault, decode_recovery_key
from justice_desktop.store.office import OfficeSetup, committees, set_up_office, users
from justice_desktop.store.settings import load_office_settings
from tests.ui.conftest import type_text
from ui.first_run import CONFIRM_TEXT, FirstRunWizard, run_first_run_wizard
from ui.forms import set_combo_value
from ui.qt import QApplication, QGuiApplication, Qt, QTimer, QWizard


class MemoryCreator:
    """Creates the database with an in-memory key vault; remembers the thread it ran on."""

    def __init__(self) -> None:
        self.vault = MemoryVault({})
        self.threads: list[str] = []

    def __call__(self, data_dir: Path, setup: OfficeSetup) -> tuple[Store, str]:
        self.threads.append(threading.current_thread().name)
        store, key = create_store(data_dir, self.vault)
        set_up_office(store, setup)
        return store, key


@pytest.fixture
def creator() -> MemoryCreator:
    return MemoryCreator()


@pytest.fixture
def wizard(qtbot: QtBot, tmp_path: Path, creator: MemoryCreator) -> Iterator[FirstRunWizard]:
    w = FirstRunWizard(tmp_path / "data", create=creator)
    qtbot.addWidget(w)
    w.show()
    yield w
    if w.store is not None:
        w.store.close()


def next_button(w: FirstRunWizard) -> None:
    w.button(QWizard.WizardButton.NextButton).click()


def fill_office(qtbot: QtBot, w: FirstRunWizard) -> None:
    page = w.office_page
    type_text(qtbot, page.office_edit, "河东区城关街司法所")
    type_text(qtbot, page.committee_edit, "城关街道人民调解委员会")
    type_text(qtbot, page.prefix_edit, "津东城")


def test_empty_office_name_is_shown_on_the_page(qtbot: QtBot, wizard: FirstRunWizard) -> None:
    page = wizard.office_page
    type_text(qtbot, page.committee_edit, "城关街道人民调解委员会")
    next_button(wizard)
    assert wizard.currentPage() is page
    assert page.errors.message_for("office_name") == "请填写司法所名称"
    assert page.committee_edit.text() == "城关街道人民调解委员会"
    type_text(qtbot, page.office_edit, "城关司法所")
    next_button(wizard)
    assert wizard.currentPage() is page
    assert page.errors.message_for("number_prefix") == "请填写案号简称"


def test_going_back_and_forth_keeps_the_input(qtbot: QtBot, wizard: FirstRunWizard) -> None:
    fill_office(qtbot, wizard)
    set_combo_value(wizard.office_page.body_combo, "township")
    next_button(wizard)
    assert wizard.currentPage() is wizard.user_page
    type_text(qtbot, wizard.user_page.name_edit, "李明")
    next_button(wizard)
    assert wizard.currentPage() is wizard.mode_page
    wizard.mode_page.server_radio.setChecked(True)
    wizard.back()
    wizard.back()
    assert wizard.currentPage() is wizard.office_page
    assert wizard.office_page.office_edit.text() == "河东区城关街司法所"
    assert wizard.office_page.prefix_edit.text() == "津东城"
    assert wizard.office_page.body_combo.currentData() == "township"
    next_button(wizard)
    assert wizard.user_page.name_edit.text() == "李明"
    next_button(wizard)
    assert wizard.mode_page.server_radio.isChecked()


def test_user_name_is_required(qtbot: QtBot, wizard: FirstRunWizard) -> None:
    fill_office(qtbot, wizard)
    next_button(wizard)
    next_button(wizard)
    assert wizard.currentPage() is wizard.user_page
    assert wizard.user_page.errors.message_for("user_name") == "请填写姓名"


def test_creates_the_database_and_shows_the_key_once(
    qtbot: QtBot, wizard: FirstRunWizard, creator: MemoryCreator, tmp_path: Path
) -> None:
    fill_office(qtbot, wizard)
    wizard.activateWindow()
    qtbot.waitActive(wizard)
    wizard.office_page.office_edit.setFocus()
    qtbot.keyClick(wizard.office_page.office_edit, Qt.Key.Key_Return)  # Enter moves on
    assert wizard.office_page.committee_edit.hasFocus()
    assert wizard.currentPage() is wizard.office_page
    next_button(wizard)
    type_text(qtbot, wizard.user_page.name_edit, "李明")
    set_combo_value(wizard.user_page.role_combo, "clerk")
    next_button(wizard)
    assert wizard.currentPage() is wizard.mode_page
    commit = wizard.button(QWizard.WizardButton.CommitButton)
    assert commit.text() == "创建数据库"
    wizard.mode_page.server_radio.setChecked(True)
    commit.click()
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.key_page, timeout=20000)
    assert creator.threads == ["first-run-create"]  # not the GUI thread

    key = wizard.recovery_key
    decode_recovery_key(key)  # a well-formed key
    shown = wizard.key_page.key_label.text()
    assert "".join(shown.split()) == key.replace("-", "")
    assert wizard.key_page.key_label.font().pointSizeF() > QApplication.font().pointSizeF()
    finish = wizard.button(QWizard.WizardButton.FinishButton)
    assert finish.text() == "完成"
    assert not finish.isEnabled()
    back = wizard.button(QWizard.WizardButton.BackButton)
    assert not (back.isVisible() and back.isEnabled())  # no way back to a second database
    wizard.reject()  # Escape / closing does nothing now
    assert wizard.isVisible()

    wizard.key_page.copy_button.click()
    assert QGuiApplication.clipboard().text() == key
    assert wizard.key_page.confirm.text() == CONFIRM_TEXT
    wizard.key_page.confirm.click()
    assert finish.isEnabled()
    finish.click()
    assert wizard.result() == QWizard.DialogCode.Accepted

    store = wizard.store
    assert store is not None
    assert load_office_settings(store).office_name == "河东区城关街司法所"
    assert not load_office_settings(store).standalone
    assert [(u["name"], u["role"]) for u in users(store)] == [("李明", "clerk")]
    assert committees(store)[0]["number_prefix"] == "津东城"
    # the key shown is the database's key
    data_dir = tmp_path / "data"
    reopened = open_store(data_dir, MemoryVault({}), recovery_key=key)
    reopened.close()


def test_a_failed_creation_is_reported_on_the_page(qtbot: QtBot, tmp_path: Path) -> None:
    def failing(_data_dir: Path, _setup: OfficeSetup) -> tuple[Store, str]:
        raise StoreError("没有可用的系统密钥环。")

    w = FirstRunWizard(tmp_path / "data", create=failing)
    qtbot.addWidget(w)
    w.show()
    fill_office(qtbot, w)
    next_button(w)
    type_text(qtbot, w.user_page.name_edit, "李明")
    next_button(w)
    w.button(QWizard.WizardButton.CommitButton).click()
    qtbot.waitUntil(lambda: "没有可用的系统密钥环" in w.mode_page.banner.text(), timeout=10000)
    assert w.currentPage() is w.mode_page
    assert w.store is None
    assert w.button(QWizard.WizardButton.CancelButton).isEnabled()
    assert w.button(QWizard.WizardButton.CommitButton).isEnabled()


def test_run_wizard_cancelled_gives_none(qtbot: QtBot, tmp_path: Path) -> None:
    def cancel() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, FirstRunWizard) and widget.isVisible():
                widget.button(QWizard.WizardButton.CancelButton).click()
                return
        QTimer.singleShot(20, cancel)

    QTimer.singleShot(20, cancel)
    assert run_first_run_wizard(tmp_path / "data") is None
    assert not (tmp_path / "data" / "justice.db").exists()

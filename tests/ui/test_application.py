"""What the application object gives every window: Qt's own words in Chinese (Qt's
translations installed) and the program's icon."""

from __future__ import annotations

from ui import app as app_module
from ui.qt import QApplication, QCoreApplication, QDialogButtonBox, QMessageBox


def test_standard_buttons_and_message_boxes_speak_chinese(qapp: QApplication) -> None:
    translator = app_module._install_chinese_translation(qapp)
    assert translator is not None, "Qt's Chinese translations were not found"
    try:
        assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "取消"
        _check_buttons()
    finally:  # the other tests run with the application as pytest-qt made it
        qapp.removeTranslator(translator)
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Cancel"


def _check_buttons() -> None:
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    cancel = box.button(QDialogButtonBox.StandardButton.Cancel)
    assert cancel is not None and "取消" in cancel.text()
    message = QMessageBox()
    message.setStandardButtons(QMessageBox.StandardButton.Yes)
    yes = message.button(QMessageBox.StandardButton.Yes)
    assert yes is not None and yes.text().replace("&", "").startswith("是")


def test_program_icon_has_every_size_from_the_resources(qapp: QApplication) -> None:
    icon = app_module.program_icon()
    assert not icon.isNull()
    sizes = {(s.width(), s.height()) for s in icon.availableSizes()}
    assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= sizes

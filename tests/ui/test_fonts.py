"""The bundled CJK font is registered and becomes the application font."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from ui.fonts import FONT_FILE, FONT_LICENCE_FILE, fonts_dir, install_app_font
from ui.qt import QApplication, QFontDatabase, QFontInfo, QLabel


def test_font_and_licence_are_shipped() -> None:
    assert (fonts_dir() / FONT_FILE).stat().st_size > 4_000_000
    licence = (fonts_dir() / FONT_LICENCE_FILE).read_text(encoding="utf-8")
    assert "WenQuanYi" in licence and "Apache" in licence


def test_bundled_font_becomes_the_application_font(qtbot: QtBot) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    family = install_app_font(app)
    assert family == "WenQuanYi Micro Hei"
    assert family in QFontDatabase.families()
    label = QLabel("司法所工作台 — 人民调解")
    qtbot.addWidget(label)
    assert QFontInfo(label.font()).family() == family
    assert label.font().pointSizeF() >= 9
    assert install_app_font(app) == family  # registering again is harmless

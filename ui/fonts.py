"""The bundled CJK font, so Chinese renders the same on every machine.

Machines without a CJK font (a fresh Linux install, a trimmed Windows image) show Chinese as
empty boxes.  We ship WenQuanYi Micro Hei (文泉驿微米黑, ``resources/fonts/``, Apache-2.0 or
GPL-3 with the font exception, see ``LICENSE-wqy-microhei.txt``), register it with Qt and
make it the application font.
"""

from __future__ import annotations

import logging
from pathlib import Path

from justice_desktop.paths import resources_dir
from ui.qt import QApplication, QFont, QFontDatabase

FONT_FILE = "wqy-microhei.ttc"
FONT_LICENCE_FILE = "LICENSE-wqy-microhei.txt"
DEFAULT_POINT_SIZE = 10.5
_MIN_POINT_SIZE = 9.0

log = logging.getLogger(__name__)

_registered_family: str | None = None


def fonts_dir() -> Path:
    return resources_dir() / "fonts"


def register_bundled_font() -> str | None:
    """Register the bundled font with Qt (once per process); return its family name, or
    None (logged) if the file is missing or unreadable."""
    global _registered_family
    if _registered_family is not None:
        return _registered_family
    path = fonts_dir() / FONT_FILE
    if not path.is_file():
        log.warning("bundled font missing: %s", path)
        return None
    font_id = QFontDatabase.addApplicationFont(str(path))
    if font_id < 0:
        log.warning("Qt could not load the bundled font %s", path)
        return None
    families = QFontDatabase.applicationFontFamilies(font_id)
    # The collection holds a proportional face and a monospaced one; the UI wants the first.
    proportional = [f for f in families if "mono" not in f.lower()]
    candidates = proportional or families
    if not candidates:
        log.warning("the bundled font %s has no font families", path)
        return None
    _registered_family = candidates[0]
    return _registered_family


def install_app_font(app: QApplication) -> str | None:
    """Make the bundled font the application font; return its family (None if unavailable:
    the system font stays)."""
    family = register_bundled_font()
    if family is None:
        return None
    current = app.font()
    size = current.pointSizeF() if current.pointSizeF() >= _MIN_POINT_SIZE else DEFAULT_POINT_SIZE
    font = QFont(current)
    font.setFamilies([family])
    font.setPointSizeF(size)
    app.setFont(font)
    return family

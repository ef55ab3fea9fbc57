"""Small standard dialogs: error and information boxes, the recovery-key prompt."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ui import qt

if TYPE_CHECKING:  # the dialog classes are made on first use (start-up time)
    from ui.qt import QMessageBox, QWidget

ERROR_TITLE = "出错了"
INFO_TITLE = "提示"

# Parentless boxes opened without blocking must stay referenced until they close, or
# Python's garbage collector deletes them while they are on screen.
_open_boxes: set[QMessageBox] = set()


def message_box(
    parent: QWidget | None, text: str, *, title: str, icon: qt.QMessageBox.Icon
) -> QMessageBox:
    box = qt.QMessageBox(icon, title, text, qt.QMessageBox.StandardButton.Ok, parent)
    box.setTextInteractionFlags(qt.Qt.TextInteractionFlag.TextSelectableByMouse)
    return box


def show_error(
    parent: QWidget | None,
    text: str,
    *,
    title: str = ERROR_TITLE,
    block: bool = False,
    on_closed: Callable[[], None] | None = None,
) -> None:
    """An error box.  ``block=True`` waits for the user (only before the event loop runs);
    otherwise it opens and returns at once, without a nested event loop, and calls
    ``on_closed`` when the user closes it."""
    box = message_box(parent, text, title=title, icon=qt.QMessageBox.Icon.Critical)
    _show(box, block, on_closed)


def show_info(
    parent: QWidget | None,
    text: str,
    *,
    title: str = INFO_TITLE,
    block: bool = False,
    on_closed: Callable[[], None] | None = None,
) -> None:
    box = message_box(parent, text, title=title, icon=qt.QMessageBox.Icon.Information)
    _show(box, block, on_closed)


def _show(box: QMessageBox, block: bool, on_closed: Callable[[], None] | None) -> None:
    if block:
        box.exec()
        box.deleteLater()
        if on_closed is not None:
            on_closed()
        return
    box.setAttribute(qt.Qt.WidgetAttribute.WA_DeleteOnClose)
    _open_boxes.add(box)

    def closed(_result: int) -> None:
        _open_boxes.discard(box)
        if on_closed is not None:
            on_closed()

    box.finished.connect(closed)
    box.open()


def ask_recovery_key(parent: QWidget | None = None) -> str | None:
    """Ask for the recovery key written down when the database was created; None if the
    user cancels."""
    text, ok = qt.QInputDialog.getText(
        parent,
        "用恢复密钥打开数据库",
        "请输入首次建库时抄写或打印的恢复密钥（14组，每组4个字符，可省略短横线）：",
        qt.QLineEdit.EchoMode.Normal,
    )
    return text.strip() if ok and text.strip() else None

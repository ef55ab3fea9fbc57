"""The form toolkit every screen uses: fields with their error line, Enter moves on, code-table
combo boxes, date editors, and the "unsaved changes" question.

Validation happens in the core (``justice_desktop.domain`` / ``validation``): a form builds its
input object, the service raises :class:`~justice_desktop.validation.ValidationError` with a
``field`` path (``summary``, ``parties[1].id_number`` …) and a Chinese message, and
:meth:`FieldErrors.show` puts the message under the widget bound to that path (or the
longest bound prefix of it), marks the widget and moves the cursor there. Nothing the user
typed is touched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from justice_desktop.codes.tables import CodeTable
from justice_desktop.domain.case_inputs import EARLIEST_RECORD_DATE
from justice_desktop.validation import ValidationError
from ui.qt import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDate,
    QDateEdit,
    QDateTime,
    QDateTimeEdit,
    QEvent,
    QFormLayout,
    QKeyEvent,
    QLabel,
    QLineEdit,
    QMessageBox,
    QObject,
    QPlainTextEdit,
    Qt,
    QTime,
    QVBoxLayout,
    QWidget,
)

__all__ = [
    "ERROR_STYLE",
    "EnterMovesOn",
    "FieldErrors",
    "UnsavedAnswer",
    "ask_unsaved",
    "code_combo",
    "combo_value",
    "connect_changes",
    "date_edit",
    "date_time_edit",
    "field_row",
    "fill_code_combo",
    "qdate",
    "qdatetime",
    "set_combo_value",
    "show_date",
    "to_date",
    "to_datetime",
    "widget_value",
    "set_widget_value",
]

ERROR_STYLE = "color: #b3261e;"
INVALID_PROPERTY = "invalid"
_INVALID_SHEET = "border: 2px solid #b3261e; border-radius: 3px;"
PLEASE_CHOOSE = "请选择"


# -- dates ---------------------------------------------------------------------------------------
def qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def to_date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def qdatetime(value: datetime) -> QDateTime:
    return QDateTime(qdate(value.date()), _qtime(value))


def _qtime(value: datetime) -> QTime:
    return QTime(value.hour, value.minute, value.second)


def to_datetime(value: QDateTime) -> datetime:
    d, t = value.date(), value.time()
    return datetime(d.year(), d.month(), d.day(), t.hour(), t.minute())


def date_edit(parent: QWidget | None, value: date, *, maximum: date | None = None) -> QDateEdit:
    """A date field typed as 2025-06-16 or picked from a calendar; no earlier than
    :data:`EARLIEST_RECORD_DATE` (Qt's own floor is 1752: a year typed 1925 for 2025 was kept)."""
    edit = QDateEdit(qdate(value), parent)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setCalendarPopup(True)
    edit.setMinimumDate(qdate(EARLIEST_RECORD_DATE))
    if maximum is not None:
        edit.setMaximumDate(qdate(maximum))
    return edit


_RAISED_CAP = "raised_cap"
"""Property of a date field whose cap (today) :func:`show_date` raised: (the cap before, the
date it was raised to)."""


def show_date(edit: QDateTimeEdit, value: date | datetime) -> None:
    """Show ``value`` in a date field as it is: a record stored with an earlier date than
    :data:`EARLIEST_RECORD_DATE` (by an older program, synced from another PC) lowers the
    field's floor to it instead of being shown, and saved, as 2000-01-01; a date later than
    the field's cap (synced from a PC whose clock runs ahead) raises the cap to it instead of
    being shown, and saved, as today — saving it then says it lies in the future. Any other
    value puts the floor and the cap back."""
    day = value.date() if isinstance(value, datetime) else value
    edit.setMinimumDate(qdate(min(day, EARLIEST_RECORD_DATE)))
    raised = edit.property(_RAISED_CAP)
    if raised is not None:
        edit.setProperty(_RAISED_CAP, None)
        before, raised_to = raised
        if edit.maximumDate() == raised_to:  # nobody set a new cap (a new day) since
            edit.setMaximumDate(before)
    cap = edit.maximumDate()
    if qdate(day) > cap:
        edit.setProperty(_RAISED_CAP, (cap, qdate(day)))
        edit.setMaximumDate(qdate(day))
    if isinstance(value, datetime):
        edit.setDateTime(qdatetime(value))
    else:
        edit.setDate(qdate(value))


def date_time_edit(parent: QWidget | None, value: datetime) -> QDateTimeEdit:
    edit = QDateTimeEdit(qdatetime(value), parent)
    edit.setDisplayFormat("yyyy-MM-dd HH:mm")
    edit.setCalendarPopup(True)
    edit.setMinimumDate(qdate(EARLIEST_RECORD_DATE))
    return edit


# -- code tables ----------------------------------------------------------------------------------
def fill_code_combo(
    combo: QComboBox,
    table: CodeTable,
    *,
    parent_code: str | None = None,
    empty: str | None = PLEASE_CHOOSE,
    codes: Iterable[str] | None = None,
) -> None:
    """Fill ``combo`` with the entries of ``table`` under ``parent_code`` (top level when
    None); item data is the code. ``empty`` adds a first item with no code."""
    current = combo_value(combo)
    combo.blockSignals(True)
    combo.clear()
    if empty is not None:
        combo.addItem(empty, None)
    wanted = set(codes) if codes is not None else None
    for entry in table.entries:
        if entry.parent != parent_code or entry.superseded_by:
            continue
        if wanted is not None and entry.code not in wanted:
            continue
        combo.addItem(entry.label, entry.code)
    combo.blockSignals(False)
    set_combo_value(combo, current)


def code_combo(
    parent: QWidget | None,
    table: CodeTable,
    *,
    parent_code: str | None = None,
    empty: str | None = PLEASE_CHOOSE,
) -> QComboBox:
    combo = QComboBox(parent)
    fill_code_combo(combo, table, parent_code=parent_code, empty=empty)
    return combo


def combo_value(combo: QComboBox) -> Any:
    return combo.currentData()


def set_combo_value(combo: QComboBox, value: Any) -> None:
    index = combo.findData(value)
    if index >= 0:
        combo.setCurrentIndex(index)
    elif combo.count():
        combo.setCurrentIndex(0)


# -- generic values (drafts) ---------------------------------------------------------------------
def widget_value(widget: QWidget) -> Any:
    """A JSON-able value of an input widget, for drafts."""
    if isinstance(widget, QLineEdit):
        return widget.text()
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText()
    if isinstance(widget, QComboBox):
        data = widget.currentData()
        return data if data is not None else (widget.currentText() if widget.isEditable() else None)
    if isinstance(widget, QCheckBox):
        return widget.isChecked()
    if isinstance(widget, QDateTimeEdit) and not isinstance(widget, QDateEdit):
        return to_datetime(widget.dateTime()).isoformat(timespec="minutes")
    if isinstance(widget, QDateEdit):
        return to_date(widget.date()).isoformat()
    if isinstance(widget, QAbstractSpinBox):
        return widget.property("value")
    raise TypeError(f"no draft value for {type(widget).__name__}")


def set_widget_value(widget: QWidget, value: Any) -> None:
    """The reverse of :func:`widget_value`; a value of the wrong shape is ignored."""
    try:
        if isinstance(widget, QLineEdit):
            widget.setText(str(value or ""))
        elif isinstance(widget, QPlainTextEdit):
            widget.setPlainText(str(value or ""))
        elif isinstance(widget, QComboBox):
            index = widget.findData(value)
            if index >= 0:
                widget.setCurrentIndex(index)
            elif widget.isEditable() and isinstance(value, str):
                widget.setEditText(value)
        elif isinstance(widget, QCheckBox):
            widget.setChecked(bool(value))
        elif isinstance(widget, QDateTimeEdit) and not isinstance(widget, QDateEdit):
            if value:
                show_date(widget, datetime.fromisoformat(str(value)))
        elif isinstance(widget, QDateEdit):
            if value:
                show_date(widget, date.fromisoformat(str(value)))
        elif isinstance(widget, QAbstractSpinBox) and value is not None:
            widget.setProperty("value", value)
    except (TypeError, ValueError):
        return


def connect_changes(widget: QWidget, slot: Callable[[], None]) -> None:
    """Call ``slot()`` whenever ``widget``'s value changes (whatever kind of input it is).

    Forms fill themselves with their draft keeper paused (:meth:`ui.drafts.DraftKeeper.pause`),
    so changes made by code while loading do not count as the user's."""

    def changed(*_args: object) -> None:
        slot()

    if isinstance(widget, QLineEdit | QPlainTextEdit):
        widget.textChanged.connect(changed)
    elif isinstance(widget, QComboBox):
        widget.currentIndexChanged.connect(changed)
        if widget.isEditable():  # typed text that matches no item yet
            widget.editTextChanged.connect(changed)
    elif isinstance(widget, QCheckBox):
        widget.toggled.connect(changed)
    elif isinstance(widget, QDateTimeEdit):  # also QDateEdit
        widget.dateTimeChanged.connect(changed)
    elif isinstance(widget, QAbstractSpinBox):
        widget.editingFinished.connect(changed)
        signal = getattr(widget, "valueChanged", None)
        if signal is not None:
            signal.connect(changed)


# -- errors ----------------------------------------------------------------------------------------
def field_row(widget: QWidget, parent: QWidget | None = None) -> tuple[QWidget, QLabel]:
    """``widget`` with an (empty, hidden) error line under it, for a form layout row."""
    box = QWidget(parent)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    layout.addWidget(widget)
    error = QLabel(box)
    error.setObjectName("fieldError")
    error.setStyleSheet(ERROR_STYLE)
    error.setWordWrap(True)
    error.hide()
    layout.addWidget(error)
    return box, error


class FieldErrors:
    """Maps field paths to widgets and shows a :class:`ValidationError` next to its widget.

    ``banner`` shows errors no bound widget matches (and a summary line for bound ones)."""

    def __init__(self, banner: QLabel | None = None) -> None:
        self._widgets: dict[str, QWidget] = {}
        self._labels: dict[str, QLabel] = {}
        self._banner = banner
        self._shown: list[str] = []
        if banner is not None:
            banner.setStyleSheet(ERROR_STYLE)
            banner.setWordWrap(True)
            banner.hide()

    def bind(self, field: str, widget: QWidget, label: QLabel) -> None:
        self._widgets[field] = widget
        self._labels[field] = label

    def alias(self, field: str, bound: str) -> None:
        """Show errors reported as ``field`` where those of the ``bound`` field go (the core
        may name a stored column where the form has its own name)."""
        self.bind(field, self._widgets[bound], self._labels[bound])

    def unbind_prefix(self, prefix: str) -> None:
        for name in [n for n in self._widgets if n.startswith(prefix)]:
            self._widgets.pop(name)
            self._labels.pop(name)

    def add_row(
        self, form: QFormLayout, label: str, field: str, widget: QWidget
    ) -> tuple[QWidget, QLabel]:
        """Add ``label: widget`` (with its error line) to ``form`` and bind it to ``field``."""
        box, error = field_row(widget, form.parentWidget())
        form.addRow(label, box)
        self.bind(field, widget, error)
        return box, error

    def match(self, field: str) -> str | None:
        """The bound field for an error path: exact, else the longest bound prefix."""
        if field in self._widgets:
            return field
        best: str | None = None
        for name in self._widgets:
            if field.startswith(name) and (best is None or len(name) > len(best)):
                best = name
        return best

    def show(self, exc: ValidationError, *, focus: bool = True) -> QWidget | None:
        """Show ``exc`` under its widget (or in the banner); returns the widget."""
        self.clear()
        name = self.match(exc.field)
        if name is None:
            self._set_banner(exc.message)
            return None
        widget, label = self._widgets[name], self._labels[name]
        label.setText(exc.message)
        label.show()
        widget.setProperty(INVALID_PROPERTY, True)
        widget.setStyleSheet(_INVALID_SHEET)
        self._shown.append(name)
        self._set_banner(f"请修改标红的内容：{exc.message}")
        if focus:
            widget.setFocus(Qt.FocusReason.OtherFocusReason)
        return widget

    def show_message(self, message: str) -> None:
        self.clear()
        self._set_banner(message)

    def message_for(self, field: str) -> str:
        label = self._labels.get(field)
        return label.text() if label is not None and not label.isHidden() else ""

    def clear(self) -> None:
        for name in self._shown:
            if name in self._widgets:
                self._widgets[name].setProperty(INVALID_PROPERTY, False)
                self._widgets[name].setStyleSheet("")
                self._labels[name].clear()
                self._labels[name].hide()
        self._shown.clear()
        if self._banner is not None:
            self._banner.clear()
            self._banner.hide()

    @property
    def banner_text(self) -> str:
        return self._banner.text() if self._banner is not None else ""

    def _set_banner(self, text: str) -> None:
        if self._banner is not None:
            self._banner.setText(text)
            self._banner.setVisible(bool(text))


# -- keyboard --------------------------------------------------------------------------------------
class EnterMovesOn(QObject):
    """Installed on a form: Enter in a one-line field moves to the next field (Tab order).

    Multi-line text keeps Enter for new lines; an open combo-box popup keeps it for choosing;
    ``on_last`` is called instead when Enter is pressed in ``last`` (e.g. save)."""

    def __init__(
        self,
        root: QWidget,
        *,
        last: QWidget | None = None,
        on_last: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(root)
        self._root = root
        self._last = last
        self._on_last = on_last
        self.watch(root)

    def watch(self, root: QWidget) -> None:
        """Watch every input below ``root`` (call again for widgets added later)."""
        kinds = (QLineEdit, QComboBox, QAbstractSpinBox, QCheckBox)
        for widget in root.findChildren(QWidget):
            if isinstance(widget, kinds):
                widget.removeEventFilter(self)
                widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        if event.key() not in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            return False
        if event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            return False
        if isinstance(watched, QComboBox) and watched.view().isVisible():
            return False
        if not isinstance(watched, QWidget):
            return False
        field = watched
        parent = watched.parentWidget()
        if isinstance(parent, QComboBox | QAbstractSpinBox) and parent.focusProxy() in (
            None,
            watched,
        ):
            field = parent  # the line edit inside an editable combo box or a spin box
        if field is self._last and self._on_last is not None:
            self._on_last()
            return True
        _focus_next(field)
        return True


def _focus_next(widget: QWidget) -> None:
    """Focus the next field in Tab order, skipping the field's own parts (the line edit inside
    an editable combo box, a date editor or a spin box hands the focus straight back)."""
    nxt = widget.nextInFocusChain()
    seen = 0
    while nxt is not None and nxt is not widget and seen < 500:
        inside = widget.isAncestorOf(nxt) or nxt.focusProxy() is widget
        if (
            not inside
            and nxt.isEnabled()
            and nxt.isVisibleTo(widget.window())
            and nxt.focusPolicy() & Qt.FocusPolicy.TabFocus
        ):
            nxt.setFocus(Qt.FocusReason.TabFocusReason)
            return
        nxt = nxt.nextInFocusChain()
        seen += 1


# -- unsaved changes ---------------------------------------------------------------------------
class UnsavedAnswer:
    SAVE = "save"
    DISCARD = "discard"
    CANCEL = "cancel"


def ask_unsaved(parent: QWidget | None, what: str = "当前内容") -> str:
    """Ask before leaving unsaved changes: one of :class:`UnsavedAnswer`."""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "有未保存的修改",
        f"{what}有尚未保存的修改，要先保存吗？",
        QMessageBox.StandardButton.Save
        | QMessageBox.StandardButton.Discard
        | QMessageBox.StandardButton.Cancel,
        parent,
    )
    box.button(QMessageBox.StandardButton.Save).setText("保存")
    box.button(QMessageBox.StandardButton.Discard).setText("不保存")
    box.button(QMessageBox.StandardButton.Cancel).setText("取消")
    box.setDefaultButton(QMessageBox.StandardButton.Save)
    answer = box.exec()
    box.deleteLater()
    if answer == QMessageBox.StandardButton.Save:
        return UnsavedAnswer.SAVE
    if answer == QMessageBox.StandardButton.Discard:
        return UnsavedAnswer.DISCARD
    return UnsavedAnswer.CANCEL

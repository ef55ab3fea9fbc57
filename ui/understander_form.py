"""The add/edit form of one 法律明白人, and the base of the screen's forms.

:class:`DraftForm` keeps what is typed as a draft (``ui.drafts.DraftKeeper``), shows
validation errors of the core next to their fields without touching the text, moves on with
Enter and asks about unsaved input before it closes.

:class:`UnderstanderForm` edits the fields of
:class:`~justice_desktop.domain.understanders.UnderstanderInput`; the ID number is checked
as it is typed (gender, birth date and age are filled in from a valid number).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from justice_desktop.domain.understanders import UnderstanderInput, validate_understander
from justice_desktop.store.database import Store
from justice_desktop.store.local_state import Draft
from justice_desktop.store.records import Row
from justice_desktop.store.understanders import UnderstanderService, load_understander
from justice_desktop.validation import ValidationError
from justice_desktop.validation.fields import validate_date_text
from justice_desktop.validation.id_number import normalise_id_text, parse_resident_id
from ui.context import AppContext
from ui.drafts import DraftKeeper, restored_text
from ui.errors import friendly_message
from ui.forms import (
    EnterMovesOn,
    FieldErrors,
    UnsavedAnswer,
    ask_unsaved,
    code_combo,
    combo_value,
    connect_changes,
    fill_code_combo,
    set_combo_value,
    set_widget_value,
    widget_value,
)
from ui.qt import (
    QComboBox,
    QCompleter,
    QFormLayout,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QShortcut,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)

__all__ = ["ASSESSMENT_SUGGESTIONS", "DraftForm", "UnderstanderForm"]

NOTE_STYLE = "color: #795548;"
ASSESSMENT_SUGGESTIONS = ("合格", "优秀", "基本合格", "不合格")
GENDERS = ("男", "女")


class DraftForm(QWidget):
    """A form with a draft, field errors and the unsaved-input question (see module doc)."""

    #: The record was saved (its id).
    saved = Signal(str)
    #: The user closed the form (after saving, or leaving nothing unsaved behind).
    closed = Signal()
    #: A save started on leaving the form (保存 in the unsaved-input question) failed after the
    #: form had gone: the message, for the screen to bring the form back and say so.
    saveFailed = Signal(str)

    what = "表单"  # in the unsaved question: "…有尚未保存的修改"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.keeper: DraftKeeper | None = None
        self.fields: dict[str, QWidget] = {}
        self.saving = False
        self.title_label = QLabel(self)
        font = self.title_label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.title_label.setFont(font)
        self.note = QLabel(self)
        self.note.setObjectName("draftNote")
        self.note.setStyleSheet(NOTE_STYLE)
        self.note.setWordWrap(True)
        self.note.hide()
        self.banner = QLabel(self)
        self.banner.setObjectName("formBanner")
        self.errors = FieldErrors(self.banner)
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape.activated.connect(self.request_close)

    # -- drafts -----------------------------------------------------------------------------
    @property
    def dirty(self) -> bool:
        return self.keeper is not None and self.keeper.dirty

    def start_draft(self, key: str) -> None:
        """A new record or another record is being edited: a keeper for ``key``."""
        if self.keeper is not None:
            self.keeper.mark_clean()
            self.keeper.deleteLater()
        self.keeper = DraftKeeper(self.ctx, key, self.state, title=self.draft_title, parent=self)
        self.keeper.pause()  # until the form is filled

    def ready(self) -> None:
        """The form is filled: from now on changes are the user's; restore a draft."""
        keeper = self.keeper
        if keeper is None:
            return
        keeper.resume()
        keeper.fetch(lambda draft: self._restore(keeper, draft))

    def _restore(self, keeper: DraftKeeper, draft: Draft) -> None:
        if keeper is not self.keeper or keeper.dirty:
            return  # another record meanwhile, or the user has started typing
        keeper.pause()
        try:
            self.apply_state(draft.payload)
        finally:
            keeper.resume()
        self.note.setText(restored_text(draft))
        self.note.show()
        keeper.touch()  # differs from the saved record: ask before leaving

    def touch(self, *_args: object) -> None:
        if self.keeper is not None:
            self.keeper.touch()

    def flush(self) -> None:
        if self.keeper is not None:
            self.keeper.flush()

    def state(self) -> dict[str, Any]:
        return {name: widget_value(widget) for name, widget in self.fields.items()}

    def apply_state(self, state: dict[str, Any]) -> None:
        for name, widget in self.fields.items():
            if name in state:
                set_widget_value(widget, state[name])

    def draft_title(self) -> str:
        return self.title_label.text()

    def watch_fields(self) -> None:
        """Connect every field's change signal to the keeper."""
        for widget in self.fields.values():
            connect_changes(widget, self.touch)

    def reset_view(self) -> None:
        self.errors.clear()
        self.note.clear()
        self.note.hide()

    # -- saving and leaving ----------------------------------------------------------------
    def save(self) -> bool:
        """Check what can be checked at once and start saving on the worker; False (with
        the error shown next to its field) when the input is wrong."""
        raise NotImplementedError

    def run_save(self, fn: Callable[[Store], str]) -> None:
        if self.saving:
            return
        self.saving = True

        def done(record_id: str) -> None:
            self.saving = False
            if self.keeper is not None:
                self.keeper.discard()
            self.note.hide()
            self.saved.emit(record_id)

        def failed(exc: BaseException) -> None:
            self.saving = False
            self.show_error(exc)
            if not self.isVisible():
                text = exc.message if isinstance(exc, ValidationError) else friendly_message(exc)
                self.saveFailed.emit(text)

        self.ctx.tasks.run(fn, on_success=done, on_failure=failed)

    def show_error(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError):
            self.errors.show(exc)
        else:
            self.errors.show_message(friendly_message(exc))

    def check(self, fn: Callable[[], Any]) -> bool:
        """Run a pure check (building the input); show its ValidationError."""
        try:
            fn()
        except ValidationError as exc:
            self.errors.show(exc)
            return False
        return True

    def may_close(self) -> bool:
        """Ask about unsaved input; True when the form may close now (a save may still be
        running on the worker: its draft is kept until it succeeds)."""
        if not self.dirty:
            return True
        answer = ask_unsaved(self, self.what)
        if answer == UnsavedAnswer.SAVE:
            if not self.save():
                return False
            self.flush()  # keep the draft until the save has gone through
            return True
        if answer == UnsavedAnswer.DISCARD:
            if self.keeper is not None:
                self.keeper.discard()
            return True
        return False

    def request_close(self) -> None:
        """The 返回 button / Esc."""
        if self.may_close():
            self.closed.emit()


class UnderstanderForm(DraftForm):
    """Add or edit one 法律明白人 (see the module docstring)."""

    what = "法律明白人信息"

    #: The user asks to remove (清退) the person being edited (its id).
    removeRequested = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("understanderForm")
        self.record_id: str | None = None
        self.version: int | None = None
        self.status = "active"
        tables = ctx.tables

        self.name = QLineEdit()
        self.id_number = QLineEdit()
        self.id_number.setPlaceholderText("18位居民身份证号码，可不填")
        self.id_info = QLabel()
        self.id_info.setObjectName("idInfo")
        self.gender = QComboBox()
        self.gender.addItem("未填写", None)
        for g in GENDERS:
            self.gender.addItem(g, g)
        self.ethnicity = code_combo(None, tables["ethnicities"])
        self.phone = QLineEdit()
        self.phone.setPlaceholderText("手机或带区号的固定电话")
        self.village = QLineEdit()
        self.village.setPlaceholderText("如：城关村、幸福社区")
        self.village_completer = QCompleter([], self.village)
        self.village_completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.village.setCompleter(self.village_completer)
        self.villager_group = QLineEdit()
        self.nomination_route = code_combo(None, tables["nomination_routes"])
        self.priority_group = code_combo(None, tables["understander_priority_groups"], empty="无")
        self.assessment_result = QLineEdit()
        self.assessment_result.setCompleter(
            QCompleter(list(ASSESSMENT_SUGGESTIONS), self.assessment_result)
        )
        self.certificate_no = QLineEdit()
        self.appointed_on = QLineEdit()
        self.appointed_on.setPlaceholderText("如：2025-03-01，可不填")
        self.filed_on = QLineEdit()
        self.filed_on.setPlaceholderText("报市局备案的日期，可不填")
        self.fields = {
            "name": self.name,
            "id_number": self.id_number,
            "gender": self.gender,
            "ethnicity": self.ethnicity,
            "phone": self.phone,
            "village": self.village,
            "villager_group": self.villager_group,
            "nomination_route": self.nomination_route,
            "priority_group": self.priority_group,
            "assessment_result": self.assessment_result,
            "certificate_no": self.certificate_no,
            "appointed_on": self.appointed_on,
            "filed_on": self.filed_on,
        }

        self.status_label = QLabel()
        self.status_label.setObjectName("removalInfo")
        self.status_label.setWordWrap(True)
        self.status_label.hide()

        body = QWidget()
        form = QFormLayout(body)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        add = self.errors.add_row
        add(form, "姓名 *", "name", self.name)
        id_box, _ = add(form, "身份证号码", "id_number", self.id_number)
        id_layout = id_box.layout()
        if id_layout is not None:
            id_layout.addWidget(self.id_info)
        self.id_info.hide()
        add(form, "性别", "gender", self.gender)
        add(form, "民族", "ethnicity", self.ethnicity)
        add(form, "联系电话", "phone", self.phone)
        add(form, "所在村（社区） *", "village", self.village)
        add(form, "村民小组", "villager_group", self.villager_group)
        add(form, "推选方式 *", "nomination_route", self.nomination_route)
        add(form, "重点人群", "priority_group", self.priority_group)
        add(form, "考核结果", "assessment_result", self.assessment_result)
        add(form, "证书（胸牌）编号", "certificate_no", self.certificate_no)
        add(form, "聘任日期", "appointed_on", self.appointed_on)
        add(form, "备案日期", "filed_on", self.filed_on)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)

        self.save_button = QPushButton("保存（Ctrl+S）", self)
        self.save_button.clicked.connect(self.save)
        self.remove_button = QPushButton("清退…", self)
        self.remove_button.clicked.connect(self._remove_clicked)
        self.back_button = QPushButton("返回名册（Esc）", self)
        self.back_button.clicked.connect(self.request_close)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title_label)
        layout.addWidget(self.note)
        layout.addWidget(self.status_label)
        layout.addWidget(self.banner)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)

        order = list(self.fields.values())
        for first, second in zip(order, order[1:], strict=False):
            QWidget.setTabOrder(first, second)
        QWidget.setTabOrder(order[-1], self.save_button)
        self.enter = EnterMovesOn(body, last=self.filed_on, on_last=self._save_from_last)
        self.id_number.textChanged.connect(self._check_id)
        self.id_number.editingFinished.connect(self._check_id_finished)
        self.watch_fields()

    # -- opening ----------------------------------------------------------------------------
    def set_villages(self, villages: list[str]) -> None:
        model = self.village_completer.model()
        if hasattr(model, "setStringList"):
            model.setStringList(villages)

    def refill_codes(self) -> None:
        tables = self.ctx.tables
        fill_code_combo(self.ethnicity, tables["ethnicities"])
        fill_code_combo(self.nomination_route, tables["nomination_routes"])
        fill_code_combo(self.priority_group, tables["understander_priority_groups"], empty="无")

    def open_new(self) -> None:
        self.record_id = None
        self.version = None
        self.status = "active"
        self.start_draft("understander:new")
        self._clear()
        self.title_label.setText("新增法律明白人")
        self.status_label.hide()
        self.remove_button.hide()
        self.ready()
        self.name.setFocus(Qt.FocusReason.OtherFocusReason)

    def open_existing(self, understander_id: str) -> None:
        self.record_id = understander_id
        self.start_draft(f"understander:{understander_id}")
        self._clear()
        self.title_label.setText("正在读取…")
        self.remove_button.hide()
        self.setEnabled(False)
        user_id = self.ctx.user.id

        def loaded(row: Row) -> None:
            if self.record_id != understander_id:
                return
            self.setEnabled(True)
            self._fill(row)
            self.ready()
            self.name.setFocus(Qt.FocusReason.OtherFocusReason)

        def failed(exc: BaseException) -> None:
            self.setEnabled(True)
            self.title_label.setText("修改法律明白人")
            self.show_error(exc)

        self.ctx.tasks.run(
            lambda store: load_understander(store, understander_id, user_id=user_id),
            on_success=loaded,
            on_failure=failed,
        )

    def _clear(self) -> None:
        self.reset_view()
        for widget in self.fields.values():
            if isinstance(widget, QLineEdit):
                widget.clear()
            elif isinstance(widget, QComboBox):
                widget.setCurrentIndex(0)
        self.id_info.hide()

    def _fill(self, row: Row) -> None:
        self.version = int(row["version"])
        self.status = str(row["status"])
        self.title_label.setText(f"修改法律明白人：{row['name']}")
        for name in ("name", "id_number", "phone", "village", "villager_group"):
            self.fields[name].setProperty("text", row[name] or "")
        for name in ("assessment_result", "certificate_no", "appointed_on", "filed_on"):
            self.fields[name].setProperty("text", row[name] or "")
        set_combo_value(self.gender, row["gender"])
        set_combo_value(self.ethnicity, row["ethnicity"])
        set_combo_value(self.nomination_route, row["nomination_route"])
        set_combo_value(self.priority_group, row["priority_group"] or None)
        if self.status == "removed":
            self.status_label.setText(
                f"已于{row['removed_on']}清退。清退原因：{row['removal_reason']}"
            )
            self.status_label.show()
            self.remove_button.hide()
        else:
            self.status_label.hide()
            self.remove_button.show()

    # -- the ID number ------------------------------------------------------------------------
    def _check_id(self, text: str) -> None:
        number = normalise_id_text(text)
        if self.errors.message_for("id_number"):
            self.errors.clear()
        self.id_info.hide()
        if len(number) < 18:
            return
        self._parse_id(number)

    def _check_id_finished(self) -> None:
        number = normalise_id_text(self.id_number.text())
        if number and len(number) < 18:
            self._parse_id(number)

    def _parse_id(self, number: str) -> None:
        try:
            rid = parse_resident_id(number, "id_number", today=self.ctx.today())
        except ValidationError as exc:
            self.errors.show(exc, focus=False)
            return
        set_combo_value(self.gender, rid.gender)
        age = rid.age_on(self.ctx.today())
        self.id_info.setText(
            f"出生日期：{rid.birth_date.isoformat()}（{age}岁），性别：{rid.gender}"
        )
        self.id_info.show()

    # -- saving -------------------------------------------------------------------------------
    def _optional_date(self, edit: QLineEdit, field: str, label: str) -> date | None:
        text = edit.text().strip()
        if not text:
            return None
        return validate_date_text(text, field, label, latest=self.ctx.today())

    def build(self) -> UnderstanderInput:
        """The input as typed (dates parsed); raises ValidationError."""
        u = UnderstanderInput(
            name=self.name.text(),
            village=self.village.text(),
            nomination_route=combo_value(self.nomination_route) or "",
            id_number=self.id_number.text(),
            gender=combo_value(self.gender),
            ethnicity=combo_value(self.ethnicity),
            phone=self.phone.text(),
            villager_group=self.villager_group.text(),
            priority_group=combo_value(self.priority_group) or "",
            assessment_result=self.assessment_result.text(),
            certificate_no=self.certificate_no.text(),
            appointed_on=self._optional_date(self.appointed_on, "appointed_on", "聘任日期"),
            filed_on=self._optional_date(self.filed_on, "filed_on", "备案日期"),
        )
        validate_understander(u, self.ctx.tables, self.ctx.today())
        return u

    def save(self) -> bool:
        if self.saving:
            return True
        built: list[UnderstanderInput] = []
        if not self.check(lambda: built.append(self.build())):
            return False
        self.errors.clear()
        u = built[0]
        tables, user_id = self.ctx.tables, self.ctx.user.id
        record_id, version = self.record_id, self.version

        def write(store: Store) -> str:
            service = UnderstanderService(store, tables)
            if record_id is None:
                return service.add(user_id, u)
            service.update(user_id, record_id, u, expected_version=version)
            return record_id

        self.run_save(write)
        return True

    def _save_from_last(self) -> None:
        self.save()

    def _remove_clicked(self) -> None:
        if self.record_id is not None:
            self.removeRequested.emit(self.record_id)

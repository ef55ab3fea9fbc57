"""The party editor: any number of parties, each a natural person or an organisation.

ID numbers are checked as they are typed: once 18 characters are in, the number is parsed
(GB 11643 check character) and gender, birth date and age are filled in; a wrong number shows
the Chinese message under the field and keeps the text. Validation of the whole party happens
in the core (:func:`justice_desktop.domain.party.validate_party`) when the case is saved; its
errors come back with paths like ``parties[1].phone`` and land under the right field.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from justice_desktop.codes.tables import CodeTable
from justice_desktop.domain.party import RESIDENT_ID, SIDE_LABELS, PartyInput
from justice_desktop.validation import ValidationError
from justice_desktop.validation.id_number import age_on, normalise_id_text, parse_resident_id
from ui.forms import (
    ERROR_STYLE,
    FieldErrors,
    code_combo,
    combo_value,
    connect_changes,
    set_combo_value,
    set_widget_value,
    widget_value,
)
from ui.qt import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
    Signal,
)

__all__ = ["KIND_LABELS", "PartiesEditor", "PartyForm"]

KIND_LABELS = {"person": "自然人", "org": "单位"}
GENDERS = ("男", "女")


class PartyForm(QGroupBox):
    """One party. ``changed`` fires on every edit; ``removeRequested`` asks to drop it."""

    changed = Signal()
    removeRequested = Signal(object)

    def __init__(
        self, tables: dict[str, CodeTable], today: date, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("partyForm")
        self._today = today
        self.side = QComboBox(self)
        for code, label in SIDE_LABELS.items():
            self.side.addItem(label, code)
        self.kind = QComboBox(self)
        for code, label in KIND_LABELS.items():
            self.kind.addItem(label, code)
        self.name = QLineEdit(self)
        self.name.setObjectName("partyName")
        self.id_number = QLineEdit(self)
        self.id_number.setObjectName("partyIdNumber")
        self.id_number.setMaxLength(30)
        self.id_number.setPlaceholderText("18位居民身份证号码")
        self.id_info = QLabel(self)
        self.id_info.setObjectName("partyIdInfo")
        self.gender = QComboBox(self)
        self.gender.addItem("", None)
        for g in GENDERS:
            self.gender.addItem(g, g)
        self.ethnicity = code_combo(self, tables["ethnicities"], empty="")
        self.occupation = QLineEdit(self)
        self.phone = QLineEdit(self)
        self.phone.setObjectName("partyPhone")
        self.address = QLineEdit(self)
        self.credit_code = QLineEdit(self)
        self.credit_code.setPlaceholderText("18位统一社会信用代码")
        self.representative = QLineEdit(self)
        self.agent = QLineEdit(self)
        self.remove_button = QPushButton("删除此当事人", self)
        self.remove_button.setObjectName("removeParty")

        self.form = QFormLayout()
        self.errors: dict[str, tuple[QWidget, QLabel]] = {}
        self._rows: dict[str, QWidget] = {}
        top = QHBoxLayout()
        top.addWidget(QLabel("一方", self))
        top.addWidget(self.side)
        top.addWidget(QLabel("类型", self))
        top.addWidget(self.kind)
        top.addStretch(1)
        top.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(self.form)
        self._add("name", "姓名（名称）", self.name)
        self._add("id_number", "身份证号码", self.id_number)
        self.form.addRow("", self.id_info)
        self._add("gender", "性别", self.gender)
        self._add("ethnicity", "民族", self.ethnicity)
        self._add("occupation", "职业", self.occupation)
        self._add("credit_code", "统一社会信用代码", self.credit_code)
        self._add("representative", "法定代表人（负责人）", self.representative)
        self._add("phone", "联系电话", self.phone)
        self._add("address", "住址（住所地）", self.address)
        self._add("agent", "委托代理人", self.agent)

        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.id_number.textChanged.connect(self._check_id)
        self.remove_button.clicked.connect(lambda: self.removeRequested.emit(self))
        for widget in self.inputs().values():
            connect_changes(widget, self.changed.emit)
        self._kind_changed()

    def _add(self, field: str, label: str, widget: QWidget) -> None:
        box = QWidget(self)
        inner = QVBoxLayout(box)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.setSpacing(2)
        inner.addWidget(widget)
        error = QLabel(box)
        error.setStyleSheet(ERROR_STYLE)
        error.setWordWrap(True)
        error.hide()
        inner.addWidget(error)
        self.form.addRow(label, box)
        self.errors[field] = (widget, error)
        self._rows[field] = box

    def inputs(self) -> dict[str, QWidget]:
        return {
            "side": self.side,
            "kind": self.kind,
            "name": self.name,
            "id_number": self.id_number,
            "gender": self.gender,
            "ethnicity": self.ethnicity,
            "occupation": self.occupation,
            "phone": self.phone,
            "address": self.address,
            "credit_code": self.credit_code,
            "representative": self.representative,
            "agent": self.agent,
        }

    def bind(self, errors: FieldErrors, prefix: str) -> None:
        for field, (widget, label) in self.errors.items():
            errors.bind(f"{prefix}{field}", widget, label)
        errors.bind(f"{prefix}side", self.side, self.errors["name"][1])
        errors.bind(f"{prefix}birth_date", self.id_number, self.errors["id_number"][1])
        errors.bind(f"{prefix}id_type", self.id_number, self.errors["id_number"][1])

    def _kind_changed(self) -> None:
        person = combo_value(self.kind) == "person"
        for field in ("id_number", "gender", "ethnicity", "occupation"):
            self._set_row_visible(field, person)
        self.id_info.setVisible(person)
        for field in ("credit_code", "representative"):
            self._set_row_visible(field, not person)

    def _set_row_visible(self, field: str, visible: bool) -> None:
        box = self._rows[field]
        label = self.form.labelForField(box)
        box.setVisible(visible)
        if label is not None:
            label.setVisible(visible)

    def _check_id(self, text: str) -> None:
        """Check the ID number as it is typed; fill gender and show birth date and age."""
        _widget, error = self.errors["id_number"]
        number = normalise_id_text(text)  # typed in groups ("110105 19880512 0325") or full-width
        if len(number) < 18:
            error.hide()
            self.id_info.setText("")
            return
        try:
            rid = parse_resident_id(number, "id_number")
        except ValidationError as exc:
            error.setText(exc.message)
            error.show()
            self.id_info.setText("")
            return
        error.hide()
        set_combo_value(self.gender, rid.gender)
        age = age_on(rid.birth_date, self._today)
        self.id_info.setText(f"出生日期 {rid.birth_date:%Y年%m月%d日}，{age} 岁，{rid.gender}")

    def set_today(self, today: date) -> None:
        self._today = today
        self._check_id(self.id_number.text())

    @property
    def id_error(self) -> str:
        _widget, error = self.errors["id_number"]
        return error.text() if not error.isHidden() else ""

    def to_input(self) -> PartyInput:
        person = combo_value(self.kind) == "person"
        return PartyInput(
            side=str(combo_value(self.side)),
            kind=str(combo_value(self.kind)),
            name=self.name.text(),
            gender=combo_value(self.gender) if person else None,
            ethnicity=combo_value(self.ethnicity) if person else None,
            id_type=RESIDENT_ID if person and self.id_number.text().strip() else None,
            id_number=self.id_number.text() if person else "",
            occupation=self.occupation.text() if person else "",
            phone=self.phone.text(),
            address=self.address.text(),
            credit_code=self.credit_code.text() if not person else "",
            representative=self.representative.text() if not person else "",
            agent=self.agent.text(),
        )

    def state(self) -> dict[str, Any]:
        return {name: widget_value(w) for name, w in self.inputs().items()}

    def set_state(self, state: dict[str, Any]) -> None:
        for name, widget in self.inputs().items():
            if name in state:
                set_widget_value(widget, state[name])

    def set_party(self, p: PartyInput) -> None:
        self.set_state(
            {
                "side": p.side,
                "kind": p.kind,
                "name": p.name,
                "id_number": p.id_number,
                "gender": p.gender,
                "ethnicity": p.ethnicity,
                "occupation": p.occupation,
                "phone": p.phone,
                "address": p.address,
                "credit_code": p.credit_code,
                "representative": p.representative,
                "agent": p.agent,
            }
        )


class PartiesEditor(QWidget):
    """The list of parties with 添加当事人; at least one applicant and one respondent."""

    changed = Signal()

    def __init__(
        self, tables: dict[str, CodeTable], today: date, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("partiesEditor")
        self._tables = tables
        self._today = today
        self.forms: list[PartyForm] = []
        self._list = QVBoxLayout()
        self.add_button = QPushButton("添加当事人", self)
        self.add_button.setObjectName("addParty")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._list)
        layout.addWidget(self.add_button)
        self.add_button.clicked.connect(self._add_clicked)
        self._errors: FieldErrors | None = None

    def set_today(self, today: date) -> None:
        self._today = today
        for form in self.forms:
            form.set_today(today)

    def set_errors(self, errors: FieldErrors) -> None:
        self._errors = errors
        self._rebind()

    def _add_clicked(self) -> None:
        side = "respondent" if any(combo_value(f.side) == "applicant" for f in self.forms) else None
        form = self.add_party(side=side)
        form.name.setFocus()
        self.changed.emit()

    def add_party(self, *, side: str | None = None) -> PartyForm:
        form = PartyForm(self._tables, self._today, self)
        if side is not None:
            set_combo_value(form.side, side)
        form.changed.connect(self.changed)
        form.removeRequested.connect(self._remove)
        self.forms.append(form)
        self._list.addWidget(form)
        self._renumber()
        return form

    def _remove(self, form: object) -> None:
        if not isinstance(form, PartyForm) or form not in self.forms:
            return
        self.forms.remove(form)
        self._list.removeWidget(form)
        form.hide()
        form.deleteLater()
        self._renumber()
        self.changed.emit()

    def clear(self) -> None:
        for form in list(self.forms):
            self._list.removeWidget(form)
            form.hide()
            form.deleteLater()
        self.forms.clear()
        self._renumber()

    def _renumber(self) -> None:
        for i, form in enumerate(self.forms):
            form.setTitle(f"当事人 {i + 1}")
        self._rebind()

    def _rebind(self) -> None:
        if self._errors is None:
            return
        self._errors.unbind_prefix("parties[")
        for i, form in enumerate(self.forms):
            form.bind(self._errors, f"parties[{i}].")

    def inputs(self) -> list[PartyInput]:
        return [f.to_input() for f in self.forms]

    def state(self) -> list[dict[str, Any]]:
        return [f.state() for f in self.forms]

    def set_state(self, states: list[Any]) -> None:
        self.clear()
        for state in states:
            if isinstance(state, dict):
                self.add_party().set_state(state)

    def set_parties(self, parties: list[PartyInput]) -> None:
        self.clear()
        for p in parties:
            self.add_party().set_party(p)

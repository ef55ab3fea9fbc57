"""受理: the registration form of a case (new or being corrected), with its parties.

The form only collects input; :class:`~justice_desktop.domain.case_inputs.CaseInput` and its
validation are the core's. ``changed`` fires on every user edit (drafts listen to it).

What the statistics count is entered here too: 疑难复杂, 排查中发现, and the 防止激化 kinds
(:data:`~justice_desktop.statistics.tables.PREVENTION_KINDS`) with 人数; the agreement amount
is entered with the agreement (``ui.case_stage_forms``).
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from justice_desktop.codes.tables import CodeTable
from justice_desktop.domain.case_inputs import (
    PREVENTED_PEOPLE_MAX,
    CaseInput,
    parse_prevented_people,
)
from justice_desktop.domain.deadlines import COURT_PROCEDURES
from justice_desktop.domain.lifecycle import STATUS_MATTERS
from justice_desktop.statistics.tables import PREVENTION_KINDS
from ui.forms import (
    EnterMovesOn,
    FieldErrors,
    code_combo,
    combo_value,
    connect_changes,
    date_edit,
    fill_code_combo,
    qdate,
    set_combo_value,
    set_widget_value,
    to_date,
    widget_value,
)
from ui.party_editor import PartiesEditor
from ui.qt import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
    Signal,
)

__all__ = ["RegistrationForm", "split_names"]


def split_names(text: str) -> list[str]:
    """调解员 typed as 李明、王芳 or 李明,王芳 or with spaces."""
    return [n for n in re.split(r"[、，,;；\s]+", text) if n.strip()]


class RegistrationForm(QWidget):
    changed = Signal()

    def __init__(
        self,
        tables: dict[str, CodeTable],
        committees: list[dict[str, str]],
        today: date,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("registrationForm")
        self._tables = tables
        self._today = today
        self.banner = QLabel(self)
        self.banner.setObjectName("formBanner")
        self.errors = FieldErrors(self.banner)

        self.committee = QComboBox(self)
        self.committee.setObjectName("committee")
        self.set_committees(committees)
        self.registered_on = date_edit(self, today, maximum=today)
        self.registered_on.setObjectName("registeredOn")
        self.source = code_combo(self, tables["case_sources"])
        self.source.setObjectName("source")
        self.source_sub = QComboBox(self)
        self.source_sub.setObjectName("sourceSub")
        self.referral_doc_no = QLineEdit(self)
        self.referral_doc_no.setObjectName("referralDocNo")
        self.court_procedure = QComboBox(self)
        self.court_procedure.addItem("请选择", None)
        for code, label in COURT_PROCEDURES.items():
            self.court_procedure.addItem(label, code)
        self.dispute_type = code_combo(self, tables["dispute_types"])
        self.dispute_type.setObjectName("disputeType")
        self.dispute_subtype = QComboBox(self)
        self.dispute_subtype.setObjectName("disputeSubtype")
        self.status_matter = QComboBox(self)
        self.status_matter.addItem("不涉及", None)
        for code, label in STATUS_MATTERS.items():
            self.status_matter.addItem(label, code)
        self.risk_level = code_combo(self, tables["risk_levels"], empty=None)
        self.village = QLineEdit(self)
        self.difficult = QCheckBox("疑难复杂纠纷", self)
        self.private_hearing = QCheckBox("不公开调解（涉及隐私、商业秘密）", self)
        self.from_screening = QCheckBox("排查中发现", self)
        self.prevented_box = QWidget(self)
        self.prevented_box.setObjectName("prevented")
        kinds_layout = QGridLayout(self.prevented_box)
        kinds_layout.setContentsMargins(0, 0, 0, 0)
        self.prevented: dict[str, QCheckBox] = {}
        for n, (code, label) in enumerate(PREVENTION_KINDS.items()):
            box = QCheckBox(label, self.prevented_box)
            box.setObjectName(f"prevented_{code}")
            kinds_layout.addWidget(box, n // 2, n % 2)
            self.prevented[code] = box
        kinds_layout.setColumnStretch(2, 1)
        self.prevented_people = QLineEdit(self)
        self.prevented_people.setObjectName("preventedPeople")
        self.prevented_people.setPlaceholderText(
            f"勾选防止激化情形时填写，0至{PREVENTED_PEOPLE_MAX}"
        )
        self.summary = QPlainTextEdit(self)
        self.summary.setObjectName("summary")
        self.summary.setTabChangesFocus(True)
        self.summary.setPlaceholderText("纠纷的起因、经过和双方争议的焦点")
        self.claims = QPlainTextEdit(self)
        self.claims.setObjectName("claims")
        self.claims.setTabChangesFocus(True)
        self.claims.setPlaceholderText("每行一项申请事项")
        self.mediators = QLineEdit(self)
        self.mediators.setObjectName("mediators")
        self.mediators.setPlaceholderText("多人用顿号隔开，第一位为主调解员")
        self.parties = PartiesEditor(tables, today, self)

        form = QFormLayout()
        add = self.errors.add_row
        form_parent = QWidget(self)
        form_parent.setLayout(form)
        add(form, "调委会", "committee_id", self.committee)
        add(form, "受理日期", "registered_on", self.registered_on)
        add(form, "案件来源", "source", self.source)
        self._sub_box, _ = add(form, "移送单位", "source_sub", self.source_sub)
        self._doc_box, _ = add(form, "移送文书编号", "referral_doc_no", self.referral_doc_no)
        self._proc_box, _ = add(form, "法院适用程序", "court_procedure", self.court_procedure)
        add(form, "纠纷类型", "dispute_type", self.dispute_type)
        self._subtype_box, _ = add(form, "具体类别", "dispute_subtype", self.dispute_subtype)
        add(form, "涉及身份事项", "status_matter", self.status_matter)
        add(form, "风险等级", "risk_level", self.risk_level)
        add(form, "村（社区）", "village", self.village)
        checks = QHBoxLayout()
        for box in (self.difficult, self.private_hearing, self.from_screening):
            checks.addWidget(box)
        checks.addStretch(1)
        form.addRow("", _wrap(checks, form_parent))
        add(form, "防止激化", "prevented", self.prevented_box)
        add(form, "涉及人数", "prevented_people", self.prevented_people)
        add(form, "纠纷简要情况", "summary", self.summary)
        add(form, "申请事项", "claims", self.claims)
        add(form, "调解员", "mediators", self.mediators)
        self._form = form

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.banner)
        layout.addWidget(form_parent)
        layout.addWidget(QLabel("当事人", self))
        layout.addWidget(self.parties)
        layout.addStretch(1)
        self.parties.set_errors(self.errors)
        self.errors.bind("parties", self.parties.add_button, self.banner)
        self.enter = EnterMovesOn(self)

        self.source.currentIndexChanged.connect(self._source_changed)
        self.source_sub.currentIndexChanged.connect(self._sub_changed)
        self.dispute_type.currentIndexChanged.connect(self._type_changed)
        self._source_changed()
        self._type_changed()
        for widget in self._inputs().values():
            connect_changes(widget, self.changed.emit)
        self.parties.changed.connect(self._parties_changed)

    # -- values ----------------------------------------------------------------------------------
    def set_committees(self, committees: list[dict[str, str]]) -> None:
        current = combo_value(self.committee)
        self.committee.clear()
        for c in committees:
            self.committee.addItem(c["name"], c["id"])
        set_combo_value(self.committee, current)

    def _inputs(self) -> dict[str, QWidget]:
        return {
            "committee_id": self.committee,
            "registered_on": self.registered_on,
            "source": self.source,
            "source_sub": self.source_sub,
            "referral_doc_no": self.referral_doc_no,
            "court_procedure": self.court_procedure,
            "dispute_type": self.dispute_type,
            "dispute_subtype": self.dispute_subtype,
            "status_matter": self.status_matter,
            "risk_level": self.risk_level,
            "village": self.village,
            "difficult": self.difficult,
            "private_hearing": self.private_hearing,
            "from_screening": self.from_screening,
            **{f"prevented.{code}": box for code, box in self.prevented.items()},
            "prevented_people": self.prevented_people,
            "summary": self.summary,
            "claims": self.claims,
            "mediators": self.mediators,
        }

    def to_input(self) -> CaseInput:
        return CaseInput(
            committee_id=str(combo_value(self.committee) or ""),
            registered_on=to_date(self.registered_on.date()),
            source=str(combo_value(self.source) or ""),
            source_sub=combo_value(self.source_sub),
            referral_doc_no=self.referral_doc_no.text(),
            court_procedure=combo_value(self.court_procedure),
            dispute_type=str(combo_value(self.dispute_type) or ""),
            dispute_subtype=combo_value(self.dispute_subtype),
            status_matter=combo_value(self.status_matter),
            risk_level=str(combo_value(self.risk_level) or "low"),
            village=self.village.text(),
            difficult=self.difficult.isChecked(),
            private_hearing=self.private_hearing.isChecked(),
            from_screening=self.from_screening.isChecked(),
            prevented=[code for code, box in self.prevented.items() if box.isChecked()],
            prevented_people=parse_prevented_people(self.prevented_people.text()),
            summary=self.summary.toPlainText(),
            claims=[line for line in self.claims.toPlainText().splitlines() if line.strip()],
            mediators=split_names(self.mediators.text()),
            parties=self.parties.inputs(),
        )

    def state(self) -> dict[str, Any]:
        values = {name: widget_value(w) for name, w in self._inputs().items()}
        values["parties"] = self.parties.state()
        return values

    def set_state(self, state: dict[str, Any]) -> None:
        order = ("source", "source_sub", "dispute_type")  # parents before their children
        inputs = self._inputs()
        for name in (*order, *[n for n in inputs if n not in order]):
            if name in state:
                set_widget_value(inputs[name], state[name])
        parties = state.get("parties")
        if isinstance(parties, list):
            self.parties.set_state(parties)
        self.enter.watch(self)

    def set_case(self, case: dict[str, Any], parties: list[Any], mediators: list[str]) -> None:
        claims = json.loads(case.get("claims") or "[]")
        prevented = _prevented_codes(case.get("prevented"))
        people = int(case.get("prevented_people") or 0)
        self.set_state(
            {
                "committee_id": case["committee_id"],
                "registered_on": case["registered_on"],
                "source": case["source"],
                "source_sub": case.get("source_sub"),
                "referral_doc_no": case.get("referral_doc_no") or "",
                "court_procedure": case.get("court_procedure"),
                "dispute_type": case["dispute_type"],
                "dispute_subtype": case.get("dispute_subtype"),
                "status_matter": case.get("status_matter"),
                "risk_level": case.get("risk_level") or "low",
                "village": case.get("village") or "",
                "difficult": bool(case.get("difficult")),
                "private_hearing": bool(case.get("private_hearing")),
                "from_screening": bool(case.get("from_screening")),
                **{f"prevented.{code}": code in prevented for code in self.prevented},
                "prevented_people": str(people) if people else "",
                "summary": case.get("summary") or "",
                "claims": "\n".join(str(c) for c in claims),
                "mediators": "、".join(mediators),
            }
        )
        self.parties.set_parties(parties)
        self.enter.watch(self)

    def set_today(self, today: date) -> None:
        """The window may stay open past midnight: today's date is the latest 受理日期 and the
        one a new case starts with (ages are computed on it)."""
        self._today = today
        self.registered_on.setMaximumDate(qdate(today))
        self.parties.set_today(today)

    def new_case(self, mediator: str) -> None:
        self.set_state(
            {
                "registered_on": self._today.isoformat(),
                "source": None,
                "dispute_type": None,
                "source_sub": None,
                "referral_doc_no": "",
                "court_procedure": None,
                "dispute_subtype": None,
                "status_matter": None,
                "risk_level": "low",
                "village": "",
                "difficult": False,
                "private_hearing": False,
                "from_screening": False,
                **{f"prevented.{code}": False for code in self.prevented},
                "prevented_people": "",
                "summary": "",
                "claims": "",
                "mediators": mediator,
            }
        )
        if self.committee.count():
            self.committee.setCurrentIndex(0)
        self.parties.clear()
        self.parties.add_party(side="applicant")
        self.parties.add_party(side="respondent")
        self.errors.clear()
        self.enter.watch(self)

    def set_locked(self, locked_committee: bool) -> None:
        """An existing case keeps its committee (its number was given by it)."""
        self.committee.setEnabled(not locked_committee)

    # -- dependent fields ------------------------------------------------------------------------
    def _source_changed(self) -> None:
        parent = combo_value(self.source)
        table = self._tables["case_sources"]
        has_children = bool(parent) and bool(table.children(parent))
        if has_children:
            fill_code_combo(self.source_sub, table, parent_code=parent)
        else:
            self.source_sub.clear()
        self._show(self._sub_box, has_children)
        self._show(self._doc_box, has_children)
        self._sub_changed()

    def _sub_changed(self) -> None:
        self._show(self._proc_box, combo_value(self.source_sub) == "court_entrusted")

    def _type_changed(self) -> None:
        parent = combo_value(self.dispute_type)
        table = self._tables["dispute_types"]
        has_children = bool(parent) and bool(table.children(parent))
        if has_children:
            fill_code_combo(self.dispute_subtype, table, parent_code=parent)
        else:
            self.dispute_subtype.clear()
        self._show(self._subtype_box, has_children)

    def _show(self, box: QWidget, visible: bool) -> None:
        box.setVisible(visible)
        label = self._form.labelForField(box)
        if label is not None:
            label.setVisible(visible)

    def _parties_changed(self) -> None:
        self.enter.watch(self)
        self.changed.emit()


def _prevented_codes(text: Any) -> set[str]:
    try:
        value = json.loads(text or "[]")
    except (TypeError, ValueError):
        return set()
    return {str(v) for v in value} if isinstance(value, list) else set()


def _wrap(layout: QHBoxLayout, parent: QWidget) -> QWidget:
    box = QWidget(parent)
    layout.setContentsMargins(0, 0, 0, 0)
    box.setLayout(layout)
    return box

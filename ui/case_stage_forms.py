"""The forms of a case's later stages: 调查, 调解 (and 延期), 协议 / 调解不成, 回访, 司法确认,
结案 and 归档.

Each :class:`StageForm` collects one operation's input and turns it into a call of
:class:`~justice_desktop.store.cases.CaseService` (:meth:`StageForm.operation`), run by the
case editor on the database worker. Forms know nothing of the database; validation is the
core's, and its errors come back to :attr:`StageForm.errors`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from justice_desktop.codes.tables import CodeTable
from justice_desktop.domain.case_inputs import (
    PERFORMANCE_LABELS,
    QA,
    AgreementInput,
    FollowUpInput,
    InvestigationInput,
    SessionInput,
)
from justice_desktop.store.cases import CaseService
from justice_desktop.validation import ValidationError
from justice_desktop.validation.fields import validate_amount
from ui.forms import (
    EnterMovesOn,
    FieldErrors,
    code_combo,
    connect_changes,
    date_edit,
    date_time_edit,
    qdate,
    set_widget_value,
    widget_value,
)
from ui.qt import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
    Signal,
)

__all__ = [
    "AgreementForm",
    "ArchiveForm",
    "CloseForm",
    "ExtensionForm",
    "FailureForm",
    "FollowUpForm",
    "InvestigationForm",
    "JudicialApplyForm",
    "JudicialResultForm",
    "Operation",
    "SessionForm",
    "StageForm",
    "parse_qa",
]

#: QDateEdit's own latest date is 9999-12-31: a field below it was capped at "today".
NO_MAXIMUM_YEAR = 9999

#: What a form asks the worker to do: ``op(service, user_id, case_id)``.
Operation = Callable[[CaseService, str, str], object]


def parse_qa(text: str) -> list[QA]:
    """Q&A typed as lines starting 问：/答： (a line without a marker continues the last)."""
    pairs: list[QA] = []
    current: str | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        for marker, kind in (("问：", "q"), ("问:", "q"), ("答：", "a"), ("答:", "a")):
            if line.startswith(marker):
                body = line[len(marker) :].strip()
                if kind == "q":
                    pairs.append(QA(body, ""))
                elif pairs and not pairs[-1].answer:
                    pairs[-1].answer = body
                else:
                    pairs.append(QA("", body))
                current = kind
                break
        else:
            if not pairs:
                pairs.append(QA(line, ""))
                current = "q"
            elif current == "a":
                pairs[-1].answer = f"{pairs[-1].answer}\n{line}"
            else:
                pairs[-1].question = f"{pairs[-1].question}\n{line}"
    return pairs


def _text_edit(parent: QWidget, placeholder: str = "", name: str = "") -> QPlainTextEdit:
    edit = QPlainTextEdit(parent)
    edit.setTabChangesFocus(True)
    edit.setPlaceholderText(placeholder)
    if name:
        edit.setObjectName(name)
    edit.setMinimumHeight(edit.fontMetrics().height() * 4)
    return edit


class StageForm(QGroupBox):
    """A titled form with its fields, error lines and a submit button."""

    changed = Signal()
    submitRequested = Signal()
    #: The action (see ``lifecycle.ACTION_LABELS``) the case's status must allow.
    action: str = ""
    submit_text: str = "保存"

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.banner = QLabel(self)
        self.errors = FieldErrors(self.banner)
        self.form = QFormLayout()
        self.fields: dict[str, QWidget] = {}
        self.submit = QPushButton(self.submit_text, self)
        self.submit.setObjectName(f"{type(self).__name__}Submit")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.submit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(self.form)
        layout.addLayout(buttons)
        self.submit.clicked.connect(self.submitRequested)

    def add(self, field: str, label: str, widget: QWidget) -> QWidget:
        self.errors.add_row(self.form, label, field, widget)
        self.fields[field] = widget
        connect_changes(widget, self.changed.emit)
        return widget

    def finish(self) -> None:
        """Call after the fields are added: Enter moves on, and submits from the last one."""
        last = list(self.fields.values())[-1] if self.fields else None
        EnterMovesOn(self, last=last, on_last=self.submitRequested.emit)

    def set_allowed(self, allowed: bool) -> None:
        self.setEnabled(allowed)

    def operation(self) -> Operation:
        raise NotImplementedError

    def state(self) -> dict[str, Any]:
        return {name: widget_value(w) for name, w in self.fields.items()}

    def set_state(self, state: dict[str, Any]) -> None:
        for name, widget in self.fields.items():
            if name in state:
                set_widget_value(widget, state[name])

    def reset(self, today: date, user_name: str) -> None:
        """Empty the form for the next entry; dates start at today again (the window may
        have stayed open past midnight: a date capped at today is capped at the new day)."""
        for widget in self.fields.values():
            if isinstance(widget, QLineEdit | QPlainTextEdit):
                widget.clear()
            elif isinstance(widget, QCheckBox):
                widget.setChecked(False)
            elif isinstance(widget, QDateTimeEdit):  # also QDateEdit
                if widget.maximumDate().year() < NO_MAXIMUM_YEAR:
                    widget.setMaximumDate(qdate(today))
                widget.setDate(qdate(today))
        self.errors.clear()


class InvestigationForm(StageForm):
    action = "investigate"
    submit_text = "保存调查记录"

    def __init__(self, now: datetime, parent: QWidget | None = None) -> None:
        super().__init__("新增调查记录", parent)
        self.held_at = self.add("held_at", "调查时间", date_time_edit(self, now))
        self.place = self.add("place", "调查地点", QLineEdit(self))
        self.subject = self.add("subject", "被调查人", QLineEdit(self))
        self.investigator = self.add("investigator", "调查人", QLineEdit(self))
        self.participants = self.add("participants", "参加人", QLineEdit(self))
        self.recorder = self.add("recorder", "记录人", QLineEdit(self))
        self.qa = self.add("qa", "调查笔录", _text_edit(self, "问：……\n答：……", "investigationQa"))
        self.finish()

    def operation(self) -> Operation:
        v = self.state()
        i = InvestigationInput(
            held_at=datetime.fromisoformat(v["held_at"]),
            subject=v["subject"],
            investigator=v["investigator"],
            qa=parse_qa(v["qa"]),
            place=v["place"],
            participants=v["participants"],
            recorder=v["recorder"],
        )
        return lambda svc, uid, cid: svc.add_investigation(uid, cid, i)


class SessionForm(StageForm):
    action = "mediate"
    submit_text = "保存调解记录"

    def __init__(self, now: datetime, parent: QWidget | None = None) -> None:
        super().__init__("新增调解记录", parent)
        self.add("held_at", "调解时间", date_time_edit(self, now))
        self.add("place", "调解地点", QLineEdit(self))
        self.add("mediators", "调解员", QLineEdit(self))
        self.add("participants", "参加人", QLineEdit(self))
        self.add("recorder", "记录人", QLineEdit(self))
        self.add("record", "调解情况", _text_edit(self, "调解经过、各方意见", "sessionRecord"))
        self.add("result", "本次结果", QLineEdit(self))
        self.finish()

    def operation(self) -> Operation:
        v = self.state()
        s = SessionInput(
            held_at=datetime.fromisoformat(v["held_at"]),
            record=v["record"],
            mediators=v["mediators"],
            place=v["place"],
            participants=v["participants"],
            recorder=v["recorder"],
            result=v["result"],
        )
        return lambda svc, uid, cid: svc.add_session(uid, cid, s)


class ExtensionForm(StageForm):
    action = "extend"
    submit_text = "延长调解期限"

    def __init__(self, today: date, parent: QWidget | None = None) -> None:
        super().__init__("延长调解期限（须双方同意）", parent)
        self.add("new_due_on", "延长至", date_edit(self, today))
        self.add("applicant_consent", "", QCheckBox("申请人同意延期", self))
        self.add("respondent_consent", "", QCheckBox("被申请人同意延期", self))
        self.add("consent_record", "同意情况记录", QLineEdit(self))
        self.errors.alias("consent", "applicant_consent")  # the message names who is missing
        self.finish()

    def operation(self) -> Operation:
        v = self.state()
        due = date.fromisoformat(v["new_due_on"])
        a, r, record = (
            bool(v["applicant_consent"]),
            bool(v["respondent_consent"]),
            v["consent_record"],
        )
        return lambda svc, uid, cid: svc.extend_deadline(
            uid, cid, due, applicant_consent=a, respondent_consent=r, consent_record=record
        )


class AgreementForm(StageForm):
    action = "agree"
    submit_text = "保存调解协议（调解成功）"

    def __init__(self, today: date, parent: QWidget | None = None) -> None:
        super().__init__("达成调解协议", parent)
        kind = QComboBox(self)
        kind.addItem("书面协议", "written")
        kind.addItem("口头协议", "oral")
        self.add("form", "协议形式", kind)
        self.add("effective_on", "协议日期", date_edit(self, today))
        self.add("facts", "纠纷事实、争议事项", _text_edit(self, name="agreementFacts"))
        self.add("terms", "协议条款", _text_edit(self, "每行一条", "agreementTerms"))
        self.add("oral_content", "口头协议内容", _text_edit(self, name="oralContent"))
        self.add("performance_manner", "履行方式", QLineEdit(self))
        self.add("performance_place", "履行地点", QLineEdit(self))
        self.add("has_deadline", "", QCheckBox("有履行期限", self))
        self.add("performance_deadline", "履行期限", date_edit(self, today))
        self.add("amount", "涉及金额（元）", QLineEdit(self))
        self.finish()

    def operation(self) -> Operation:
        v = self.state()
        amount_text = str(v["amount"] or "").strip()
        amount: Decimal | None = (
            validate_amount(amount_text, "amount", "涉及金额") if amount_text else None
        )
        a = AgreementInput(
            form=str(v["form"]),
            effective_on=date.fromisoformat(v["effective_on"]),
            facts=v["facts"],
            terms=[t for t in str(v["terms"]).splitlines() if t.strip()],
            oral_content=v["oral_content"],
            performance_manner=v["performance_manner"],
            performance_place=v["performance_place"],
            performance_deadline=date.fromisoformat(v["performance_deadline"])
            if v["has_deadline"]
            else None,
            amount=amount,
        )
        return lambda svc, uid, cid: svc.record_agreement(uid, cid, a)


class FailureForm(StageForm):
    action = "fail"
    submit_text = "确认调解不成"

    def __init__(
        self, tables: dict[str, CodeTable], today: date, parent: QWidget | None = None
    ) -> None:
        super().__init__("调解不成（终结调解）", parent)
        self.add("on", "终结日期", date_edit(self, today, maximum=today))
        self.add("failure_reason", "调解不成的原因", _text_edit(self, name="failureReason"))
        self.routes: dict[str, QCheckBox] = {}
        for entry in tables["failure_routes"].entries:
            if entry.parent is None and not entry.superseded_by:
                box = QCheckBox(entry.label, self)
                self.routes[entry.code] = box
                self.add(
                    f"route_{entry.code}", "告知的解决途径" if len(self.routes) == 1 else "", box
                )
        self.errors.bind("failure_routes", *self._first_route())
        self.errors.alias("outcome_on", "on")  # the core names the case's column
        self.finish()

    def _first_route(self) -> tuple[QWidget, QLabel]:
        box = next(iter(self.routes.values()))
        return box, self.banner

    def operation(self) -> Operation:
        v = self.state()
        on = date.fromisoformat(v["on"])
        reason = str(v["failure_reason"])
        routes = [code for code, box in self.routes.items() if box.isChecked()]
        return lambda svc, uid, cid: svc.record_failure(uid, cid, on, reason, routes)


class FollowUpForm(StageForm):
    action = "follow_up"
    submit_text = "保存回访记录"

    def __init__(self, today: date, user_name: str, parent: QWidget | None = None) -> None:
        super().__init__("回访", parent)
        self.add("done_on", "回访日期", date_edit(self, today, maximum=today))
        visitor = QLineEdit(user_name, self)
        self.add("visitor", "回访人", visitor)
        performance = QComboBox(self)
        performance.addItem("请选择", None)
        for code, label in PERFORMANCE_LABELS.items():
            performance.addItem(label, code)
        self.add("performance", "协议履行情况", performance)
        self.add("satisfaction", "当事人满意度", QLineEdit(self))
        self.add("lawsuit", "", QCheckBox("当事人已起诉", self))
        self.add("escalation_risk", "激化风险", QLineEdit(self))
        self.add("measures", "采取的措施", QLineEdit(self))
        self.add("notes", "回访情况", _text_edit(self, name="followUpNotes"))
        self.finish()

    def operation(self) -> Operation:
        v = self.state()
        f = FollowUpInput(
            done_on=date.fromisoformat(v["done_on"]),
            visitor=v["visitor"],
            performance=str(v["performance"] or ""),
            satisfaction=v["satisfaction"],
            lawsuit=bool(v["lawsuit"]),
            escalation_risk=v["escalation_risk"],
            measures=v["measures"],
            notes=v["notes"],
        )
        return lambda svc, uid, cid: svc.record_follow_up(uid, cid, f)

    def reset(self, today: date, user_name: str) -> None:
        super().reset(today, user_name)
        set_widget_value(self.fields["visitor"], user_name)


class JudicialApplyForm(StageForm):
    action = "judicial_confirmation"
    submit_text = "登记申请"

    def __init__(self, today: date, parent: QWidget | None = None) -> None:
        super().__init__("申请司法确认（协议生效之日起30日内）", parent)
        self.add("applied_on", "申请日期", date_edit(self, today, maximum=today))
        self.add("court", "受理法院", QLineEdit(self))
        self.finish()

    def operation(self) -> Operation:
        v = self.state()
        on, court = date.fromisoformat(v["applied_on"]), str(v["court"])
        return lambda svc, uid, cid: svc.apply_judicial_confirmation(uid, cid, on, court)


class JudicialResultForm(StageForm):
    action = "judicial_confirmation"
    submit_text = "登记法院结果"

    def __init__(self, today: date, parent: QWidget | None = None) -> None:
        super().__init__("法院处理结果", parent)
        result = QComboBox(self)
        result.addItem("请选择", None)
        result.addItem("确认有效", "confirmed")
        result.addItem("驳回申请", "rejected")
        self.add("result", "结果", result)
        self.add("decision_no", "裁定（决定）书编号", QLineEdit(self))
        self.add("decided_on", "裁定日期", date_edit(self, today, maximum=today))
        self.confirmation_id: str | None = None
        self.finish()

    def operation(self) -> Operation:
        if self.confirmation_id is None:
            raise ValidationError("result", "请先登记司法确认申请。")
        v = self.state()
        cid_ = self.confirmation_id
        result, number = str(v["result"] or ""), str(v["decision_no"])
        on = date.fromisoformat(v["decided_on"])
        return lambda svc, uid, _cid: svc.record_judicial_result(uid, cid_, result, number, on)


class CloseForm(StageForm):
    action = "close"
    submit_text = "结案"

    def __init__(self, today: date, parent: QWidget | None = None) -> None:
        super().__init__("结案", parent)
        self.add("closed_on", "结案日期", date_edit(self, today, maximum=today))
        self.add("note", "备注", QLineEdit(self))
        self.errors.alias("closing_note", "note")
        self.finish()

    def operation(self) -> Operation:
        v = self.state()
        on, note = date.fromisoformat(v["closed_on"]), str(v["note"])
        return lambda svc, uid, cid: svc.close_case(uid, cid, on, note)


class ArchiveForm(StageForm):
    action = "archive"
    submit_text = "归档"

    def __init__(
        self,
        tables: dict[str, CodeTable],
        today: date,
        user_name: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("立卷归档", parent)
        self.add("volume_no", "卷宗编号", QLineEdit(self))
        self.add("retention_period", "保管期限", code_combo(self, tables["retention_periods"]))
        self.add("archived_on", "归档日期", date_edit(self, today, maximum=today))
        self.add("archived_by", "立卷人", QLineEdit(user_name, self))
        self.finish()

    def operation(self) -> Operation:
        v = self.state()
        volume, period = str(v["volume_no"]), str(v["retention_period"] or "")
        on, by = date.fromisoformat(v["archived_on"]), str(v["archived_by"])
        return lambda svc, uid, cid: svc.archive_case(uid, cid, volume, period, on, by)

    def reset(self, today: date, user_name: str) -> None:
        super().reset(today, user_name)
        set_widget_value(self.fields["archived_by"], user_name)

"""The quick-entry form of a legal consultation (法律咨询登记)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from justice_desktop.codes.tables import CodeTable
from justice_desktop.domain.consultations import ANONYMOUS_LABEL, ConsultationInput
from ui.consultation_quick_entry import QuickForm
from ui.consultation_widgets import TypeableCombo
from ui.forms import date_edit, qdate, to_date
from ui.qt import (
    QCheckBox,
    QCompleter,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QIntValidator,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

__all__ = ["ConsultationForm", "GENDER_ALIASES", "GENDER_ITEMS", "combo_input"]

GENDER_ITEMS = [("男", "男"), ("女", "女")]
GENDER_ALIASES = {"男": ["m", "nan", "1"], "女": ["f", "nv", "nu", "2"]}
DEFAULT_MODE = "on_site"
DEFAULT_REFERRAL = "none"
#: Referral to mediation creates a case: it is done with 转调解, not chosen here.
REFERRAL_BY_BUTTON = "mediation"


def combo_input(combo: TypeableCombo) -> str:
    """The code the typed text names, else the text itself (so the core can say what is
    wrong with it), else an empty string."""
    return combo.code() or combo.currentText().strip()


def text_lines(widget: QPlainTextEdit, lines: int) -> None:
    """Room for about ``lines`` lines of text at the current font size."""
    widget.setMinimumHeight(widget.fontMetrics().lineSpacing() * lines + 12)


class ConsultationForm(QuickForm):
    """Person asking (or 拒绝提供身份信息), the question, the answer, how and when."""

    def __init__(
        self,
        tables: dict[str, CodeTable],
        today: Callable[[], date],
        answerer: Callable[[], str],
        answerers: list[str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("consultationForm")
        self._today = today
        self._answerer = answerer
        errors = self.errors

        # -- the person asking -----------------------------------------------------------
        person = QGroupBox("咨询人", self)
        person_form = QFormLayout(person)
        self.name_edit = QLineEdit(person)
        self.name_edit.setPlaceholderText("姓名")
        self.anonymous_check = QCheckBox(ANONYMOUS_LABEL, person)
        self.gender_combo = TypeableCombo(person)
        self.gender_combo.set_items(GENDER_ITEMS, GENDER_ALIASES)
        self.gender_combo.set_placeholder("男 / 女（可输入 m、f）")
        self.age_edit = QLineEdit(person)
        self.age_edit.setValidator(QIntValidator(0, 999, self.age_edit))
        self.phone_edit = QLineEdit(person)
        self.phone_edit.setPlaceholderText("手机或固定电话")
        self.ethnicity_combo = TypeableCombo(person)
        self.employer_edit = QLineEdit(person)
        self.address_edit = QLineEdit(person)
        self.village_edit = QLineEdit(person)
        errors.add_row(person_form, "姓名", "name", self.name_edit)
        errors.add_row(person_form, "", "anonymous", self.anonymous_check)
        errors.add_row(person_form, "性别", "gender", self.gender_combo)
        errors.add_row(person_form, "年龄", "age", self.age_edit)
        errors.add_row(person_form, "联系电话", "phone", self.phone_edit)
        errors.add_row(person_form, "民族", "ethnicity", self.ethnicity_combo)
        errors.add_row(person_form, "工作单位及职业", "employer", self.employer_edit)
        errors.add_row(person_form, "住址", "address", self.address_edit)
        errors.add_row(person_form, "村（社区）", "village", self.village_edit)

        # -- the matter ------------------------------------------------------------------------
        matter = QGroupBox("咨询事项", self)
        matter_form = QFormLayout(matter)
        self.category_combo = TypeableCombo(matter)
        self.question_edit = QPlainTextEdit(matter)
        self.question_edit.setPlaceholderText("咨询的问题（Tab 键到下一项）")
        text_lines(self.question_edit, 3)
        self.answer_edit = QPlainTextEdit(matter)
        self.answer_edit.setPlaceholderText("解答摘要")
        text_lines(self.answer_edit, 3)
        self.mode_combo = TypeableCombo(matter)
        self.referral_combo = TypeableCombo(matter)
        self.date_edit = date_edit(matter, today())
        self.answerer_edit = QLineEdit(matter)
        completer = QCompleter(answerers, self.answerer_edit)
        self.answerer_edit.setCompleter(completer)
        self.notes_edit = QLineEdit(matter)
        self.notes_edit.setPlaceholderText("回车保存")
        errors.add_row(matter_form, "咨询类别", "category", self.category_combo)
        errors.add_row(matter_form, "咨询问题", "question", self.question_edit)
        errors.add_row(matter_form, "解答摘要", "answer", self.answer_edit)
        errors.add_row(matter_form, "咨询方式", "mode", self.mode_combo)
        errors.add_row(matter_form, "处理方式", "referral", self.referral_combo)
        errors.add_row(matter_form, "咨询日期", "consulted_on", self.date_edit)
        errors.add_row(matter_form, "解答人", "answered_by", self.answerer_edit)
        errors.add_row(matter_form, "备注", "notes", self.notes_edit)

        self.save_button = QPushButton("保存（Ctrl+S）", self)
        self.save_button.setObjectName("saveConsultation")
        self.save_button.clicked.connect(self.saveRequested.emit)
        self.clear_button = QPushButton("清空", self)
        self.clear_button.clicked.connect(self.clearRequested.emit)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.clear_button)
        buttons.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.banner)
        layout.addWidget(person)
        layout.addWidget(matter)
        layout.addLayout(buttons)
        layout.addStretch(1)

        for name, widget in (
            ("name", self.name_edit),
            ("anonymous", self.anonymous_check),
            ("gender", self.gender_combo),
            ("age", self.age_edit),
            ("phone", self.phone_edit),
            ("ethnicity", self.ethnicity_combo),
            ("employer", self.employer_edit),
            ("address", self.address_edit),
            ("village", self.village_edit),
            ("category", self.category_combo),
            ("question", self.question_edit),
            ("answer", self.answer_edit),
            ("mode", self.mode_combo),
            ("referral", self.referral_combo),
            ("consulted_on", self.date_edit),
            ("answered_by", self.answerer_edit),
            ("notes", self.notes_edit),
        ):
            self.register(name, widget)
        self.finish(list(self.fields.values()))
        self.anonymous_check.toggled.connect(self._anonymous_toggled)
        self.set_tables(tables)
        self.reset()

    # -- filling --------------------------------------------------------------------------------
    def set_tables(self, tables: dict[str, CodeTable]) -> None:
        self.ethnicity_combo.fill_table(tables["ethnicities"])
        self.category_combo.fill_table(tables["consultation_categories"])
        self.mode_combo.fill_table(tables["consultation_modes"])
        self.referral_combo.fill_table(
            tables["consultation_referrals"], exclude=[REFERRAL_BY_BUTTON]
        )

    def set_answerers(self, names: list[str]) -> None:
        self.answerer_edit.setCompleter(QCompleter(names, self.answerer_edit))

    def reset(self) -> None:
        for widget in (
            self.name_edit,
            self.age_edit,
            self.phone_edit,
            self.employer_edit,
            self.address_edit,
            self.village_edit,
            self.notes_edit,
        ):
            widget.clear()
        self.question_edit.clear()
        self.answer_edit.clear()
        self.anonymous_check.setChecked(False)
        for combo in (self.gender_combo, self.ethnicity_combo, self.category_combo):
            combo.set_code(None)
        self.mode_combo.set_code(DEFAULT_MODE)
        self.referral_combo.set_code(DEFAULT_REFERRAL)
        today = self._today()
        self.date_edit.setMaximumDate(qdate(today))
        self.date_edit.setDate(qdate(today))
        self.answerer_edit.setText(self._answerer())

    def new_day(self, previous: date, today: date, *, started: bool) -> None:
        self.date_edit.setMaximumDate(qdate(today))
        if not started and to_date(self.date_edit.date()) == previous:
            self.date_edit.setDate(qdate(today))

    # -- reading -----------------------------------------------------------------------------
    def to_input(self) -> ConsultationInput:
        age = self.age_edit.text().strip()
        return ConsultationInput(
            consulted_on=to_date(self.date_edit.date()),
            category=combo_input(self.category_combo),
            question=self.question_edit.toPlainText(),
            answered_by=self.answerer_edit.text(),
            mode=combo_input(self.mode_combo),
            anonymous=self.anonymous_check.isChecked(),
            name=self.name_edit.text(),
            gender=combo_input(self.gender_combo) or None,
            age=int(age) if age.isdigit() else None,
            ethnicity=combo_input(self.ethnicity_combo) or None,
            employer=self.employer_edit.text(),
            address=self.address_edit.text(),
            phone=self.phone_edit.text(),
            answer=self.answer_edit.toPlainText(),
            village=self.village_edit.text(),
            referral=combo_input(self.referral_combo),
            notes=self.notes_edit.text(),
        )

    def title_text(self) -> str:
        who = ANONYMOUS_LABEL if self.anonymous_check.isChecked() else self.name_edit.text()
        return f"法律咨询 {who}".strip()

    # -- behaviour ------------------------------------------------------------------------------
    def _anonymous_toggled(self, anonymous: bool) -> None:
        for widget in (
            self.name_edit,
            self.gender_combo,
            self.age_edit,
            self.phone_edit,
            self.ethnicity_combo,
            self.employer_edit,
        ):
            widget.setEnabled(not anonymous)
        # the address of an anonymous person is not kept either
        self.address_edit.setEnabled(not anonymous)

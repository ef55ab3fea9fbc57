"""转调解: turn a consultation into a people's mediation case.

The dialog starts from :meth:`ConsultationService.draft_case` (the person asking becomes the
applicant, the question the summary), asks what a registration still needs (committee,
mediator, dispute type, the other side) and registers the case with
:meth:`ConsultationService.refer_to_mediation` in one transaction. Validation errors appear
under their fields; nothing typed is lost.
"""

from __future__ import annotations

from dataclasses import replace

from justice_desktop.domain.case_inputs import CaseInput
from justice_desktop.domain.party import PartyInput
from justice_desktop.store.consultations import ConsultationService
from justice_desktop.store.database import Store
from justice_desktop.validation import ValidationError
from ui.case_registration import split_names
from ui.consultation_form import combo_input, text_lines
from ui.consultation_widgets import Alive, TypeableCombo, set_tab_chain
from ui.context import AppContext
from ui.forms import EnterMovesOn, FieldErrors
from ui.qt import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)

__all__ = ["ReferralDialog", "RESPONDENT_KINDS"]

RESPONDENT_KINDS = [("自然人", "person"), ("单位", "org")]


class ReferralDialog(QDialog):
    """Signals: ``referred(case_id)`` once the case exists (the dialog then closes)."""

    referred = Signal(str)

    def __init__(
        self,
        ctx: AppContext,
        consultation_id: str,
        draft: CaseInput,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("referralDialog")
        self.setWindowTitle("转人民调解")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self._ctx = ctx
        self._consultation_id = consultation_id
        self._draft = draft
        self._alive = Alive(self)
        self._busy = False
        tables = ctx.tables

        banner = QLabel(self)
        self.errors = FieldErrors(banner)
        intro = QLabel(
            "将该咨询登记为人民调解案件：咨询人作为申请人，咨询问题作为纠纷简要情况。", self
        )
        intro.setWordWrap(True)

        case_box = QGroupBox("案件", self)
        case_form = QFormLayout(case_box)
        applicant = draft.parties[0] if draft.parties else PartyInput()
        self.applicant_label = QLabel(
            applicant.name + (f"（{applicant.phone}）" if applicant.phone else ""), case_box
        )
        self.committee_combo = QComboBox(case_box)
        for committee in ctx.committees:
            self.committee_combo.addItem(committee["name"], committee["id"])
        index = self.committee_combo.findData(draft.committee_id)
        self.committee_combo.setCurrentIndex(max(index, 0))
        # 工作单位及职业 of the consultation (up to 100 characters) becomes the applicant's
        # 职业 (up to 50): editable here, so a long one can be shortened on the spot
        self.occupation_edit = QLineEdit(applicant.occupation, case_box)
        self.mediator_edit = QLineEdit("、".join(draft.mediators), case_box)
        self.mediator_edit.setPlaceholderText("多名调解员用顿号隔开，第一位为主调解员")
        self._dispute_types = tables["dispute_types"]
        self.dispute_combo = TypeableCombo(case_box)
        self.dispute_combo.fill_table(self._dispute_types)
        self.subtype_combo = TypeableCombo(case_box)
        self.summary_edit = QPlainTextEdit(draft.summary, case_box)
        self.summary_edit.setTabChangesFocus(True)
        text_lines(self.summary_edit, 3)
        errors = self.errors
        errors.add_row(case_form, "申请人", "parties[0]", self.applicant_label)
        errors.add_row(case_form, "申请人职业", "parties[0].occupation", self.occupation_edit)
        errors.add_row(case_form, "调解委员会", "committee_id", self.committee_combo)
        errors.add_row(case_form, "调解员", "mediators", self.mediator_edit)
        errors.add_row(case_form, "纠纷类型", "dispute_type", self.dispute_combo)
        self._subtype_box, _ = errors.add_row(
            case_form, "具体类别", "dispute_subtype", self.subtype_combo
        )
        errors.add_row(case_form, "纠纷简要情况", "summary", self.summary_edit)

        side_box = QGroupBox("被申请人（当事人另一方）", self)
        side_form = QFormLayout(side_box)
        self.kind_combo = QComboBox(side_box)
        for label, code in RESPONDENT_KINDS:
            self.kind_combo.addItem(label, code)
        self.respondent_edit = QLineEdit(side_box)
        self.respondent_edit.setPlaceholderText("姓名或单位名称")
        self.representative_edit = QLineEdit(side_box)
        self.respondent_phone_edit = QLineEdit(side_box)
        self.respondent_address_edit = QLineEdit(side_box)
        errors.add_row(side_form, "类型", "parties[1].kind", self.kind_combo)
        _, name_error = errors.add_row(
            side_form, "姓名/名称", "parties[1].name", self.respondent_edit
        )
        errors.bind("parties", self.respondent_edit, name_error)
        errors.add_row(
            side_form, "法定代表人", "parties[1].representative", self.representative_edit
        )
        errors.add_row(side_form, "联系电话", "parties[1].phone", self.respondent_phone_edit)
        errors.add_row(side_form, "住址", "parties[1].address", self.respondent_address_edit)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("转为调解案件")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(banner)
        layout.addWidget(case_box)
        layout.addWidget(side_box)
        layout.addWidget(self.buttons)

        order: list[QWidget] = [
            self.occupation_edit,
            self.committee_combo,
            self.mediator_edit,
            self.dispute_combo,
            self.subtype_combo,
            self.summary_edit,
            self.kind_combo,
            self.respondent_edit,
            self.representative_edit,
            self.respondent_phone_edit,
            self.respondent_address_edit,
        ]
        set_tab_chain(order)
        EnterMovesOn(self, last=self.respondent_address_edit, on_last=self.submit)
        self.dispute_combo.currentTextChanged.connect(self._dispute_changed)
        self.kind_combo.currentIndexChanged.connect(self._kind_changed)
        self._dispute_changed()
        self._kind_changed()
        self.dispute_combo.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- behaviour ------------------------------------------------------------------------------
    def _dispute_changed(self, *_args: object) -> None:
        code = self.dispute_combo.code()
        children = self._dispute_types.children(code) if code else []
        self.subtype_combo.set_items((e.label, e.code) for e in children)
        self._subtype_box.setVisible(bool(children))
        self.subtype_combo.setEnabled(bool(children))

    def _kind_changed(self, *_args: object) -> None:
        self.representative_edit.setEnabled(self.kind_combo.currentData() == "org")

    def case_input(self) -> CaseInput:
        """What the dialog holds now, on top of the draft from the consultation."""
        self.dispute_combo.resolve()
        self.subtype_combo.resolve()
        kind = str(self.kind_combo.currentData())
        respondent = PartyInput(
            side="respondent",
            kind=kind,
            name=self.respondent_edit.text(),
            phone=self.respondent_phone_edit.text(),
            address=self.respondent_address_edit.text(),
            representative=self.representative_edit.text() if kind == "org" else "",
            id_type=None,
        )
        mediators = split_names(self.mediator_edit.text())  # 李明、王芳 / 李明,王芳 / 李明 王芳
        return replace(
            self._draft,
            committee_id=str(self.committee_combo.currentData() or ""),
            mediators=mediators,
            dispute_type=combo_input(self.dispute_combo),
            dispute_subtype=combo_input(self.subtype_combo) or None,
            summary=self.summary_edit.toPlainText(),
            parties=[
                replace(self._draft.parties[0], occupation=self.occupation_edit.text()),
                respondent,
            ],
        )

    def submit(self) -> None:
        if self._busy:
            return
        if self.committee_combo.count() == 0:
            self.errors.show_message("尚未设置人民调解委员会，请先在设置中添加。")
            return
        case = self.case_input()
        tables, user_id, cid = self._ctx.tables, self._ctx.user.id, self._consultation_id

        def job(store: Store) -> str:
            return ConsultationService(store, tables).refer_to_mediation(user_id, cid, case)

        self._busy = True
        self.ok_button.setEnabled(False)
        self._ctx.tasks.run(
            job, on_success=self._alive(self._done), on_failure=self._alive(self._failed)
        )

    def _done(self, case_id: str) -> None:
        self._busy = False
        self.referred.emit(case_id)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        self.ok_button.setEnabled(True)
        if isinstance(exc, ValidationError):
            self.errors.show(exc)
        else:
            self._ctx.tasks.failure_handler(exc)

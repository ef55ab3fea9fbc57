"""The quick-entry form of one legal adviser's service (顾问工作日志: 时间、对象、内容、结果)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from justice_desktop.codes.tables import CodeTable
from justice_desktop.domain.consultations import MONTHLY_VISIT_HOURS, AdviserLogInput
from ui.consultation_form import combo_input, text_lines
from ui.consultation_quick_entry import QuickForm
from ui.consultation_widgets import TypeableCombo
from ui.forms import date_time_edit, qdatetime, to_datetime
from ui.qt import (
    QCheckBox,
    QCompleter,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

__all__ = ["AdviserLogForm", "DEFAULT_HOURS"]

DEFAULT_HOURS = MONTHLY_VISIT_HOURS


class AdviserLogForm(QuickForm):
    """Who served which village, when and how long, what kind of service, for whom, what
    was done and with what result."""

    def __init__(
        self,
        tables: dict[str, CodeTable],
        now: Callable[[], datetime],
        adviser: Callable[[], str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("adviserLogForm")
        self._now = now
        self._adviser = adviser
        errors = self.errors

        box = QGroupBox("服务记录", self)
        form = QFormLayout(box)
        self.adviser_edit = QLineEdit(box)
        self.village_edit = QLineEdit(box)
        self.village_edit.setPlaceholderText("服务的村（社区）")
        self.started_edit = date_time_edit(box, now())
        self.hours_spin = QDoubleSpinBox(box)
        self.hours_spin.setRange(0, 24)
        self.hours_spin.setDecimals(1)
        self.hours_spin.setSingleStep(0.5)
        self.hours_spin.setSuffix(" 小时")
        self.on_site_check = QCheckBox("到村（社区）实地服务", box)
        self.kind_combo = TypeableCombo(box)
        self.object_edit = QLineEdit(box)
        self.object_edit.setPlaceholderText("服务对象，如：村民委员会、村民张某")
        self.content_edit = QPlainTextEdit(box)
        self.content_edit.setPlaceholderText("服务内容（Tab 键到下一项）")
        text_lines(self.content_edit, 3)
        self.result_edit = QLineEdit(box)
        self.result_edit.setPlaceholderText("服务结果（回车保存）")
        errors.add_row(form, "法律顾问", "adviser", self.adviser_edit)
        errors.add_row(form, "村（社区）", "village", self.village_edit)
        errors.add_row(form, "服务时间", "started_at", self.started_edit)
        errors.add_row(form, "服务时长", "hours", self.hours_spin)
        errors.add_row(form, "", "on_site", self.on_site_check)
        errors.add_row(form, "服务类别", "kind", self.kind_combo)
        errors.add_row(form, "服务对象", "object", self.object_edit)
        errors.add_row(form, "服务内容", "content", self.content_edit)
        errors.add_row(form, "服务结果", "result", self.result_edit)

        self.save_button = QPushButton("保存（Ctrl+S）", self)
        self.save_button.setObjectName("saveAdviserLog")
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
        layout.addWidget(box)
        layout.addLayout(buttons)
        layout.addStretch(1)

        for name, widget in (
            ("adviser", self.adviser_edit),
            ("village", self.village_edit),
            ("started_at", self.started_edit),
            ("hours", self.hours_spin),
            ("on_site", self.on_site_check),
            ("kind", self.kind_combo),
            ("object", self.object_edit),
            ("content", self.content_edit),
            ("result", self.result_edit),
        ):
            self.register(name, widget)
        self.finish(list(self.fields.values()))
        self.set_tables(tables)
        self.reset()

    def set_tables(self, tables: dict[str, CodeTable]) -> None:
        self.kind_combo.fill_table(tables["adviser_service_kinds"])

    def set_suggestions(self, advisers: list[str], villages: list[str]) -> None:
        self.adviser_edit.setCompleter(QCompleter(advisers, self.adviser_edit))
        self.village_edit.setCompleter(QCompleter(villages, self.village_edit))

    def reset(self) -> None:
        for edit in (self.village_edit, self.object_edit, self.result_edit):
            edit.clear()
        self.content_edit.clear()
        self.adviser_edit.setText(self._adviser())
        self.started_edit.setDateTime(qdatetime(self._now().replace(second=0, microsecond=0)))
        self.hours_spin.setValue(DEFAULT_HOURS)
        self.on_site_check.setChecked(True)
        self.kind_combo.set_code(None)

    def new_day(self, previous: date, today: date, *, started: bool) -> None:
        if not started and to_datetime(self.started_edit.dateTime()).date() == previous:
            self.started_edit.setDateTime(qdatetime(self._now().replace(second=0, microsecond=0)))

    def to_input(self) -> AdviserLogInput:
        return AdviserLogInput(
            adviser=self.adviser_edit.text(),
            village=self.village_edit.text(),
            started_at=to_datetime(self.started_edit.dateTime()),
            hours=float(self.hours_spin.value()),
            kind=combo_input(self.kind_combo),
            object=self.object_edit.text(),
            content=self.content_edit.toPlainText(),
            result=self.result_edit.text(),
            on_site=self.on_site_check.isChecked(),
        )

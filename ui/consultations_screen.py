"""法律咨询: record consultations quickly, list a month of them, turn one into a case.

Public signal: ``caseOpened(case_id)`` — 转调解 created the case ``case_id``; the main window
opens the case editor on it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from justice_desktop.codes.tables import CodeTable
from justice_desktop.domain.case_inputs import CaseInput
from justice_desktop.domain.consultations import ANONYMOUS_LABEL
from justice_desktop.store.consultations import ConsultationService
from justice_desktop.store.database import Store
from justice_desktop.validation import ValidationError
from justice_desktop.validation.fields import mask_name, mask_phone
from ui.consultation_form import ConsultationForm
from ui.consultation_quick_entry import QuickEntryScreen
from ui.consultation_referral import ReferralDialog
from ui.consultation_widgets import Column, RowsTableModel
from ui.context import AppContext
from ui.dialogs import show_error
from ui.forms import qdate, to_date
from ui.qt import (
    QAbstractItemView,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QModelIndex,
    QPushButton,
    QScrollArea,
    QSplitter,
    Qt,
    QTableView,
    QVBoxLayout,
    QWidget,
    Signal,
)
from ui.register_printing import print_consultation_register

if TYPE_CHECKING:
    from ui.excel_export import ExcelExportDialog

__all__ = ["ConsultationListModel", "ConsultationsScreen", "consultation_columns"]

QUESTION_PREVIEW = 40


def _label(tables: Mapping[str, CodeTable], table: str, code: object) -> str:
    if not code:
        return ""
    try:
        return tables[table].label(str(code))
    except (KeyError, ValueError):
        return str(code)


def _preview(text: object) -> str:
    line = " ".join(str(text or "").split())
    return line if len(line) <= QUESTION_PREVIEW else line[: QUESTION_PREVIEW - 1] + "…"


def consultation_columns(tables: Mapping[str, CodeTable]) -> list[Column]:
    """The list's columns; personal data masked (opening a record shows it in full)."""

    def who(r: Mapping[str, Any]) -> str:
        return ANONYMOUS_LABEL if r["anonymous"] else mask_name(str(r["name"] or ""))

    def referral(r: Mapping[str, Any]) -> str:
        text = _label(tables, "consultation_referrals", r["referral"])
        return text + ("（已立案）" if r.get("referral_case_id") else "")

    return [
        Column("咨询日期", lambda r: str(r["consulted_on"])),
        Column("咨询人", who),
        Column("联系电话", lambda r: mask_phone(str(r["phone"])) if r["phone"] else ""),
        Column("类别", lambda r: _label(tables, "consultation_categories", r["category"])),
        Column("方式", lambda r: _label(tables, "consultation_modes", r["mode"])),
        Column("咨询问题", lambda r: _preview(r["question"])),
        Column("解答人", lambda r: str(r["answered_by"])),
        Column("处理方式", referral),
    ]


class ConsultationListModel(RowsTableModel):
    """A month of consultations, newest first (``ID_ROLE`` gives the id)."""

    def __init__(self, tables: Mapping[str, CodeTable], parent: QWidget | None = None) -> None:
        super().__init__(consultation_columns(tables), parent)

    def can_refer(self, row: int) -> bool:
        found = self.row_at(row)
        return found is not None and not found["anonymous"] and not found["referral_case_id"]


class ConsultationsScreen(QuickEntryScreen):
    """Signals: ``caseOpened(case_id)`` after 转调解 registered a case."""

    title = "法律咨询"
    draft_key = "consultation:new"
    record_kind = "consultations"
    unsaved_what = "正在录入的咨询"
    saved_text = "咨询已保存，可以录入下一条。"

    caseOpened = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("consultationsScreen")
        self.referral_dialog: ReferralDialog | None = None
        self._select_after_reload: str | None = None
        self.excel_dialog: ExcelExportDialog | None = None
        form = ConsultationForm(
            ctx.tables,
            today=ctx.today,
            answerer=lambda: ctx.user.name,
            answerers=[u.name for u in ctx.users],
        )
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(form)
        entry = QWidget(self)
        entry_layout = QVBoxLayout(entry)
        entry_layout.setContentsMargins(0, 0, 0, 0)
        heading = QLabel("登记法律咨询", entry)
        heading.setObjectName("heading")
        entry_layout.addWidget(heading)
        entry_layout.addWidget(scroll, 1)
        entry_layout.addWidget(self.status)

        # -- the list ----------------------------------------------------------------------------
        listing = QWidget(self)
        list_layout = QVBoxLayout(listing)
        list_layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        month_label = QLabel("月份", listing)
        self.month_edit = QDateEdit(qdate(ctx.today()), listing)
        self.month_edit.setDisplayFormat("yyyy年MM月")
        self.month_edit.setCalendarPopup(True)
        month_label.setBuddy(self.month_edit)
        self.this_month_button = QPushButton("本月", listing)
        self.count_label = QLabel(listing)
        bar.addWidget(month_label)
        bar.addWidget(self.month_edit)
        bar.addWidget(self.this_month_button)
        bar.addStretch(1)
        bar.addWidget(self.count_label)
        self.model = ConsultationListModel(ctx.tables, self)
        self.table = QTableView(listing)
        self.table.setObjectName("consultationTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.refer_button = QPushButton("转调解…", listing)
        self.refer_button.setObjectName("referButton")
        self.refer_button.setToolTip("把选中的咨询登记为人民调解案件")
        self.refer_button.setEnabled(False)
        self.print_button = QPushButton("打印登记簿…", listing)
        self.print_button.setObjectName("printRegister")
        self.print_button.setToolTip("本月的法律咨询登记簿（PDF，可预览、打印、另存）")
        actions = QHBoxLayout()
        actions.addWidget(self.print_button)
        self.excel_button = QPushButton("导出Excel…", listing)
        self.excel_button.setObjectName("exportConsultationsExcel")
        self.excel_button.setToolTip("把本月的咨询登记导出为Excel表格（默认脱敏）")
        actions.addWidget(self.excel_button)
        actions.addStretch(1)
        actions.addWidget(self.refer_button)
        list_layout.addLayout(bar)
        list_layout.addWidget(self.table, 1)
        list_layout.addLayout(actions)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(entry)
        splitter.addWidget(listing)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        self.setup_entry(form)
        self.month_edit.dateChanged.connect(self._month_changed)
        self.this_month_button.clicked.connect(
            lambda: self.month_edit.setDate(qdate(self.ctx.today()))
        )
        selection = self.table.selectionModel()
        selection.currentRowChanged.connect(self._selection_changed)
        self.model.modelReset.connect(self._selection_changed)
        self.refer_button.clicked.connect(self.refer_selected)
        self.print_button.clicked.connect(lambda: self.print_current())
        self.excel_button.clicked.connect(self.export_excel)
        self._shown_month = self._month()
        ctx.recordsChanged.connect(self._records_changed)
        ctx.dataReloaded.connect(self._data_reloaded)
        self.reload_list()

    @property
    def consultation_form(self) -> ConsultationForm:
        assert isinstance(self.form, ConsultationForm)
        return self.form

    # -- Screen -----------------------------------------------------------------------------------
    def activate(self) -> None:
        self.reload_list()

    def record_job(self) -> Callable[[Store], str]:
        data = self.consultation_form.to_input()
        tables, user_id = self.ctx.tables, self.ctx.user.id
        return lambda store: ConsultationService(store, tables).record(user_id, data)

    def saved(self, record_id: str) -> None:
        self._select_after_reload = record_id

    # -- the list -----------------------------------------------------------------------------------
    def print_current(self) -> bool:
        """Ctrl+P: the month's 法律咨询登记簿."""
        year, month = self._month()
        print_consultation_register(self.ctx, self, year, month)
        return True

    def export_excel(self) -> ExcelExportDialog:
        """导出Excel…: the consultations of the month shown."""
        from justice_desktop.excel.exports import ExportRequest
        from ui.excel_export import ExportSpec, open_export_dialog

        year, month = self._month()
        first = date(year, month, 1)
        last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
        spec = ExportSpec(
            ExportRequest("consultations", date_from=first, date_to=last),
            f"法律咨询登记{year}年{month}月",
            f"导出{year}年{month}月的法律咨询登记（与列表相同的月份）。",
        )
        self.excel_dialog = open_export_dialog(self.ctx, spec, self)
        return self.excel_dialog

    def _month(self) -> tuple[int, int]:
        day = to_date(self.month_edit.date())
        return day.year, day.month

    def _month_changed(self, *_args: object) -> None:
        if self._month() != self._shown_month:
            self._shown_month = self._month()
            self.reload_list()

    def reload_list(self) -> None:
        year, month = self._month()
        tables = self.ctx.tables

        def read(store: Store) -> list[dict[str, Any]]:
            rows = ConsultationService(store, tables).register_for_month(year, month)
            return [dict(r) for r in reversed(rows)]

        def show(rows: list[dict[str, Any]]) -> None:
            if (year, month) != self._month():
                return
            self.model.set_rows(rows)
            self.count_label.setText(f"{year}年{month}月共 {len(rows)} 条咨询")
            wanted = self._select_after_reload
            if wanted:
                row = self.model.row_of(wanted)
                if row >= 0:
                    self.table.selectRow(row)
                self._select_after_reload = None

        if not self.ctx.tasks.closed:
            self.ctx.tasks.run(read, on_success=self.alive(show))

    def _records_changed(self, kind: str) -> None:
        if kind == "consultations":
            self.reload_list()

    def _data_reloaded(self) -> None:
        self.consultation_form.set_tables(self.ctx.tables)
        self.consultation_form.set_answerers([u.name for u in self.ctx.users])
        self.model.set_columns(consultation_columns(self.ctx.tables))

    def _selection_changed(self, *_args: object) -> None:
        row = self.selected_row()
        self.refer_button.setEnabled(row >= 0 and self.model.can_refer(row))

    def selected_row(self) -> int:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            return rows[0].row()
        current: QModelIndex = self.table.currentIndex()
        return current.row() if current.isValid() else -1

    def selected_id(self) -> str | None:
        found = self.model.row_at(self.selected_row())
        return str(found["id"]) if found is not None else None

    # -- 转调解 ---------------------------------------------------------------------------------------
    def refer_selected(self) -> None:
        """Open the 转调解 dialog for the selected consultation."""
        consultation_id = self.selected_id()
        if consultation_id is None:
            return
        if not self.ctx.committees:
            show_error(self, "尚未设置人民调解委员会，请先在设置中添加。")
            return
        tables = self.ctx.tables
        committee_id = self.ctx.committees[0]["id"]
        mediator = self.ctx.user.name

        def read(store: Store) -> CaseInput:
            return ConsultationService(store, tables).draft_case(
                consultation_id, committee_id, mediator
            )

        def failed(exc: BaseException) -> None:
            if isinstance(exc, ValidationError):
                show_error(self, exc.message)
            else:
                self.ctx.tasks.failure_handler(exc)

        self.ctx.tasks.run(
            read,
            on_success=self.alive(lambda draft: self._open_referral(consultation_id, draft)),
            on_failure=self.alive(failed),
        )

    def _open_referral(self, consultation_id: str, draft: CaseInput) -> None:
        dialog = ReferralDialog(self.ctx, consultation_id, draft, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.referred.connect(self._referred)
        dialog.finished.connect(lambda _result: self._dialog_closed(dialog))
        self.referral_dialog = dialog
        dialog.open()

    def _dialog_closed(self, dialog: ReferralDialog) -> None:
        if self.referral_dialog is dialog:
            self.referral_dialog = None

    def _referred(self, case_id: str) -> None:
        self.ctx.notify("cases")
        self.ctx.notify("consultations")
        self.caseOpened.emit(case_id)

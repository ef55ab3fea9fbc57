"""The 法律明白人 screen: the roster with this year's training hours against the office's
target, the training log (培训台账) with attendance, adding/editing a person, and removal
(清退) with its reason.

Pages (``pageChanged`` tells which is shown):

* ``roster`` / ``trainings`` — the two tabs of lists;
* ``understander`` — :class:`ui.understander_form.UnderstanderForm` (double-click or Enter
  on a row, Ctrl+N on the roster tab);
* ``training`` — :class:`ui.training_dialog.TrainingForm` (Ctrl+N on the training tab).

Public signals: ``pageChanged(str)`` (one of the page names above) and ``rosterLoaded(int)``
/ ``trainingsLoaded(int)`` (the number of rows shown, each time a list has been re-read).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from justice_desktop.store.understanders import UnderstanderService
from justice_desktop.validation import ValidationError
from ui.context import AppContext
from ui.dialogs import show_error
from ui.errors import friendly_message
from ui.forms import (
    FieldErrors,
    UnsavedAnswer,
    ask_unsaved,
    combo_value,
    date_edit,
    fill_code_combo,
    set_combo_value,
    to_date,
)
from ui.qt import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QModelIndex,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    Qt,
    QTableView,
    QTabWidget,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
    is_alive,
)
from ui.register_printing import print_roster, print_training_record, print_training_sign_in
from ui.screen import Screen
from ui.training_dialog import TrainingForm
from ui.understander_form import DraftForm, UnderstanderForm
from ui.understander_models import (
    RosterData,
    RosterModel,
    RosterQuery,
    TrainingData,
    TrainingListModel,
    format_hours,
    load_roster,
    load_trainings,
)

if TYPE_CHECKING:
    from ui.excel_export import ExcelExportDialog
    from ui.excel_import_dialog import ExcelImportDialog

__all__ = ["RemovalDialog", "UnderstandersScreen"]

ALL_VILLAGES = "全部村（社区）"
STATUS_CHOICES = (("在册", "active"), ("已清退", "removed"), ("全部", None))
NAME_FILTER_DELAY_MS = 250
FIRST_YEAR = 2000


class RemovalDialog(QDialog):
    """清退: the reason (required) and the date; saved with ``UnderstanderService.remove``."""

    #: The removal was saved (the person's id).
    removed = Signal(str)

    def __init__(
        self, ctx: AppContext, understander_id: str, name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("removalDialog")
        self.setWindowTitle("清退法律明白人")
        self.ctx = ctx
        self.understander_id = understander_id
        self.busy = False
        intro = QLabel(f"将“{name}”从法律明白人名册中清退。清退后仍保留其信息和培训记录。", self)
        intro.setWordWrap(True)
        banner = QLabel(self)
        self.errors = FieldErrors(banner)
        self.reason = QPlainTextEdit(self)
        self.reason.setPlaceholderText("如：违法违纪、不履行职责、迁出本村、本人申请退出等")
        self.reason.setTabChangesFocus(True)
        self.removed_on = date_edit(self, ctx.today(), maximum=ctx.today())
        form = QFormLayout()
        self.errors.add_row(form, "清退原因 *", "removal_reason", self.reason)
        self.errors.add_row(form, "清退日期 *", "removed_on", self.removed_on)
        self.buttons = QDialogButtonBox(self)
        self.ok_button = self.buttons.addButton("确定清退", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(banner)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.reason.setFocus(Qt.FocusReason.OtherFocusReason)

    def submit(self) -> None:
        if self.busy:
            return
        reason = self.reason.toPlainText()
        if not reason.strip():
            self.errors.show(ValidationError("removal_reason", "请填写清退原因"))
            return
        removed_on: date = to_date(self.removed_on.date())
        uid, user_id, tables = self.understander_id, self.ctx.user.id, self.ctx.tables
        self.busy = True
        self.ok_button.setEnabled(False)

        def done(_none: None) -> None:
            self.busy = False
            self.removed.emit(uid)
            self.accept()

        def failed(exc: BaseException) -> None:
            self.busy = False
            self.ok_button.setEnabled(True)
            if isinstance(exc, ValidationError):
                self.errors.show(exc)
            else:
                self.errors.show_message(friendly_message(exc))

        self.ctx.tasks.run(
            lambda store: UnderstanderService(store, tables).remove(
                user_id, uid, reason, removed_on
            ),
            on_success=done,
            on_failure=failed,
        )


class UnderstandersScreen(Screen):
    """法律明白人 (see the module docstring)."""

    title = "法律明白人"

    pageChanged = Signal(str)
    rosterLoaded = Signal(int)
    trainingsLoaded = Signal(int)
    screenRequested = Signal(str)
    """Switch the window to a screen (this one, when a save made on leaving it failed)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("understandersScreen")
        self._roster_request = 0
        self._training_request = 0
        self._select_after_load: str | None = None
        self.removal_dialog: RemovalDialog | None = None
        self.excel_dialog: ExcelExportDialog | ExcelImportDialog | None = None
        self.target = 0.0

        # -- top bar: year and target
        self.year = QSpinBox(self)
        self.year.setRange(FIRST_YEAR, max(ctx.today().year, FIRST_YEAR))
        self.year.setValue(ctx.today().year)
        self.year.setSuffix(" 年")
        self.target_label = QLabel(self)
        self.target_label.setObjectName("targetLabel")
        self.message = QLabel(self)
        self.message.setObjectName("screenMessage")
        top = QHBoxLayout()
        top.addWidget(QLabel("年度：", self))
        top.addWidget(self.year)
        top.addWidget(self.target_label, 1)
        top.addWidget(self.message)

        # -- the roster tab
        roster_page = QWidget(self)
        self.village_filter = QComboBox(roster_page)
        self.village_filter.addItem(ALL_VILLAGES, None)
        self.status_filter = QComboBox(roster_page)
        for label, code in STATUS_CHOICES:
            self.status_filter.addItem(label, code)
        self.priority_filter = QComboBox(roster_page)
        fill_code_combo(
            self.priority_filter, ctx.tables["understander_priority_groups"], empty="全部重点人群"
        )
        self.name_filter = QLineEdit(roster_page)
        self.name_filter.setPlaceholderText("按姓名查找")
        self.name_filter.setClearButtonEnabled(True)
        self.only_short = QCheckBox("只看未达标", roster_page)
        filters = QHBoxLayout()
        filters.addWidget(QLabel("村（社区）：", roster_page))
        filters.addWidget(self.village_filter)
        filters.addWidget(QLabel("状态：", roster_page))
        filters.addWidget(self.status_filter)
        filters.addWidget(QLabel("重点人群：", roster_page))
        filters.addWidget(self.priority_filter)
        filters.addWidget(self.name_filter, 1)
        filters.addWidget(self.only_short)

        self.roster_model = RosterModel(self.year.value(), self)
        self.roster_view = QTableView(roster_page)
        self.roster_view.setObjectName("rosterView")
        self._setup_view(self.roster_view)
        self.roster_view.setModel(self.roster_model)
        self.roster_summary = QLabel(roster_page)
        self.add_button = QPushButton("新增（Ctrl+N）", roster_page)
        self.edit_button = QPushButton("查看/修改", roster_page)
        self.remove_button = QPushButton("清退…", roster_page)
        roster_buttons = QHBoxLayout()
        roster_buttons.addWidget(self.add_button)
        roster_buttons.addWidget(self.edit_button)
        roster_buttons.addWidget(self.remove_button)
        self.print_roster_button = QPushButton("打印名册…", roster_page)
        self.print_roster_button.setObjectName("printRoster")
        self.print_record_button = QPushButton("打印培训记录…", roster_page)
        self.print_record_button.setObjectName("printTrainingRecord")
        roster_buttons.addWidget(self.print_roster_button)
        roster_buttons.addWidget(self.print_record_button)
        self.export_roster_button = QPushButton("导出Excel…", roster_page)
        self.export_roster_button.setObjectName("exportRosterExcel")
        self.import_roster_button = QPushButton("从Excel导入名册…", roster_page)
        self.import_roster_button.setObjectName("importRosterExcel")
        roster_buttons.addWidget(self.export_roster_button)
        roster_buttons.addWidget(self.import_roster_button)
        roster_buttons.addStretch(1)
        roster_buttons.addWidget(self.roster_summary)
        roster_layout = QVBoxLayout(roster_page)
        roster_layout.addLayout(filters)
        roster_layout.addWidget(self.roster_view, 1)
        roster_layout.addLayout(roster_buttons)

        # -- the training tab
        training_page = QWidget(self)
        self.training_model = TrainingListModel(self)
        self.training_view = QTableView(training_page)
        self.training_view.setObjectName("trainingView")
        self._setup_view(self.training_view)
        self.training_view.setModel(self.training_model)
        self.training_summary = QLabel(training_page)
        self.add_training_button = QPushButton("登记培训（Ctrl+N）", training_page)
        self.edit_training_button = QPushButton("修改/考勤", training_page)
        training_buttons = QHBoxLayout()
        training_buttons.addWidget(self.add_training_button)
        training_buttons.addWidget(self.edit_training_button)
        self.print_sign_in_button = QPushButton("打印签到表…", training_page)
        self.print_sign_in_button.setObjectName("printSignIn")
        training_buttons.addWidget(self.print_sign_in_button)
        self.export_trainings_button = QPushButton("导出Excel…", training_page)
        self.export_trainings_button.setObjectName("exportTrainingsExcel")
        self.import_attendance_button = QPushButton("导入签到表…", training_page)
        self.import_attendance_button.setObjectName("importAttendanceExcel")
        self.import_attendance_button.setToolTip("把Excel签到表中的人登记为选中培训的参训人员")
        training_buttons.addWidget(self.export_trainings_button)
        training_buttons.addWidget(self.import_attendance_button)
        training_buttons.addStretch(1)
        training_buttons.addWidget(self.training_summary)
        training_layout = QVBoxLayout(training_page)
        training_layout.addWidget(self.training_view, 1)
        training_layout.addLayout(training_buttons)

        self.tabs = QTabWidget(self)
        self.tabs.addTab(roster_page, "名册")
        self.tabs.addTab(training_page, "培训台账")
        self.lists = QWidget(self)
        lists = self.lists
        lists_layout = QVBoxLayout(lists)
        lists_layout.setContentsMargins(0, 0, 0, 0)
        lists_layout.addLayout(top)
        lists_layout.addWidget(self.tabs, 1)

        # -- the forms
        self.form = UnderstanderForm(ctx, self)
        self.training_form = TrainingForm(ctx, self)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(lists)
        self.stack.addWidget(self.form)
        self.stack.addWidget(self.training_form)
        layout = QVBoxLayout(self)
        layout.addWidget(self.stack)

        self._name_timer = QTimer(self)
        self._name_timer.setSingleShot(True)
        self._name_timer.setInterval(NAME_FILTER_DELAY_MS)
        self._name_timer.timeout.connect(self.reload_roster)

        # -- wiring
        self.village_filter.currentIndexChanged.connect(self.reload_roster)
        self.status_filter.currentIndexChanged.connect(self.reload_roster)
        self.priority_filter.currentIndexChanged.connect(self.reload_roster)
        self.only_short.toggled.connect(self.reload_roster)
        self.name_filter.textChanged.connect(lambda _t: self._name_timer.start())
        self.name_filter.returnPressed.connect(self.reload_roster)
        self.year.valueChanged.connect(self.reload)
        self.roster_view.activated.connect(self._roster_activated)
        self.training_view.activated.connect(self._training_activated)
        self.add_button.clicked.connect(self.new_understander)
        self.edit_button.clicked.connect(self._edit_current)
        self.remove_button.clicked.connect(self._remove_current)
        self.add_training_button.clicked.connect(self.new_training)
        self.edit_training_button.clicked.connect(self._edit_current_training)
        self.print_roster_button.clicked.connect(lambda: self.print_current())
        self.print_record_button.clicked.connect(self.print_training_record)
        self.print_sign_in_button.clicked.connect(self.print_sign_in)
        self.export_roster_button.clicked.connect(self.export_roster)
        self.import_roster_button.clicked.connect(self.import_roster)
        self.export_trainings_button.clicked.connect(self.export_trainings)
        self.import_attendance_button.clicked.connect(self.import_attendance)
        self.tabs.currentChanged.connect(lambda _i: self.pageChanged.emit(self.page))
        for form in (self.form, self.training_form):
            form.closed.connect(self.show_lists)
            form.saveFailed.connect(lambda text, f=form: self._save_failed(f, text))
        self.form.saved.connect(self._understander_saved)
        self.form.removeRequested.connect(self.ask_removal)
        self.training_form.saved.connect(self._training_saved)
        ctx.recordsChanged.connect(self._records_changed)
        ctx.userChanged.connect(self._user_changed)
        ctx.dataReloaded.connect(self._data_reloaded)
        for view in (self.roster_view, self.training_view):
            selection = view.selectionModel()
            if selection is not None:
                selection.currentChanged.connect(lambda *_a: self._update_buttons())
        self._update_buttons()
        self.reload()

    @staticmethod
    def _setup_view(view: QTableView) -> None:
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setAlternatingRowColors(True)
        view.setTabKeyNavigation(False)
        view.verticalHeader().setVisible(False)
        header = view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)

    # -- pages ------------------------------------------------------------------------------
    @property
    def page(self) -> str:
        current = self.stack.currentWidget()
        if current is self.form:
            return "understander"
        if current is self.training_form:
            return "training"
        return "roster" if self.tabs.currentIndex() == 0 else "trainings"

    def _open_form(self) -> DraftForm | None:
        current = self.stack.currentWidget()
        return current if isinstance(current, DraftForm) else None

    def _show(self, widget: QWidget) -> None:
        self.stack.setCurrentWidget(widget)
        self.pageChanged.emit(self.page)

    def show_lists(self) -> None:
        self._show(self.lists)
        view = self.roster_view if self.tabs.currentIndex() == 0 else self.training_view
        view.setFocus(Qt.FocusReason.OtherFocusReason)

    def _leave_form(self) -> bool:
        form = self._open_form()
        return form is None or form.may_close()

    def new_understander(self) -> None:
        if not self._leave_form():
            return
        self.message.clear()
        self.form.open_new()
        self._show(self.form)
        self.form.name.setFocus(Qt.FocusReason.OtherFocusReason)

    def open_understander(self, understander_id: str) -> None:
        if not self._leave_form():
            return
        self.message.clear()
        self.form.open_existing(understander_id)
        self._show(self.form)

    def new_training(self) -> None:
        if not self._leave_form():
            return
        self.message.clear()
        self.tabs.setCurrentIndex(1)
        self.training_form.open_new()
        self._show(self.training_form)

    def open_training(self, training_id: str) -> None:
        if not self._leave_form():
            return
        self.message.clear()
        self.training_form.open_existing(training_id)
        self._show(self.training_form)

    # -- Screen ----------------------------------------------------------------------------
    def activate(self) -> None:
        self.reload()

    def new_record(self) -> bool:
        if self.page in ("trainings", "training"):
            self.new_training()
        else:
            self.new_understander()
        return True

    def save(self) -> bool:
        form = self._open_form()
        if form is None:
            return False
        form.save()
        return True

    def can_leave(self) -> bool:
        form = self._open_form()
        if form is None or not form.dirty:
            return True
        answer = ask_unsaved(self, form.what)
        if answer == UnsavedAnswer.SAVE:
            if not form.save():
                return False
            form.flush()  # the draft stays until the save has gone through
            return True
        if answer == UnsavedAnswer.DISCARD:
            if form.keeper is not None:
                form.keeper.discard()
            self.show_lists()
            return True
        return False

    def flush_drafts(self) -> None:
        self.form.flush()
        self.training_form.flush()

    # -- reading ------------------------------------------------------------------------------
    def reload(self) -> None:
        self.reload_roster()
        self.reload_trainings()

    def roster_query(self) -> RosterQuery:
        return RosterQuery(
            year=self.year.value(),
            village=combo_value(self.village_filter),
            status=combo_value(self.status_filter),
            priority_group=combo_value(self.priority_filter),
            name=self.name_filter.text().strip(),
            only_short=self.only_short.isChecked(),
        )

    def reload_roster(self, *_args: object) -> None:
        if self.ctx.tasks.closed:
            return
        self._name_timer.stop()
        self._roster_request += 1
        request, query, tables = self._roster_request, self.roster_query(), self.ctx.tables
        self.ctx.tasks.run(
            lambda store: load_roster(store, tables, query),
            on_success=lambda data: self._roster_loaded(request, query, data),
            on_failure=self._load_failed,
        )

    def _roster_loaded(self, request: int, query: RosterQuery, data: RosterData) -> None:
        if not is_alive(self):
            return  # closed while the worker was reading
        if request != self._roster_request:
            return  # an older query: a newer one is on its way
        keep = self._select_after_load or self._current_id(self.roster_view, self.roster_model)
        self._select_after_load = None
        self.target = data.target
        self.roster_model.set_data(query.year, data.rows)
        self._fill_villages(data.villages)
        self.form.set_villages(data.villages)
        self.target_label.setText(
            f"{query.year}年每人培训学时目标：{format_hours(data.target)}学时（在“设置”中修改）"
        )
        short = f"，其中未达标 {data.short_count} 人" if query.status != "removed" else ""
        self.roster_summary.setText(f"共 {len(data.rows)} 人{short}")
        if keep is not None:
            self._select(self.roster_view, self.roster_model.row_of(keep))
        self._update_buttons()
        self.rosterLoaded.emit(len(data.rows))

    def reload_trainings(self, *_args: object) -> None:
        if self.ctx.tasks.closed:
            return
        self._training_request += 1
        request, year = self._training_request, self.year.value()
        self.ctx.tasks.run(
            lambda store: load_trainings(store, year),
            on_success=lambda data: self._trainings_loaded(request, year, data),
            on_failure=self._load_failed,
        )

    def _trainings_loaded(self, request: int, year: int, data: TrainingData) -> None:
        if not is_alive(self):
            return  # closed while the worker was reading
        if request != self._training_request:
            return
        keep = self._current_id(self.training_view, self.training_model)
        self.training_model.set_rows(data.rows)
        self.training_summary.setText(
            f"{year}年共 {len(data.rows)} 次培训，合计 {format_hours(data.total_hours)} 学时"
        )
        if keep is not None:
            self._select(self.training_view, self.training_model.row_of(keep))
        self._update_buttons()
        self.trainingsLoaded.emit(len(data.rows))

    def _load_failed(self, exc: BaseException) -> None:
        if not is_alive(self):
            return  # closed while the worker was reading
        self.message.setText(friendly_message(exc))

    def _fill_villages(self, villages: list[str]) -> None:
        current = combo_value(self.village_filter)
        self.village_filter.blockSignals(True)
        self.village_filter.clear()
        self.village_filter.addItem(ALL_VILLAGES, None)
        for v in villages:
            self.village_filter.addItem(v, v)
        if current is not None and self.village_filter.findData(current) < 0:
            self.village_filter.addItem(current, current)
        set_combo_value(self.village_filter, current)
        self.village_filter.blockSignals(False)

    # -- printing ------------------------------------------------------------------------------
    def print_current(self) -> bool:
        """Ctrl+P: the roster as filtered (名册 tab) or the chosen training's sign-in sheet."""
        if self.stack.currentWidget() is not self.lists:
            return False
        if self.tabs.currentIndex() == 1:
            return self.print_sign_in()
        print_roster(
            self.ctx,
            self,
            year=self.year.value(),
            village=combo_value(self.village_filter),
            status=combo_value(self.status_filter),
            priority_group=combo_value(self.priority_filter),
        )
        return True

    def print_training_record(self) -> bool:
        understander_id = self.current_understander_id()
        if understander_id is None:
            self.message.setText("请先在名册中选中一人，再打印其培训记录。")
            return False
        print_training_record(self.ctx, self, understander_id, self.year.value())
        return True

    def print_sign_in(self) -> bool:
        training_id = self._current_id(self.training_view, self.training_model)
        if training_id is None:
            self.message.setText("请先在培训台账中选中一次培训，再打印签到表。")
            return False
        print_training_sign_in(self.ctx, self, training_id)
        return True

    # -- Excel ----------------------------------------------------------------------------------
    def export_roster(self) -> ExcelExportDialog:
        """导出Excel… on the 名册 tab: the year's hours; the village and status filters apply."""
        from justice_desktop.excel.exports import ExportRequest
        from ui.excel_export import ExportSpec, open_export_dialog

        year, village = self.year.value(), combo_value(self.village_filter)
        status = combo_value(self.status_filter)
        where = village or "全部村（社区）"
        state = self.status_filter.currentText()
        spec = ExportSpec(
            ExportRequest("roster", year=year, village=village, status=status),
            "法律明白人名册",
            f"导出法律明白人名册：{where}，{state}，含{year}年培训学时。"
            "“重点人群”“姓名”和“只看未达标”筛选不影响导出。",
        )
        dialog = open_export_dialog(self.ctx, spec, self)
        self.excel_dialog = dialog
        return dialog

    def export_trainings(self) -> ExcelExportDialog:
        """导出Excel… on the 培训台账 tab: the year's trainings and who attended."""
        from justice_desktop.excel.exports import ExportRequest
        from ui.excel_export import ExportSpec, open_export_dialog

        year = self.year.value()
        spec = ExportSpec(
            ExportRequest("trainings", year=year),
            f"法律明白人培训台账{year}年",
            f"导出{year}年的培训台账和参训人员名单（两个工作表）。",
        )
        dialog = open_export_dialog(self.ctx, spec, self)
        self.excel_dialog = dialog
        return dialog

    def import_roster(self) -> ExcelImportDialog:
        """从Excel导入名册…"""
        from ui.excel_import_dialog import open_import_dialog

        dialog = open_import_dialog(self.ctx, "roster", self)
        self.excel_dialog = dialog
        dialog.imported.connect(lambda outcome: self.message.setText(outcome.text()))
        dialog.choose_file()
        return dialog

    def import_attendance(self) -> ExcelImportDialog | None:
        """导入签到表… for the training selected on the 培训台账 tab."""
        from ui.excel_import_dialog import open_import_dialog

        index = self.training_view.currentIndex()
        training_id = self.training_model.row_id(index.row()) if index.isValid() else None
        if training_id is None:
            self.message.setText("请先在培训台账中选中一次培训，再导入签到表。")
            return None
        model = self.training_model
        held_on = model.index(index.row(), 0).data()
        topic = model.index(index.row(), 1).data()
        dialog = open_import_dialog(
            self.ctx,
            "attendance",
            self,
            training_id=training_id,
            training_title=f"{held_on} {topic}",
        )
        self.excel_dialog = dialog
        dialog.imported.connect(lambda outcome: self.message.setText(outcome.text()))
        dialog.choose_file()
        return dialog

    def current_understander_id(self) -> str | None:
        """The person selected on the roster."""
        return self._current_id(self.roster_view, self.roster_model)

    @staticmethod
    def _current_id(view: QTableView, model: RosterModel | TrainingListModel) -> str | None:
        index = view.currentIndex()
        return model.row_id(index.row()) if index.isValid() else None

    @staticmethod
    def _select(view: QTableView, row: int) -> None:
        model = view.model()
        if row < 0 or model is None:
            return
        view.selectRow(row)
        view.setCurrentIndex(model.index(row, 0))

    def _update_buttons(self) -> None:
        row = self.roster_model.row_at(self.roster_view.currentIndex().row())
        self.edit_button.setEnabled(row is not None)
        self.remove_button.setEnabled(row is not None and row.status == "active")
        self.edit_training_button.setEnabled(self.training_view.currentIndex().isValid())
        self.import_attendance_button.setEnabled(self.training_view.currentIndex().isValid())

    # -- reacting -------------------------------------------------------------------------------
    def _records_changed(self, kind: str) -> None:
        if kind in ("understanders", "trainings", "settings"):
            self.reload()

    def _user_changed(self) -> None:
        # Drafts belong to the user who typed them: keep them under that user and go back.
        form = self._open_form()
        if form is not None:
            form.flush()
            if form.keeper is not None:
                form.keeper.mark_clean()
            self.show_lists()
        self.reload()

    def _data_reloaded(self) -> None:
        fill_code_combo(
            self.priority_filter,
            self.ctx.tables["understander_priority_groups"],
            empty="全部重点人群",
        )
        self.form.refill_codes()
        self.reload()

    def _save_failed(self, form: DraftForm, text: str) -> None:
        """The form was left with 保存 and the save failed afterwards: back to the form (its
        input is all there, the message under the field), and say so. The clerk may have gone
        to another screen meanwhile: the window is asked to come back to this one."""
        self._show(form)
        self.screenRequested.emit("understanders")
        show_error(
            self,
            f"{form.what}没有保存：{text}\n\n填写的内容都在“法律明白人”页面的该表单中，"
            "请修改后再保存。",
        )

    def _understander_saved(self, understander_id: str) -> None:
        self.ctx.notify("understanders")
        self.message.setText("已保存法律明白人信息。")
        self._select_after_load = understander_id
        self.tabs.setCurrentIndex(0)
        self.show_lists()

    def _training_saved(self, training_id: str) -> None:
        self.ctx.notify("trainings")
        self.message.setText("已保存培训记录及考勤。")
        self.show_lists()

    # -- actions on the lists -----------------------------------------------------------------
    def _roster_activated(self, index: QModelIndex) -> None:
        uid = self.roster_model.row_id(index.row())
        if uid is not None:
            self.open_understander(uid)

    def _training_activated(self, index: QModelIndex) -> None:
        tid = self.training_model.row_id(index.row())
        if tid is not None:
            self.open_training(tid)

    def _edit_current(self) -> None:
        index = self.roster_view.currentIndex()
        if index.isValid():
            self._roster_activated(index)

    def _edit_current_training(self) -> None:
        index = self.training_view.currentIndex()
        if index.isValid():
            self._training_activated(index)

    def _remove_current(self) -> None:
        row = self.roster_model.row_at(self.roster_view.currentIndex().row())
        if row is not None and row.status == "active":
            self.ask_removal(row.id, row.name)

    def ask_removal(self, understander_id: str, name: str | None = None) -> None:
        """Open the 清退 dialog (non-blocking) for ``understander_id``."""
        if name is None:
            name = self.form.name.text() or "该法律明白人"
        if self.removal_dialog is not None:
            self.removal_dialog.close()
        dialog = RemovalDialog(self.ctx, understander_id, name, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.removed.connect(self._removed)
        dialog.destroyed.connect(lambda _obj=None: self._forget_dialog(dialog))
        self.removal_dialog = dialog
        dialog.open()

    def _forget_dialog(self, dialog: RemovalDialog) -> None:
        if self.removal_dialog is dialog:
            self.removal_dialog = None

    def _removed(self, understander_id: str) -> None:
        self.ctx.notify("understanders")
        self.message.setText("已清退。在“状态”中选择“已清退”或“全部”可查看。")
        if self._open_form() is self.form and self.form.record_id == understander_id:
            if self.form.keeper is not None:
                self.form.keeper.mark_clean()
            self.show_lists()

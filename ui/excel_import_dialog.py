"""从Excel导入名册… / 导入签到表…: importing the 法律明白人 roster or a training's
attendance from an office's spreadsheet.

The steps follow :mod:`justice_desktop.excel.importer`:

1. 选择文件… — the file is planned on the database worker (``plan_roster_import`` /
   ``plan_attendance_import``): a dry run that writes nothing. A busy bar appears after half
   a second; 取消 abandons the dry run (its result is dropped; nothing was written anyway).
2. The dialog shows the sheet used and the header row, the column mapping as a table (file
   column → field, each a combo box of ``field_choices``; changing one re-plans with the
   user's choice), the counts (新增 / 更新 / 无变化 / 有问题) and the row-by-row problems and
   notices (row, column, message).
3. 导入 — enabled when the plan has no problems, or when 跳过有问题的行 is ticked (the core's
   ``apply_import(skip_invalid=True)``). The import runs on the worker in one transaction
   (not cancellable: it either writes everything or nothing); the outcome is shown in
   Chinese and ``ctx.notify("understanders" | "trainings")`` refreshes the screens.

A broken file (not .xlsx, damaged, no header found) shows the core's Chinese message
(``WorkbookError``) and nothing is written. 重新检查 plans the same file again (after the
user corrected it in Excel).

Public signals: ``planned(ImportPlan)``, ``planFailed(str)``, ``imported(ImportOutcome)``,
``importFailed(str)``.
"""

from __future__ import annotations

from pathlib import Path

from justice_desktop.excel.importer import (
    ImportOutcome,
    ImportPlan,
    RowIssue,
    apply_import,
    field_choices,
    plan_attendance_import,
    plan_roster_import,
)
from justice_desktop.store.database import Store
from ui.context import AppContext
from ui.errors import friendly_message
from ui.qt import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)
from ui.tasks import PROGRESS_DELAY_MS, CancelToken

__all__ = ["IGNORE_LABEL", "ExcelImportDialog", "ask_open_path", "open_import_dialog"]

IGNORE_LABEL = "（不导入）"
MAX_ISSUES_SHOWN = 1000
KINDS = {"roster": "从Excel导入名册", "attendance": "导入签到表"}


def ask_open_path(parent: QWidget | None, title: str) -> Path | None:
    """The open-file dialog (.xlsx). Tests replace this function."""
    chosen, _filter = QFileDialog.getOpenFileName(
        parent, title, str(Path.home()), "Excel 工作簿 (*.xlsx *.xlsm);;所有文件 (*)"
    )
    return Path(chosen) if chosen else None


class ExcelImportDialog(QDialog):
    """See the module docstring. ``kind`` is ``roster`` or ``attendance`` (then
    ``training_id`` and ``training_title`` name the training)."""

    planned = Signal(object)  # ImportPlan
    planFailed = Signal(str)
    imported = Signal(object)  # ImportOutcome
    importFailed = Signal(str)

    def __init__(
        self,
        ctx: AppContext,
        kind: str,
        parent: QWidget | None = None,
        *,
        training_id: str = "",
        training_title: str = "",
    ) -> None:
        super().__init__(parent)
        if kind not in KINDS:
            raise ValueError(kind)
        self.setObjectName("excelImportDialog")
        self.setWindowTitle(KINDS[kind])
        self.ctx = ctx
        self.kind = kind
        self.training_id = training_id
        self.path: Path | None = None
        self.plan: ImportPlan | None = None
        self.outcome: ImportOutcome | None = None
        self.overrides: dict[str, str] = {}  # header text → field key ("" = ignore)
        self._token: CancelToken | None = None
        self._request = 0
        self._applying = False
        self._busy_cancellable = False

        intro_text = (
            "从司法所或各村报送的Excel表格导入法律明白人名册。已在名册中的人（按身份证号码，"
            "没有身份证号码的按姓名和村）不会重复登记，表中填写的新信息会更新到名册。"
            if kind == "roster"
            else f"把签到表中的人登记为培训“{training_title}”的参训人员。已登记的人不会重复登记。"
        )
        intro = QLabel(intro_text, self)
        intro.setWordWrap(True)
        self.file_edit = QLineEdit(self)
        self.file_edit.setObjectName("importFile")
        self.file_edit.setReadOnly(True)
        self.file_edit.setPlaceholderText("请选择 .xlsx 文件")
        self.choose_button = QPushButton("选择文件…", self)
        self.choose_button.setObjectName("chooseImportFile")
        self.recheck_button = QPushButton("重新检查", self)
        self.recheck_button.setObjectName("recheckImport")
        self.recheck_button.setToolTip("在Excel中修改并保存表格后，重新读取检查")
        file_row = QHBoxLayout()
        file_row.addWidget(QLabel("文件：", self))
        file_row.addWidget(self.file_edit, 1)
        file_row.addWidget(self.choose_button)
        file_row.addWidget(self.recheck_button)

        self.busy_bar = QProgressBar(self)
        self.busy_bar.setObjectName("importBusy")
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.hide()
        self.busy_label = QLabel(self)
        self.busy_label.hide()
        self.cancel_plan_button = QPushButton("取消读取", self)
        self.cancel_plan_button.hide()
        busy_row = QHBoxLayout()
        busy_row.addWidget(self.busy_label)
        busy_row.addWidget(self.busy_bar, 1)
        busy_row.addWidget(self.cancel_plan_button)
        self._busy_timer = QTimer(self)
        self._busy_timer.setSingleShot(True)
        self._busy_timer.setInterval(PROGRESS_DELAY_MS)
        self._busy_timer.timeout.connect(self._show_busy)

        self.error_label = QLabel(self)
        self.error_label.setObjectName("importError")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020;")
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.hide()
        self.sheet_label = QLabel(self)
        self.sheet_label.setObjectName("importSheet")
        self.sheet_label.setWordWrap(True)

        self.mapping_table = QTableWidget(0, 2, self)
        self.mapping_table.setObjectName("importMapping")
        self.mapping_table.setHorizontalHeaderLabels(["表格中的列", "导入为"])
        self._setup_table(self.mapping_table)
        mapping_box = QGroupBox("列对应（可修改）", self)
        QVBoxLayout(mapping_box).addWidget(self.mapping_table)

        self.counts_label = QLabel(self)
        self.counts_label.setObjectName("importCounts")
        self.counts_label.setWordWrap(True)
        self.issues_table = QTableWidget(0, 4, self)
        self.issues_table.setObjectName("importIssues")
        self.issues_table.setHorizontalHeaderLabels(["类别", "行号", "列", "说明"])
        self._setup_table(self.issues_table)
        issues_box = QGroupBox("逐行检查结果", self)
        QVBoxLayout(issues_box).addWidget(self.issues_table)
        tables = QHBoxLayout()
        tables.addWidget(mapping_box, 2)
        tables.addWidget(issues_box, 3)

        self.skip_check = QCheckBox("跳过有问题的行，导入其余各行", self)
        self.skip_check.setObjectName("skipInvalidRows")
        self.skip_check.setEnabled(False)
        self.outcome_label = QLabel(self)
        self.outcome_label.setObjectName("importOutcome")
        self.outcome_label.setWordWrap(True)
        self.import_button = QPushButton("导入", self)
        self.import_button.setObjectName("applyImport")
        self.import_button.setEnabled(False)
        self.close_button = QPushButton("关闭", self)
        buttons = QHBoxLayout()
        buttons.addWidget(self.skip_check)
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(file_row)
        layout.addLayout(busy_row)
        layout.addWidget(self.error_label)
        layout.addWidget(self.sheet_label)
        layout.addLayout(tables, 1)
        layout.addWidget(self.counts_label)
        layout.addWidget(self.outcome_label)
        layout.addLayout(buttons)
        self.resize(900, 560)

        self.choose_button.clicked.connect(self.choose_file)
        self.recheck_button.clicked.connect(self.replan)
        self.cancel_plan_button.clicked.connect(self.cancel_plan)
        self.skip_check.toggled.connect(lambda _on: self._update_buttons())
        self.import_button.clicked.connect(self.apply)
        self.close_button.clicked.connect(self.reject)
        self._update_buttons()

    @staticmethod
    def _setup_table(table: QTableWidget) -> None:
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.verticalHeader().setVisible(False)
        table.setAlternatingRowColors(True)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)

    # -- planning ------------------------------------------------------------------------------
    def choose_file(self) -> bool:
        path = ask_open_path(self, "选择要导入的Excel表格")
        if path is None:
            return False
        self.load_file(path)
        return True

    def load_file(self, path: Path) -> None:
        """Plan ``path`` with no overrides (a new file)."""
        self.path = Path(path)
        self.overrides = {}
        self.file_edit.setText(str(self.path))
        self.replan()

    def replan(self) -> None:
        """Plan the chosen file again with the user's column overrides (on the worker)."""
        if self.path is None or self._applying:
            return
        if self._token is not None:
            self._token.cancel()
        self._request += 1
        request = self._request
        path, kind, user_id = self.path, self.kind, self.ctx.user.id
        mapping = dict(self.overrides)
        training, tables = self.training_id, self.ctx.tables

        def work(store: Store) -> ImportPlan:
            if kind == "roster":
                return plan_roster_import(store, user_id, path, mapping=mapping, tables=tables)
            return plan_attendance_import(store, user_id, path, training, mapping=mapping)

        self.outcome = None
        self.outcome_label.clear()
        self._start_busy("正在读取和检查表格…", cancellable=True)
        self._token = self.ctx.tasks.run(
            work,
            on_success=lambda plan: self._planned(request, plan),
            on_failure=lambda exc: self._plan_failed(request, exc),
            on_cancelled=lambda: self._plan_cancelled(request),
        )

    def cancel_plan(self) -> None:
        if self._token is not None:
            self._token.cancel()

    def _planned(self, request: int, plan: ImportPlan) -> None:
        if request != self._request:
            return
        self._token = None
        self._stop_busy()
        self.plan = plan
        self.error_label.hide()
        self._show_plan(plan)
        self._update_buttons()
        self.planned.emit(plan)

    def _plan_failed(self, request: int, exc: BaseException) -> None:
        if request != self._request:
            return
        self._token = None
        self._stop_busy()
        self.plan = None
        self._clear_plan()
        text = friendly_message(exc)
        self.error_label.setText(text)
        self.error_label.show()
        self._update_buttons()
        self.planFailed.emit(text)

    def _plan_cancelled(self, request: int) -> None:
        if request != self._request:
            return
        self._token = None
        self._stop_busy()
        self.sheet_label.setText("已取消读取。")
        self._update_buttons()

    # -- showing the plan --------------------------------------------------------------------
    def _clear_plan(self) -> None:
        self.sheet_label.clear()
        self.counts_label.clear()
        self.mapping_table.setRowCount(0)
        self.issues_table.setRowCount(0)

    def _show_plan(self, plan: ImportPlan) -> None:
        where = f"工作表“{plan.sheet}”，表头在第{plan.header_row}行"
        if plan.kind == "attendance":
            where = f"培训：{plan.training_title}；{where}"
        self.sheet_label.setText(where + "。")
        self._fill_mapping(plan)
        self._fill_issues(plan)
        self.counts_label.setText(self.counts_text(plan))

    @staticmethod
    def counts_text(plan: ImportPlan) -> str:
        bad = len(plan.problem_rows)
        if plan.kind == "roster":
            text = (
                f"共{plan.rows_read}行：新增 {len(plan.new_rows)} 人，更新 {len(plan.updates)} 人，"
                f"无变化 {plan.unchanged} 人，有问题 {bad} 行。"
            )
        else:
            text = (
                f"共{plan.rows_read}行：新增参训 {len(plan.attendees)} 人，已登记 "
                f"{plan.unchanged} 人，有问题 {bad} 行。"
            )
        if bad:
            text += "请在Excel中修改后点“重新检查”，或勾选“跳过有问题的行”。尚未写入任何记录。"
        return text

    def _fill_mapping(self, plan: ImportPlan) -> None:
        choices = field_choices(plan.kind)
        table = self.mapping_table
        table.setRowCount(0)
        shown = [(h, k) for h, k in plan.columns if h.strip()]
        table.setRowCount(len(shown))
        for row, (header, key) in enumerate(shown):
            table.setItem(row, 0, QTableWidgetItem(header))
            combo = QComboBox(table)
            combo.addItem(IGNORE_LABEL, "")
            for field_key, label in choices:
                combo.addItem(label, field_key)
            index = combo.findData(key or "")
            combo.setCurrentIndex(max(index, 0))
            combo.currentIndexChanged.connect(
                lambda _i, h=header, c=combo: self.set_mapping(h, str(c.currentData() or ""))
            )
            table.setCellWidget(row, 1, combo)

    def mapping_combo(self, header: str) -> QComboBox | None:
        """The combo box of the column ``header`` (for tests and keyboard users)."""
        for row in range(self.mapping_table.rowCount()):
            item = self.mapping_table.item(row, 0)
            if item is not None and item.text() == header:
                widget = self.mapping_table.cellWidget(row, 1)
                return widget if isinstance(widget, QComboBox) else None
        return None

    def set_mapping(self, header: str, key: str) -> None:
        """Map the file's column ``header`` to field ``key`` ("" = not imported) and re-plan.
        Another column mapped to the same field is set to 不导入 (one column per field)."""
        if key and self.plan is not None:
            for other, other_key in self.plan.columns:
                if other and other != header and other_key == key:
                    self.overrides[other] = ""
        self.overrides[header] = key
        self.replan()

    def _fill_issues(self, plan: ImportPlan) -> None:
        table = self.issues_table
        issues: list[tuple[str, RowIssue]] = [("问题", p) for p in plan.problems]
        issues += [("提示", n) for n in plan.notices]
        if len(issues) > MAX_ISSUES_SHOWN:  # thousands of rows would stall the window
            left = len(issues) - MAX_ISSUES_SHOWN
            issues = issues[:MAX_ISSUES_SHOWN]
            issues.append(
                ("问题", RowIssue(0, "", f"另有{left}处问题或提示未列出，请先修改以上各行"))
            )
        table.setRowCount(len(issues))
        for row, (category, issue) in enumerate(issues):
            cells = (
                category,
                str(issue.row) if issue.row else "—",
                issue.column or "",
                issue.message,
            )
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col == 3:
                    item.setToolTip(issue.text())
                table.setItem(row, col, item)

    def problem_texts(self) -> list[tuple[str, str, str]]:
        """(row, column, message) of every problem shown (for tests)."""
        out = []
        for row in range(self.issues_table.rowCount()):
            cells = [self.issues_table.item(row, c) for c in range(4)]
            texts = [c.text() if c is not None else "" for c in cells]
            if texts[0] == "问题":
                out.append((texts[1], texts[2], texts[3]))
        return out

    # -- applying ------------------------------------------------------------------------------
    def can_apply(self) -> bool:
        plan = self.plan
        if plan is None or self._applying or self._token is not None or self.outcome is not None:
            return False
        return plan.ok or self.skip_check.isChecked()

    def _update_buttons(self) -> None:
        plan = self.plan
        has_problems = plan is not None and not plan.ok
        self.skip_check.setEnabled(has_problems and not self._applying)
        self.import_button.setEnabled(self.can_apply())
        if plan is not None and has_problems and not self.skip_check.isChecked():
            self.import_button.setToolTip("表格中有问题：请修改后重新检查，或勾选“跳过有问题的行”")
        else:
            self.import_button.setToolTip("")
        self.recheck_button.setEnabled(self.path is not None and not self._applying)
        self.choose_button.setEnabled(not self._applying)

    def apply(self) -> bool:
        """导入: write the plan on the worker (one transaction)."""
        if not self.can_apply() or self.plan is None:
            return False
        plan, user_id, skip = self.plan, self.ctx.user.id, self.skip_check.isChecked()
        self._applying = True
        self._start_busy("正在导入…", cancellable=False)
        self._update_buttons()
        self.ctx.tasks.run(
            lambda store: apply_import(store, user_id, plan, skip_invalid=skip),
            on_success=self._applied,
            on_failure=self._apply_failed,
        )
        return True

    def _applied(self, outcome: ImportOutcome) -> None:
        self._applying = False
        self._stop_busy()
        self.outcome = outcome
        self.outcome_label.setText(outcome.text())
        self.close_button.setText("完成")
        self._update_buttons()
        self.ctx.notify("understanders" if self.kind == "roster" else "trainings")
        self.imported.emit(outcome)

    def _apply_failed(self, exc: BaseException) -> None:
        self._applying = False
        self._stop_busy()
        text = f"导入失败，未写入任何记录：{friendly_message(exc)}"
        self.outcome_label.setText(text)
        self._update_buttons()
        self.importFailed.emit(text)

    # -- busy ------------------------------------------------------------------------------------
    def _start_busy(self, text: str, *, cancellable: bool) -> None:
        self.busy_label.setText(text)
        self._busy_cancellable = cancellable
        self.import_button.setEnabled(False)
        self._busy_timer.start()

    def _show_busy(self) -> None:
        self.busy_label.show()
        self.busy_bar.show()
        self.cancel_plan_button.setVisible(self._busy_cancellable)

    def _stop_busy(self) -> None:
        self._busy_timer.stop()
        self.busy_label.hide()
        self.busy_bar.hide()
        self.cancel_plan_button.hide()

    def reject(self) -> None:
        if self._applying:
            return  # the transaction is under way; the dialog closes after it
        self.cancel_plan()
        super().reject()


def open_import_dialog(
    ctx: AppContext,
    kind: str,
    parent: QWidget | None = None,
    *,
    training_id: str = "",
    training_title: str = "",
) -> ExcelImportDialog:
    """Open (non-blocking, window-modal) the import dialog and let the user choose a file."""
    dialog = ExcelImportDialog(
        ctx, kind, parent, training_id=training_id, training_title=training_title
    )
    dialog.open()
    return dialog

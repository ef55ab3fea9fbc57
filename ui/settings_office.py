"""Settings tabs 本所信息 (office name, committees) and 代码表 (view tables, add office entries)."""

from __future__ import annotations

from justice_desktop.codes.tables import TABLE_NAMES, CodeTable
from justice_desktop.store.code_tables import add_entry
from justice_desktop.store.office import add_committee, rename_office, update_committee
from ui.context import AppContext
from ui.dialogs import show_info
from ui.forms import (
    EnterMovesOn,
    FieldErrors,
    code_combo,
    combo_value,
    fill_code_combo,
    set_combo_value,
)
from ui.qt import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    Qt,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from ui.settings_common import add_button_row, current_id, make_table, run_write, set_rows

__all__ = ["CodeTablesTab", "OfficeTab"]

TOP_LEVEL = "（顶级，不属于任何大类）"


class OfficeTab(QWidget):
    """本所信息: the office's name and its mediation committees."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("officeTab")
        layout = QVBoxLayout(self)

        office_box = QGroupBox("司法所", self)
        layout.addWidget(office_box)
        office_layout = QVBoxLayout(office_box)
        office_form = QFormLayout()
        office_layout.addLayout(office_form)
        self.office_banner = QLabel(office_box)
        self.office_errors = FieldErrors(self.office_banner)
        self.office_edit = QLineEdit(ctx.data.office_name, office_box)
        self.office_edit.setObjectName("officeName")
        self.office_errors.add_row(office_form, "司法所名称", "office_name", self.office_edit)
        self.save_name_button = QPushButton("保存名称", office_box)
        self.save_name_button.setObjectName("saveOfficeName")
        self.save_name_button.clicked.connect(self.save_name)
        add_button_row(office_form, self.save_name_button)
        office_layout.addWidget(self.office_banner)
        EnterMovesOn(office_box, last=self.office_edit, on_last=self.save_name)

        box = QGroupBox("人民调解委员会", self)
        layout.addWidget(box, 1)
        box_layout = QVBoxLayout(box)
        self.table = make_table(box, ("名称", "案号简称", "类型"), "committeeTable")
        self.table.itemSelectionChanged.connect(self._selected)
        box_layout.addWidget(self.table, 1)
        form = QFormLayout()
        box_layout.addLayout(form)
        self.banner = QLabel(box)
        self.errors = FieldErrors(self.banner)
        self.name_edit = QLineEdit(box)
        self.name_edit.setObjectName("committeeName")
        self.name_edit.setPlaceholderText("如：东村人民调解委员会")
        self.prefix_edit = QLineEdit(box)
        self.prefix_edit.setObjectName("committeePrefix")
        self.prefix_edit.setPlaceholderText("如：津东村")
        self.body_combo = code_combo(box, ctx.tables["body_types"])
        self.body_combo.setObjectName("committeeBodyType")
        self.errors.add_row(form, "调委会名称", "name", self.name_edit)
        self.errors.add_row(form, "案号简称", "number_prefix", self.prefix_edit)
        self.errors.add_row(form, "调委会类型", "body_type", self.body_combo)
        buttons = QHBoxLayout()
        self.add_button = QPushButton("添加调委会", box)
        self.add_button.setObjectName("addCommittee")
        self.add_button.clicked.connect(self.add_committee)
        self.update_button = QPushButton("保存对所选调委会的修改", box)
        self.update_button.setObjectName("updateCommittee")
        self.update_button.clicked.connect(self.update_committee)
        self.update_button.setEnabled(False)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.update_button)
        buttons.addStretch(1)
        box_layout.addLayout(buttons)
        note = QLabel("修改案号简称只影响以后登记的案件，已编的案号不会改变。", box)
        note.setWordWrap(True)
        box_layout.addWidget(note)
        box_layout.addWidget(self.banner)
        EnterMovesOn(box, last=self.body_combo, on_last=self._enter_on_last)
        self.refresh()

    def refresh(self) -> None:
        """Re-read from the context (after ``ctx.reload``); what is being typed stays."""
        if not self.office_edit.isModified():
            self.office_edit.setText(self.ctx.data.office_name)
        body_types = self.ctx.tables["body_types"]
        fill_code_combo(self.body_combo, body_types)
        rows = []
        for c in self.ctx.committees:
            kind = body_types.label(c["body_type"]) if body_types.has(c["body_type"]) else ""
            rows.append((c["id"], (c["name"], c["number_prefix"], kind)))
        self.table.blockSignals(True)
        set_rows(self.table, rows)
        self.table.blockSignals(False)
        self.update_button.setEnabled(current_id(self.table) is not None)

    def _selected(self) -> None:
        committee_id = current_id(self.table)
        self.update_button.setEnabled(committee_id is not None)
        found = next((c for c in self.ctx.committees if c["id"] == committee_id), None)
        if found is not None:
            self.name_edit.setText(found["name"])
            self.prefix_edit.setText(found["number_prefix"])
            set_combo_value(self.body_combo, found["body_type"])
            self.errors.clear()

    def _enter_on_last(self) -> None:
        if current_id(self.table) is not None:
            self.update_committee()
        else:
            self.add_committee()

    def _saved(self, message: str) -> None:
        self.ctx.reload()  # the screen refreshes its tabs on ctx.dataReloaded
        self.ctx.notify("settings")
        show_info(self, message)

    def save_name(self) -> None:
        name, user = self.office_edit.text(), self.ctx.user.id

        def done(_result: None) -> None:
            self.office_edit.setModified(False)
            self._saved("已保存司法所名称。")

        run_write(
            self.ctx,
            lambda store: rename_office(store, user, name),
            self.office_errors,
            done,
            button=self.save_name_button,
        )

    def add_committee(self) -> None:
        name, prefix = self.name_edit.text(), self.prefix_edit.text()
        body, user = combo_value(self.body_combo) or "", self.ctx.user.id

        def done(_committee_id: str) -> None:
            self.table.clearSelection()
            self.name_edit.clear()
            self.prefix_edit.clear()
            self._saved(f"已添加调委会“{name.strip()}”。")

        run_write(
            self.ctx,
            lambda store: add_committee(store, user, name, prefix, body),
            self.errors,
            done,
            button=self.add_button,
        )

    def update_committee(self) -> None:
        committee_id = current_id(self.table)
        if committee_id is None:
            return
        name, prefix = self.name_edit.text(), self.prefix_edit.text()
        body, user = combo_value(self.body_combo) or "", self.ctx.user.id
        run_write(
            self.ctx,
            lambda store: update_committee(store, user, committee_id, name, prefix, body),
            self.errors,
            lambda _r: self._saved(f"已保存调委会“{name.strip()}”的修改。"),
            button=self.update_button,
        )


class CodeTablesTab(QWidget):
    """代码表: every table with its entries; the office may add its own (e.g. 金融)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("codeTablesTab")
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel("代码表", self))
        self.table_combo = QComboBox(self)
        self.table_combo.setObjectName("codeTableChoice")
        top.addWidget(self.table_combo, 1)
        layout.addLayout(top)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("codeTree")
        self.tree.setHeaderLabels(["名称", "代码", "来源"])
        layout.addWidget(self.tree, 1)

        box = QGroupBox("添加本所的条目", self)
        layout.addWidget(box)
        box_layout = QVBoxLayout(box)
        form = QFormLayout()
        box_layout.addLayout(form)
        self.banner = QLabel(box)
        self.errors = FieldErrors(self.banner)
        self.parent_combo = QComboBox(box)
        self.parent_combo.setObjectName("codeParent")
        self.label_edit = QLineEdit(box)
        self.label_edit.setObjectName("codeLabel")
        self.label_edit.setPlaceholderText("如：金融")
        self.errors.add_row(form, "所属大类", "parent", self.parent_combo)
        self.errors.add_row(form, "名称", "label", self.label_edit)
        self.add_button = QPushButton("添加", box)
        self.add_button.setObjectName("addCodeEntry")
        self.add_button.clicked.connect(self.add_entry)
        add_button_row(form, self.add_button)
        note = QLabel("本所添加的条目在程序升级后仍然保留，并随数据同步到上级。", box)
        note.setWordWrap(True)
        box_layout.addWidget(note)
        box_layout.addWidget(self.banner)
        EnterMovesOn(box, last=self.label_edit, on_last=self.add_entry)

        for name in [n for n in TABLE_NAMES if n in ctx.tables] + sorted(
            n for n in ctx.tables if n not in TABLE_NAMES
        ):
            self.table_combo.addItem(ctx.tables[name].title, name)
        set_combo_value(self.table_combo, "dispute_types")
        self.table_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.refresh()

    def current_table(self) -> CodeTable | None:
        name = combo_value(self.table_combo)
        return self.ctx.tables.get(name) if isinstance(name, str) else None

    def refresh(self) -> None:
        table = self.current_table()
        self.tree.clear()
        parent = combo_value(self.parent_combo)
        self.parent_combo.clear()
        self.parent_combo.addItem(TOP_LEVEL, None)
        if table is None:
            return
        items: dict[str, QTreeWidgetItem] = {}
        for entry in table.entries:
            if entry.superseded_by is not None:
                continue
            source = "本所添加" if entry.office_added else "标准"
            holder = items.get(entry.parent) if entry.parent is not None else None
            if holder is not None:
                item = QTreeWidgetItem(holder, [entry.label, entry.code, source])
            else:
                item = QTreeWidgetItem(self.tree, [entry.label, entry.code, source])
            item.setData(0, Qt.ItemDataRole.UserRole, entry.code)
            items[entry.code] = item
        for entry in table.top_level():
            self.parent_combo.addItem(entry.label, entry.code)
        set_combo_value(self.parent_combo, parent)
        self.tree.resizeColumnToContents(0)

    def add_entry(self) -> None:
        table = self.current_table()
        if table is None:
            return
        name, label = table.name, self.label_edit.text()
        parent = combo_value(self.parent_combo)
        user = self.ctx.user.id

        def done(code: str) -> None:
            self.label_edit.clear()
            self.ctx.reload(then=lambda: self._added(code))
            self.ctx.notify("settings")
            show_info(self, f"已在“{table.title}”中添加“{label.strip()}”。")

        run_write(
            self.ctx,
            lambda store: add_entry(store, user, name, label, parent),
            self.errors,
            done,
            button=self.add_button,
        )

    def _added(self, code: str) -> None:
        self.refresh()
        for item in self.tree.findItems(
            code, Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive, 1
        ):
            self.tree.setCurrentItem(item)

"""Recording a training of the 法律明白人 (培训台账) with its attendance check-list.

:class:`TrainingForm` edits the fields of
:class:`~justice_desktop.domain.understanders.TrainingInput` and ticks who attended among the
people on the roster (filter by village or name, 全选/全不选 act on the people shown). A new
training is saved with ``UnderstanderService.add_training``; an existing one with
``update_training`` and ``UnderstanderService.set_attendance``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from justice_desktop.domain.understanders import MODE_LABELS, TrainingInput, validate_training
from justice_desktop.store.database import Store
from justice_desktop.store.records import Row
from justice_desktop.store.understanders import (
    UnderstanderService,
    load_training,
    roster_with_hours,
    update_training,
)
from ui.context import AppContext
from ui.forms import (
    EnterMovesOn,
    combo_value,
    date_edit,
    field_row,
    qdate,
    set_combo_value,
    show_date,
    to_date,
)
from ui.qt import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    Qt,
    QVBoxLayout,
    QWidget,
)
from ui.understander_form import DraftForm

__all__ = ["Attendee", "TrainingForm", "TrainingSheet", "load_training_sheet"]

ALL_VILLAGES = "全部村（社区）"
DEFAULT_HOURS = 2.0


@dataclass(frozen=True)
class Attendee:
    id: str
    name: str
    village: str
    villager_group: str
    removed: bool

    @property
    def text(self) -> str:
        where = f"{self.village}{self.villager_group}"
        return f"{self.name}（{where}）" + ("（已清退）" if self.removed else "")


@dataclass(frozen=True)
class TrainingSheet:
    """What the form needs: the people to tick and, for an existing training, its record."""

    people: list[Attendee]
    training: Row | None = None
    attendee_ids: tuple[str, ...] = ()


def load_training_sheet(store: Store, training_id: str | None, year: int) -> TrainingSheet:
    """Runs on the worker: everyone on the roster, plus removed people who attended."""
    training: Row | None = None
    attended: list[str] = []
    if training_id is not None:
        training, attended = load_training(store, training_id)
    wanted = set(attended)
    people = [
        Attendee(
            str(r["id"]),
            str(r["name"]),
            str(r["village"]),
            str(r["villager_group"] or ""),
            r["status"] != "active",
        )
        for r in roster_with_hours(store, year, status=None)
        if r["status"] == "active" or r["id"] in wanted
    ]
    return TrainingSheet(people, training, tuple(attended))


class TrainingForm(DraftForm):
    """Record a training or correct one and its attendance (see the module docstring)."""

    what = "培训记录"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("trainingForm")
        self.record_id: str | None = None
        self.version: int | None = None
        today = ctx.today()

        self.held_on = date_edit(None, today, maximum=today)
        self.topic = QLineEdit()
        self.topic.setPlaceholderText("如：民法典婚姻家庭编解读")
        self.trainer = QLineEdit()
        self.mode = QComboBox()
        self.mode.addItem(MODE_LABELS["offline"], "offline")
        self.mode.addItem(MODE_LABELS["online"], "online")
        self.hours = QDoubleSpinBox()
        self.hours.setRange(0.5, 24.0)
        self.hours.setSingleStep(0.5)
        self.hours.setDecimals(1)
        self.hours.setValue(DEFAULT_HOURS)
        self.hours.setSuffix(" 学时")
        self.place = QLineEdit()
        self.fields = {
            "held_on": self.held_on,
            "topic": self.topic,
            "trainer": self.trainer,
            "mode": self.mode,
            "hours": self.hours,
            "place": self.place,
        }
        details = QWidget()
        form = QFormLayout(details)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        add = self.errors.add_row
        add(form, "培训日期 *", "held_on", self.held_on)
        add(form, "培训主题 *", "topic", self.topic)
        add(form, "授课人 *", "trainer", self.trainer)
        add(form, "培训方式 *", "mode", self.mode)
        add(form, "学时 *", "hours", self.hours)
        add(form, "培训地点", "place", self.place)

        # -- the attendance check-list
        group = QGroupBox("参训人员（勾选实际参加的法律明白人）", self)
        self.village_filter = QComboBox(group)
        self.village_filter.addItem(ALL_VILLAGES, None)
        self.name_filter = QLineEdit(group)
        self.name_filter.setPlaceholderText("按姓名筛选")
        self.name_filter.setClearButtonEnabled(True)
        self.check_all = QPushButton("全选", group)
        self.check_none = QPushButton("全不选", group)
        self.people = QListWidget(group)
        self.people.setObjectName("attendanceList")
        self.count_label = QLabel(group)
        filters = QHBoxLayout()
        filters.addWidget(QLabel("村（社区）：", group))
        filters.addWidget(self.village_filter)
        filters.addWidget(self.name_filter, 1)
        filters.addWidget(self.check_all)
        filters.addWidget(self.check_none)
        list_box, list_error = field_row(self.people, group)
        self.errors.bind("attendees", self.people, list_error)
        group_layout = QVBoxLayout(group)
        group_layout.addLayout(filters)
        group_layout.addWidget(list_box, 1)
        group_layout.addWidget(self.count_label)

        self.save_button = QPushButton("保存（Ctrl+S）", self)
        self.save_button.clicked.connect(self.save)
        self.back_button = QPushButton("返回培训台账（Esc）", self)
        self.back_button.clicked.connect(self.request_close)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title_label)
        layout.addWidget(self.note)
        layout.addWidget(self.banner)
        layout.addWidget(details)
        layout.addWidget(group, 1)
        layout.addLayout(buttons)

        order: list[QWidget] = [
            *self.fields.values(),
            self.village_filter,
            self.name_filter,
            self.check_all,
            self.check_none,
            self.people,
            self.save_button,
        ]
        for first, second in zip(order, order[1:], strict=False):
            QWidget.setTabOrder(first, second)
        self.enter = EnterMovesOn(details)
        self.watch_fields()
        self.people.itemChanged.connect(self._item_changed)
        self.village_filter.currentIndexChanged.connect(self._apply_filter)
        self.name_filter.textChanged.connect(self._apply_filter)
        self.check_all.clicked.connect(lambda: self.set_visible_checked(True))
        self.check_none.clicked.connect(lambda: self.set_visible_checked(False))

    # -- opening ----------------------------------------------------------------------------
    def open_new(self) -> None:
        self._open(None)

    def open_existing(self, training_id: str) -> None:
        self._open(training_id)

    def _open(self, training_id: str | None) -> None:
        self.record_id = training_id
        self.version = None
        self.start_draft(f"training:{training_id or 'new'}")
        self.reset_view()
        self._reset_fields()
        self.people.clear()
        self.title_label.setText("正在读取…")
        self.setEnabled(False)
        year = self.ctx.today().year

        def loaded(sheet: TrainingSheet) -> None:
            if self.record_id != training_id:
                return
            self.setEnabled(True)
            if self.keeper is not None:
                self.keeper.pause()
            try:
                self._fill(sheet)
            finally:
                if self.keeper is not None:
                    self.keeper.resume()
            self.ready()
            self.topic.setFocus(Qt.FocusReason.OtherFocusReason)

        def failed(exc: BaseException) -> None:
            self.setEnabled(True)
            self.title_label.setText("培训记录")
            self.show_error(exc)

        self.ctx.tasks.run(
            lambda store: load_training_sheet(store, training_id, year),
            on_success=loaded,
            on_failure=failed,
        )

    def _reset_fields(self) -> None:
        if self.keeper is not None:
            self.keeper.pause()
        self.held_on.setMaximumDate(qdate(self.ctx.today()))
        show_date(self.held_on, self.ctx.today())
        self.topic.clear()
        self.trainer.clear()
        self.mode.setCurrentIndex(0)
        self.hours.setValue(DEFAULT_HOURS)
        self.place.clear()
        self.name_filter.clear()
        if self.keeper is not None:
            self.keeper.resume()

    def _fill(self, sheet: TrainingSheet) -> None:
        t = sheet.training
        if t is None:
            self.title_label.setText("登记培训")
        else:
            self.version = int(t["version"])
            self.title_label.setText(f"修改培训记录及考勤：{t['held_on']} {t['topic']}")
            show_date(self.held_on, date.fromisoformat(str(t["held_on"])))
            self.topic.setText(str(t["topic"]))
            self.trainer.setText(str(t["trainer"]))
            set_combo_value(self.mode, t["mode"])
            self.hours.setValue(float(t["hours"]))
            self.place.setText(str(t["place"] or ""))
        villages = sorted({p.village for p in sheet.people})
        self.village_filter.blockSignals(True)
        self.village_filter.clear()
        self.village_filter.addItem(ALL_VILLAGES, None)
        for v in villages:
            self.village_filter.addItem(v, v)
        self.village_filter.blockSignals(False)
        attended = set(sheet.attendee_ids)
        self.people.blockSignals(True)
        self.people.clear()
        for person in sheet.people:
            item = QListWidgetItem(person.text, self.people)
            item.setData(Qt.ItemDataRole.UserRole, person.id)
            item.setData(Qt.ItemDataRole.UserRole + 1, person.village)
            item.setData(Qt.ItemDataRole.UserRole + 2, person.name)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            checked = person.id in attended
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.people.blockSignals(False)
        self._apply_filter()
        self._update_count()

    # -- the check-list ---------------------------------------------------------------------
    def _items(self) -> list[QListWidgetItem]:
        found = [self.people.item(i) for i in range(self.people.count())]
        return [item for item in found if item is not None]

    def item_for(self, name: str) -> QListWidgetItem | None:
        """The check-list entry of the person called ``name`` (for tests and shortcuts)."""
        for item in self._items():
            if item.data(Qt.ItemDataRole.UserRole + 2) == name:
                return item
        return None

    def checked_ids(self) -> list[str]:
        return [
            str(item.data(Qt.ItemDataRole.UserRole))
            for item in self._items()
            if item.checkState() == Qt.CheckState.Checked
        ]

    def set_checked_ids(self, ids: list[str]) -> None:
        wanted = set(ids)
        self.people.blockSignals(True)
        for item in self._items():
            on = item.data(Qt.ItemDataRole.UserRole) in wanted
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        self.people.blockSignals(False)
        self._update_count()

    def set_visible_checked(self, checked: bool) -> None:
        """全选 / 全不选: the people the filter shows."""
        state = Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
        self.people.blockSignals(True)
        for item in self._items():
            if not item.isHidden():
                item.setCheckState(state)
        self.people.blockSignals(False)
        self._update_count()
        self.touch()

    def _apply_filter(self, *_args: object) -> None:
        village = combo_value(self.village_filter)
        name = self.name_filter.text().strip()
        for item in self._items():
            hidden = (
                village is not None and item.data(Qt.ItemDataRole.UserRole + 1) != village
            ) or (bool(name) and name not in str(item.data(Qt.ItemDataRole.UserRole + 2)))
            item.setHidden(hidden)
        self._update_count()

    def _item_changed(self, _item: QListWidgetItem) -> None:
        self._update_count()
        self.touch()

    def _update_count(self) -> None:
        items = self._items()
        shown = sum(1 for i in items if not i.isHidden())
        checked = sum(1 for i in items if i.checkState() == Qt.CheckState.Checked)
        self.count_label.setText(
            f"已勾选 {checked} 人；名单共 {len(items)} 人，当前显示 {shown} 人"
        )

    # -- drafts -----------------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        return {**super().state(), "attendees": sorted(self.checked_ids())}

    def apply_state(self, state: dict[str, Any]) -> None:
        super().apply_state(state)
        attendees = state.get("attendees")
        if isinstance(attendees, list):
            self.set_checked_ids([str(a) for a in attendees])

    # -- saving -------------------------------------------------------------------------------
    def build(self) -> TrainingInput:
        t = TrainingInput(
            held_on=to_date(self.held_on.date()),
            topic=self.topic.text(),
            trainer=self.trainer.text(),
            mode=str(combo_value(self.mode)),
            hours=float(self.hours.value()),
            place=self.place.text(),
            attendee_ids=self.checked_ids(),
        )
        validate_training(t, self.ctx.today())
        return t

    def save(self) -> bool:
        if self.saving:
            return True
        built: list[TrainingInput] = []
        if not self.check(lambda: built.append(self.build())):
            return False
        self.errors.clear()
        t = built[0]
        tables, user_id = self.ctx.tables, self.ctx.user.id
        record_id, version = self.record_id, self.version

        def write(store: Store) -> str:
            service = UnderstanderService(store, tables)
            if record_id is None:
                return service.add_training(user_id, t)
            update_training(store, user_id, record_id, t, expected_version=version, attendance=True)
            return record_id

        self.run_save(write)
        return True

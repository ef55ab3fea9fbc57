"""首次使用向导: a data folder without a database gets its encrypted office database.

Pages: 司法所信息 (office, first committee, 案号简称, committee type) → 您的信息 (name, role) →
单机/联网 (case numbers granted by this machine or by the city server; its 创建数据库 button
creates the database on a background thread while the window stays responsive) → 恢复密钥
(shown once, large and monospaced, with 打印/复制 and a required "我已抄写…" checkbox before
完成 is enabled).

Each page checks its input with the core's :func:`check_office_setup` before moving on and
shows the message under the field. Going back and forth keeps everything typed. Once the
database exists there is no way back and no cancelling: the recovery key must be confirmed.

``create`` is injectable (tests pass one with an in-memory key vault); it defaults to
:func:`justice_desktop.store.session.create_office` (the OS keyring).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from justice_desktop.codes.tables import CodeTable, load_code_tables
from justice_desktop.store.database import Store
from justice_desktop.store.office import OfficeSetup, check_office_setup
from justice_desktop.store.session import create_office
from justice_desktop.validation import ValidationError
from ui.errors import friendly_message
from ui.forms import EnterMovesOn, FieldErrors, code_combo, combo_value, set_combo_value
from ui.qt import (
    QApplication,
    QButtonGroup,
    QCheckBox,
    QFont,
    QFormLayout,
    QGuiApplication,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QObject,
    QPushButton,
    QRadioButton,
    Qt,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
    Signal,
)
from ui.user_switch import role_combo

__all__ = [
    "CONFIRM_TEXT",
    "Creator",
    "FirstRunWizard",
    "run_first_run_wizard",
]

#: Creates the office database: ``(data_dir, setup) -> (store, recovery key)``.
Creator = Callable[[Path, OfficeSetup], tuple[Store, str]]

CONFIRM_TEXT = "我已抄写或打印恢复密钥，并妥善保管"
_DEFAULT_BODY_TYPE = "subdistrict"


def _default_create(data_dir: Path, setup: OfficeSetup) -> tuple[Store, str]:
    return create_office(data_dir, setup)


class _Creation(QObject):
    """Carries the background thread's outcome to the GUI thread (queued signals)."""

    succeeded = Signal(object, str)
    failed = Signal(object)


def _intro(text: str, parent: QWidget) -> QLabel:
    """The page's explanation: a wrapping label (a wizard subtitle would be cut off at large
    text sizes)."""
    label = QLabel(text, parent)
    label.setWordWrap(True)
    return label


class _FormPage(QWizardPage):
    """A page of fields bound to core field names, with an error line under each."""

    def __init__(self, title: str, subtitle: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(title)
        self.layout_ = QVBoxLayout(self)
        self.layout_.addWidget(_intro(subtitle, self))
        self.form = QFormLayout()
        self.layout_.addLayout(self.form)
        self.banner = QLabel(self)
        self.banner.setObjectName("pageError")
        self.errors = FieldErrors(self.banner)

    def finish_layout(self) -> None:
        self.layout_.addWidget(self.banner)
        self.layout_.addStretch(1)

    def cleanupPage(self) -> None:
        """Going back keeps what was typed (QWizard would reset registered fields)."""


class OfficePage(_FormPage):
    def __init__(self, body_types: CodeTable, parent: QWidget | None = None) -> None:
        super().__init__(
            "司法所信息",
            "填写本司法所和第一个人民调解委员会。案号简称用于生成案号，"
            "如“津东城”生成“（2025）津东城人调字第1号”。",
            parent,
        )
        self.office_edit = QLineEdit(self)
        self.office_edit.setObjectName("officeName")
        self.office_edit.setPlaceholderText("如：河东区城关街司法所")
        self.committee_edit = QLineEdit(self)
        self.committee_edit.setObjectName("committeeName")
        self.committee_edit.setPlaceholderText("如：城关街道人民调解委员会")
        self.prefix_edit = QLineEdit(self)
        self.prefix_edit.setObjectName("numberPrefix")
        self.prefix_edit.setPlaceholderText("如：津东城")
        self.body_combo = code_combo(self, body_types)
        self.body_combo.setObjectName("bodyType")
        set_combo_value(self.body_combo, _DEFAULT_BODY_TYPE)
        self.errors.add_row(self.form, "司法所名称", "office_name", self.office_edit)
        self.errors.add_row(self.form, "调委会名称", "committee_name", self.committee_edit)
        self.errors.add_row(self.form, "案号简称", "number_prefix", self.prefix_edit)
        self.errors.add_row(self.form, "调委会类型", "body_type", self.body_combo)
        self.finish_layout()


class UserPage(_FormPage):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            "您的信息",
            "您是本机的第一位用户。以后可以在“设置”中添加其他用户。",
            parent,
        )
        self.name_edit = QLineEdit(self)
        self.name_edit.setObjectName("userName")
        self.role_combo = role_combo(self, "head")
        self.role_combo.setObjectName("userRole")
        self.errors.add_row(self.form, "姓名", "user_name", self.name_edit)
        self.errors.add_row(self.form, "角色", "user_role", self.role_combo)
        self.finish_layout()


class ModePage(_FormPage):
    """单机/联网; its 创建数据库 button starts the creation (see FirstRunWizard)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            "单机或联网",
            "选择案号的来源。案号一经打印就不会改变。",
            parent,
        )
        self.standalone_radio = QRadioButton("单机使用：由本机自行编号", self)
        self.standalone_radio.setObjectName("standalone")
        self.server_radio = QRadioButton(
            "联网使用：编号段由市级服务器分配（本所有多台电脑时）", self
        )
        self.server_radio.setObjectName("server")
        self.standalone_radio.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.standalone_radio)
        group.addButton(self.server_radio)
        self.form.addRow(self.standalone_radio)
        self.form.addRow(self.server_radio)
        self.status = QLabel(self)
        self.status.setObjectName("creationStatus")
        self.status.setWordWrap(True)
        self.layout_.addWidget(self.status)
        self.finish_layout()
        self.setCommitPage(True)
        self.creating = False

    def isComplete(self) -> bool:
        return not self.creating


class RecoveryKeyPage(QWizardPage):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle("恢复密钥")
        layout = QVBoxLayout(self)
        layout.addWidget(
            _intro(
                "数据库已加密创建。下面的恢复密钥只显示这一次：请抄写或打印后妥善保管。"
                "如果本机的系统密钥丢失（如重装系统），只能用它打开数据库。",
                self,
            )
        )
        self.key_label = QLabel(self)
        self.key_label.setObjectName("recoveryKey")
        self.key_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.key_label.setWordWrap(True)
        self.key_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.key_label)
        row = QHBoxLayout()
        self.copy_button = QPushButton("打印/复制", self)
        self.copy_button.setObjectName("copyRecoveryKey")
        self.copy_button.clicked.connect(self.copy_key)
        row.addWidget(self.copy_button)
        self.copied = QLabel(self)
        self.copied.setObjectName("copiedNote")
        self.copied.setWordWrap(True)
        row.addWidget(self.copied, 1)
        layout.addLayout(row)
        self.confirm = QCheckBox(CONFIRM_TEXT, self)
        self.confirm.setObjectName("keyConfirmed")
        self.confirm.toggled.connect(lambda _checked: self.completeChanged.emit())
        layout.addWidget(self.confirm)
        layout.addStretch(1)
        self._key = ""

    def set_key(self, key: str) -> None:
        self._key = key
        groups = key.split("-")
        lines = ["  ".join(groups[i : i + 4]) for i in range(0, len(groups), 4)]
        self.key_label.setText("\n".join(lines))
        font = QFont(QApplication.font())
        font.setFamilies(["monospace", "Courier New", "DejaVu Sans Mono"])
        font.setStyleHint(QFont.StyleHint.TypeWriter)
        font.setPointSizeF(max(font.pointSizeF(), 9.0) * 1.8)
        font.setBold(True)
        self.key_label.setFont(font)

    @property
    def key(self) -> str:
        return self._key

    def copy_key(self) -> None:
        QGuiApplication.clipboard().setText(self._key)
        self.copied.setText("已复制到剪贴板，可粘贴到文档中打印。打印功能稍后提供。")

    def isComplete(self) -> bool:
        return bool(self._key) and self.confirm.isChecked()


class FirstRunWizard(QWizard):
    """See the module docstring. ``store`` is the created store once the wizard is done."""

    def __init__(
        self,
        data_dir: Path,
        parent: QWidget | None = None,
        *,
        create: Creator = _default_create,
    ) -> None:
        super().__init__(parent)
        self.data_dir = data_dir
        self._create = create
        self.store: Store | None = None
        self.recovery_key = ""
        self.setObjectName("firstRunWizard")
        self.setWindowTitle("首次使用 · 创建本所数据库")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        for button, text in (
            (QWizard.WizardButton.BackButton, "上一步"),
            (QWizard.WizardButton.NextButton, "下一步"),
            (QWizard.WizardButton.CommitButton, "创建数据库"),
            (QWizard.WizardButton.FinishButton, "完成"),
            (QWizard.WizardButton.CancelButton, "取消"),
        ):
            self.setButtonText(button, text)
        tables = load_code_tables()
        self.office_page = OfficePage(tables["body_types"], self)
        self.user_page = UserPage(self)
        self.mode_page = ModePage(self)
        self.key_page = RecoveryKeyPage(self)
        for page in (self.office_page, self.user_page, self.mode_page, self.key_page):
            self.addPage(page)
        self._creation = _Creation(self)
        self._creation.succeeded.connect(self._created)
        self._creation.failed.connect(self._creation_failed)
        self._thread: threading.Thread | None = None
        EnterMovesOn(self.office_page, last=self.office_page.body_combo, on_last=self.next)
        EnterMovesOn(self.user_page, last=self.user_page.role_combo, on_last=self.next)

    # -- the setup as typed -------------------------------------------------------------------
    def setup(self) -> OfficeSetup:
        o, u = self.office_page, self.user_page
        return OfficeSetup(
            office_name=o.office_edit.text(),
            committee_name=o.committee_edit.text(),
            number_prefix=o.prefix_edit.text(),
            body_type=combo_value(o.body_combo) or "",
            user_name=u.name_edit.text(),
            user_role=combo_value(u.role_combo) or "",
            standalone=self.mode_page.standalone_radio.isChecked(),
        )

    def validateCurrentPage(self) -> bool:
        page = self.currentPage()
        if page is self.office_page:
            # the user's fields come later: check this page's part with stand-ins
            return self._check(page, replace(self.setup(), user_name="-", user_role="head"))
        if page is self.user_page:
            return self._check(page, self.setup())
        if page is self.mode_page:
            if self.store is not None:
                return True
            self._start_creation()
            return False
        return super().validateCurrentPage()

    def _check(self, page: _FormPage, setup: OfficeSetup) -> bool:
        try:
            check_office_setup(setup)
        except ValidationError as exc:
            page.errors.show(exc)
            return False
        page.errors.clear()
        return True

    # -- creating the database ------------------------------------------------------------------
    @property
    def creating(self) -> bool:
        return self.mode_page.creating

    def _start_creation(self) -> None:
        if self.creating:
            return
        setup = self.setup()
        try:
            setup = check_office_setup(setup)
        except ValidationError as exc:  # cannot happen after the pages' checks; be safe
            self.mode_page.errors.show(exc)
            return
        page = self.mode_page
        page.errors.clear()
        page.creating = True
        page.completeChanged.emit()
        page.status.setText("正在创建加密数据库，请稍候……")
        for radio in (page.standalone_radio, page.server_radio):
            radio.setEnabled(False)
        self._set_buttons_enabled(False)
        creation = self._creation
        data_dir = self.data_dir
        create = self._create

        def work() -> None:
            try:
                store, key = create(data_dir, setup)
            except Exception as exc:
                creation.failed.emit(exc)
            else:
                creation.succeeded.emit(store, key)

        self._thread = threading.Thread(target=work, name="first-run-create", daemon=True)
        self._thread.start()

    def _set_buttons_enabled(self, enabled: bool) -> None:
        for which in (QWizard.WizardButton.BackButton, QWizard.WizardButton.CancelButton):
            self.button(which).setEnabled(enabled)

    def _created(self, store: Store, key: str) -> None:
        self._join()
        self.store = store
        self.recovery_key = key
        self.key_page.set_key(key)
        page = self.mode_page
        page.creating = False
        page.status.setText("数据库已创建。")
        page.completeChanged.emit()
        self.next()

    def _creation_failed(self, exc: BaseException) -> None:
        self._join()
        page = self.mode_page
        page.creating = False
        page.status.clear()
        for radio in (page.standalone_radio, page.server_radio):
            radio.setEnabled(True)
        self._set_buttons_enabled(True)
        page.completeChanged.emit()
        if isinstance(exc, ValidationError):
            target: _FormPage | None = None
            if exc.field in self._office_fields():
                target = self.office_page
            elif exc.field in ("user_name", "user_role"):
                target = self.user_page
            if target is not None:
                while self.currentPage() is not target and self.currentId() > 0:
                    self.back()
                target.errors.show(exc)
                return
        page.errors.show_message("数据库没有创建：" + friendly_message(exc))

    @staticmethod
    def _office_fields() -> tuple[str, ...]:
        return ("office_name", "committee_name", "number_prefix", "body_type")

    def _join(self) -> None:
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    # -- closing ----------------------------------------------------------------------------------
    def reject(self) -> None:
        """No cancelling while the database is being created, nor after: the recovery key
        must be confirmed first."""
        if self.creating or self.store is not None:
            return
        super().reject()

    def done(self, result: int) -> None:
        if result == QWizard.DialogCode.Accepted and not self.key_page.isComplete():
            return
        super().done(result)


def run_first_run_wizard(
    data_dir: Path, parent: QWidget | None = None, *, create: Creator = _default_create
) -> Store | None:
    """Run the wizard; the opened store, or None when the user cancelled."""
    wizard = FirstRunWizard(data_dir, parent, create=create)
    try:
        accepted = wizard.exec() == QWizard.DialogCode.Accepted
        return wizard.store if accepted else None
    finally:
        wizard.deleteLater()

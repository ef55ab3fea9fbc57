"""设置 → 同步: the city server's address and this machine's login, and the state of sync.

* 服务器地址, 用户名, 密码 with 登录 / 退出登录. Logging in and out talk to the server (the server
  takes a moment to check a password), so they run on the sync thread of
  :class:`ui.sync_controller.SyncController`, never on the GUI thread. Empty fields, a wrong
  address or a wrong password are shown in Chinese under their field; nothing typed is lost
  (the password is cleared only after a successful login).
* Read only: the logged-in account, the day-end sync time (set on the server), the last sync
  and its result, and the counts of changes waiting, refused (被拒收) and in conflict.
* 立即同步, 查看冲突…, 被拒收的修改… .

The state is read on the database worker (:func:`sync.client.service.status`) when the tab is
shown and after every network job.
"""

from __future__ import annotations

from justice_desktop.validation import ValidationError
from justice_desktop.validation.server_url import validate_server_url
from sync.client import service
from sync.client.service import SyncStatus
from sync.client.session import SyncError
from sync.protocol import Me
from ui.context import AppContext
from ui.forms import FieldErrors
from ui.qt import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from ui.sync_controller import SyncOutcome, error_text

__all__ = ["SyncTab", "login_error_field"]

NO_SYNC_TEXT = "本程序没有连接同步功能（演示或测试模式）。"


#: A login answered, but not as the sync server answers (most often: the address is a web
#: site's, such as the bureau's portal, which answers every address with a page).
NOT_THE_SYNC_SERVER = "该地址的答复不是市局同步服务器的答复，请核对服务器地址；地址无误时请稍后再试"


def login_error_field(exc: BaseException, username: str) -> str:
    """Which field a failed login's message belongs under."""
    if isinstance(exc, SyncError):
        if (
            exc.code in ("network", "timeout", "bad_reply")
            or exc.status == 404
            or "服务器地址" in exc.message
        ):
            return "url"
        if exc.code == "invalid_input":
            return "username" if not username.strip() else "password"
        if exc.status == 401 or exc.code in ("invalid_credentials", "not_office_account"):
            return "password"
    return "_banner"


class SyncTab(QWidget):
    """The 同步 page of the settings (see the module docstring)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("syncTab")
        self.status: SyncStatus | None = None
        layout = QVBoxLayout(self)
        intro = QLabel(
            "每天下班前把本机的登记和修改上传到市局服务器，并取回本所其他电脑的数据。"
            "登录一次后，本机会记住登录状态（保存在系统密钥环中）。",
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        layout.addLayout(form)
        self.banner = QLabel(self)
        self.banner.setObjectName("syncBanner")
        self.errors = FieldErrors(self.banner)
        self.url_edit = QLineEdit(self)
        self.url_edit.setObjectName("syncServerUrl")
        self.url_edit.setPlaceholderText("例如 https://sfj.example.gov.cn")
        self.user_edit = QLineEdit(self)
        self.user_edit.setObjectName("syncUsername")
        self.password_edit = QLineEdit(self)
        self.password_edit.setObjectName("syncPassword")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.errors.add_row(form, "服务器地址", "url", self.url_edit)
        self.errors.add_row(form, "用户名", "username", self.user_edit)
        self.errors.add_row(form, "密码", "password", self.password_edit)
        self.login_button = QPushButton("登录", self)
        self.login_button.setObjectName("syncLogin")
        self.logout_button = QPushButton("退出登录", self)
        self.logout_button.setObjectName("syncLogout")
        row = QHBoxLayout()
        row.addWidget(self.login_button)
        row.addWidget(self.logout_button)
        row.addStretch(1)
        form.addRow("", row)
        self.account_label = self._value(form, "当前账号", "syncAccount")
        self.day_end_label = self._value(form, "日终同步时间", "syncDayEnd")
        self.last_label = self._value(form, "上次同步", "syncLast")
        self.result_label = self._value(form, "同步结果", "syncResult")
        self.counts_label = self._value(form, "待处理", "syncCounts")
        self.sync_button = QPushButton("立即同步", self)
        self.sync_button.setObjectName("syncNow")
        self.conflicts_button = QPushButton("查看冲突…", self)
        self.conflicts_button.setObjectName("syncShowConflicts")
        self.parked_button = QPushButton("被拒收的修改…", self)
        self.parked_button.setObjectName("syncShowParked")
        actions = QHBoxLayout()
        for button in (self.sync_button, self.conflicts_button, self.parked_button):
            actions.addWidget(button)
        actions.addStretch(1)
        layout.addLayout(actions)
        layout.addWidget(self.banner)
        layout.addStretch(1)
        self.login_button.clicked.connect(self.log_in)
        self.logout_button.clicked.connect(self.log_out)
        self.password_edit.returnPressed.connect(self.log_in)
        self.sync_button.clicked.connect(self.sync_now)
        self.conflicts_button.clicked.connect(self.open_conflicts)
        self.parked_button.clicked.connect(self.open_parked)
        self._connected = False
        self.loaded = False
        self._connect_controller()

    def _value(self, form: QFormLayout, label: str, name: str) -> QLabel:
        widget = QLabel("", self)
        widget.setObjectName(name)
        widget.setWordWrap(True)
        form.addRow(label, widget)
        return widget

    def _connect_controller(self) -> None:
        controller = self.ctx.sync
        if controller is None or self._connected:
            return
        self._connected = True
        controller.busyChanged.connect(self._busy_changed)
        controller.finished.connect(self._sync_finished)
        self._busy_changed(controller.busy)

    # -- state --------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the sync state again (on the worker)."""
        self._connect_controller()
        if self.ctx.tasks.closed:
            return
        self.ctx.tasks.run(service.status, on_success=self.show_status)

    def show_status(self, status: SyncStatus) -> None:
        self.status = status
        if not self.url_edit.text().strip():
            self.url_edit.setText(status.server_url)
        if not self.user_edit.text().strip():
            self.user_edit.setText(status.username)
        if status.configured:
            self.account_label.setText(f"{status.username}（{status.server_url}）")
        else:
            self.account_label.setText("未登录")
        self.day_end_label.setText(f"{status.day_end_time}（由市局服务器设定，到时自动同步一次）")
        self.last_label.setText(
            status.last_sync_at.replace("T", " ")[:19] if status.last_sync_at else "尚未同步"
        )
        self.result_label.setText(status.last_result or "")
        parts = [f"待同步 {status.pending} 条", f"被拒收 {status.parked} 条"]
        parts.append(f"冲突 {status.conflicts} 处")
        if status.incoming_problems:
            parts.append(f"无法保存的服务器记录 {status.incoming_problems} 条")
        if status.missing_files:
            parts.append(f"缺少附件文件 {status.missing_files} 个")
        self.counts_label.setText("，".join(parts))
        self.logout_button.setEnabled(status.configured and not self._busy())
        self.loaded = True

    def _busy(self) -> bool:
        return self.ctx.sync is not None and self.ctx.sync.busy

    def _busy_changed(self, busy: bool) -> None:
        available = self.ctx.sync is not None
        for button in (self.login_button, self.sync_button):
            button.setEnabled(available and not busy)
        configured = self.status is not None and self.status.configured
        self.logout_button.setEnabled(available and not busy and configured)

    def _sync_finished(self, outcome: object) -> None:
        if isinstance(outcome, SyncOutcome) and self.isVisible():
            self.errors.show_message("" if outcome.ok else outcome.message)
        self.refresh()

    def show_reason(self, message: str) -> None:
        """Why the user was sent here (a sync that needs a login)."""
        if message:
            self.errors.show_message(message)
        target = self.password_edit if self.user_edit.text().strip() else self.user_edit
        if not self.url_edit.text().strip():
            target = self.url_edit
        target.setFocus()

    # -- actions ------------------------------------------------------------------------------
    def log_in(self) -> None:
        controller = self.ctx.sync
        if controller is None:
            self.errors.show_message(NO_SYNC_TEXT)
            return
        url, username = self.url_edit.text().strip(), self.user_edit.text().strip()
        password = self.password_edit.text()
        for field, value, text in (
            ("url", url, "请填写市局服务器的地址"),
            ("username", username, "请填写用户名"),
            ("password", password, "请填写密码"),
        ):
            if not value:
                self.errors.show(ValidationError(field, text))
                return
        try:
            url = validate_server_url(url, "url")
        except ValidationError as exc:
            self.errors.show(exc)
            return
        self.errors.clear()
        self.errors.show_message("正在登录…")

        def done(result: object) -> None:
            if isinstance(result, Me):
                self.password_edit.clear()
                office = result.office.name if result.office is not None else ""
                self.errors.show_message(f"已登录：{result.username}（{office}）")
            elif isinstance(result, BaseException):
                field = login_error_field(result, username)
                message = error_text(result)
                if isinstance(result, SyncError) and result.code == "bad_reply":
                    message = NOT_THE_SYNC_SERVER
                if field == "_banner":
                    self.errors.show_message(message)
                else:
                    self.errors.show(ValidationError(field, message))
            self.refresh()

        if not controller.log_in(url, username, password, done):
            self.errors.show_message("正在与市局服务器通信，请稍候再试。")

    def log_out(self) -> None:
        controller = self.ctx.sync
        if controller is None:
            return

        def done(result: object) -> None:
            if isinstance(result, BaseException):
                self.errors.show_message(error_text(result))
            else:
                self.errors.show_message(
                    "已退出登录。本机数据和待同步的修改都保留，下次登录后继续同步。"
                )
            self.refresh()

        if not controller.log_out(done):
            self.errors.show_message("正在与市局服务器通信，请稍候再试。")

    def sync_now(self) -> None:
        controller = self.ctx.sync
        if controller is None:
            self.errors.show_message(NO_SYNC_TEXT)
            return
        if controller.sync():
            self.errors.show_message("正在同步…")
        else:
            self.errors.show_message("正在与市局服务器通信，请稍候再同步。")

    def open_conflicts(self) -> None:
        from ui.conflicts_dialog import ConflictsDialog

        if self.ctx.sync is None:
            self.errors.show_message(NO_SYNC_TEXT)
            return
        dialog = ConflictsDialog(self.ctx, self.ctx.sync, self)
        dialog.changed.connect(self._records_changed)
        dialog.finished.connect(lambda _r: self.refresh())
        dialog.open()

    def open_parked(self) -> None:
        from ui.parked_dialog import ParkedDialog

        dialog = ParkedDialog(self.ctx, self)
        dialog.finished.connect(lambda _r: self.refresh())
        dialog.open()

    def _records_changed(self) -> None:
        for kind in ("cases", "understanders", "trainings", "consultations", "adviser_logs"):
            self.ctx.notify(kind)
        self.refresh()

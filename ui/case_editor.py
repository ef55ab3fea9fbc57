"""The case editor: one tab per stage (受理, 调查, 调解, 协议, 回访, 司法确认, 归档), attachments
and the history from the audit log.

Only the actions the case's status allows are offered (``lifecycle.allowed_actions``); the
rules themselves are checked again by the core when an action is saved. Every read and write
runs on the database worker. While the user types, everything entered in the editor (the
registration and every stage form) is kept as one draft per case (``case:new`` /
``case:<id>``); it comes back after closing the window, a crash or a power cut.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from justice_desktop.domain.attachments import ATTACHMENT_KINDS, DEFAULT_ATTACHMENT_KIND
from justice_desktop.domain.lifecycle import allowed_actions
from justice_desktop.store.cases import CaseFile, CaseService, party_input_from_row
from justice_desktop.store.database import Store
from justice_desktop.store.history import HistoryEntry, case_history
from justice_desktop.store.local_state import Draft, delete_draft
from justice_desktop.validation import ValidationError
from ui.case_documents import CaseDocumentsPanel
from ui.case_registration import RegistrationForm
from ui.case_stage_forms import (
    AgreementForm,
    ArchiveForm,
    CloseForm,
    ExtensionForm,
    FailureForm,
    FollowUpForm,
    InvestigationForm,
    JudicialApplyForm,
    JudicialResultForm,
    Operation,
    SessionForm,
    StageForm,
)
from ui.case_summary import (
    agreement_html,
    archive_html,
    due_text,
    follow_ups_html,
    header_text,
    investigations_html,
    judicial_html,
    sessions_html,
)
from ui.context import AppContext
from ui.drafts import DraftKeeper, restored_text
from ui.errors import friendly_message, is_known_error
from ui.forms import UnsavedAnswer, ask_unsaved, combo_value, set_combo_value
from ui.qt import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPixmap,
    QPushButton,
    QScrollArea,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
    Signal,
)

__all__ = ["STAGE_TABS", "CaseEditor"]

log = logging.getLogger(__name__)

STAGE_TABS = ("受理", "调查", "调解", "协议", "回访", "司法确认", "归档", "附件", "历史", "文书")
NEW_KEY = "case:new"
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/bmp", "image/tiff")


def _scroll(widget: QWidget, parent: QWidget) -> QScrollArea:
    area = QScrollArea(parent)
    area.setWidgetResizable(True)
    area.setWidget(widget)
    return area


class CaseEditor(QWidget):
    #: The editor wants to go back to the list.
    closed = Signal()
    #: A case was registered or changed (its id).
    saved = Signal(str)
    #: A message for the status bar.
    message = Signal(str)
    #: A case finished loading (its id) — tests and the smoke test wait for it.
    loaded = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("caseEditor")
        self.ctx = ctx
        self.case_id: str | None = None
        self.file: CaseFile | None = None
        self._version: int | None = None
        self._clean: dict[str, Any] = {}
        self._busy = False
        today, now, user = ctx.today(), ctx.now(), ctx.user.name

        self.title = QLabel("登记纠纷", self)
        self.title.setObjectName("caseTitle")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.due_label = QLabel(self)
        self.due_label.setObjectName("caseDue")
        self.note = QLabel(self)
        self.note.setObjectName("draftNote")
        self.note.setWordWrap(True)
        self.note.hide()
        self.save_button = QPushButton("保存（Ctrl+S）", self)
        self.save_button.setObjectName("saveCase")
        self.back_button = QPushButton("返回列表", self)
        self.back_button.setObjectName("backToList")

        self.registration = RegistrationForm(ctx.tables, ctx.committees, today, self)
        self.investigation = InvestigationForm(now, self)
        self.session = SessionForm(now, self)
        self.extension = ExtensionForm(today, self)
        self.agreement = AgreementForm(today, self)
        self.failure = FailureForm(ctx.tables, today, self)
        self.follow_up = FollowUpForm(today, user, self)
        self.judicial_apply = JudicialApplyForm(today, self)
        self.judicial_result = JudicialResultForm(today, self)
        self.close_form = CloseForm(today, self)
        self.archive_form = ArchiveForm(ctx.tables, today, user, self)
        self.stage_forms: dict[str, StageForm] = {
            "investigation": self.investigation,
            "session": self.session,
            "extension": self.extension,
            "agreement": self.agreement,
            "failure": self.failure,
            "follow_up": self.follow_up,
            "judicial_apply": self.judicial_apply,
            "judicial_result": self.judicial_result,
            "close": self.close_form,
            "archive": self.archive_form,
        }
        self.views: dict[str, QTextBrowser] = {}

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("stageTabs")
        self.tabs.addTab(_scroll(self.registration, self), "受理")
        self.tabs.addTab(self._stage_tab("investigations", [self.investigation]), "调查")
        self.tabs.addTab(self._stage_tab("sessions", [self.session, self.extension]), "调解")
        self.tabs.addTab(
            self._stage_tab("agreement", [self.agreement, self.failure]),
            "协议",
        )
        self.tabs.addTab(self._stage_tab("follow_ups", [self.follow_up]), "回访")
        self.tabs.addTab(
            self._stage_tab("judicial", [self.judicial_apply, self.judicial_result]), "司法确认"
        )
        self.tabs.addTab(self._stage_tab("archive", [self.close_form, self.archive_form]), "归档")
        self.tabs.addTab(self._attachments_tab(), "附件")
        self.history = QTableWidget(0, 5, self)
        self.history.setObjectName("caseHistory")
        self.history.setHorizontalHeaderLabels(["时间", "操作人", "操作", "对象", "涉及字段"])
        self.history.horizontalHeader().setStretchLastSection(True)
        self.history.verticalHeader().hide()
        self.history.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.tabs.addTab(self.history, "历史")
        self.documents = CaseDocumentsPanel(ctx, lambda: self.case_id, self)
        self.documents.message.connect(self.message)
        self.tabs.addTab(self.documents, "文书")

        head = QHBoxLayout()
        head.addWidget(self.title)
        head.addWidget(self.due_label, 1)
        head.addWidget(self.save_button)
        head.addWidget(self.back_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(head)
        layout.addWidget(self.note)
        layout.addWidget(self.tabs, 1)

        self.drafts = DraftKeeper(ctx, NEW_KEY, self.state, title=self._draft_title, parent=self)
        self.registration.changed.connect(self._changed)
        for name, form in self.stage_forms.items():
            form.changed.connect(self._changed)
            form.submitRequested.connect(lambda n=name: self.submit(n))
        self.save_button.clicked.connect(self.save)
        self.back_button.clicked.connect(self.leave)
        ctx.userChanged.connect(self._user_changed)
        self._apply_status(None)

    # -- building --------------------------------------------------------------------------------
    def _stage_tab(self, view: str, widgets: list[QWidget]) -> QScrollArea:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        browser = QTextBrowser(page)
        browser.setObjectName(f"{view}View")
        browser.setMinimumHeight(browser.fontMetrics().height() * 8)
        self.views[view] = browser
        layout.addWidget(browser)
        for w in widgets:
            layout.addWidget(w)
        layout.addStretch(1)
        return _scroll(page, self)

    def _attachments_tab(self) -> QWidget:
        page = QWidget(self)
        self.attachments = QListWidget(page)
        self.attachments.setObjectName("attachments")
        self.attachment_kind = QComboBox(page)
        self.attachment_kind.setObjectName("attachmentKind")
        for code, label in ATTACHMENT_KINDS.items():
            self.attachment_kind.addItem(label, code)
        set_combo_value(self.attachment_kind, DEFAULT_ATTACHMENT_KIND)
        self.add_attachment_button = QPushButton("添加扫描件或照片…", page)
        self.add_attachment_button.setObjectName("addAttachment")
        self.view_attachment_button = QPushButton("查看", page)
        self.view_attachment_button.setObjectName("viewAttachment")
        self.attachment_preview = QLabel(page)
        self.attachment_preview.setObjectName("attachmentPreview")
        self.attachment_preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        buttons = QHBoxLayout()
        buttons.addWidget(QLabel("类别", page))
        buttons.addWidget(self.attachment_kind)
        buttons.addWidget(self.add_attachment_button)
        buttons.addWidget(self.view_attachment_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(page)
        layout.addLayout(buttons)
        layout.addWidget(self.attachments, 1)
        layout.addWidget(self.attachment_preview, 2)
        self.add_attachment_button.clicked.connect(self._choose_attachment)
        self.view_attachment_button.clicked.connect(self.view_attachment)
        self.attachments.itemActivated.connect(lambda _item: self.view_attachment())
        return page

    # -- opening ---------------------------------------------------------------------------------
    def new_case(self) -> None:
        self.case_id = None
        self.file = None
        self._version = None
        self.drafts.pause()
        self.registration.set_committees(self.ctx.committees)
        self.registration.set_today(self.ctx.today())
        self.registration.new_case(self.ctx.user.name)
        for form in self.stage_forms.values():
            form.reset(self.ctx.today(), self.ctx.user.name)
        self.drafts.resume()
        self.drafts.set_key(NEW_KEY)
        self.drafts.mark_clean()
        self._clean = self.state()
        self.title.setText("登记纠纷")
        self.due_label.setText("")
        self.note.hide()
        self._apply_status(None)
        self.tabs.setCurrentIndex(0)
        self.registration.registered_on.setFocus()
        self.drafts.fetch(self._restore_draft)

    def open_case(self, case_id: str) -> None:
        self.case_id = case_id
        self.drafts.set_key(f"case:{case_id}")
        self.drafts.mark_clean()
        self.note.hide()
        self.title.setText("正在读取…")
        self._reload(then_fetch_draft=True)

    def _reload(
        self, *, then_fetch_draft: bool = False, keep: dict[str, Any] | None = None
    ) -> None:
        """Read the case again and show it; ``keep`` (from :meth:`_typed`) is what the user
        had typed and not saved, put back after the case is shown."""
        case_id, user_id, tables = self.case_id, self.ctx.user.id, self.ctx.tables
        if case_id is None:
            return

        def read(store: Store) -> tuple[CaseFile, list[HistoryEntry]]:
            f = CaseService(store, tables).load(case_id, user_id=user_id)
            return f, case_history(store, case_id)

        def show(result: tuple[CaseFile, list[HistoryEntry]]) -> None:
            if self.case_id != case_id:
                return
            self._show(*result)
            if keep:
                self._put_back(keep)
            if then_fetch_draft:
                self.drafts.fetch(self._restore_draft)
            self.loaded.emit(case_id)

        self.ctx.tasks.run(read, on_success=show, on_failure=self._failed)

    def _show(self, f: CaseFile, history: list[HistoryEntry]) -> None:
        self.file = f
        self._version = int(f.case["version"])
        self.drafts.pause()
        self.registration.set_committees(self.ctx.committees)
        self.registration.set_today(self.ctx.today())
        self.registration.set_case(
            f.case, [party_input_from_row(p) for p in f.parties], [m["name"] for m in f.mediators]
        )
        for form in self.stage_forms.values():
            form.reset(self.ctx.today(), self.ctx.user.name)
        self.drafts.resume()
        self.title.setText(header_text(f))
        self.due_label.setText(due_text(f, self.ctx.today()))
        self.views["investigations"].setHtml(investigations_html(f))
        self.views["sessions"].setHtml(sessions_html(f))
        self.views["agreement"].setHtml(agreement_html(f))
        self.views["follow_ups"].setHtml(follow_ups_html(f))
        self.views["judicial"].setHtml(judicial_html(f))
        self.views["archive"].setHtml(archive_html(f, self.ctx.tables))
        pending = [j for j in f.judicial_confirmations if j.get("result") == "applied"]
        self.judicial_result.confirmation_id = str(pending[-1]["id"]) if pending else None
        self.attachments.clear()
        for a in f.attachments:
            kind = ATTACHMENT_KINDS.get(str(a["kind"]), str(a["kind"]))
            item = QListWidgetItem(f"{a['file_name']}（{kind}，{int(a['size']) // 1024 + 1} KB）")
            item.setData(Qt.ItemDataRole.UserRole, (a["sha256"], a["media_type"], a["file_name"]))
            self.attachments.addItem(item)
        self.history.setRowCount(len(history))
        for row, e in enumerate(history):
            for col, text in enumerate((e.at, e.user, e.action, e.what, e.fields)):
                self.history.setItem(row, col, QTableWidgetItem(text))
        self._apply_status(f.status)
        self._clean = self.state()
        self.drafts.mark_clean()

    def _apply_status(self, status: str | None) -> None:
        """Offer only what the stage allows (a new case: only 受理)."""
        allowed = set(allowed_actions(status)) if status else {"edit_registration"}
        self.registration.setEnabled("edit_registration" in allowed)
        self.registration.set_locked(status is not None)
        for form in self.stage_forms.values():
            form.set_allowed(form.action in allowed)
        self.judicial_result.set_allowed(
            "judicial_confirmation" in allowed and self.judicial_result.confirmation_id is not None
        )
        attach = status is not None and "attach" in allowed
        self.add_attachment_button.setEnabled(attach)
        self.save_button.setEnabled("edit_registration" in allowed)
        for index in range(1, self.tabs.count()):
            self.tabs.setTabEnabled(index, status is not None)

    # -- drafts ----------------------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        return {
            "registration": self.registration.state(),
            "forms": {name: form.state() for name, form in self.stage_forms.items()},
        }

    def set_state(self, state: dict[str, Any]) -> None:
        registration = state.get("registration")
        if isinstance(registration, dict) and self.registration.isEnabled():
            self.registration.set_state(registration)
        forms = state.get("forms")
        if isinstance(forms, dict):
            for name, form in self.stage_forms.items():
                if isinstance(forms.get(name), dict):
                    form.set_state(forms[name])

    def _draft_title(self) -> str:
        if self.file is not None:
            return str(self.file.case["case_number"])
        return "新登记的纠纷"

    def _restore_draft(self, draft: Draft) -> None:
        self.drafts.pause()
        self.set_state(draft.payload)
        self.drafts.resume()
        if self.state() != self._clean:
            self.drafts.touch()
            self.note.setText(restored_text(draft))
            self.note.show()

    def _changed(self) -> None:
        self.drafts.touch()

    def _typed(self, saved: StageForm | None, *, registration_saved: bool) -> dict[str, Any]:
        """What is typed and not yet saved, apart from what was just saved: the other stage
        forms and (unless it was saved) the registration. Showing the case again after a save
        resets every form; this is put back afterwards, so one save never wipes the rest."""
        state, clean = self.state(), self._clean
        clean_forms = clean.get("forms", {}) if isinstance(clean.get("forms"), dict) else {}
        kept: dict[str, Any] = {
            "forms": {
                name: value
                for name, value in state["forms"].items()
                if self.stage_forms[name] is not saved and value != clean_forms.get(name)
            }
        }
        if not registration_saved:
            # only the fields typed in: the others show the case as read again (a field
            # changed meanwhile by the sync is not put back to the value it had before)
            before = clean.get("registration")
            before = before if isinstance(before, dict) else {}
            typed = {
                name: value
                for name, value in state["registration"].items()
                if value != before.get(name)
            }
            if typed:
                kept["registration"] = typed
        return kept if kept["forms"] or "registration" in kept else {}

    def _put_back(self, kept: dict[str, Any]) -> None:
        """Only into what the case's new status still allows: input for an action no longer
        possible (调解不成 typed, then the agreement saved) could never be saved, and leaving
        the case would ask to save it in vain."""
        forms = kept.get("forms", {})
        kept = {
            **kept,
            "forms": {n: v for n, v in forms.items() if self.stage_forms[n].isEnabled()},
        }
        self.drafts.pause()
        self.set_state(kept)
        self.drafts.resume()
        if self.state() != self._clean:
            self.drafts.touch()  # the draft deleted by the save is written again

    def flush_drafts(self) -> None:
        self.drafts.flush()

    @property
    def dirty(self) -> bool:
        return self.state() != self._clean

    def can_leave(self) -> bool:
        if not self.dirty:
            return True
        answer = ask_unsaved(self, "本案件")
        if answer == UnsavedAnswer.CANCEL:
            return False
        if answer == UnsavedAnswer.DISCARD:
            self.drafts.discard()
            self._clean = self.state()
            return True
        return self.save_now()

    def leave(self) -> None:
        if self.can_leave():
            self.closed.emit()

    def _user_changed(self) -> None:
        self.drafts.flush()
        self.drafts.deleteLater()
        self.drafts = DraftKeeper(
            self.ctx, self.drafts.key, self.state, title=self._draft_title, parent=self
        )

    # -- saving ----------------------------------------------------------------------------------
    def _registration_op(self) -> tuple[Operation, bool]:
        c = self.registration.to_input()
        version, case_id = self._version, self.case_id
        if case_id is None:
            return (lambda svc, uid, _cid: svc.register(uid, c)), True
        return (
            lambda svc, uid, cid: svc.update_registration(uid, cid, c, expected_version=version)
        ), False

    def save(self) -> bool:
        """Ctrl+S: save the registration, or submit the stage form being typed in."""
        focused = self.focusWidget()
        for name, form in self.stage_forms.items():
            if focused is not None and form.isAncestorOf(focused):
                self.submit(name)
                return True
        if not self.registration.isEnabled():
            return False
        self.registration.errors.clear()
        try:
            op, new = self._registration_op()
        except ValidationError as exc:
            self.registration.errors.show(exc)
            return True
        self._run(op, self.registration.errors.show, new=new, tab=0)
        return True

    def save_now(self) -> bool:
        """Save the registration and wait (used when leaving with unsaved changes)."""
        try:
            op, new = self._registration_op()
            user_id, case_id, tables = self.ctx.user.id, self.case_id or "", self.ctx.tables
            result = self.ctx.tasks.call(
                lambda store: op(CaseService(store, tables), user_id, case_id)
            )
        except ValidationError as exc:
            self.tabs.setCurrentIndex(0)
            self.registration.errors.show(exc)
            return False
        except Exception as exc:
            self.message.emit(friendly_message(exc))
            return False
        saved_id = str(result) if new else self.case_id or ""
        self.drafts.discard()
        self._clean = self.state()
        self.saved.emit(saved_id)
        return True

    def submit(self, name: str) -> None:
        form = self.stage_forms[name]
        if not form.isEnabled():
            return
        form.errors.clear()
        try:
            op = form.operation()
        except ValidationError as exc:
            form.errors.show(exc)
            return
        self._run(op, form.errors.show, new=False, form=form)

    def _run(
        self,
        op: Operation,
        show_error: Any,
        *,
        new: bool,
        form: StageForm | None = None,
        tab: int | None = None,
    ) -> None:
        if self._busy:
            return
        self._busy = True
        user_id, case_id, tables = self.ctx.user.id, self.case_id or "", self.ctx.tables
        old_key = self.drafts.key

        def work(store: Store) -> object:
            return op(CaseService(store, tables), user_id, case_id)

        def done(result: object) -> None:
            self._busy = False
            kept = self._typed(form, registration_saved=form is None)
            if form is not None:
                form.reset(self.ctx.today(), self.ctx.user.name)
            if new:
                self.case_id = str(result)
                self.drafts.set_key(f"case:{self.case_id}")
            self._forget_draft(old_key)
            self.message.emit("已保存。")
            self.note.hide()
            self.saved.emit(self.case_id or "")
            self._reload(keep=kept)

        def failed(exc: BaseException) -> None:
            self._busy = False
            if isinstance(exc, ValidationError):
                if tab is not None:
                    self.tabs.setCurrentIndex(tab)
                show_error(exc)
            else:
                self.message.emit(friendly_message(exc))
                if not is_known_error(exc):
                    log.error(
                        "saving the case failed", exc_info=(type(exc), exc, exc.__traceback__)
                    )

        self.ctx.tasks.run(work, on_success=done, on_failure=failed)

    def _forget_draft(self, key: str) -> None:
        user_id = self.ctx.user.id
        self.drafts.mark_clean()
        self.ctx.tasks.run(lambda store: delete_draft(store, user_id, key))

    def _failed(self, exc: BaseException) -> None:
        self.title.setText("无法打开案件")
        self.message.emit(friendly_message(exc))

    # -- attachments -----------------------------------------------------------------------------
    def _choose_attachment(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self,
            "添加附件",
            "",
            "扫描件和照片 (*.pdf *.jpg *.jpeg *.png *.tif *.tiff);;所有文件 (*)",
        )
        if path:
            self.add_attachment_file(Path(path), str(combo_value(self.attachment_kind)))

    def add_attachment_file(self, path: Path, kind: str = "evidence") -> None:
        """Read and store the file on the worker (large scans never stall the window)."""
        if self.case_id is None:
            return
        case_id, user_id, tables = self.case_id, self.ctx.user.id, self.ctx.tables

        def work(store: Store) -> str:
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise ValidationError(
                    "file", f"无法读取文件“{path.name}”：{exc.strerror or exc}"
                ) from exc
            return CaseService(store, tables).add_attachment(
                user_id, case_id, path.name, data, kind
            )

        def done(_id: str) -> None:
            self.message.emit(f"已添加附件“{path.name}”。")
            self.saved.emit(case_id)
            if self.case_id == case_id:
                self._reload(keep=self._typed(None, registration_saved=False))

        self.ctx.tasks.run(
            work, on_success=done, on_failure=lambda e: self.message.emit(friendly_message(e))
        )

    def view_attachment(self) -> None:
        item = self.attachments.currentItem()
        if item is None:
            return
        sha, media_type, name = item.data(Qt.ItemDataRole.UserRole)
        tables = self.ctx.tables

        def read(store: Store) -> bytes | None:
            return CaseService(store, tables).attachment_data(str(sha))

        def show(data: bytes | None) -> None:
            if data is None:
                self.message.emit(f"附件“{name}”的内容不在本机（尚未同步下来）。")
                return
            if media_type in IMAGE_TYPES:
                pixmap = QPixmap()
                if pixmap.loadFromData(data):
                    width = max(200, self.attachment_preview.width())
                    self.attachment_preview.setPixmap(
                        pixmap.scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)
                    )
                    return
                self.attachment_preview.clear()
                self.message.emit(
                    f"附件“{name}”无法显示：图片文件可能已损坏或不完整。可另存后用其他程序打开，"
                    "或重新扫描、拍照后添加。"
                )
            self._save_attachment_as(str(name), data)

        self.ctx.tasks.run(read, on_success=show)

    def _save_attachment_as(self, name: str, data: bytes) -> None:
        target, _filter = QFileDialog.getSaveFileName(self, "另存附件", name)
        if not target:
            return

        def write(_store: Store) -> None:
            Path(target).write_bytes(data)

        self.ctx.tasks.run(write, on_success=lambda _n: self.message.emit(f"已保存到 {target}"))

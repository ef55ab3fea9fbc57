"""Mediation cases through their lifecycle: every operation is one transaction.

Rules come from ``justice_desktop.domain``; this module reads what they need, calls them, and
writes the result through ``Tx`` (outbox + audit) and the search index.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
from dataclasses import dataclass
from datetime import date
from typing import Any

from justice_desktop.codes.tables import CodeTable
from justice_desktop.domain import lifecycle as lc
from justice_desktop.domain.attachments import ATTACHMENT_KINDS
from justice_desktop.domain.case_inputs import (
    AgreementInput,
    CaseInput,
    FollowUpInput,
    InvestigationInput,
    SessionInput,
    validate_agreement,
    validate_follow_up,
    validate_investigation,
    validate_registration,
    validate_session,
)
from justice_desktop.domain.deadlines import DEFAULT_FOLLOW_UP_DAYS, follow_up_due, mediation_due
from justice_desktop.domain.numbering import format_case_number
from justice_desktop.domain.party import PartyInput, validate_party
from justice_desktop.store import numbers, search
from justice_desktop.store.code_tables import load_tables
from justice_desktop.store.database import Store
from justice_desktop.store.records import Row, Tx
from justice_desktop.validation import ValidationError
from justice_desktop.validation.fields import mask_id_number, mask_name, optional_text, require_text

MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024
VOLUME_NO_MAX = 50  # 卷宗编号 as printed on the cover


@dataclass
class CaseFile:
    """A case with everything recorded on it (tombstoned children left out)."""

    case: Row
    parties: list[Row]
    mediators: list[Row]
    investigations: list[Row]
    sessions: list[Row]
    extensions: list[Row]
    agreement: Row | None
    follow_ups: list[Row]
    judicial_confirmations: list[Row]
    attachments: list[Row]

    @property
    def status(self) -> str:
        return str(self.case["status"])

    def party_inputs(self) -> list[PartyInput]:
        return [party_input_from_row(p) for p in self.parties]


def party_input_from_row(p: Row) -> PartyInput:
    return PartyInput(
        side=p["side"],
        kind=p["kind"],
        name=p["name"],
        gender=p["gender"],
        ethnicity=p["ethnicity"],
        birth_date=date.fromisoformat(p["birth_date"]) if p["birth_date"] else None,
        id_type=p["id_type"],
        id_number=p["id_number"] or "",
        occupation=p["occupation"],
        phone=p["phone"],
        address=p["address"],
        credit_code=p["credit_code"] or "",
        representative=p["representative"],
        agent=p["agent"],
    )


def _names(parties: list[dict[str, Any]], side: str) -> str:
    return "、".join(p["name"] for p in parties if p["side"] == side)


class CaseService:
    def __init__(
        self,
        store: Store,
        tables: dict[str, CodeTable] | None = None,
        *,
        follow_up_days: int = DEFAULT_FOLLOW_UP_DAYS,
    ) -> None:
        self.store = store
        self.tables = tables if tables is not None else load_tables(store)
        self.follow_up_days = follow_up_days

    def today(self) -> date:
        return self.store.clock().date()

    # -- registration ---------------------------------------------------------------------
    def register(self, user_id: str, c: CaseInput) -> str:
        with self.store.tx(user_id) as tx:
            return self.register_in(tx, c)

    def register_in(self, tx: Tx, c: CaseInput) -> str:
        """Register inside a transaction the caller holds (e.g. a consultation's referral)."""
        values, party_rows, mediators = validate_registration(c, self.tables, self.today())
        committee = tx.require("committees", c.committee_id)
        year = c.registered_on.year
        seq = numbers.next_number(
            tx.conn,
            c.committee_id,
            committee["name"],
            year,
            tx.now,
            self_allocate=self.store.meta("numbering_authority") == numbers.LOCAL_AUTHORITY,
        )
        due = mediation_due(c.registered_on, values["source_sub"], values["court_procedure"])
        case_id = tx.insert(
            "cases",
            {
                **values,
                "year": year,
                "seq": seq,
                "case_number": format_case_number(year, committee["number_prefix"], seq),
                "status": lc.REGISTERED,
                "mediation_due_on": due.isoformat(),
                "applicants": _names(party_rows, "applicant"),
                "respondents": _names(party_rows, "respondent"),
                "party_count": len(party_rows),
            },
        )
        for pos, row in enumerate(party_rows):
            tx.insert("parties", {**row, "case_id": case_id, "position": pos})
        for pos, name in enumerate(mediators):
            tx.insert("case_mediators", {"case_id": case_id, "name": name, "lead": int(pos == 0)})
        self._reindex(tx, case_id)
        return case_id

    def update_registration(
        self, user_id: str, case_id: str, c: CaseInput, *, expected_version: int | None = None
    ) -> None:
        """Edit what was entered at registration; the case number never changes."""
        with self.store.tx(user_id) as tx:
            case = tx.require("cases", case_id)
            stored_on = date.fromisoformat(case["registered_on"])
            values, party_rows, mediators = validate_registration(
                c, self.tables, self.today(), stored_on=stored_on
            )
            lc.require_action(case["status"], "edit_registration")
            changed = (
                "committee_id"
                if values["committee_id"] != case["committee_id"]
                else "registered_on"
                if c.registered_on.year != case["year"]
                else None
            )
            if changed is not None:  # under the field that was changed
                raise ValidationError(
                    changed,
                    "案件编号已生成，不能更改调委会或受理年份；如登记有误，请作废后重新登记。",
                )
            for table, what in (("investigations", "调查"), ("sessions", "调解")):
                held = [str(r["held_at"])[:10] for r in self._children(tx, table, case_id)]
                # a case stored so before this rule stays editable; moving the date later is not
                if (
                    held
                    and c.registered_on > stored_on
                    and date.fromisoformat(min(held)) < c.registered_on
                ):
                    first = date.fromisoformat(min(held))
                    raise ValidationError(
                        "registered_on",
                        f"受理日期（{c.registered_on:%Y年%m月%d日}）不能晚于已记录的{what}日期"
                        f"（{first:%Y年%m月%d日}）。",
                    )
            due = mediation_due(c.registered_on, values["source_sub"], values["court_procedure"])
            tx.update(
                "cases",
                case_id,
                {
                    **values,
                    "mediation_due_on": due.isoformat(),
                    "applicants": _names(party_rows, "applicant"),
                    "respondents": _names(party_rows, "respondent"),
                    "party_count": len(party_rows),
                },
                expected_version=expected_version,
            )
            self._replace_parties(tx, case_id, party_rows)
            self._replace_mediators(tx, case_id, mediators)
            self._reindex(tx, case_id)

    def _replace_parties(self, tx: Tx, case_id: str, rows: list[dict[str, Any]]) -> None:
        existing = self._children(tx, "parties", case_id, order="position")
        for pos, row in enumerate(rows):
            values = {**row, "position": pos}
            if pos < len(existing):
                tx.update("parties", existing[pos]["id"], values)
            else:
                tx.insert("parties", {**values, "case_id": case_id})
        for old in existing[len(rows) :]:
            tx.delete("parties", old["id"])

    def _replace_mediators(self, tx: Tx, case_id: str, names: list[str]) -> None:
        existing = self._children(tx, "case_mediators", case_id, order="created_at")
        for pos, name in enumerate(names):
            values = {"name": name, "lead": int(pos == 0)}
            if pos < len(existing):
                tx.update("case_mediators", existing[pos]["id"], values)
            else:
                tx.insert("case_mediators", {**values, "case_id": case_id})
        for old in existing[len(names) :]:
            tx.delete("case_mediators", old["id"])

    def add_party(self, user_id: str, case_id: str, p: PartyInput) -> str:
        with self.store.tx(user_id) as tx:
            case = tx.require("cases", case_id)
            lc.require_action(case["status"], "edit_registration")
            row = validate_party(p, self.tables, today=self.today())
            parties = self._children(tx, "parties", case_id, order="position")
            pid = tx.insert("parties", {**row, "case_id": case_id, "position": len(parties)})
            parties = self._children(tx, "parties", case_id, order="position")
            tx.update(
                "cases",
                case_id,
                {
                    "applicants": _names(parties, "applicant"),
                    "respondents": _names(parties, "respondent"),
                    "party_count": len(parties),
                },
            )
            self._reindex(tx, case_id)
        return pid

    # -- investigation, sessions, deadline -------------------------------------------------
    def _due(self, tx: Tx, case: Row) -> date:
        exts = [
            lc.Extension(
                date.fromisoformat(e["new_due_on"]),
                bool(e["applicant_consent"]),
                bool(e["respondent_consent"]),
            )
            for e in self._children(tx, "extensions", case["id"])
        ]
        return lc.effective_due(date.fromisoformat(case["mediation_due_on"]), exts)

    def add_investigation(self, user_id: str, case_id: str, i: InvestigationInput) -> str:
        values = validate_investigation(i)
        with self.store.tx(user_id) as tx:
            case = tx.require("cases", case_id)
            lc.require_action(case["status"], "investigate")
            on = i.held_at.date()
            lc.check_not_future(on, self.today(), "调查日期", "held_at")
            lc.check_not_before(
                on, date.fromisoformat(case["registered_on"]), "调查", "held_at", "受理日期"
            )
            lc.check_within_deadline(on, self._due(tx, case), "调查", "held_at")
            rid = tx.insert("investigations", {**values, "case_id": case_id})
            if case["status"] == lc.REGISTERED:
                tx.update("cases", case_id, {"status": lc.MEDIATING})
        return rid

    def add_session(self, user_id: str, case_id: str, s: SessionInput) -> str:
        values = validate_session(s)
        with self.store.tx(user_id) as tx:
            case = tx.require("cases", case_id)
            lc.require_action(case["status"], "mediate")
            on = s.held_at.date()
            lc.check_not_future(on, self.today(), "调解日期", "held_at")
            lc.check_not_before(
                on, date.fromisoformat(case["registered_on"]), "调解", "held_at", "受理日期"
            )
            lc.check_within_deadline(on, self._due(tx, case), "调解", "held_at")
            rid = tx.insert("sessions", {**values, "case_id": case_id})
            if case["status"] == lc.REGISTERED:
                tx.update("cases", case_id, {"status": lc.MEDIATING})
        return rid

    def extend_deadline(
        self,
        user_id: str,
        case_id: str,
        new_due_on: date,
        *,
        applicant_consent: bool,
        respondent_consent: bool,
        consent_record: str,
        recorded_on: date | None = None,
    ) -> str:
        recorded_on = recorded_on or self.today()
        with self.store.tx(user_id) as tx:
            case = tx.require("cases", case_id)
            lc.require_action(case["status"], "extend")
            ext = lc.Extension(new_due_on, applicant_consent, respondent_consent)
            lc.check_extension(self._due(tx, case), ext, recorded_on, consent_record)
            rid = tx.insert(
                "extensions",
                {
                    "case_id": case_id,
                    "recorded_on": recorded_on.isoformat(),
                    "new_due_on": new_due_on.isoformat(),
                    "applicant_consent": 1,
                    "respondent_consent": 1,
                    "consent_record": require_text(
                        consent_record, "consent_record", "同意延期记录", 1000
                    ),
                },
            )
            tx.update("cases", case_id, {"extended_due_on": new_due_on.isoformat()})
        return rid

    # -- outcome ----------------------------------------------------------------------------
    def record_agreement(self, user_id: str, case_id: str, a: AgreementInput) -> str:
        """调解成功: the agreement and the success are recorded together, or not at all."""
        with self.store.tx(user_id) as tx:
            case = tx.require("cases", case_id)
            lc.require_action(case["status"], "agree")
            values = validate_agreement(
                a, int(case["party_count"]), date.fromisoformat(case["registered_on"])
            )
            lc.check_not_future(a.effective_on, self.today(), "协议日期", "effective_on")
            self._check_after_sessions(tx, case_id, a.effective_on, "达成协议", "effective_on")
            lc.check_within_deadline(
                a.effective_on, self._due(tx, case), "达成协议", "effective_on"
            )
            agreement_no = case["case_number"].replace("人调字", "人调协字")
            aid = tx.insert(
                "agreements", {**values, "case_id": case_id, "agreement_no": agreement_no}
            )
            tx.update(
                "cases",
                case_id,
                {
                    "status": lc.SUCCEEDED,
                    "outcome": "success",
                    "outcome_on": a.effective_on.isoformat(),
                    "amount_cents": values["amount_cents"],
                },
            )
            due = follow_up_due(a.effective_on, a.performance_deadline, self.follow_up_days)
            tx.insert(
                "follow_ups",
                {"case_id": case_id, "due_on": due.isoformat(), "reason": "回访协议履行情况"},
            )
        return aid

    def _check_after_sessions(
        self, tx: Tx, case_id: str, outcome_on: date, what: str, field: str
    ) -> None:
        """The outcome of mediation is not dated before a recorded 调查 or 调解 of the case."""
        for table, label in (("sessions", "调解日期"), ("investigations", "调查日期")):
            held = [str(r["held_at"])[:10] for r in self._children(tx, table, case_id)]
            if held:
                lc.check_not_before(
                    outcome_on, date.fromisoformat(max(held)), what, field, f"已记录的{label}"
                )

    def mark_success(self, user_id: str, case_id: str) -> None:
        """Only for data entered out of order: success needs an agreement already recorded."""
        with self.store.tx(user_id) as tx:
            tx.require("cases", case_id)
            agreement = self._agreement(tx, case_id)
            lc.check_success(has_agreement=agreement is not None)
            assert agreement is not None
            tx.update(
                "cases",
                case_id,
                {
                    "status": lc.SUCCEEDED,
                    "outcome": "success",
                    "outcome_on": agreement["effective_on"],
                },
            )

    def record_failure(
        self, user_id: str, case_id: str, on: date, reason: str, routes: list[str]
    ) -> None:
        with self.store.tx(user_id) as tx:
            case = tx.require("cases", case_id)
            lc.require_action(case["status"], "fail")
            lc.check_failure(reason, routes)
            for r in routes:
                if not self.tables["failure_routes"].has(r):
                    raise ValidationError("failure_routes", f"未知的解决途径：{r}")
            lc.check_not_future(on, self.today(), "调解终结日期", "outcome_on")
            lc.check_not_before(
                on, date.fromisoformat(case["registered_on"]), "调解终结", "outcome_on", "受理日期"
            )
            self._check_after_sessions(tx, case_id, on, "调解终结", "outcome_on")
            tx.update(
                "cases",
                case_id,
                {
                    "status": lc.FAILED,
                    "outcome": "failure",
                    "outcome_on": on.isoformat(),
                    "failure_reason": require_text(
                        reason, "failure_reason", "调解不成的原因", 2000
                    ),
                    "failure_routes": json.dumps(routes, ensure_ascii=False),
                },
            )

    # -- after the agreement ------------------------------------------------------------------
    def record_follow_up(self, user_id: str, case_id: str, f: FollowUpInput) -> str:
        values = validate_follow_up(f, self.today())
        with self.store.tx(user_id) as tx:
            case = tx.require("cases", case_id)
            lc.require_action(case["status"], "follow_up")
            agreement = self._agreement(tx, case_id)
            assert agreement is not None  # a succeeded case always has one
            lc.check_not_before(
                f.done_on,
                date.fromisoformat(agreement["effective_on"]),
                "回访",
                "done_on",
                "协议日期",
            )
            pending = [
                r
                for r in self._children(tx, "follow_ups", case_id, order="due_on")
                if not r["done_on"]
            ]
            if pending:
                rid = str(pending[0]["id"])
                tx.update("follow_ups", rid, values)
            else:
                rid = tx.insert(
                    "follow_ups", {**values, "case_id": case_id, "due_on": values["done_on"]}
                )
            tx.update("agreements", agreement["id"], {"performance": f.performance})
        return rid

    def apply_judicial_confirmation(
        self, user_id: str, case_id: str, applied_on: date, court: str
    ) -> str:
        with self.store.tx(user_id) as tx:
            case = tx.require("cases", case_id)
            lc.require_action(case["status"], "judicial_confirmation")
            agreement = self._agreement(tx, case_id)
            lc.check_judicial_confirmation(
                case["status_matter"],
                agreement["form"] if agreement else None,
                date.fromisoformat(agreement["effective_on"]) if agreement else None,
                applied_on,
            )
            lc.check_not_future(applied_on, self.today(), "申请日期", "applied_on")
            if any(
                j["result"] != "rejected"
                for j in self._children(tx, "judicial_confirmations", case_id)
            ):
                raise ValidationError("applied_on", "该协议已申请司法确认，不能重复申请。")
            return tx.insert(
                "judicial_confirmations",
                {
                    "case_id": case_id,
                    "applied_on": applied_on.isoformat(),
                    "court": require_text(court, "court", "受理法院", 100),
                },
            )

    def record_judicial_result(
        self, user_id: str, confirmation_id: str, result: str, decision_no: str, decided_on: date
    ) -> None:
        if result not in ("confirmed", "rejected"):
            raise ValidationError("result", "请选择法院的处理结果：确认有效或驳回申请。")
        with self.store.tx(user_id) as tx:
            row = tx.require("judicial_confirmations", confirmation_id)
            lc.check_not_before(
                decided_on,
                date.fromisoformat(row["applied_on"]),
                "法院裁定",
                "decided_on",
                "申请日期",
            )
            number = decision_no.strip()
            if result == "confirmed" and "调确" not in number:
                raise ValidationError(
                    "decision_no",
                    "确认决定书编号应含“调确”字样，如（2025）津0101民特调确字第12号。",
                )
            tx.update(
                "judicial_confirmations",
                confirmation_id,
                {
                    "result": result,
                    "decision_no": optional_text(number, "decision_no", "裁定书编号", 80) or "",
                    "decided_on": decided_on.isoformat(),
                },
            )

    # -- closing and archiving ----------------------------------------------------------------
    def close_case(self, user_id: str, case_id: str, closed_on: date, note: str = "") -> None:
        with self.store.tx(user_id) as tx:
            case = tx.require("cases", case_id)
            lc.require_action(case["status"], "close")
            follow = self._children(tx, "follow_ups", case_id)
            lc.check_close(
                case["status"],
                sum(1 for r in follow if not r["done_on"]),
                sum(1 for r in follow if r["done_on"]),
            )
            lc.check_not_future(closed_on, self.today(), "结案日期", "closed_on")
            earlier = [("受理日期", case["registered_on"])]
            if case["outcome_on"]:
                earlier.append(
                    (
                        "协议日期" if case["status"] == lc.SUCCEEDED else "调解终结日期",
                        case["outcome_on"],
                    )
                )
            visits = sorted(str(r["done_on"]) for r in follow if r["done_on"])
            if visits:
                earlier.append(("回访日期", visits[-1]))
            for label, day in earlier:
                lc.check_not_before(closed_on, date.fromisoformat(day), "结案", "closed_on", label)
            tx.update(
                "cases",
                case_id,
                {
                    "status": lc.CLOSED,
                    "closed_on": closed_on.isoformat(),
                    "closing_note": optional_text(note, "closing_note", "卷宗情况说明", 5000) or "",
                },
            )

    def archive_case(
        self,
        user_id: str,
        case_id: str,
        volume_no: str,
        retention_period: str,
        archived_on: date,
        archived_by: str,
    ) -> None:
        with self.store.tx(user_id) as tx:
            case = tx.require("cases", case_id)
            lc.require_action(case["status"], "archive")
            lc.check_archive(volume_no, retention_period)
            if not self.tables["retention_periods"].has(retention_period):
                raise ValidationError("retention_period", "请选择保管期限。")
            volume = require_text(volume_no, "volume_no", "卷宗编号", VOLUME_NO_MAX)
            lc.check_not_future(archived_on, self.today(), "归档日期", "archived_on")
            if case["closed_on"]:
                lc.check_not_before(
                    archived_on,
                    date.fromisoformat(case["closed_on"]),
                    "归档",
                    "archived_on",
                    "结案日期",
                )
            tx.update(
                "cases",
                case_id,
                {
                    "status": lc.ARCHIVED,
                    "volume_no": volume,
                    "retention_period": retention_period,
                    "archived_on": archived_on.isoformat(),
                    "archived_by": require_text(archived_by, "archived_by", "立卷人", 50),
                },
            )

    def add_attachment(
        self,
        user_id: str,
        case_id: str,
        file_name: str,
        data: bytes,
        kind: str = "evidence",
        note: str = "",
    ) -> str:
        if kind not in ATTACHMENT_KINDS:
            raise ValidationError("kind", "请选择附件的类别（身份证明、证据材料、履行凭证等）。")
        if not data:
            raise ValidationError("file", f"文件“{file_name}”是空的，没有添加。")
        if len(data) > MAX_ATTACHMENT_BYTES:
            raise ValidationError("file", f"文件“{file_name}”超过50MB，请压缩或分页扫描后再添加。")
        digest = hashlib.sha256(data).hexdigest()
        with self.store.tx(user_id) as tx:
            case = tx.require("cases", case_id)
            lc.require_action(case["status"], "attach")
            tx.conn.execute(
                "INSERT OR IGNORE INTO blobs (sha256, size, data) VALUES (?, ?, ?)",
                (digest, len(data), data),
            )
            return tx.insert(
                "attachments",
                {
                    "case_id": case_id,
                    "sha256": digest,
                    "file_name": require_text(file_name, "file", "文件名", 200),
                    "media_type": mimetypes.guess_type(file_name)[0] or "application/octet-stream",
                    "size": len(data),
                    "kind": kind,
                    "note": note,
                },
            )

    def attachment_data(self, sha256: str) -> bytes | None:
        value = self.store.scalar("SELECT data FROM blobs WHERE sha256 = ?", (sha256,))
        return bytes(value) if value is not None else None

    def delete_case(self, user_id: str, case_id: str, reason: str) -> None:
        with self.store.tx(user_id) as tx:
            case = tx.require("cases", case_id)
            if case["status"] == lc.ARCHIVED:
                raise ValidationError("status", "已归档的案件不能作废。")
            why = require_text(reason, "reason", "作废原因", 200)
            tx.update("cases", case_id, {"closing_note": f"作废：{why}"})
            tx.delete("cases", case_id)
            search.remove_document(tx.conn, "case", case_id)

    # -- reading ------------------------------------------------------------------------------
    def load(self, case_id: str, *, user_id: str | None = None) -> CaseFile:
        """The whole case; with ``user_id`` the opening is recorded in the audit log."""
        conn = self.store.conn
        tx = Tx(conn, user_id or "", self.store.clock())
        case = tx.require("cases", case_id)
        if user_id:
            tx.audit("view", "cases", case_id)
        return CaseFile(
            case=case,
            parties=self._children(tx, "parties", case_id, order="position"),
            mediators=self._children(tx, "case_mediators", case_id, order="created_at"),
            investigations=self._children(tx, "investigations", case_id, order="held_at"),
            sessions=self._children(tx, "sessions", case_id, order="held_at"),
            extensions=self._children(tx, "extensions", case_id, order="recorded_on"),
            agreement=self._agreement(tx, case_id),
            follow_ups=self._children(tx, "follow_ups", case_id, order="due_on"),
            judicial_confirmations=self._children(
                tx, "judicial_confirmations", case_id, order="applied_on"
            ),
            attachments=self._children(tx, "attachments", case_id, order="created_at"),
        )

    def _children(self, tx: Tx, table: str, case_id: str, order: str = "created_at") -> list[Row]:
        cur = tx.conn.execute(
            f"SELECT * FROM {table} WHERE case_id = ? AND deleted = 0 ORDER BY {order}, id",
            (case_id,),
        )
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]

    def _agreement(self, tx: Tx, case_id: str) -> Row | None:
        rows = self._children(tx, "agreements", case_id)
        return rows[-1] if rows else None

    def _reindex(self, tx: Tx, case_id: str) -> None:
        case = tx.require("cases", case_id)
        parties = self._children(tx, "parties", case_id, order="position")
        search.index_document(
            tx.conn, "case", case_id, **case_search_fields(case, parties, self.tables)
        )


def case_search_fields(
    case: Row, parties: list[Row], tables: dict[str, CodeTable]
) -> dict[str, Any]:
    """Title, subtitle and indexed terms of one case (shared by the bulk demo loader)."""
    applicants = [p["name"] for p in parties if p["side"] == "applicant"]
    respondents = [p["name"] for p in parties if p["side"] == "respondent"]
    dispute = tables["dispute_types"].label(case["dispute_type"])
    title = f"{case['case_number']} {'、'.join(map(mask_name, applicants))}与{'、'.join(map(mask_name, respondents))}{dispute}纠纷"
    ids = [mask_id_number(p["id_number"]) for p in parties if p["id_number"]]
    place = f" · {case['village']}" if case.get("village") else ""
    subtitle = f"受理于{case['registered_on']}{place}" + (f" · {ids[0]}" if ids else "")
    numbers_: list[str] = [case["case_number"]]
    for p in parties:
        numbers_.extend(v for v in (p["id_number"], p["phone"], p.get("credit_code")) if v)
    return {
        "title": title,
        "subtitle": subtitle,
        "names": [p["name"] for p in parties],
        "numbers": numbers_,
        "text": [case["summary"], case.get("village") or ""],
    }

"""Consultation register (with referral to mediation) and legal advisers' work log."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from typing import Any

from justice_desktop.codes.tables import CodeTable
from justice_desktop.domain.case_inputs import CaseInput
from justice_desktop.domain.consultations import (
    ANONYMOUS_LABEL,
    LECTURE_KIND,
    MONTHLY_VISIT_HOURS,
    AdviserLogInput,
    AdviserShortfall,
    ConsultationInput,
    validate_adviser_log,
    validate_consultation,
)
from justice_desktop.domain.party import PartyInput
from justice_desktop.store import search
from justice_desktop.store.cases import CaseService
from justice_desktop.store.code_tables import load_tables
from justice_desktop.store.database import Store
from justice_desktop.store.records import Row, Tx
from justice_desktop.validation import ValidationError
from justice_desktop.validation.fields import mask_name, mask_phone


class ConsultationService:
    def __init__(self, store: Store, tables: dict[str, CodeTable] | None = None) -> None:
        self.store = store
        self.tables = tables if tables is not None else load_tables(store)

    def today(self) -> date:
        return self.store.clock().date()

    def record(self, user_id: str, c: ConsultationInput) -> str:
        row = validate_consultation(c, self.tables, self.today())
        with self.store.tx(user_id) as tx:
            cid = tx.insert("consultations", row)
            self._reindex(tx, cid)
        return cid

    def get(self, consultation_id: str) -> Row:
        rows = self.store.query(
            "SELECT * FROM consultations WHERE id = ? AND deleted = 0", (consultation_id,)
        )
        if not rows:
            raise ValidationError("consultation", "没有找到该咨询记录。")
        return rows[0]

    def draft_case(self, consultation_id: str, committee_id: str, mediator: str) -> CaseInput:
        """A case registration pre-filled from the consultation: the person becomes the applicant."""
        row = self.get(consultation_id)
        if row["anonymous"]:
            raise ValidationError(
                "anonymous", f"咨询人{ANONYMOUS_LABEL}，转人民调解前请先征得其同意并补录身份信息。"
            )
        applicant = PartyInput(
            side="applicant",
            kind="person",
            name=row["name"],
            gender=row["gender"],
            ethnicity=row["ethnicity"],
            phone=row["phone"],
            address=row["address"],
            occupation=row["employer"],
            id_number=row["id_number"] or "",
        )
        return CaseInput(
            committee_id=committee_id,
            registered_on=self.today(),
            source="applied",
            dispute_type="",
            summary=row["question"],
            parties=[applicant, PartyInput(side="respondent")],
            mediators=[mediator],
            village=row["village"],
        )

    def refer_to_mediation(self, user_id: str, consultation_id: str, case: CaseInput) -> str:
        """Register the case and link the consultation to it, in one transaction."""
        cases = CaseService(self.store, self.tables)
        with self.store.tx(user_id) as tx:
            current = tx.require("consultations", consultation_id)
            if current["referral_case_id"]:
                raise ValidationError("referral", "该咨询已转为人民调解案件，不能重复转办。")
            case_id = cases.register_in(tx, case)
            tx.update(
                "consultations",
                consultation_id,
                {"referral": "mediation", "referral_case_id": case_id},
            )
        return case_id

    def register_for_month(self, year: int, month: int) -> list[Row]:
        prefix = f"{year:04d}-{month:02d}"
        return self.store.query(
            "SELECT * FROM consultations WHERE deleted = 0 AND consulted_on LIKE ? ORDER BY consulted_on, created_at",
            (prefix + "%",),
        )

    def _reindex(self, tx: Tx, consultation_id: str) -> None:
        row = tx.require("consultations", consultation_id)
        search.index_document(
            tx.conn, "consultation", consultation_id, **consultation_search_fields(row, self.tables)
        )


def consultation_search_fields(row: Row, tables: Mapping[str, CodeTable]) -> dict[str, Any]:
    """Title, subtitle and indexed terms of one consultation (shared by the bulk loader)."""
    who = ANONYMOUS_LABEL if row["anonymous"] else mask_name(row["name"])
    category = tables["consultation_categories"].label(row["category"])
    return {
        "title": f"法律咨询 {who} · {category}",
        "subtitle": f"{row['consulted_on']}"
        + (f" · {mask_phone(row['phone'])}" if row["phone"] else ""),
        "names": [] if row["anonymous"] else [row["name"]],
        "numbers": [v for v in (row["phone"], row["id_number"]) if v],
        "text": [row["question"], row["answer"]],
    }


class AdviserLogService:
    def __init__(self, store: Store, tables: dict[str, CodeTable] | None = None) -> None:
        self.store = store
        self.tables = tables if tables is not None else load_tables(store)

    def record(self, user_id: str, a: AdviserLogInput) -> str:
        row = validate_adviser_log(a, self.tables, self.store.clock().date())
        with self.store.tx(user_id) as tx:
            return tx.insert("adviser_logs", row)

    def entries(self, adviser: str | None = None, year: int | None = None) -> list[Row]:
        sql = "SELECT * FROM adviser_logs WHERE deleted = 0"
        params: list[str] = []
        if adviser:
            sql += " AND adviser = ?"
            params.append(adviser)
        if year:
            sql += " AND started_at LIKE ?"
            params.append(f"{year:04d}%")
        return self.store.query(sql + " ORDER BY started_at", tuple(params))

    def advisers(self) -> list[str]:
        """The names of every adviser with a log entry, sorted (for a filter)."""
        rows = self.store.query(
            "SELECT DISTINCT adviser FROM adviser_logs WHERE deleted = 0 ORDER BY adviser"
        )
        return [str(r["adviser"]) for r in rows]

    def villages(self) -> list[str]:
        """Every village (community) with a log entry, sorted (for completion)."""
        rows = self.store.query(
            "SELECT DISTINCT village FROM adviser_logs WHERE deleted = 0 ORDER BY village"
        )
        return [str(r["village"]) for r in rows]

    def shortfalls_for(
        self, year: int, until: date, adviser: str | None = None
    ) -> list[AdviserShortfall]:
        """:meth:`shortfalls` of every village served up to ``year`` (see :meth:`assignments`),
        only those of ``adviser`` if given."""
        assignments = {
            village: who
            for village, who in self.assignments(year).items()
            if not adviser or who == adviser
        }
        return self.shortfalls(assignments, year, until)

    def assignments(self, year: int) -> dict[str, str]:
        """Village → adviser of its latest entry up to the end of ``year`` (also from earlier
        years, so a village with no visit at all this year is still checked)."""
        rows = self.store.query(
            "SELECT village, adviser FROM adviser_logs WHERE deleted = 0 AND started_at < ?"
            " ORDER BY started_at, created_at",
            (f"{year + 1:04d}",),
        )
        return {str(r["village"]): str(r["adviser"]) for r in rows}

    def shortfalls(
        self, assignments: dict[str, str], year: int, until: date
    ) -> list[AdviserShortfall]:
        """Villages (village → adviser) short of the monthly on-site visit (4 hours) or the
        quarterly lecture, for every month/quarter of ``year`` that has ended by ``until``."""
        rows = self.entries(year=year)
        visit_hours: dict[tuple[str, int], float] = defaultdict(float)
        lectures: dict[tuple[str, int], int] = defaultdict(int)
        for r in rows:
            month = int(r["started_at"][5:7])
            if r["on_site"]:
                visit_hours[(r["village"], month)] += float(r["hours"])
            if r["kind"] == LECTURE_KIND:
                lectures[(r["village"], (month - 1) // 3 + 1)] += 1
        out: list[AdviserShortfall] = []
        for village, adviser in sorted(assignments.items()):
            for month in range(1, 13):
                end = date(year + month // 12, month % 12 + 1, 1)
                if end > until:
                    break
                done = visit_hours[(village, month)]
                if done < MONTHLY_VISIT_HOURS:
                    out.append(
                        AdviserShortfall(
                            village,
                            f"{year}-{month:02d}",
                            "visit",
                            adviser,
                            done,
                            MONTHLY_VISIT_HOURS,
                        )
                    )
            for quarter in range(1, 5):
                end_month = quarter * 3
                end = date(year + end_month // 12, end_month % 12 + 1, 1)
                if end > until:
                    break
                n = lectures[(village, quarter)]
                if n < 1:
                    out.append(
                        AdviserShortfall(
                            village, f"{year}Q{quarter}", "lecture", adviser, float(n), 1.0
                        )
                    )
        return out

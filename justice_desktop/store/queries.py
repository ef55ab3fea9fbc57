"""Read-side queries: the case list in pages, counts, and deadlines due or overdue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from justice_desktop.domain.deadlines import (
    DUE_SOON_DAYS,
    DeadlineItem,
    judicial_confirmation_last_day,
)
from justice_desktop.domain.lifecycle import OPEN_STATUSES, SUCCEEDED
from justice_desktop.store.database import Store

CASE_LIST_COLUMNS = (
    "id",
    "case_number",
    "registered_on",
    "status",
    "dispute_type",
    "source",
    "applicants",
    "respondents",
    "mediation_due_on",
    "extended_due_on",
    "village",
)


@dataclass(frozen=True)
class CaseFilter:
    status: str | None = None
    dispute_type: str | None = None
    source: str | None = None
    mediator: str | None = None
    registered_from: date | None = None
    registered_to: date | None = None

    def where(self) -> tuple[str, list[Any]]:
        clauses = ["deleted = 0"]
        params: list[Any] = []
        if self.status:
            clauses.append("status = ?")
            params.append(self.status)
        if self.dispute_type:
            clauses.append("dispute_type = ?")
            params.append(self.dispute_type)
        if self.source:
            clauses.append("source = ?")
            params.append(self.source)
        if self.mediator:
            clauses.append(
                "id IN (SELECT case_id FROM case_mediators WHERE name = ? AND deleted = 0)"
            )
            params.append(self.mediator)
        if self.registered_from:
            clauses.append("registered_on >= ?")
            params.append(self.registered_from.isoformat())
        if self.registered_to:
            clauses.append("registered_on <= ?")
            params.append(self.registered_to.isoformat())
        return " AND ".join(clauses), params


# Sort keys and the columns they order by: case numbers by year and sequence number, so that
# 第9号 comes before 第10号.
SORT_COLUMNS: dict[str, tuple[str, ...]] = {
    "registered_on": ("registered_on",),
    "case_number": ("year", "seq"),
    "status": ("status",),
    "dispute_type": ("dispute_type",),
    "mediation_due_on": ("mediation_due_on",),
}
SORTABLE = frozenset(SORT_COLUMNS)


def _order_by(sort: str, descending: bool) -> str:
    if sort not in SORT_COLUMNS:
        raise ValueError(sort)
    direction = "DESC" if descending else "ASC"
    return ", ".join(f"{c} {direction}" for c in (*SORT_COLUMNS[sort], "id"))


class CaseQueries:
    def __init__(self, store: Store) -> None:
        self.store = store

    def count(self, flt: CaseFilter = CaseFilter()) -> int:
        if flt == CaseFilter():  # all cases: the number the triggers keep (migration 5)
            return int(self.store.scalar("SELECT n FROM row_counts WHERE name = 'cases'"))
        where, params = flt.where()
        return int(self.store.scalar(f"SELECT count(*) FROM cases WHERE {where}", tuple(params)))

    def page_ids(
        self,
        flt: CaseFilter,
        offset: int,
        limit: int,
        *,
        sort: str = "registered_on",
        descending: bool = True,
    ) -> list[str]:
        """Ids of one page of the list; the list model fetches rows for visible ids only."""
        where, params = flt.where()
        rows = self.store.conn.execute(
            f"SELECT id FROM cases WHERE {where} ORDER BY {_order_by(sort, descending)} "
            "LIMIT ? OFFSET ?",
            (*params, limit, offset),
        ).fetchall()
        return [str(r[0]) for r in rows]

    def page(
        self,
        flt: CaseFilter,
        offset: int,
        limit: int,
        *,
        sort: str = "registered_on",
        descending: bool = True,
        total: int | None = None,
    ) -> list[dict[str, Any]]:
        """Rows ``offset`` … ``offset + limit - 1`` of the sorted list. With ``total`` (the
        list's count), a page in the second half is read from the other end in the opposite
        order: SQLite steps over every skipped row, so the last page of a million costs
        what the first does."""
        where, params = flt.where()
        columns = ", ".join(CASE_LIST_COLUMNS)
        if total is not None and offset > total // 2:
            end = min(offset + limit, total)
            if end <= offset:
                return []
            rows = self.store.query(
                f"SELECT {columns} FROM cases WHERE {where} "
                f"ORDER BY {_order_by(sort, not descending)} LIMIT ? OFFSET ?",
                (*params, end - offset, total - end),
            )
            rows.reverse()
            return rows
        return self.store.query(
            f"SELECT {columns} FROM cases WHERE {where} "
            f"ORDER BY {_order_by(sort, descending)} LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )

    def rows_by_id(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        if not ids:
            return {}
        marks = ",".join("?" for _ in ids)
        rows = self.store.query(
            f"SELECT {', '.join(CASE_LIST_COLUMNS)} FROM cases WHERE id IN ({marks})", tuple(ids)
        )
        return {r["id"]: r for r in rows}

    def mediators(self) -> list[str]:
        rows = self.store.conn.execute(
            "SELECT DISTINCT name FROM case_mediators WHERE deleted = 0 ORDER BY name"
        ).fetchall()
        return [str(r[0]) for r in rows]

    def deadlines(self, today: date, *, soon_days: int = DUE_SOON_DAYS) -> list[DeadlineItem]:
        """Overdue and due-soon: mediation deadlines, follow-ups, 司法确认 windows."""
        horizon = (today + timedelta(days=soon_days)).isoformat()
        items: list[DeadlineItem] = []
        marks = ",".join("?" for _ in OPEN_STATUSES)
        for r in self.store.query(
            f"""SELECT id, case_number, applicants, respondents,
                       COALESCE(extended_due_on, mediation_due_on) AS due
                FROM cases WHERE deleted = 0 AND outcome IS NULL AND status IN ({marks})
                  AND COALESCE(extended_due_on, mediation_due_on) <= ?""",
            (*OPEN_STATUSES, horizon),
        ):
            items.append(_item("mediation", r, date.fromisoformat(r["due"]), today))
        for r in self.store.query(
            """SELECT c.id, c.case_number, c.applicants, c.respondents, f.due_on AS due
               FROM follow_ups f JOIN cases c ON c.id = f.case_id
               WHERE f.deleted = 0 AND f.done_on IS NULL AND c.deleted = 0 AND f.due_on <= ?""",
            (horizon,),
        ):
            items.append(_item("follow_up", r, date.fromisoformat(r["due"]), today))
        earliest = (today - timedelta(days=30)).isoformat()
        for r in self.store.query(
            """SELECT c.id, c.case_number, c.applicants, c.respondents, a.effective_on AS due
               FROM agreements a JOIN cases c ON c.id = a.case_id
               WHERE a.deleted = 0 AND a.form = 'written' AND c.deleted = 0 AND c.status = ?
                 AND c.status_matter IS NULL AND a.effective_on >= ?
                 AND NOT EXISTS (SELECT 1 FROM judicial_confirmations j
                                 WHERE j.case_id = c.id AND j.deleted = 0)""",
            (SUCCEEDED, earliest),
        ):
            last = judicial_confirmation_last_day(date.fromisoformat(r["due"]))
            if last <= today + timedelta(days=soon_days) and last >= today:
                items.append(_item("judicial_confirmation", r, last, today))
        items.sort(key=lambda i: (i.due_on, i.kind))
        return items


def _item(kind: str, r: dict[str, Any], due: date, today: date) -> DeadlineItem:
    return DeadlineItem(
        kind=kind,
        case_id=r["id"],
        case_number=r["case_number"],
        title=f"{r['applicants']}与{r['respondents']}",
        due_on=due,
        days_left=(due - today).days,
    )

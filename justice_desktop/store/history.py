"""A case's history from the audit log: who did what to the case and its records, when.

The audit log names fields, never values (no personal data in the trail); this module adds the
user's name and Chinese labels for the action and the kind of record.
"""

from __future__ import annotations

from dataclasses import dataclass

from justice_desktop.store.database import Store
from justice_desktop.store.records import TABLE_LABELS

__all__ = ["ACTION_LABELS", "CASE_CHILD_TABLES", "HistoryEntry", "case_history"]

CASE_CHILD_TABLES: tuple[str, ...] = (
    "parties",
    "case_mediators",
    "investigations",
    "sessions",
    "extensions",
    "agreements",
    "follow_ups",
    "judicial_confirmations",
    "attachments",
)
ACTION_LABELS: dict[str, str] = {
    "insert": "新增",
    "update": "修改",
    "delete": "删除",
    "view": "查看",
    "print": "打印",
    "export": "导出",
}
_EXTRA_LABELS: dict[str, str] = {
    "case_mediators": "调解员",
    "investigations": "调查记录",
    "sessions": "调解记录",
    "extensions": "延期",
    "agreements": "调解协议",
    "follow_ups": "回访记录",
    "judicial_confirmations": "司法确认",
    "attachments": "附件",
}


@dataclass(frozen=True)
class HistoryEntry:
    at: str
    user: str
    action: str
    what: str
    fields: str


def case_history(store: Store, case_id: str, limit: int = 1000) -> list[HistoryEntry]:
    """Newest first: entries on the case itself and on every record belonging to it."""
    children = " UNION ALL ".join(
        f"SELECT id FROM {t} WHERE case_id = :case" for t in CASE_CHILD_TABLES
    )
    rows = store.query(
        "SELECT a.at, a.action, a.table_name, a.fields, coalesce(u.name, a.user_id) AS user "
        "FROM audit_log a LEFT JOIN users u ON u.id = a.user_id "
        f"WHERE a.record_id = :case OR a.record_id IN ({children}) "
        "ORDER BY a.seq DESC LIMIT :limit",
        {"case": case_id, "limit": limit},
    )
    return [
        HistoryEntry(
            at=str(r["at"]).replace("T", " ")[:16],
            user="系统" if r["user"] == "system" else str(r["user"]),
            action=ACTION_LABELS.get(str(r["action"]), str(r["action"])),
            what=TABLE_LABELS.get(str(r["table_name"]))
            or _EXTRA_LABELS.get(str(r["table_name"]), str(r["table_name"])),
            fields=str(r["fields"] or ""),
        )
        for r in rows
    ]

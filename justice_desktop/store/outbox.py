"""The outbox: changes waiting to be pushed to the city server (written by ``records.Tx``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from justice_desktop.store.database import Store


@dataclass(frozen=True)
class OutboxEntry:
    seq: int
    table_name: str
    record_id: str
    version: int
    op: str
    changes: dict[str, list[Any]]
    created_at: str
    created_by: str


def pending_count(store: Store) -> int:
    """Entries waiting to be sent (parked ones, which the server refused, not counted)."""
    return int(
        store.scalar("SELECT count(*) FROM outbox WHERE pushed_at IS NULL AND parked_at IS NULL")
    )


def pending(store: Store, limit: int = 500, after_seq: int = 0) -> list[OutboxEntry]:
    rows = store.conn.execute(
        "SELECT seq, table_name, record_id, version, op, changes, created_at, created_by FROM outbox "
        "WHERE pushed_at IS NULL AND seq > ? ORDER BY seq LIMIT ?",
        (after_seq, limit),
    ).fetchall()
    return [OutboxEntry(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), r[6], r[7]) for r in rows]


def for_record(store: Store, record_id: str) -> list[OutboxEntry]:
    rows = store.conn.execute(
        "SELECT seq, table_name, record_id, version, op, changes, created_at, created_by FROM outbox "
        "WHERE record_id = ? ORDER BY seq",
        (record_id,),
    ).fetchall()
    return [OutboxEntry(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), r[6], r[7]) for r in rows]


def mark_pushed(store: Store, seqs: list[int], at: str) -> None:
    """Only after the server confirmed these entries (the sync issue calls this)."""
    if not seqs:
        return
    marks = ",".join("?" for _ in seqs)
    store.conn.execute(f"UPDATE outbox SET pushed_at = ? WHERE seq IN ({marks})", (at, *seqs))


def history(store: Store, record_id: str) -> list[dict[str, Any]]:
    """Audit trail of one record, newest first (who, when, what)."""
    return store.query(
        "SELECT at, user_id, action, fields FROM audit_log WHERE record_id = ? ORDER BY seq DESC",
        (record_id,),
    )

"""State that belongs to this PC and its users, not to the office's records.

* **Drafts**: what a user has typed into a form and not saved yet. The form writes its state
  here every few seconds while it is being edited, so closing the window, a crash or a power
  cut loses nothing: the next time the same form opens, the draft comes back. Saving the
  record (or discarding the draft) deletes it.
* **Preferences**: per-user settings (the case-list columns, the UI scale …) as JSON values.

Neither is synced (no outbox entries) and neither is audited: drafts are not records. Both
live in the encrypted database because drafts hold personal data (names, ID numbers).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from justice_desktop.store.database import Store
from justice_desktop.validation import ValidationError

__all__ = [
    "LOCAL_STATE_DDL",
    "MAX_DRAFT_BYTES",
    "Draft",
    "delete_draft",
    "drafts_of",
    "get_preference",
    "load_draft",
    "save_draft",
    "set_preference",
]

MAX_DRAFT_BYTES = 2_000_000

LOCAL_STATE_DDL: tuple[str, ...] = (
    """CREATE TABLE drafts (
        user_id TEXT NOT NULL,
        draft_key TEXT NOT NULL,
        title TEXT NOT NULL DEFAULT '',
        payload TEXT NOT NULL,
        saved_at TEXT NOT NULL,
        PRIMARY KEY (user_id, draft_key))""",
    """CREATE TABLE user_preferences (
        user_id TEXT NOT NULL,
        pref_key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (user_id, pref_key))""",
)


@dataclass(frozen=True)
class Draft:
    key: str
    title: str
    payload: dict[str, Any]
    saved_at: datetime


def save_draft(
    store: Store, user_id: str, key: str, payload: dict[str, Any], title: str = ""
) -> None:
    """Keep (or replace) the draft of form ``key`` for ``user_id``; one statement, committed."""
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True)
    if len(text.encode("utf-8")) > MAX_DRAFT_BYTES:
        raise ValidationError("draft", "草稿内容过大，无法自动保存，请尽快保存记录。")
    store.conn.execute(  # one statement: atomic in autocommit mode
        "INSERT INTO drafts (user_id, draft_key, title, payload, saved_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT(user_id, draft_key) DO UPDATE SET "
        "title = excluded.title, payload = excluded.payload, saved_at = excluded.saved_at",
        (user_id, key, title, text, store.clock().isoformat(timespec="seconds")),
    )


def load_draft(store: Store, user_id: str, key: str) -> Draft | None:
    rows = store.query(
        "SELECT draft_key, title, payload, saved_at FROM drafts "
        "WHERE user_id = ? AND draft_key = ?",
        (user_id, key),
    )
    return _draft(rows[0]) if rows else None


def drafts_of(store: Store, user_id: str, prefix: str = "") -> list[Draft]:
    """The user's drafts (newest first), optionally only keys starting with ``prefix``."""
    rows = store.query(
        "SELECT draft_key, title, payload, saved_at FROM drafts "
        "WHERE user_id = ? AND substr(draft_key, 1, ?) = ? ORDER BY saved_at DESC, draft_key",
        (user_id, len(prefix), prefix),
    )
    return [d for d in (_draft(r) for r in rows) if d is not None]


def delete_draft(store: Store, user_id: str, key: str) -> None:
    store.conn.execute("DELETE FROM drafts WHERE user_id = ? AND draft_key = ?", (user_id, key))


def _draft(row: dict[str, Any]) -> Draft | None:
    try:
        payload = json.loads(row["payload"])
    except ValueError:
        return None  # a damaged draft is dropped, never shown half
    if not isinstance(payload, dict):
        return None
    return Draft(
        key=str(row["draft_key"]),
        title=str(row["title"]),
        payload=payload,
        saved_at=datetime.fromisoformat(str(row["saved_at"])),
    )


def get_preference(store: Store, user_id: str, key: str, default: Any = None) -> Any:
    value = store.scalar(
        "SELECT value FROM user_preferences WHERE user_id = ? AND pref_key = ?", (user_id, key)
    )
    if value is None:
        return default
    try:
        return json.loads(str(value))
    except ValueError:
        return default


def set_preference(store: Store, user_id: str, key: str, value: Any) -> None:
    store.conn.execute(
        "INSERT INTO user_preferences (user_id, pref_key, value) VALUES (?, ?, ?) "
        "ON CONFLICT(user_id, pref_key) DO UPDATE SET value = excluded.value",
        (user_id, key, json.dumps(value, ensure_ascii=False)),
    )

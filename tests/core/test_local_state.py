"""Drafts and preferences: local to this PC, kept across restarts, never synced."""

from __future__ import annotations

from datetime import datetime

import pytest

from justice_desktop.store import outbox
from justice_desktop.store.database import Store, open_store
from justice_desktop.store.keys import MemoryVault
from justice_desktop.store.local_state import (
    MAX_DRAFT_BYTES,
    delete_draft,
    drafts_of,
    get_preference,
    load_draft,
    save_draft,
    set_preference,
)
from justice_desktop.validation import ValidationError
from tests.core.conftest import Clock


def test_draft_survives_reopening_and_is_per_user(
    store: Store, ids: dict[str, str], vault: MemoryVault
) -> None:
    user = ids["user_id"]
    save_draft(
        store, user, "case:new", {"summary": "邻居漏水", "parties": [{"name": "张三"}]}, "新案件"
    )
    reopened = open_store(store.data_dir, vault)  # a second connection, as after a restart
    try:
        found = load_draft(reopened, user, "case:new")
        assert found is not None
        assert found.payload == {"summary": "邻居漏水", "parties": [{"name": "张三"}]}
        assert found.title == "新案件"
        assert load_draft(reopened, "someone-else", "case:new") is None
    finally:
        reopened.close()


def test_saving_again_replaces_and_delete_removes(
    store: Store, ids: dict[str, str], clock: Clock
) -> None:
    user = ids["user_id"]
    save_draft(store, user, "case:new", {"summary": "一"})
    clock.now = datetime(2025, 6, 16, 10, 0)
    save_draft(store, user, "case:new", {"summary": "二"})
    save_draft(store, user, "consultation:new", {"question": "三"})
    found = load_draft(store, user, "case:new")
    assert found is not None and found.payload == {"summary": "二"}
    assert found.saved_at == datetime(2025, 6, 16, 10, 0)
    assert [d.key for d in drafts_of(store, user, "case:")] == ["case:new"]
    assert len(drafts_of(store, user)) == 2
    delete_draft(store, user, "case:new")
    assert load_draft(store, user, "case:new") is None
    assert [d.key for d in drafts_of(store, user)] == ["consultation:new"]


def test_drafts_write_no_outbox_entries(store: Store, ids: dict[str, str]) -> None:
    before = outbox.pending_count(store)
    save_draft(store, ids["user_id"], "case:new", {"summary": "x"})
    set_preference(store, ids["user_id"], "case_columns", ["case_number"])
    assert outbox.pending_count(store) == before


def test_oversized_draft_is_refused_in_chinese(store: Store, ids: dict[str, str]) -> None:
    with pytest.raises(ValidationError, match="草稿内容过大"):
        save_draft(store, ids["user_id"], "case:new", {"summary": "字" * MAX_DRAFT_BYTES})
    assert load_draft(store, ids["user_id"], "case:new") is None


def test_damaged_draft_is_dropped(store: Store, ids: dict[str, str]) -> None:
    store.conn.execute(
        "INSERT INTO drafts (user_id, draft_key, title, payload, saved_at) "
        "VALUES (?, 'case:new', '', '{broken', '2025-06-16T09:00:00')",
        (ids["user_id"],),
    )
    assert load_draft(store, ids["user_id"], "case:new") is None
    assert drafts_of(store, ids["user_id"]) == []


def test_preferences_round_trip_with_default(store: Store, ids: dict[str, str]) -> None:
    user = ids["user_id"]
    assert get_preference(store, user, "ui_scale", 100) == 100
    set_preference(store, user, "ui_scale", 150)
    set_preference(store, user, "case_columns", ["case_number", "status"])
    assert get_preference(store, user, "ui_scale") == 150
    assert get_preference(store, user, "case_columns") == ["case_number", "status"]
    assert get_preference(store, "other", "ui_scale", 100) == 100

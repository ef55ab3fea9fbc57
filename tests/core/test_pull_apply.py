"""Writing pulled records into a real SQLCipher store (``sync_state.apply_pulled``): a record
twice in one group, a record the store refuses among good ones."""

from __future__ import annotations

from justice_desktop.store import search, sync_state
from justice_desktop.store.database import Store
from justice_desktop.store.sync_state import IncomingRecord


def _understander(record_id: str, version: int, name: str | None) -> IncomingRecord:
    data = {"name": name, "village": "东村", "nomination_route": "self"}
    return IncomingRecord("understanders", record_id, version, False, data, 1_700_000_000 + version)


def _found(store: Store, text: str) -> list[str]:
    return [hit.ref_id for hit in search.search(store.conn, text)]


def test_a_record_twice_in_one_group_is_written_once_as_its_later_copy(store: Store) -> None:
    """Pages fetched at different moments can carry one record twice (edited on another PC
    during the pull): the later copy wins, nothing fails."""
    first, later = _understander("u-twice", 1, "张三"), _understander("u-twice", 2, "张三丰")
    result = sync_state.apply_pulled(store, [first, later], 10)
    assert (result.applied, result.problems) == (1, 0)
    rows = store.query("SELECT name, version FROM understanders WHERE id = 'u-twice'")
    assert rows == [{"name": "张三丰", "version": 2}]
    assert sync_state.pull_after(store) == 10
    assert _found(store, "张三丰") == ["u-twice"]


def test_a_refused_record_sets_only_itself_aside(store: Store) -> None:
    """The good rows around a row the store refuses are written, indexed and audited once;
    the refused one is kept aside with a Chinese reason."""
    records = [
        _understander("u-good-1", 1, "王五"),
        _understander("u-bad", 1, None),  # a name is required here
        _understander("u-good-2", 1, "赵六"),
    ]
    result = sync_state.apply_pulled(store, records, 11)
    assert (result.applied, result.problems) == (2, 1)
    names = store.query("SELECT id FROM understanders WHERE id LIKE 'u-%' ORDER BY id")
    assert [r["id"] for r in names] == ["u-good-1", "u-good-2"]
    problems = sync_state.incoming_problems(store)
    assert [p["record_id"] for p in problems] == ["u-bad"]
    assert "缺少必填内容" in problems[0]["reason"]
    assert _found(store, "王五") == ["u-good-1"] and _found(store, "赵六") == ["u-good-2"]
    audited = store.query(
        "SELECT record_id FROM audit_log WHERE action = 'sync' AND record_id LIKE 'u-%'"
    )
    assert sorted(r["record_id"] for r in audited) == ["u-good-1", "u-good-2"]

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


def _assessment(record_id: str, version: int, year: int) -> IncomingRecord:
    data = {"understander_id": "u-assessed", "year": year, "result": "合格"}
    return IncomingRecord("assessments", record_id, version, False, data, 1_700_000_000 + version)


def test_a_later_copy_is_written_in_its_own_place_in_server_order(store: Store) -> None:
    """On the server one assessment moved off 2023 before another took 2023: written in the
    first copy's place, the second would hit the unique (understander, year) and be parked."""
    start = [
        _understander("u-assessed", 1, "孙七"),
        _assessment("a-first", 1, 2024),
        _assessment("a-second", 1, 2023),
    ]
    assert sync_state.apply_pulled(store, start, 5).problems == 0
    group = [
        _assessment("a-first", 2, 2024),  # fetched before the edits below were made
        _assessment("a-second", 3, 2022),
        _assessment("a-first", 4, 2023),
    ]
    result = sync_state.apply_pulled(store, group, 12)
    assert (result.applied, result.problems) == (2, 0)
    rows = store.query("SELECT id, year FROM assessments ORDER BY id")
    assert rows == [{"id": "a-first", "year": 2023}, {"id": "a-second", "year": 2022}]


def test_a_full_disk_fails_the_page_instead_of_parking_its_records(store: Store) -> None:
    """Only a row the database refuses is set aside; a full disk ends the write, keeps the
    checkpoint where it was and parks nothing, so the next sync pulls the page again."""
    sync_state.apply_pulled(store, [_understander("u-first", 1, "周八")], 7)
    pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
    store.conn.execute(f"PRAGMA max_page_count = {pages + 2}")
    many = [_understander(f"u-{n:04d}", 1, f"名字{n}" * 20) for n in range(2000)]
    try:
        sync_state.apply_pulled(store, many, 20)
    except Exception as exc:
        assert "full" in str(exc)
    else:
        raise AssertionError("a write past the page limit must fail")
    finally:
        store.conn.execute("PRAGMA max_page_count = 1073741823")
    assert sync_state.pull_after(store) == 7
    assert sync_state.incoming_problems(store) == []
    assert store.query("SELECT count(*) AS n FROM understanders")[0]["n"] == 1

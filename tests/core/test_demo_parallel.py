"""Demo data made in worker processes: the same data as in one process, whole cases only
when cancelled, and no process left behind."""

from __future__ import annotations

import multiprocessing
import random
import shutil
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from justice_desktop.codes.tables import load_code_tables
from justice_desktop.demo import loader
from justice_desktop.demo.generator import BLOCK_CASES, CommitteeRef, DemoGenerator, StaffRef
from justice_desktop.demo.loader import load_demo_data
from justice_desktop.store import search
from justice_desktop.store.bulk import TABLE_ORDER
from justice_desktop.store.database import Store, create_store, open_store
from justice_desktop.store.keys import MemoryVault
from justice_desktop.store.office import set_up_office
from justice_desktop.store.session import DEMO_SETUP

NOW = datetime(2025, 6, 16, 9, 30)


def _now() -> datetime:
    return NOW


def _new_store(folder: Path) -> Store:
    store, _ = create_store(folder, MemoryVault({}), clock=_now)
    set_up_office(store, DEMO_SETUP)
    return store


def _generator(cases: int) -> DemoGenerator:
    return DemoGenerator(
        cases=cases,
        seed=4,
        today=date(2025, 6, 16),
        tables=load_code_tables(),
        committees=[
            CommitteeRef("a" * 32, "城关街道人民调解委员会", "津东城", 3.0),
            CommitteeRef("b" * 32, "柳河镇人民调解委员会", "津东柳"),
        ],
        staff=[StaffRef("李明", "u" * 32)],
        seq_base={("b" * 32, 2024): 40},
    )


def test_chunks_are_independent_of_each_other() -> None:
    """Any chunk made on its own, in any order, is what making them all in order gives."""
    gen = _generator(7 * BLOCK_CASES + 123)
    in_order = [c for batch in gen.case_batches(2 * BLOCK_CASES) for c in batch.rows["cases"]]
    chunks = gen.case_chunks(2 * BLOCK_CASES)
    assert len(chunks) == 4
    fresh = _generator(7 * BLOCK_CASES + 123)
    backwards = [fresh.chunk_batch(c) for c in reversed(chunks)]
    assert [c for b in reversed(backwards) for c in b.rows["cases"]] == in_order
    # both committees used; numbers run on from the base without gaps, per committee and year
    seqs: dict[tuple[str, int], list[int]] = {}
    for c in in_order:
        seqs.setdefault((c["committee_id"], c["year"]), []).append(c["seq"])
    assert {k[0] for k in seqs} == {"a" * 32, "b" * 32}
    for (committee, year), got in seqs.items():
        first = 41 if (committee, year) == ("b" * 32, 2024) else 1
        assert got == list(range(first, first + len(got)))


def _dump(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    out: dict[str, list[tuple[Any, ...]]] = {}
    for table in (*TABLE_ORDER, "search_docs", "number_blocks", "audit_log"):
        out[table] = [tuple(r) for r in store.conn.execute(f"SELECT * FROM {table} ORDER BY rowid")]
    return out


def test_worker_processes_give_the_same_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the same office (ids of committees and users) in both databases …
    vault = MemoryVault({})
    first, _ = create_store(tmp_path / "here", vault, clock=_now)
    set_up_office(first, DEMO_SETUP)
    first.close()
    shutil.copytree(tmp_path / "here", tmp_path / "workers")
    # … and the same salt for the ids of the demo records (random per load otherwise)
    monkeypatch.setattr(loader, "new_id", lambda: "5" * 32)
    dumps = []
    hits = []
    for name, in_workers in (("here", False), ("workers", True)):
        store = open_store(tmp_path / name, vault, clock=_now)
        try:
            report = load_demo_data(
                store,
                cases=1300,
                seed=11,
                chunk_cases=500,
                subprocess_generator=in_workers,
                workers=2,
            )
            assert report.cases == 1300 and not report.cancelled
            dumps.append(_dump(store))
            hits.append([search.search(store.conn, q) for q in ("王", "zs", "2025", "宅基地")])
        finally:
            store.close()
        assert multiprocessing.active_children() == []
    assert len(dumps[0]["cases"]) == 1300 and len(dumps[0]["consultations"]) > 100
    for table, rows in dumps[0].items():
        assert rows == dumps[1][table], table
    assert hits[0] == hits[1] and all(hits[0])


def test_cancel_with_workers_leaves_whole_cases_and_no_process(tmp_path: Path) -> None:
    store = _new_store(tmp_path / "office")
    calls: list[int] = []

    def progress(done: int, total: int) -> bool:
        calls.append(done)
        return done < 1000

    try:
        report = load_demo_data(
            store,
            cases=4000,
            seed=9,
            progress=progress,
            chunk_cases=500,
            subprocess_generator=True,
            workers=2,
        )
        assert multiprocessing.active_children() == []
        assert report.cancelled and calls[-1] == 1000
        assert report.cases == store.scalar("SELECT count(*) FROM cases") == 1000
        assert store.integrity_problems(full=True) == []
        assert store.conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert (
            store.scalar(
                "SELECT count(*) FROM cases c WHERE c.party_count <> "
                "(SELECT count(*) FROM parties p WHERE p.case_id = c.id)"
            )
            == 0
        )
        assert store.scalar("SELECT count(*) FROM search_docs WHERE kind = 'case'") == 1000
    finally:
        store.close()


def test_small_loads_and_frozen_programs_stay_in_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[object] = []

    class NoWorkers:
        def __init__(self, *args: object, **kwargs: object) -> None:
            started.append(args)
            raise AssertionError("no worker processes expected")

    monkeypatch.setattr(loader, "ReadyBatches", NoWorkers)
    monkeypatch.setattr(loader, "SUBPROCESS_MIN_CASES", 200)
    store = _new_store(tmp_path / "office")
    try:
        assert load_demo_data(store, cases=150, seed=2).cases == 150
        monkeypatch.setattr(loader.sys, "frozen", True, raising=False)
        assert load_demo_data(store, cases=300, seed=3).cases == 300
    finally:
        store.close()
    assert started == []


def test_fast_id_check_char_matches_the_validator() -> None:
    from justice_desktop.demo.generator import _id_check_char
    from justice_desktop.validation.id_number import resident_id_check_char

    r = random.Random(5)
    for _ in range(5000):
        region = f"{r.randint(110000, 659999)}"
        ymd = f"{r.randint(1930, 2010)}{r.randint(1, 12):02d}{r.randint(1, 28):02d}"
        order = f"{r.randint(0, 999):03d}"
        assert _id_check_char(region, ymd, order) == resident_id_check_char(region + ymd + order)
    with pytest.raises(ValueError):
        _id_check_char("12010", "19900101", "001")

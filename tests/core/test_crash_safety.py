"""A writer killed with SIGKILL at random points leaves a sound database holding every
committed record, with an outbox that matches the records."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from justice_desktop.store.database import IDENTITY_FILE, create_store, open_store
from justice_desktop.store.keys import MemoryVault
from justice_desktop.store.office import OfficeSetup, set_up_office
from justice_desktop.store.schema_v1 import SYNCED_TABLES

ROOT = Path(__file__).resolve().parents[2]
KILLS = 12


def _run_and_kill(data: Path, key: bytes, db_id: str, after: float) -> tuple[list[str], list[str]]:
    errors = data.parent / "writer-stderr.txt"
    with errors.open("w") as err_file:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.support.crash_writer", str(data), key.hex(), db_id],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=err_file,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
    committed: list[str] = []
    sessions: list[str] = []

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            kind, _, cid = line.strip().partition(" ")
            (committed if kind == "committed" else sessions).append(cid)

    reader = threading.Thread(target=read)
    reader.start()
    deadline = time.monotonic() + 20
    while not committed and time.monotonic() < deadline:  # let it get past start-up
        time.sleep(0.01)
    time.sleep(after)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    reader.join()
    assert proc.stdout is not None
    proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL, errors.read_text()
    return committed, sessions


def test_sigkill_at_random_points_loses_nothing_committed(tmp_path: Path) -> None:
    vault = MemoryVault({})
    data = tmp_path / "office"
    store, _ = create_store(data, vault)
    set_up_office(store, OfficeSetup("所", "调委会", "津"))
    store.close()
    db_id = json.loads((data / IDENTITY_FILE).read_text())["db_id"]
    key = vault.keys[db_id]
    rng = random.Random(20251127)
    all_cases: list[str] = []
    all_sessions: list[str] = []
    for _ in range(KILLS):
        committed, sessions = _run_and_kill(data, key, db_id, rng.uniform(0.0, 0.4))
        all_cases += committed
        all_sessions += sessions

        store = open_store(data, vault)
        try:
            assert store.integrity_problems(full=True) == []
            present = {r["id"] for r in store.query("SELECT id FROM cases")}
            missing = [c for c in all_cases if c not in present]
            assert not missing, f"committed cases lost: {missing[:3]}"
            with_sessions = {r["case_id"] for r in store.query("SELECT case_id FROM sessions")}
            assert set(all_sessions) <= with_sessions
            for cid in present:
                assert store.scalar("SELECT count(*) FROM parties WHERE case_id = ?", (cid,)) == 2
            _assert_outbox_matches_records(store)
        finally:
            store.close()
    assert len(all_cases) >= KILLS, "the writer got to commit in most runs"


def _assert_outbox_matches_records(store: object) -> None:
    from justice_desktop.store.database import Store

    assert isinstance(store, Store)
    latest = {
        (r["table_name"], r["record_id"]): r["v"]
        for r in store.query(
            "SELECT table_name, record_id, max(version) AS v FROM outbox GROUP BY 1, 2"
        )
    }
    records = 0
    for table in SYNCED_TABLES:
        for row in store.query(f"SELECT id, version FROM {table}"):
            records += 1
            assert latest.get((table, row["id"])) == row["version"], (table, row)
    assert records == len(latest), "no outbox entry without its record"
    audit = store.scalar("SELECT count(*) FROM audit_log WHERE action != 'view'")
    assert audit == store.scalar("SELECT count(*) FROM outbox")


@pytest.mark.parametrize("page", [3, 10])
def test_damaged_page_is_found_by_the_integrity_check(tmp_path: Path, page: int) -> None:
    from justice_desktop.domain.case_inputs import CaseInput
    from justice_desktop.domain.party import PartyInput
    from justice_desktop.store.cases import CaseService
    from justice_desktop.store.database import DB_FILE
    from justice_desktop.store.errors import DamagedDatabaseError

    vault = MemoryVault({})
    data = tmp_path / "office"
    store, _ = create_store(data, vault)
    ids = set_up_office(store, OfficeSetup("所", "调委会", "津"))
    service = CaseService(store)
    for n in range(60):
        service.register(
            ids["user_id"],
            CaseInput(
                committee_id=ids["committee_id"],
                registered_on=store.clock().date(),
                source="applied",
                dispute_type="contract",
                summary="买卖合同纠纷" * 20,
                parties=[
                    PartyInput(side="applicant", name=f"甲{n}"),
                    PartyInput(side="respondent", name="乙"),
                ],
                mediators=["王调解"],
            ),
        )
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    path = data / DB_FILE
    raw = bytearray(path.read_bytes())
    raw[page * 4096 + 500 : page * 4096 + 600] = os.urandom(100)
    path.write_bytes(bytes(raw))
    try:
        damaged = open_store(data, vault)
    except DamagedDatabaseError:
        return  # found on open: fine
    try:
        assert damaged.integrity_problems(full=False) != []
    finally:
        damaged.conn.close()

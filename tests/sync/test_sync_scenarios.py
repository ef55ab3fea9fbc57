"""The failure scenarios of ``shared/reference/sync.md``, each its own test: desktop machines
with real SQLCipher stores syncing through the client engine with a real server process, on
SQLite and on PostgreSQL."""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from justice_desktop.store import backup as backups
from justice_desktop.store import search, sync_state
from justice_desktop.store.cases import MAX_ATTACHMENT_BYTES
from justice_desktop.store.database import DB_FILE, create_store, open_store
from justice_desktop.store.keys import MemoryVault
from justice_desktop.store.office import OfficeSetup, set_up_office
from justice_desktop.store.queries import CaseQueries
from sync.client.engine import SyncCancelled, sign_in
from sync.client.session import DEFAULT_TIMEOUT, ServerSession, SyncError
from sync.client.tokens import MemoryTokenStore
from sync.protocol import MAX_BLOB_CHUNK, MIN_CLIENT_PROTOCOL, PROTOCOL_VERSION, Role
from sync.server.db import access_tokens, auth_sessions, records, sync_counters, sync_turns
from tests.sync.conftest import PASSWORD, Account, Office
from tests.sync.machines import (
    FaultyTransport,
    Machine,
    fail_request,
    lose_response,
    new_machine,
)
from tests.sync.server_process import FAST_PASSWORD_HASHING, ServerProcess, running_server

MakeMachine = Callable[..., Machine]


@pytest.fixture
def clerk(make_office: Callable[..., Office], make_user: Callable[..., Account]) -> Account:
    account: Account = make_user(Role.CLERK, make_office())
    return account


@pytest.fixture
def machines(tmp_path: Path, server: ServerProcess) -> Iterator[MakeMachine]:
    made: list[Machine] = []

    def make(account: Account, name: str | None = None, **kwargs: Any) -> Machine:
        machine = new_machine(tmp_path, name or f"m{len(made)}", server.base_url, account, **kwargs)
        made.append(machine)
        return machine

    yield make
    for machine in made:
        machine.close()


@pytest.fixture
def pair(machines: MakeMachine, clerk: Account) -> tuple[Machine, Machine]:
    """Two machines of one office, both synced once: A founded the office's data, B joined."""
    a = machines(clerk, "a")
    a.sync()
    b = machines(clerk, "b")
    report = b.sync()
    assert report.joined
    return a, b


def _server_versions(engine: Engine, record_id: str) -> list[tuple[int, bool]]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(records.c.version, records.c.deleted).where(records.c.record_id == record_id)
        ).all()
    return [(int(r[0]), bool(r[1])) for r in rows]


# -- the basic round trip ---------------------------------------------------------------------


def test_new_machine_joins_and_receives_the_office_data(pair: tuple[Machine, Machine]) -> None:
    a, b = pair
    case_id = a.register_case()
    assert a.pending() > 0
    assert a.sync().pushed > 0 and a.pending() == 0
    report = b.sync()
    assert report.pulled > 0
    assert b.row("cases", case_id)["case_number"] == a.row("cases", case_id)["case_number"]
    # B took over A's office, committee and users: the first-run setup made on B is gone.
    assert b.committee_id == a.committee_id
    assert b.store.meta("office_id") == a.store.meta("office_id")
    # Pulled cases are counted and found by search like cases entered here.
    assert CaseQueries(b.store).count() == 1
    hits = search.search(b.store.conn, "张三")
    assert [h.ref_id for h in hits] == [case_id]
    # B pulled its own number block, so it can register cases too.
    assert b.register_case()


def _case_docs(m: Machine) -> dict[str, tuple[str, str, str, str]]:
    rows = m.store.conn.execute(
        "SELECT ref_id, title, subtitle, names, codes FROM search_docs WHERE kind = 'case'"
    ).fetchall()
    return {str(r[0]): (r[1], r[2], r[3], r[4]) for r in rows}


def test_pulled_cases_are_indexed_as_if_entered_here(pair: tuple[Machine, Machine]) -> None:
    """The pull builds search documents from the rows it writes (not read back): they must be
    the documents the case service made on the machine where the cases were entered."""
    a, b = pair
    ids = [a.register_case(village=f"{n}号村") for n in range(3)] + [a.register_case()]
    a.sync()
    b.sync()
    mine = _case_docs(a)
    assert set(ids) <= mine.keys()
    assert _case_docs(b) == mine
    # An edit that arrives later replaces the document: the new words are found on B.
    a.update("cases", ids[0], {"summary": "邻里宅基地滴水檐争议"})
    a.sync()
    b.sync()
    assert [h.ref_id for h in search.search(b.store.conn, "滴水檐")] == [ids[0]]
    # A deleted case leaves B's index.
    a.delete("cases", ids[1])
    a.sync()
    b.sync()
    assert ids[1] not in _case_docs(b)


def test_17_case_numbers_never_collide_nor_change(pair: tuple[Machine, Machine]) -> None:
    """Scenario 17: both machines number cases offline; the numbers differ and never change."""
    a, b = pair
    ids = [a.register_case() for _ in range(3)] + [b.register_case() for _ in range(3)]
    printed = {
        rid: (a if i < 3 else b).row("cases", rid)["case_number"] for i, rid in enumerate(ids)
    }
    assert len(set(printed.values())) == 6
    a.sync(), b.sync(), a.sync()
    for rid, number in printed.items():
        assert a.row("cases", rid)["case_number"] == number
        assert b.row("cases", rid)["case_number"] == number


def test_demo_database_refuses_to_sync(machines: MakeMachine, clerk: Account) -> None:
    a = machines(clerk)
    a.store.set_meta("demo_data", "1")
    with pytest.raises(SyncError, match="演示数据库"):
        a.sync()


# -- scenarios --------------------------------------------------------------------------------


def test_1_lost_push_response_retry_is_a_no_op(
    pair: tuple[Machine, Machine], engine: Engine
) -> None:
    a, b = pair
    case_id = a.register_case()
    a.transport.after.append(lose_response("POST", "/sync/push"))
    with pytest.raises(SyncError):
        a.sync()
    # Scenario 2: the server applied the batch but the answer was lost: still pending here.
    assert a.pending() > 0
    assert _server_versions(engine, case_id) == [(1, False)]
    report = a.sync()
    assert a.pending() == 0
    assert report.conflicts == 0
    assert _server_versions(engine, case_id) == [(1, False)]  # not applied twice
    b.sync()
    assert CaseQueries(b.store).count() == 1


def test_2_a_push_that_times_out_is_applied_later_and_not_marked_synced(
    pair: tuple[Machine, Machine], engine: Engine
) -> None:
    """A real timeout: the server holds the push (its office's counter is locked meanwhile)
    longer than the client waits, then applies it after the client gave up. The client must
    not have marked anything synced; the next sync gets the stored results, nothing twice."""
    a, b = pair
    case_id = a.register_case()
    pending = a.pending()
    office = int(a.store.meta(sync_state.SERVER_OFFICE_META) or 0)
    holder = engine.connect()
    held: list[sa.RootTransaction] = []

    def hold_the_office(method: str, path: str, _r: requests.PreparedRequest) -> None:
        if path == "/sync/push" and not held:
            held.append(holder.begin())
            holder.execute(
                sa.select(sync_counters.c.last_seq)
                .where(sync_counters.c.office_id == office)
                .with_for_update()
            )

    a.transport.before.append(hold_the_office)
    a.session.timeout = (5.0, 1.0)
    try:
        with pytest.raises(SyncError) as raised:
            a.sync()
        assert raised.value.code == "timeout" and raised.value.retryable
        assert held
        waiting = holder.execute(sa.select(records.c.id).where(records.c.record_id == case_id))
        assert waiting.all() == []  # the push is still waiting on the server
    finally:
        for tx in held:
            tx.commit()
        holder.close()
    deadline = time.monotonic() + 30
    while not _server_versions(engine, case_id) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _server_versions(engine, case_id) == [(1, False)]  # applied after the timeout
    assert a.pending() == pending  # yet nothing was marked synced here
    a.transport.before.clear()
    a.session.timeout = DEFAULT_TIMEOUT
    report = a.sync()
    assert a.pending() == 0 and report.conflicts == 0 and report.parked == 0
    assert _server_versions(engine, case_id) == [(1, False)]
    b.sync()
    assert CaseQueries(b.store).count() == 1


def _pull_readers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "sync-pull-reader"]


def test_3_push_cut_at_every_batch_boundary_resumes(
    pair: tuple[Machine, Machine], engine: Engine
) -> None:
    """Every run gets one batch through, then the connection is cut before the next one: each
    run keeps what the server confirmed and the next one starts after it (a restart would send
    the confirmed batches again), whether the cut comes before a request or after its answer
    was lost."""
    a, b = pair
    a.settings["push_batch"] = 5
    for _ in range(4):
        a.register_case()
    total = a.pending()
    assert total > 15
    pushes, runs = 0, 0
    while a.pending():
        before = a.pending()
        a.transport.log.clear()
        a.transport.before[:] = [fail_request("POST", "/sync/push", skip=1)]
        try:
            a.sync()
        except SyncError:
            assert before > 5
        assert a.pending() == max(before - 5, 0)
        pushes += sum(1 for _m, p in a.transport.log if p == "/sync/push")
        runs += 1
        assert not _pull_readers()
    assert runs == -(-total // 5) and pushes == runs  # every batch went up once
    # Cut after the server applied the second batch (its answer lost): the first batch stays
    # synced, the second stays pending and is answered from the stored results next time.
    for _ in range(3):
        a.register_case()
    before = a.pending()
    assert before > 10
    seen = [0]

    def lose_second(method: str, path: str, _response: requests.Response) -> None:
        if path == "/sync/push":
            seen[0] += 1
            if seen[0] == 2:
                raise requests.ConnectionError("connection cut after the server answered")

    a.transport.before.clear()
    a.transport.after[:] = [lose_second]
    with pytest.raises(SyncError):
        a.sync()
    assert a.pending() == before - 5
    a.transport.after.clear()
    report = a.sync()
    assert a.pending() == 0 and report.conflicts == 0 and report.parked == 0
    b.sync()
    assert CaseQueries(b.store).count() == 7
    with engine.connect() as conn:  # each change was applied once: one version per change
        versions = conn.execute(
            sa.select(sa.func.max(records.c.version)).where(
                records.c.office_id == int(a.store.meta(sync_state.SERVER_OFFICE_META) or 0),
                records.c.table_name == "cases",
            )
        ).scalar_one()
    assert versions == 1


def test_3_pull_cut_at_every_page_boundary_resumes(pair: tuple[Machine, Machine]) -> None:
    a, b = pair
    ids = [a.register_case() for _ in range(5)]
    a.sync()
    b.settings["pull_page"] = 4
    checkpoints = []
    for _ in range(100):  # every run takes one page, then the connection is cut
        b.transport.before[:] = [fail_request("GET", "/sync/pull", skip=1)]
        try:
            b.sync()
            break
        except SyncError:
            checkpoints.append(sync_state.pull_after(b.store))
            assert not _pull_readers()  # the page reader ended with the run
    assert len(checkpoints) >= 3
    # Each run went on from the last one's checkpoint: one more page every time.
    assert all(x < y for x, y in zip(checkpoints, checkpoints[1:], strict=False))
    assert CaseQueries(b.store).count() == 5
    for rid in ids:
        assert b.row("cases", rid)["summary"] == a.row("cases", rid)["summary"]


def test_4_different_fields_merge(pair: tuple[Machine, Machine]) -> None:
    a, b = pair
    case_id = a.register_case()
    a.sync(), b.sync()
    a.update("cases", case_id, {"summary": "甲机修改的案情"})
    b.update("cases", case_id, {"village": "东村"})
    a.sync(), b.sync(), a.sync()
    for machine in (a, b):
        row = machine.row("cases", case_id)
        assert (row["summary"], row["village"]) == ("甲机修改的案情", "东村")
        assert machine.pending() == 0
    assert sync_state.conflict_count(a.store) == 0


def test_5_same_field_gives_one_result_and_a_resolvable_conflict(
    pair: tuple[Machine, Machine],
) -> None:
    a, b = pair
    case_id = a.register_case()
    a.sync(), b.sync()
    a.update("cases", case_id, {"summary": "甲机的说法"})
    b.update("cases", case_id, {"summary": "乙机的说法"})
    a.sync(), b.sync(), a.sync()
    assert a.row("cases", case_id)["summary"] == b.row("cases", case_id)["summary"]
    for machine in (a, b):
        conflicts = sync_state.open_conflicts(machine.store)
        assert [(c.record_id, c.field) for c in conflicts] == [(case_id, "summary")]
        assert {conflicts[0].server, conflicts[0].incoming} == {"甲机的说法", "乙机的说法"}
    conflict = sync_state.open_conflicts(b.store)[0]
    b.engine().resolve_conflict(conflict.id, value="双方确认的说法")
    assert b.row("cases", case_id)["summary"] == "双方确认的说法"
    a.sync()
    assert a.row("cases", case_id)["summary"] == "双方确认的说法"
    assert sync_state.conflict_count(a.store) == 0


@pytest.mark.parametrize("deleter_first", [True, False])
def test_6_delete_against_edit_is_never_silent(
    pair: tuple[Machine, Machine], deleter_first: bool
) -> None:
    a, b = pair
    case_id = a.register_case()
    a.sync(), b.sync()
    a.delete("cases", case_id)
    b.update("cases", case_id, {"summary": "乙机补充的案情"})
    order = (a, b) if deleter_first else (b, a)
    for machine in (*order, *order):
        machine.sync()
    for machine in (a, b):
        row = machine.row("cases", case_id)
        assert row["deleted"] == 0 and row["summary"] == "乙机补充的案情"
        conflicts = sync_state.open_conflicts(machine.store)
        assert [(c.record_id, c.field) for c in conflicts] == [(case_id, None)]
    a.engine().resolve_conflict(sync_state.open_conflicts(a.store)[0].id, keep=False)
    b.sync()
    assert a.row("cases", case_id)["deleted"] == 1 and b.row("cases", case_id)["deleted"] == 1
    assert CaseQueries(b.store).count() == 0


def test_7_clock_skew_does_not_order_changes_and_is_reported(
    pair: tuple[Machine, Machine],
) -> None:
    a, b = pair
    case_id = a.register_case()
    a.sync(), b.sync()
    # A's clock runs years ahead: its older edit must not win over B's later one by time.
    from datetime import datetime

    a.store.clock = lambda: datetime(2099, 1, 1, 8, 0)
    a.update("cases", case_id, {"village": "甲机填写"})
    a.sync()
    b.sync()
    b.update("cases", case_id, {"village": "乙机后来改的"})
    b.sync(), a.sync()
    assert a.row("cases", case_id)["village"] == "乙机后来改的"

    def skewed(_m: str, _p: str, response: requests.Response) -> None:
        response.headers["Date"] = "Mon, 01 Jan 2024 00:00:00 GMT"

    a.transport.after.append(skewed)
    report = a.sync()
    assert any("本机时钟" in w for w in report.warnings)


_KEPT = ("created_at", "updated_at", "updated_by")
"""Columns each machine writes for itself (when and by whom here); the rest must agree."""


def _office_state(m: Machine) -> dict[tuple[str, str], dict[str, Any]]:
    state = {}
    for table in ("cases", "parties"):
        for row in m.store.query(f"SELECT * FROM {table}"):
            state[(table, str(row["id"]))] = {k: v for k, v in row.items() if k not in _KEPT}
    return state


@pytest.mark.parametrize("a_first", [True, False])
def test_8_offline_history_out_of_order_converges(
    pair: tuple[Machine, Machine], machines: MakeMachine, clerk: Account, a_first: bool
) -> None:
    """A day of offline edits on two machines — the same case's same and different fields,
    its parties, a new case — arrives in either order; a third machine pulls it all one
    record per page, cut twice (so parties can come before their case). Every machine ends
    with the same rows, and the field both changed is one conflict on each of them."""
    a, b = pair
    case_id = a.register_case()
    a.sync(), b.sync()
    a.settings["push_batch"] = 2  # A's edits of the field in one batch and across batches
    party = str(a.store.query("SELECT id FROM parties WHERE case_id = ?", (case_id,))[0]["id"])
    for n in range(5):
        a.update("cases", case_id, {"village": f"甲{n}"})
    a.update("parties", party, {"phone": "13700000001"})
    a_case = a.register_case(village="甲机新案")
    b.update("cases", case_id, {"closing_note": "乙机的备注"})
    b.update("cases", case_id, {"village": "乙机的村"})
    b.update("parties", party, {"name": "张三丰"})
    b_case = b.register_case(village="乙机新案")
    first, second = (a, b) if a_first else (b, a)
    first.sync(), second.sync(), first.sync()
    c = machines(clerk, "c")
    c.settings["pull_page"] = 1
    for skip in (3, 9):
        c.transport.before[:] = [fail_request("GET", "/sync/pull", skip=skip)]
        with pytest.raises(SyncError):
            c.sync()
    c.transport.before.clear()
    c.sync()
    state = _office_state(a)
    assert _office_state(b) == state and _office_state(c) == state
    case, person = state[("cases", case_id)], state[("parties", party)]
    assert case["closing_note"] == "乙机的备注"
    assert case["village"] == ("甲4" if a_first else "乙机的村")  # the first to arrive, for now
    assert (person["phone"], person["name"]) == ("13700000001", "张三丰")
    assert {("cases", a_case), ("cases", b_case)} <= state.keys()
    # One conflict, between the server's value and the other machine's latest (not one per
    # offline edit of the field): one decision settles it everywhere.
    values = ("甲4", "乙机的村") if a_first else ("乙机的村", "甲4")
    for machine in (a, b, c):
        conflicts = sync_state.open_conflicts(machine.store)
        assert [(x.record_id, x.field) for x in conflicts] == [(case_id, "village")]
        assert (conflicts[0].server, conflicts[0].incoming) == values
        assert machine.pending() == 0
    c.engine().resolve_conflict(sync_state.open_conflicts(c.store)[0].id, value="双方确认的村")
    for machine in (a, b, c):
        machine.sync()
        assert machine.row("cases", case_id)["village"] == "双方确认的村"
        assert sync_state.conflict_count(machine.store) == 0


def test_9_version_mismatch_is_explained_and_wipes_nothing(
    pair: tuple[Machine, Machine],
) -> None:
    a, _ = pair
    a.register_case()
    pending = a.pending()
    a.session.protocol_version = PROTOCOL_VERSION + 1
    with pytest.raises(SyncError, match="更新") as raised:
        a.sync()
    assert not raised.value.retryable
    assert a.pending() == pending and CaseQueries(a.store).count() == 1
    a.session.protocol_version = PROTOCOL_VERSION
    a.sync()
    assert a.pending() == 0


def test_9_an_older_client_is_told_to_update_and_wipes_nothing(
    pair: tuple[Machine, Machine],
) -> None:
    a, _ = pair
    case_id = a.register_case()
    pending = a.pending()
    a.session.protocol_version = MIN_CLIENT_PROTOCOL - 1
    with pytest.raises(SyncError, match="请更新本程序") as raised:
        a.sync()
    assert not raised.value.retryable and raised.value.code == "client_too_old"
    assert "本机数据不会丢失" in str(raised.value)
    assert a.pending() == pending and a.row("cases", case_id)["deleted"] == 0
    a.session.protocol_version = PROTOCOL_VERSION  # the program was updated
    a.sync()
    assert a.pending() == 0


def _server_edit(engine: Engine, office: int, record_id: str, values: dict[str, Any]) -> None:
    """Change a record on the server as a newer server program would (with its fields)."""
    with engine.begin() as conn:
        last = conn.execute(
            sa.select(sync_counters.c.last_seq)
            .where(sync_counters.c.office_id == office)
            .with_for_update()
        ).scalar_one()
        row = conn.execute(
            sa.select(records.c.id, records.c.version, records.c.data).where(
                records.c.office_id == office, records.c.record_id == record_id
            )
        ).one()
        data = {**json.loads(row.data), **values}
        conn.execute(
            records.update()
            .where(records.c.id == row.id)
            .values(
                data=json.dumps(data, ensure_ascii=False),
                version=row.version + 1,
                server_seq=last + 1,
            )
        )
        conn.execute(
            sync_counters.update()
            .where(sync_counters.c.office_id == office)
            .values(last_seq=last + 1)
        )


def test_9_fields_from_a_newer_server_wait_until_this_program_knows_them(
    pair: tuple[Machine, Machine], engine: Engine
) -> None:
    """A newer server sends a field this program has no column for: the record is kept aside
    with a message to update (not dropped, nothing here wiped, the rest of the pull goes on),
    and once the updated program has the column, the next sync stores it."""
    a, b = pair
    held, other = a.register_case(), a.register_case()
    a.sync(), b.sync()
    before = b.row("cases", held)
    office = int(a.store.meta(sync_state.SERVER_OFFICE_META) or 0)
    _server_edit(engine, office, held, {"summary": "新版本改的案情", "future_field": "新字段"})
    a.update("cases", other, {"village": "同时改的村"})
    a.sync()
    report = b.sync()
    assert report.incoming_problems == 1 and "服务器记录无法保存" in report.summary()
    problems = sync_state.incoming_problems(b.store)
    assert [p["record_id"] for p in problems] == [held]
    assert "future_field" in problems[0]["reason"] and "请更新本机程序" in problems[0]["reason"]
    assert b.row("cases", held) == before  # left as it was, not wiped
    assert b.row("cases", other)["village"] == "同时改的村"
    assert b.pending() == 0
    # Still unknown at the next sync: still kept aside, still the same row here.
    assert b.sync().incoming_problems == 1
    # The updated program has the column (its migration added it): the record arrives.
    b.store.conn.execute("ALTER TABLE cases ADD COLUMN future_field TEXT")
    report = b.sync()
    assert report.incoming_problems == 0 and sync_state.incoming_problems(b.store) == []
    row = b.row("cases", held)
    assert (row["summary"], row["future_field"]) == ("新版本改的案情", "新字段")
    assert b.pending() == 0


def test_10_two_syncs_at_once_and_a_repeated_sync(pair: tuple[Machine, Machine]) -> None:
    a, _ = pair
    a.register_case()
    started, release = threading.Event(), threading.Event()

    def hold(method: str, path: str, _r: requests.PreparedRequest) -> None:
        if path == "/sync/push":
            started.set()
            release.wait(10)

    a.transport.before.append(hold)
    errors: list[BaseException] = []
    first = threading.Thread(target=lambda: _catch(a.sync, errors))
    first.start()
    assert started.wait(10)
    second_store = a.store.second_connection()
    try:
        from sync.client.engine import SyncEngine

        with pytest.raises(SyncError, match="正在进行"):
            SyncEngine(second_store, a.session).run()
    finally:
        second_store.close()
        release.set()
        first.join(10)
    assert not errors and a.pending() == 0
    again = a.sync()
    assert again.pushed == 0


def test_10_a_delete_sent_again_or_made_on_two_machines_is_no_conflict(
    pair: tuple[Machine, Machine], engine: Engine
) -> None:
    """A delete whose answer was lost is sent again, and the same case is deleted on both
    machines: no error, no conflict, deleted everywhere, one version per change."""
    a, b = pair
    case_id, kept = a.register_case(), a.register_case()
    a.sync(), b.sync()
    a.delete("cases", case_id)
    b.delete("cases", case_id)
    a.transport.after[:] = [lose_response("POST", "/sync/push")]
    with pytest.raises(SyncError):
        a.sync()
    assert a.pending() > 0
    a.transport.after.clear()
    assert a.sync().conflicts == 0 and a.pending() == 0
    assert _server_versions(engine, case_id) == [(2, True)]  # the resent delete: a no-op
    report = b.sync()  # B's delete of a case already deleted
    assert report.conflicts == 0 and report.parked == 0 and b.pending() == 0
    a.sync()
    server = _server_versions(engine, case_id)
    assert server == [(3, True)]
    for machine in (a, b):
        row = machine.row("cases", case_id)
        assert (row["version"], row["deleted"]) == (3, 1)
        assert sync_state.conflict_count(machine.store) == 0
        assert CaseQueries(machine.store).count() == 1
        assert machine.row("cases", kept)["deleted"] == 0


def _catch(work: Callable[[], object], errors: list[BaseException]) -> None:
    try:
        work()
    except BaseException as exc:
        errors.append(exc)


def test_11_record_edited_while_its_upload_is_in_flight_stays_pending(
    pair: tuple[Machine, Machine],
) -> None:
    a, b = pair
    case_id = a.register_case()
    a.sync(), b.sync()
    a.update("cases", case_id, {"village": "上传中的值"})
    other = a.store.second_connection()

    def edit(value: str) -> None:
        with other.tx(a.user_id) as tx:
            tx.update("cases", case_id, {"village": value})

    def edit_during_push(method: str, path: str, _r: requests.PreparedRequest) -> None:
        if path == "/sync/push":
            a.transport.before.remove(edit_during_push)
            edit("上传时又改的值")

    # The edit lands while the first upload is in flight; the connection is then cut.
    a.transport.before[:] = [edit_during_push, fail_request("POST", "/sync/push", skip=1)]
    try:
        with pytest.raises(SyncError):
            a.sync()
        assert a.pending() == 1
        assert a.row("cases", case_id)["village"] == "上传时又改的值"

        # Edited while the pull brings the record back: the local edit is kept and stays
        # pending, the pulled row does not overwrite it.
        def edit_during_pull(method: str, path: str, _r: requests.PreparedRequest) -> None:
            if path == "/sync/pull":
                a.transport.before.remove(edit_during_pull)
                edit("下载时又改的值")

        a.transport.before[:] = [edit_during_pull]
        a.sync()
        assert a.pending() == 1
        assert a.row("cases", case_id)["village"] == "下载时又改的值"
    finally:
        other.close()
    a.sync(), b.sync()
    assert a.pending() == 0
    assert b.row("cases", case_id)["village"] == "下载时又改的值"


def test_12_token_expires_mid_sync(pair: tuple[Machine, Machine], engine: Engine) -> None:
    a, b = pair
    a.settings["push_batch"] = 3
    for _ in range(3):
        a.register_case()
    seen = [0]

    def expire(method: str, path: str, _r: requests.PreparedRequest) -> None:
        if path == "/sync/push":
            seen[0] += 1
            if seen[0] == 2:
                with engine.begin() as conn:
                    conn.execute(access_tokens.delete())

    a.transport.before.append(expire)
    a.sync()
    assert a.pending() == 0 and seen[0] >= 3
    b.sync()
    assert CaseQueries(b.store).count() == 3


def test_12_a_session_ended_mid_sync_asks_for_a_login_and_keeps_the_outbox(
    pair: tuple[Machine, Machine], engine: Engine, clerk: Account
) -> None:
    """The tokens cannot be renewed (the session was ended on the server): the sync stops
    asking for a login, the confirmed batch stays synced, the rest stays pending; after the
    login the next sync goes on from there."""
    a, b = pair
    a.settings["push_batch"] = 3
    for _ in range(3):
        a.register_case()
    total = a.pending()
    seen = [0]

    def end_session(method: str, path: str, _r: requests.PreparedRequest) -> None:
        if path == "/sync/push":
            seen[0] += 1
            if seen[0] == 2:
                with engine.begin() as conn:
                    conn.execute(
                        auth_sessions.update()
                        .where(auth_sessions.c.device_id == a.store.machine_id)
                        .values(revoked_at=int(time.time()))
                    )

    a.transport.before.append(end_session)
    with pytest.raises(SyncError) as raised:
        a.sync()
    assert raised.value.needs_login and not raised.value.retryable
    assert a.pending() == total - 3
    a.transport.before.clear()
    sign_in(a.session, a.store, clerk.username, PASSWORD)
    a.sync()
    assert a.pending() == 0
    b.sync()
    assert CaseQueries(b.store).count() == 3


def test_13_rejected_change_is_parked_and_blocks_nothing(
    pair: tuple[Machine, Machine],
) -> None:
    a, b = pair
    case_id = a.register_case()
    a.sync(), b.sync()
    a.update("cases", case_id, {"village": "正常的修改"})
    # An entry the server cannot take (a field it does not know: a newer program's column).
    a.store.conn.execute(
        "INSERT INTO outbox (table_name, record_id, version, op, changes, created_at, "
        "created_by) VALUES ('cases', ?, 9, 'update', '{\"future_field\": [null, 1]}', "
        "'2026-01-01', 'u')",
        (case_id,),
    )
    a.update("cases", case_id, {"closing_note": "之后的修改"})
    report = a.sync()
    assert report.parked == 1 and a.pending() == 0
    parked = sync_state.parked(a.store)
    assert len(parked) == 1 and "future_field" in parked[0].reason
    b.sync()
    row = b.row("cases", case_id)
    assert (row["village"], row["closing_note"]) == ("正常的修改", "之后的修改")
    # Sent again, it is parked again, not dropped.
    assert sync_state.unpark(a.store) == 1
    assert a.sync().parked == 1


def test_16_another_user_logs_in_on_a_machine_with_unsynced_data(
    pair: tuple[Machine, Machine],
    make_office: Callable[..., Office],
    make_user: Callable[..., Account],
    clerk: Account,
) -> None:
    a, b = pair
    case_id = a.register_case()
    pending = a.pending()
    from sync.client.engine import sign_in
    from tests.sync.conftest import PASSWORD

    # Another office's account: this machine belongs to this office; nothing is touched.
    stranger: Account = make_user(Role.CLERK, make_office())
    with pytest.raises(SyncError, match="其他司法所"):
        sign_in(a.session, a.store, stranger.username, PASSWORD)
    assert a.pending() == pending and CaseQueries(a.store).count() == 1
    # A colleague of the same office: the unsynced work goes up under the new login.
    office = next(o for o in [a.store.meta(sync_state.SERVER_OFFICE_META)] if o)
    colleague: Account = make_user(Role.LAWYER, Office(int(office), "", ""))
    sign_in(a.session, a.store, colleague.username, PASSWORD)
    a.sync()
    assert a.pending() == 0
    b.sync()
    assert b.row("cases", case_id)["deleted"] == 0
    assert clerk.username != colleague.username


def test_16_a_damaged_local_database_is_reported_and_nothing_wiped(
    tmp_path: Path, server: ServerProcess, engine: Engine, clerk: Account
) -> None:
    """Damaged pages met during a sync stop it with a message naming the damage and the
    backups (not an English database error); nothing is deleted on the server, and the office
    PC restored from its backup syncs its pending edits."""
    vault = MemoryVault({})
    data = tmp_path / "office"
    store, _ = create_store(data, vault)
    set_up_office(store, OfficeSetup("城关司法所", "城关街道人民调解委员会", "津东城"))
    transport = FaultyTransport()
    session = ServerSession(server.base_url, MemoryTokenStore(), None, transport)
    sign_in(session, store, clerk.username, PASSWORD)
    a = Machine("a", store, session, transport)
    ids = [a.register_case(summary="买卖合同纠纷" * 20) for _ in range(60)]
    a.sync()
    for case_id in ids[:30]:
        a.update("cases", case_id, {"village": "备份前改的村"})
    assert a.pending() == 30
    a.store.backup()
    office = int(a.store.meta(sync_state.SERVER_OFFICE_META) or 0)
    pages = [
        int(r["rootpage"])
        for r in a.store.query(
            "SELECT rootpage FROM sqlite_master WHERE name IN ('outbox', 'cases')"
        )
    ]
    a.store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    a.store.close()

    def on_server() -> list[tuple[str, int, bool]]:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.select(records.c.record_id, records.c.version, records.c.deleted)
                .where(records.c.office_id == office)
                .order_by(records.c.record_id)
            ).all()
        return [(str(r[0]), int(r[1]), bool(r[2])) for r in rows]

    before = on_server()
    path = data / DB_FILE
    raw = bytearray(path.read_bytes())
    for page in pages:  # the outbox's and the cases' first pages
        raw[(page - 1) * 4096 + 500 : (page - 1) * 4096 + 600] = os.urandom(100)
    path.write_bytes(bytes(raw))
    a.store = open_store(data, vault)  # opening reads no page of these tables
    with pytest.raises(SyncError) as raised:
        a.sync()
    assert raised.value.code == "damaged_database" and not raised.value.retryable
    assert "已损坏" in str(raised.value) and "没有删除" in str(raised.value)
    assert on_server() == before
    a.store.close()
    key = vault.keys[next(iter(vault.keys))]
    newest = sorted((data / "backups").glob("*"))[-1]
    backups.restore_backup(path, newest, key, datetime.now())
    a.store = open_store(data, vault)
    assert a.pending() == 30
    a.sync()
    assert a.pending() == 0
    after = {rid: (version, deleted) for rid, version, deleted in on_server()}
    assert all(after[case_id] == (2, False) for case_id in ids[:30])


def test_16_a_full_disk_stops_the_sync_with_a_chinese_message_and_loses_nothing(
    pair: tuple[Machine, Machine],
) -> None:
    """A disk that fills during a pull stops the sync with a message saying so (not SQLite's
    English text), keeps what was already confirmed, and the next sync with room completes."""
    a, b = pair
    ids = [a.register_case(summary="买卖合同纠纷" * 40) for _ in range(120)]
    a.sync()
    mine = b.register_case()
    pages = int(b.store.conn.execute("PRAGMA page_count").fetchone()[0])
    b.store.conn.execute(f"PRAGMA max_page_count = {pages + 3}")
    try:
        with pytest.raises(SyncError) as raised:
            b.sync()
    finally:
        b.store.conn.execute("PRAGMA max_page_count = 1073741823")
    assert raised.value.code == "disk_full" and raised.value.retryable
    assert "磁盘空间不足" in str(raised.value) and "full" not in str(raised.value)
    assert b.row("cases", mine)["deleted"] == 0
    b.sync()
    assert b.pending() == 0
    assert all(b.row("cases", case_id)["summary"] == "买卖合同纠纷" * 40 for case_id in ids)
    a.sync()
    assert a.row("cases", mine)["deleted"] == 0


def test_first_sync_refuses_two_different_offices_data(
    pair: tuple[Machine, Machine], machines: MakeMachine, clerk: Account
) -> None:
    a, _ = pair
    a.register_case()
    a.sync()
    c = machines(clerk, "c")
    c.store.set_meta("numbering_authority", "local")
    own = c.register_case()
    with pytest.raises(SyncError, match="本机数据未作任何改动"):
        c.sync()
    assert c.row("cases", own)["deleted"] == 0 and c.pending() > 0


def test_cancel_keeps_what_was_confirmed(pair: tuple[Machine, Machine]) -> None:
    a, _ = pair
    a.settings["push_batch"] = 4
    for _ in range(3):
        a.register_case()
    total = a.pending()
    assert total > 4

    def cancel_after_first_batch() -> bool:
        return "/sync/push" in {p for _, p in a.transport.log}

    a.transport.log.clear()  # the fixture's own sync pushed too
    with pytest.raises(SyncCancelled):
        a.engine(cancelled=cancel_after_first_batch).run()
    assert a.pending() == total - 4  # the confirmed first batch is kept, the rest waits
    a.sync()
    assert a.pending() == 0


def test_verify_repairs_only_what_differs(pair: tuple[Machine, Machine]) -> None:
    a, b = pair
    ids = [a.register_case() for _ in range(3)]
    a.sync(), b.sync()
    clean = b.sync(verify=True)
    assert clean.verified and clean.repaired == 0 and clean.requeued == 0
    # Damage B's copy behind the engine's back: an old version and a wrong value.
    b.store.conn.execute("UPDATE cases SET village = '损坏', version = 99 WHERE id = ?", (ids[1],))
    b.transport.log.clear()
    report = b.sync(verify=True)
    assert report.repaired == 1 and report.requeued == 0
    assert b.row("cases", ids[1])["village"] == a.row("cases", ids[1])["village"]
    listed = [p for _m, p in b.transport.log if p.startswith("/sync/checksums/")]
    assert len(listed) == 1  # only the differing bucket was listed
    # A case here the server never got (its outbox entries lost, say by an older program):
    # sent again whole, and the other machine receives it.
    lost = b.register_case(village="只在乙机上")
    unsent = b.store.scalar(
        "SELECT count(DISTINCT record_id) FROM outbox WHERE pushed_at IS NULL"
    )  # the case and its parties and other rows
    b.store.conn.execute("DELETE FROM outbox WHERE pushed_at IS NULL")
    assert b.pending() == 0
    report = b.sync(verify=True)
    assert report.requeued == unsent > 1 and report.repaired == 0 and b.pending() == 0
    a.sync()
    assert a.row("cases", lost)["village"] == "只在乙机上"
    assert b.sync(verify=True).requeued == 0


def test_15_attachments_chunked_resumable_and_a_row_before_its_file(
    pair: tuple[Machine, Machine],
) -> None:
    a, b = pair
    a.settings["chunk_size"] = 256 * 1024
    b.settings["chunk_size"] = 256 * 1024
    case_id = a.register_case()
    big = os.urandom(1_500_000)
    name = "现场照片🙂（东村）.jpg"
    a.cases.add_attachment(a.user_id, case_id, name, big, kind="evidence")
    # The upload is cut after two chunks; the next sync resumes at the server's count.
    a.transport.before[:] = [fail_request("PUT", "/blobs/", skip=2)]
    with pytest.raises(SyncError):
        a.sync()
    assert a.pending() > 0
    puts_before = sum(1 for m, p in a.transport.log if m == "PUT")
    a.transport.before.clear()
    report = a.sync()
    assert report.uploaded_files == 1 and a.pending() == 0
    puts = sum(1 for m, p in a.transport.log if m == "PUT") - puts_before
    assert puts == 6 - 2  # 1.5 MB in 256 KiB chunks: 6 chunks, 2 already there
    # B downloads it in chunks, cut once, and gets the same bytes.
    b.transport.before[:] = [fail_request("GET", "/blobs/", skip=3)]
    with pytest.raises(SyncError):
        b.sync()
    parts = "SELECT count(*) FROM blob_downloads"
    assert b.store.scalar(parts) == 2  # the status, two chunks, then the cut
    b.transport.before.clear()
    b.transport.log.clear()
    b.sync()
    chunks = [p for m, p in b.transport.log if m == "GET" and p.endswith("/content")]
    assert len(chunks) == 6 - 2  # resumed after the two chunks kept
    assert b.store.scalar(parts) == 0  # no parts left behind
    sha = hashlib.sha256(big).hexdigest()
    assert b.cases.attachment_data(sha) == big
    rows = b.store.query("SELECT file_name FROM attachments WHERE case_id = ?", (case_id,))
    assert [r["file_name"] for r in rows] == [name]

    # A row that refers to a file the server does not have yet: shown as missing, fetched
    # once it arrives.
    small = "调解笔录".encode() * 1000
    a.cases.add_attachment(a.user_id, case_id, "笔录.txt", small, kind="evidence")
    small_sha = hashlib.sha256(small).hexdigest()
    a.transport.before[:] = [fail_request("PUT", "/blobs/", times=100)]
    a.transport.before.append(fail_request("GET", f"/blobs/{small_sha}", times=100))
    with pytest.raises(SyncError):
        a.sync()
    a.transport.before.clear()
    # Push the row alone (as an older program without file upload would).
    from sync.client.engine import SyncEngine

    class RowsOnly(SyncEngine):
        def _upload(self, sha256: str, data: bytes) -> bool:
            return False

    RowsOnly(a.store, a.session).run()
    first = b.sync()
    assert first.files_not_on_server == 1
    assert b.cases.attachment_data(small_sha) is None
    assert sync_state.missing_blobs(b.store) == [small_sha]
    a.store.conn.execute("UPDATE outbox SET pushed_at = NULL WHERE table_name = 'attachments'")
    a.sync()  # the file goes up now (its row again: a no-op merge on the server)
    second = b.sync()
    assert second.downloaded_files == 1 and b.cases.attachment_data(small_sha) == small


def test_15_the_largest_attachment_goes_through_cut_both_ways(
    pair: tuple[Machine, Machine],
) -> None:
    """An attachment of the largest size the program takes (50 MB), in the default chunks,
    cut once on the way up and once on the way down, arrives byte for byte."""
    a, b = pair
    case_id = a.register_case()
    big = os.urandom(MAX_ATTACHMENT_BYTES)
    a.cases.add_attachment(a.user_id, case_id, "卷宗扫描件（全卷）📄.pdf", big, kind="evidence")
    chunks = -(-len(big) // MAX_BLOB_CHUNK)
    a.transport.before[:] = [fail_request("PUT", "/blobs/", skip=chunks // 2)]
    with pytest.raises(SyncError):
        a.sync()
    a.transport.before.clear()
    a.transport.log.clear()
    assert a.sync().uploaded_files == 1
    assert sum(1 for m, _p in a.transport.log if m == "PUT") == chunks - chunks // 2
    b.transport.before[:] = [fail_request("GET", "/blobs/", skip=chunks // 2)]
    with pytest.raises(SyncError):
        b.sync()
    b.transport.before.clear()
    assert b.sync().downloaded_files == 1
    assert b.cases.attachment_data(hashlib.sha256(big).hexdigest()) == big


def test_15_a_cut_download_of_a_file_deleted_meanwhile_leaves_no_parts(
    pair: tuple[Machine, Machine],
) -> None:
    """The parts of a download cut halfway are kept for resuming only while a record still
    needs the file: deleted on the other machine meanwhile, its parts go at the next sync."""
    a, b = pair
    a.settings["chunk_size"] = b.settings["chunk_size"] = 256 * 1024
    case_id = a.register_case()
    a.cases.add_attachment(a.user_id, case_id, "照片.jpg", os.urandom(1_000_000), kind="evidence")
    a.sync()
    b.transport.before[:] = [fail_request("GET", "/blobs/", skip=3)]
    with pytest.raises(SyncError):
        b.sync()
    assert b.store.scalar("SELECT count(*) FROM blob_downloads") == 2
    attachment = a.store.query("SELECT id FROM attachments WHERE case_id = ?", (case_id,))[0]
    a.delete("attachments", str(attachment["id"]))
    a.sync()
    b.transport.before.clear()
    b.sync()
    assert sync_state.missing_blobs(b.store) == []
    assert b.store.scalar("SELECT count(*) FROM blob_downloads") == 0


def test_14_big_first_sync_cut_halfway_resumes_not_restarts(
    machines: MakeMachine, clerk: Account
) -> None:
    a = machines(clerk, "a")
    a.sync()
    rows = 0
    for n in range(1000):
        if n % 200 == 199:  # at least 250 numbers are kept after each sync
            rows += a.pending()
            a.sync()
        a.register_case()
    rows += a.pending()
    assert rows >= 4000
    a.sync()
    b = machines(clerk, "b")
    b.settings["pull_page"] = 1000
    pulls_to_cut = rows // 1000 // 2
    b.transport.before[:] = [fail_request("GET", "/sync/pull", skip=pulls_to_cut + 1)]
    with pytest.raises(SyncError):
        b.sync()
    halfway = sync_state.pull_after(b.store)
    assert halfway > 0
    assert CaseQueries(b.store).count() > 0
    b.transport.before.clear()
    b.transport.log.clear()
    report = b.sync()
    pulls = sum(1 for m, p in b.transport.log if p == "/sync/pull")
    # Resumed at the checkpoint: about half the pages again, not all of them.
    assert pulls <= rows // 1000 - pulls_to_cut + 2
    assert report.pulled < rows
    assert CaseQueries(b.store).count() == 1000
    assert b.store.scalar("SELECT count(*) FROM parties WHERE deleted = 0") == 2000


def test_14_day_end_rush_every_office_at_once(
    database_url: str,
    tmp_path: Path,
    server: ServerProcess,
    engine: Engine,
    make_office: Callable[..., Office],
    make_user: Callable[..., Account],
) -> None:
    """Eight offices sync at the same moment against a server that lets two offices sync and
    two requests run at a time: everyone waits their turn as told, nobody fails, every
    office's cases are on the server once, and offices wait for each other."""
    with engine.begin() as conn:  # turns other tests' cut syncs left (they expire in 2 min)
        conn.execute(sa.delete(sync_turns))
    extra = ["--max-syncs", "2", "--max-active", "2", "--queue-timeout", "0.05"]
    with running_server(database_url, tmp_path, (*extra, *FAST_PASSWORD_HASHING)) as rush:
        offices: list[tuple[Machine, int]] = []
        try:
            for n in range(8):
                office = make_office()
                account: Account = make_user(Role.CLERK, office)
                machine = new_machine(tmp_path, f"office{n}", rush.base_url, account)
                machine.sync()  # the office's first-run setup goes up beforehand
                for _ in range(3):
                    machine.register_case()
                offices.append((machine, office.id))
            errors: list[BaseException] = []
            start = threading.Barrier(len(offices))

            def day_end(machine: Machine) -> None:
                start.wait()
                _catch(machine.sync, errors)

            threads = [threading.Thread(target=day_end, args=(m,)) for m, _ in offices]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(300)
            assert not errors, errors
            turns = 0
            for machine, office_id in offices:
                assert machine.pending() == 0
                turns += sum(
                    1 for m, p in machine.transport.log if (m, p) == ("POST", "/sync/turn")
                )
                with engine.connect() as conn:
                    cases = conn.execute(
                        sa.select(records.c.version).where(
                            records.c.office_id == office_id, records.c.table_name == "cases"
                        )
                    ).all()
                assert sorted(int(r[0]) for r in cases) == [1, 1, 1]
            assert turns > 2 * len(offices), "no office ever waited for its turn"
        finally:
            for machine, _ in offices:
                machine.close()


def test_join_cut_halfway_resumes_and_adopts_the_office(
    pair: tuple[Machine, Machine], machines: MakeMachine, clerk: Account
) -> None:
    a, _ = pair
    for _ in range(3):
        a.register_case()
    a.sync()
    c = machines(clerk, "c")
    c.settings["pull_page"] = 3
    c.transport.before[:] = [fail_request("GET", "/sync/pull", skip=3)]
    with pytest.raises(SyncError):
        c.sync()
    assert c.store.meta("office_id") is None  # the local setup is gone, the office not yet here
    c.transport.before.clear()
    report = c.sync()
    assert report.joined
    assert c.store.meta("office_id") == a.store.meta("office_id")
    assert CaseQueries(c.store).count() == 3
    assert c.register_case()

"""A day-end rush: the city server lets a few offices sync at a time (turns), admits a few
requests at a time and answers the others 503 ``server_busy`` with Retry-After. The desktop
waits as told and goes on, and nothing is lost (real server processes started with
``--max-syncs 1`` and ``--max-active 1``)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pydantic
import pytest
import requests
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from justice_desktop.store.queries import CaseQueries
from sync.client.engine import SyncCancelled
from sync.client.session import ServerSession, SyncError
from sync.client.tokens import MemoryTokenStore
from sync.protocol import Role, SyncTurn
from sync.server.db import sync_turns
from tests.sync.conftest import PASSWORD, Account, Office
from tests.sync.machines import Machine, new_machine
from tests.sync.server_process import FAST_PASSWORD_HASHING, ServerProcess, running_server


@pytest.fixture
def busy_server(
    database_url: str, tmp_path: Path, server: ServerProcess
) -> Iterator[ServerProcess]:
    """A second server process on the same database that runs one API request at a time and
    turns away a request that waited 50 ms (the session's server has migrated the database)."""
    extra = ["--max-active", "1", "--queue-timeout", "0.05", *FAST_PASSWORD_HASHING]
    with running_server(database_url, tmp_path, extra) as process:
        yield process


def _hold_the_slot(base_url: str, seconds: float) -> threading.Thread:
    """A request whose body trickles in for ``seconds``: it keeps the server's only slot."""

    def body() -> Iterator[bytes]:
        yield b'{"changes": ['
        time.sleep(seconds)
        yield b"]}"

    def send() -> None:
        requests.post(
            f"{base_url}/api/v1/sync/push",
            data=body(),
            headers={"X-Protocol-Version": "1", "Content-Type": "application/json"},
            timeout=30,
        )

    thread = threading.Thread(target=send)
    thread.start()
    time.sleep(0.5)  # the slow request is in
    return thread


def _statuses(machine: Machine) -> list[int]:
    seen: list[int] = []
    machine.transport.after.append(lambda _m, _p, response: seen.append(response.status_code))
    return seen


@pytest.fixture
def clerk(make_office: Callable[..., Office], make_user: Callable[..., Account]) -> Account:
    account: Account = make_user(Role.CLERK, make_office())
    return account


@pytest.fixture
def machine(busy_server: ServerProcess, tmp_path: Path, clerk: Account) -> Iterator[Machine]:
    """A desktop of the clerk's office, logged in to the busy server, with one case to send."""
    made = new_machine(tmp_path, "a", busy_server.base_url, clerk)
    made.register_case()
    yield made
    made.close()


def test_desktop_waits_its_turn_and_syncs_everything(
    busy_server: ServerProcess, machine: Machine, tmp_path: Path, clerk: Account
) -> None:
    seen = _statuses(machine)
    holder = _hold_the_slot(busy_server.base_url, 3.0)
    report = machine.sync()
    holder.join()
    assert 503 in seen, "the server never turned the desktop away"
    assert seen[-1] == 200
    assert report.pushed > 0 and machine.pending() == 0
    other = new_machine(tmp_path, "b", busy_server.base_url, clerk)
    try:
        other.sync()
        assert CaseQueries(other.store).count() == 1
    finally:
        other.close()


def test_cancel_while_waiting_for_a_busy_server(
    busy_server: ServerProcess, machine: Machine
) -> None:
    seen = _statuses(machine)
    phases: list[str] = []
    holder = _hold_the_slot(busy_server.base_url, 3.0)
    started = time.monotonic()
    with pytest.raises(SyncCancelled):
        machine.sync(
            progress=lambda p: phases.append(p.phase),
            cancelled=lambda: any("正忙" in p for p in phases),
        )
    assert time.monotonic() - started < 2.0  # not the whole Retry-After
    holder.join()
    assert seen == [503]
    assert machine.pending() > 0  # nothing was sent: it goes at the next sync


def test_a_login_at_a_busy_server_says_so_at_once(
    busy_server: ServerProcess, clerk: Account
) -> None:
    """Outside a sync nothing can cancel a wait: a login (from 设置, or the command line) is
    told at once that the server is busy, with when to come back, instead of hanging."""
    session = ServerSession(busy_server.base_url, MemoryTokenStore(), None)
    holder = _hold_the_slot(busy_server.base_url, 3.0)
    with pytest.raises(SyncError) as caught:
        session.login(clerk.username, PASSWORD)
    answered_while_busy = holder.is_alive()
    holder.join()
    assert answered_while_busy, "the login waited for the busy server"
    assert caught.value.code == "server_busy" and caught.value.retryable
    assert caught.value.retry_after is not None and caught.value.retry_after >= 1
    assert "正忙" in str(caught.value)
    session.login(clerk.username, PASSWORD)  # once the server is free, it works
    assert session.request("GET", "/me")["username"] == clerk.username


def test_giving_back_a_turn_is_never_turned_away(
    busy_server: ServerProcess, machine: Machine
) -> None:
    """A busy server still takes a turn back: turned away, the turn would keep one of the few
    sync places empty until it expires."""
    granted = SyncTurn.model_validate_json(
        machine.session.request_raw("POST", "/sync/turn").content
    )
    assert granted.granted
    holder = _hold_the_slot(busy_server.base_url, 3.0)
    given_back = machine.session.request_raw("DELETE", "/sync/turn")
    answered_while_busy = holder.is_alive()
    with pytest.raises(SyncError) as other_request:  # the limit holds for everything else
        machine.session.request_raw("GET", "/me")
    holder.join()
    assert answered_while_busy
    assert given_back.status_code in (200, 204)
    assert other_request.value.code == "server_busy"


@pytest.fixture
def one_at_a_time(
    database_url: str, tmp_path: Path, server: ServerProcess, engine: Engine
) -> Iterator[ServerProcess]:
    """A server process that lets one session sync at a time (no turn held when it starts)."""
    with engine.begin() as conn:
        conn.execute(sa.delete(sync_turns))
    extra = ["--max-syncs", "1", *FAST_PASSWORD_HASHING]
    logs = tmp_path / "turns"
    logs.mkdir()
    with running_server(database_url, logs, extra) as process:
        yield process


def test_second_office_waits_for_its_turn(
    one_at_a_time: ServerProcess,
    tmp_path: Path,
    clerk: Account,
    make_office: Callable[..., Office],
    make_user: Callable[..., Account],
) -> None:
    other_clerk: Account = make_user(Role.CLERK, make_office())
    first = new_machine(tmp_path, "first", one_at_a_time.base_url, clerk)
    second = new_machine(tmp_path, "second", one_at_a_time.base_url, other_clerk)
    try:
        second.register_case()
        held = first.session.request("POST", "/sync/turn")
        assert held["granted"] is True and held["limit"] == 1
        phases: list[str] = []
        release = threading.Timer(2.0, lambda: first.session.request_raw("DELETE", "/sync/turn"))
        release.start()
        started = time.monotonic()
        report = second.sync(progress=lambda p: phases.append(p.phase))
        release.join()
        assert time.monotonic() - started >= 1.5  # it waited for the first office's turn
        assert any("排队" in p for p in phases)
        assert report.pushed > 0 and second.pending() == 0
        # Its turn was given back: the first office gets one at once.
        assert first.session.request("POST", "/sync/turn")["granted"] is True
    finally:
        first.close()
        second.close()


def test_a_turn_not_given_back_expires(
    one_at_a_time: ServerProcess, tmp_path: Path, clerk: Account, engine: Engine
) -> None:
    first = new_machine(tmp_path, "first", one_at_a_time.base_url, clerk)
    second = new_machine(tmp_path, "second", one_at_a_time.base_url, clerk)
    try:
        assert first.session.request("POST", "/sync/turn")["granted"] is True
        refused = second.session.request("POST", "/sync/turn")
        assert refused["granted"] is False and refused["syncing"] == 1
        assert refused["retry_after"] > 0
        with engine.begin() as conn:  # the first PC was switched off mid-sync, long ago
            conn.execute(sa.update(sync_turns).values(expires_at=0))
        assert second.session.request("POST", "/sync/turn")["granted"] is True
    finally:
        first.close()
        second.close()


@pytest.mark.parametrize("wait", ["NaN", "Infinity", "-1", "86400"])
def test_a_turn_answer_with_an_impossible_wait_is_refused(wait: str) -> None:
    """A broken or hostile server cannot make the desktop ask without pause or sleep a day."""
    body = f'{{"granted": false, "retry_after": {wait}, "syncing": 8, "limit": 8}}'
    with pytest.raises(pydantic.ValidationError):
        SyncTurn.model_validate_json(body)

"""A day-end rush: the city server admits a few requests at a time and answers the others 503
``server_busy`` with Retry-After. The desktop waits as told and goes on, and nothing is lost
(a real server process started with ``--max-active 1``)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from justice_desktop.store.queries import CaseQueries
from sync.client.engine import SyncCancelled
from sync.protocol import Role
from tests.sync.conftest import Account, Office
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

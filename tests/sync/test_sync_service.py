"""The sync service the window and the command line call: a passing failure is tried again and
the engine goes on where it stopped; a failure that needs a person is not; the last result is
kept either way."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from justice_desktop.store import sync_state
from sync.client import service
from sync.client.engine import SyncProgress
from sync.client.session import SyncError
from sync.protocol import Role
from tests.sync.conftest import Account, Office
from tests.sync.machines import Machine, fail_request, new_machine
from tests.sync.server_process import ServerProcess


@pytest.fixture
def machine(
    tmp_path: Path,
    server: ServerProcess,
    make_office: Callable[..., Office],
    make_user: Callable[..., Account],
) -> Iterator[Machine]:
    account: Account = make_user(Role.CLERK, make_office())
    made = new_machine(tmp_path, "m", server.base_url, account)
    yield made
    made.close()


def _run(machine: Machine, **kwargs: object) -> object:
    return service.run_sync(
        machine.store,
        machine.session.token_store,
        http=machine.transport,
        sleep=lambda _s: None,
        **kwargs,  # type: ignore[arg-type]
    )


def test_a_dropped_connection_is_tried_again_and_resumes(machine: Machine) -> None:
    _run(machine)
    machine.register_case()
    machine.transport.before[:] = [fail_request("POST", "/sync/push", times=2)]
    seen: list[SyncProgress] = []
    _run(machine, progress=seen.append, attempts=3)
    assert machine.pending() == 0
    assert any("秒后继续" in p.phase for p in seen)
    assert (machine.store.meta(sync_state.LAST_RESULT_META) or "").startswith("同步完成")


def test_attempts_run_out_and_the_failure_is_kept(machine: Machine) -> None:
    _run(machine)
    machine.register_case()
    machine.transport.before[:] = [fail_request("POST", "/sync/push", times=10)]
    machine.transport.log.clear()
    with pytest.raises(SyncError) as raised:
        _run(machine, attempts=2)
    assert raised.value.retryable and machine.pending() > 0
    pushes = [p for m, p in machine.transport.log if p == "/sync/push"]
    assert pushes == []  # both attempts were cut before sending
    assert (machine.store.meta(sync_state.LAST_RESULT_META) or "").startswith("同步未完成")


def test_a_failure_that_needs_a_person_is_not_repeated(machine: Machine) -> None:
    machine.store.set_meta("demo_data", "1")
    with pytest.raises(SyncError, match="演示数据库"):
        _run(machine, attempts=3)
    machine.transport.log.clear()
    with pytest.raises(SyncError, match="演示数据库"):
        _run(machine, attempts=3)
    assert machine.transport.log == []  # refused before any request, and not repeated

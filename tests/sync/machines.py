"""Desktop machines for sync tests: real SQLCipher stores, each with its own ServerSession to the
real server process, and a transport whose requests a test can fail, cut or watch."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import requests

from justice_desktop.store.cases import CaseService
from justice_desktop.store.database import Store, create_store
from justice_desktop.store.keys import MemoryVault
from justice_desktop.store.office import OfficeSetup, committees, set_up_office, users
from justice_desktop.store.outbox import pending_count
from sync.client.engine import SyncEngine, SyncReport, sign_in
from sync.client.session import ServerSession
from sync.client.tokens import MemoryTokenStore
from tests.core.conftest import make_case_input
from tests.sync.conftest import PASSWORD, Account, random_address

Hook = Callable[[str, str, "requests.PreparedRequest"], None]
"""Called with (method, path, request) before a request is sent; may raise to fail it."""
After = Callable[[str, str, requests.Response], None]
"""Called with (method, path, response) after an answer arrived; may raise to lose it."""


class FaultyTransport(requests.Session):
    """A requests session whose requests can be watched, failed before sending or lost after
    the server handled them."""

    def __init__(self) -> None:
        super().__init__()
        self.headers["X-Forwarded-For"] = random_address()
        self.before: list[Hook] = []
        self.after: list[After] = []
        self.log: list[tuple[str, str]] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        method = str(request.method)
        path = str(request.path_url).split("?")[0].removeprefix("/api/v1")
        for hook in list(self.before):
            hook(method, path, request)
        response = super().send(request, **kwargs)
        self.log.append((method, path))
        for after in list(self.after):
            after(method, path, response)
        return response


def lose_response(method: str, path_prefix: str, times: int = 1) -> After:
    """The server handles the request; the answer never arrives (``times`` times)."""
    left = [times]

    def after(m: str, path: str, _response: requests.Response) -> None:
        if m == method and path.startswith(path_prefix) and left[0] > 0:
            left[0] -= 1
            raise requests.ConnectionError("connection cut after the server answered")

    return after


def fail_request(method: str, path_prefix: str, *, skip: int = 0, times: int = 1) -> Hook:
    """The request never reaches the server (after ``skip`` matching requests went through)."""
    seen = [0]

    def before(m: str, path: str, _request: requests.PreparedRequest) -> None:
        if m == method and path.startswith(path_prefix):
            seen[0] += 1
            if skip < seen[0] <= skip + times:
                raise requests.ConnectionError("connection cut before sending")

    return before


@dataclass
class Machine:
    name: str
    store: Store
    session: ServerSession
    transport: FaultyTransport
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def cases(self) -> CaseService:
        return CaseService(self.store)

    @property
    def user_id(self) -> str:
        return str(users(self.store)[0]["id"])

    @property
    def committee_id(self) -> str:
        return str(committees(self.store)[0]["id"])

    def engine(self, **kwargs: Any) -> SyncEngine:
        return SyncEngine(self.store, self.session, **{**self.settings, **kwargs})

    def sync(self, **kwargs: Any) -> SyncReport:
        verify = bool(kwargs.pop("verify", False))
        return self.engine(**kwargs).run(verify=verify)

    def register_case(self, **overrides: Any) -> str:
        values: dict[str, Any] = {"registered_on": date.today()}
        values.update(overrides)
        return self.cases.register(self.user_id, make_case_input(self.committee_id, **values))

    def update(self, table: str, record_id: str, values: dict[str, Any]) -> None:
        with self.store.tx(self.user_id) as tx:
            tx.update(table, record_id, values)

    def delete(self, table: str, record_id: str) -> None:
        with self.store.tx(self.user_id) as tx:
            tx.delete(table, record_id)

    def row(self, table: str, record_id: str) -> dict[str, Any]:
        rows = self.store.query(f"SELECT * FROM {table} WHERE id = ?", (record_id,))
        assert rows, f"{self.name} has no {table} {record_id}"
        return rows[0]

    def pending(self) -> int:
        return pending_count(self.store)

    def close(self) -> None:
        self.store.close()


def new_machine(
    tmp_path: Path,
    name: str,
    base_url: str,
    account: Account,
    *,
    clock: Callable[[], datetime] | None = None,
) -> Machine:
    """A machine set up by its first-run wizard, logged in to the server as ``account``."""
    kwargs: dict[str, Any] = {} if clock is None else {"clock": clock}
    store, _ = create_store(tmp_path / name, MemoryVault({}), **kwargs)
    set_up_office(store, OfficeSetup("城关司法所", "城关街道人民调解委员会", "津东城"))
    transport = FaultyTransport()
    session = ServerSession(base_url, MemoryTokenStore(), None, transport)
    sign_in(session, store, account.username, PASSWORD)
    return Machine(name, store, session, transport)

"""A code table the city bureau publishes in a newer version reaches every office's machine at
its next sync; records made with a code the new table no longer lists keep their label."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from justice_desktop.paths import resources_dir
from justice_desktop.store.code_tables import load_tables
from sync.protocol import Role
from sync.server import accounts
from sync.server.config import unix_now
from sync.server.db import make_engine, sqlite_url
from tests.sync.conftest import PASSWORD, Account
from tests.sync.machines import new_machine
from tests.sync.server_process import ServerProcess, running_server


@pytest.fixture
def published(tmp_path: Path) -> Path:
    shipped = json.loads((resources_dir() / "codes" / "dispute_types.json").read_text("utf-8"))
    newer = dict(shipped)
    newer["version"] = shipped["version"] + 1
    entries = [e for e in shipped["entries"] if e["code"] != "contract"]
    entries.append({"code": "city_finance", "label": "金融借贷"})
    newer["entries"] = entries
    folder = tmp_path / "central"
    folder.mkdir()
    (folder / "dispute_types.json").write_text(json.dumps(newer, ensure_ascii=False), "utf-8")
    return folder


@pytest.fixture
def city(
    tmp_path: Path, published: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[ServerProcess, Account]]:
    url = sqlite_url(tmp_path / "city.sqlite3")
    monkeypatch.setenv("JUSTICE_CITY_CODE_TABLES", str(published))
    with running_server(url, tmp_path) as server:
        engine = make_engine(url)
        office = accounts.create_office(engine, "城关司法所", "河东区", unix_now())
        user_id = accounts.create_user(
            engine,
            username="clerk",
            role=Role.CLERK,
            password=PASSWORD,
            now=unix_now(),
            office=str(office),
        )
        engine.dispose()
        yield server, Account(user_id, "clerk", Role.CLERK)


def test_published_table_replaces_the_shipped_one_at_the_next_sync(
    tmp_path: Path, city: tuple[ServerProcess, Account]
) -> None:
    server, account = city
    machine = new_machine(tmp_path, "m", server.base_url, account)
    try:
        before = load_tables(machine.store)["dispute_types"]
        assert before.has("contract") and not before.has("city_finance")
        machine.sync()
        after = load_tables(machine.store)["dispute_types"]
        assert after.version == before.version + 1
        assert after.label("city_finance") == "金融借贷"
        assert after.label("contract") == before.label("contract")  # older records still read
        # Unchanged tables are not fetched again (the server answers 304).
        statuses: list[int] = []
        machine.transport.after.append(
            lambda m, path, response: (
                statuses.append(response.status_code) if path == "/code-tables" else None
            )
        )
        machine.sync()
        assert statuses == [304]
        assert load_tables(machine.store)["dispute_types"].version == after.version
    finally:
        machine.close()

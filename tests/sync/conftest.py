"""Fixtures for the city server: a real server process per backend (SQLite file, PostgreSQL),
an engine on the same database for setting up accounts, and helpers to make offices and users.

Tests of one backend share its server; each test makes its own offices and users (unique
names) and sends its own client address, so the tests do not disturb each other's rate limits.

The shared servers run with ``--insecure-fast-password-hashing`` and :func:`make_user` hashes
with the same cheap parameters: argon2's deliberate cost (about 0.3-0.5 s of a core per hash or
check) otherwise dominates these tests. Production hashing is tested in tests/sync/test_auth.py.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import Engine

from sync.protocol import Role
from sync.server import accounts
from sync.server.config import unix_now
from sync.server.db import make_engine, sqlite_url
from sync.server.security import PasswordHashing
from tests.sync.server_process import (
    FAST_PASSWORD_HASHING,
    ServerProcess,
    fresh_pg_database,
    running_server,
)

PASSWORD = "correct-horse-1"
BACKENDS = ["sqlite", "postgresql"]
TEST_HASHING = PasswordHashing.INSECURE_FAST_FOR_TESTS


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "sqlite":
        yield sqlite_url(tmp_path_factory.mktemp("city-sqlite") / "city.sqlite3")
    else:
        with fresh_pg_database() as url:
            yield url


@pytest.fixture(scope="session")
def server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    logs = tmp_path_factory.mktemp("server-logs")
    # No limit on syncs at once: tests that cut connections leave turns behind (they expire
    # after two minutes); the turns have their own server in test_busy_server.py.
    extra = (*FAST_PASSWORD_HASHING, "--max-syncs", "0")
    with running_server(database_url, logs, extra) as process:
        yield process


@pytest.fixture(scope="session")
def engine(server: ServerProcess, database_url: str) -> Iterator[Engine]:
    """The server's database, migrated by the server at its start."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def random_address() -> str:
    part = uuid.uuid4().int
    return f"10.{part % 250}.{(part >> 8) % 250}.{(part >> 16) % 250 + 1}"


@dataclass(frozen=True)
class Office:
    id: int
    name: str
    district: str


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    role: Role
    password: str = PASSWORD


@pytest.fixture
def make_office(engine: Engine) -> Callable[..., Office]:
    def make(district: str | None = None) -> Office:
        name, district = unique("司法所"), district or unique("区")
        office_id = accounts.create_office(engine, name, district, unix_now())
        return Office(office_id, name, district)

    return make


@pytest.fixture
def make_user(engine: Engine) -> Callable[..., Account]:
    def make(role: Role, office: Office | None = None, district: str | None = None) -> Account:
        username = unique(role.value)
        user_id = accounts.create_user(
            engine,
            username=username,
            role=role,
            password=PASSWORD,
            now=unix_now(),
            office=None if office is None else str(office.id),
            district=district,
            hashing=TEST_HASHING,
        )
        return Account(user_id, username, role)

    return make


@pytest.fixture
def client(server: ServerProcess) -> Iterator[httpx.Client]:
    """A client of the shared server with an address of its own."""
    with server.client(random_address()) as client:
        yield client


def login(client: httpx.Client, account: Account, **extra: str) -> dict[str, str]:
    response = client.post(
        "/api/v1/auth/login",
        json={"username": account.username, "password": account.password, **extra},
    )
    assert response.status_code == 200, response.text
    tokens: dict[str, str] = response.json()
    return tokens


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def log_dir(tmp_path: Path) -> Path:
    return tmp_path

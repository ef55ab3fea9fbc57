"""Helpers of the sync benchmark: fresh PostgreSQL databases, real city-server processes on
127.0.0.1, fast account set-up, realistic case changes and a client that pushes and pulls as the
desktop program does.

The accounts are created with :mod:`sync.server.accounts` on the server's database. Hashing a
password (argon2id) costs about 0.2 s; every benchmark account has the same password, so
:func:`fast_accounts` hashes it once and reuses that hash (a valid argon2 hash: logging in
still verifies it at full cost on the server).
"""

from __future__ import annotations

import contextlib
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import psycopg
from sqlalchemy.engine import Engine

from sync.protocol import (
    MAX_PULL_LIMIT,
    MAX_PUSH_CHANGES,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    PullPage,
    PushResponse,
    Role,
)
from sync.server import accounts, security
from sync.server.config import unix_now

PG_HOST = "127.0.0.1"
PG_PORT = 5432
PG_USER = "postgres"
PASSWORD = "bench-password-1"
SERVER_SCRIPT = Path(sys.executable).with_name("justice-city-server")


def pg_url(database: str) -> str:
    return f"postgresql+psycopg://{PG_USER}@{PG_HOST}:{PG_PORT}/{database}"


def _admin() -> psycopg.Connection[Any]:
    conn = psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres")
    conn.autocommit = True
    return conn


@contextlib.contextmanager
def fresh_database() -> Iterator[str]:
    """A new, empty PostgreSQL database, dropped afterwards; yields its SQLAlchemy URL."""
    name = f"justice_bench_{uuid.uuid4().hex[:12]}"
    with _admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield pg_url(name)
    finally:
        with _admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _start(
    database_url: str, log_dir: Path, options: Sequence[str] = ()
) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    with (log_dir / f"server-{port}.log").open("wb") as sink:
        process = subprocess.Popen(
            [
                str(SERVER_SCRIPT),
                "serve",
                "--database-url",
                database_url,
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
                *options,
            ],
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    return process, f"http://127.0.0.1:{port}"


def _wait_ready(process: subprocess.Popen[bytes], base_url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            if httpx.get(f"{base_url}/api/v1/version", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError("the server did not answer within 60 s")


@contextlib.contextmanager
def running_servers(
    database_url: str,
    count: int,
    pids: list[int] | None = None,
    options: Sequence[str] = (),
) -> Iterator[list[str]]:
    """``count`` server processes on one database, started with the ``serve`` ``options``;
    yields their base URLs (and appends their process ids to ``pids``). The first one migrates
    the database before the others start."""
    processes: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory(prefix="sync-bench-") as logs:
        try:
            urls: list[str] = []
            for index in range(count):
                process, url = _start(database_url, Path(logs), options)
                processes.append(process)
                urls.append(url)
                if pids is not None:
                    pids.append(process.pid)
                if index == 0:
                    _wait_ready(process, url)
            for process, url in zip(processes, urls, strict=True):
                _wait_ready(process, url)
            yield urls
        finally:
            for process in processes:
                if process.poll() is None:
                    process.terminate()
            for process in processes:
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of the processes ``pids`` (Linux ``/proc``)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def postgres_pids() -> list[int]:
    """The running PostgreSQL processes (server and backends)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def postgres_cpu() -> dict[int, float]:
    """CPU seconds so far of every running PostgreSQL process, by process id."""
    return {pid: cpu_seconds([pid]) for pid in postgres_pids()}


def cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds spent between two :func:`postgres_cpu` snapshots by the processes alive at
    the second (a backend started in between counts from zero; one that ended is missed)."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def issue_tokens_directly(engine: Engine, account: OfficeAccount) -> str:
    """A login session of the account on its device, made in the database as a login would
    (no password hashing): returns the refresh token."""
    from sync.server.db import auth_sessions, users

    now = unix_now()
    with engine.begin() as conn:
        import sqlalchemy as sa

        user_id = conn.execute(
            sa.select(users.c.id).where(users.c.username == account.username)
        ).scalar_one()
        session_id = conn.execute(
            auth_sessions.insert().values(
                user_id=user_id, device_id=account.device_id, created_at=now, revoked_at=None
            )
        ).inserted_primary_key
        assert session_id is not None
        pair = accounts._issue_pair(conn, int(session_id[0]), now, accounts.TokenLifetimes())
    return pair.refresh_token


# ---------------------------------------------------------------------------------- accounts


@cache
def _password_hash() -> str:
    return security.hash_password(PASSWORD)


@contextlib.contextmanager
def fast_accounts() -> Iterator[None]:
    """Within the block, :func:`accounts.create_user` reuses one argon2 hash of
    :data:`PASSWORD` instead of hashing again for every user."""
    original = security.hash_password
    cached = _password_hash()

    def reuse(
        password: str, hashing: security.PasswordHashing = security.PasswordHashing.PRODUCTION
    ) -> str:
        if password == PASSWORD and hashing is security.PasswordHashing.PRODUCTION:
            return cached
        return original(password, hashing)

    security.hash_password = reuse
    try:
        yield
    finally:
        security.hash_password = original


@dataclass(frozen=True)
class OfficeAccount:
    office_id: int
    username: str
    device_id: str


def make_office_account(engine: Engine, devices: Callable[[OfficeAccount], None]) -> OfficeAccount:
    """A new office with one clerk and one registered device (``devices`` registers it)."""
    tag = uuid.uuid4().hex[:10]
    now = unix_now()
    office_id = accounts.create_office(engine, f"司法所-{tag}", f"区-{tag[:2]}", now)
    username = f"clerk-{tag}"
    with fast_accounts():
        accounts.create_user(
            engine,
            username=username,
            role=Role.CLERK,
            password=PASSWORD,
            now=now,
            office=str(office_id),
        )
    account = OfficeAccount(office_id, username, f"dev-{tag}")
    devices(account)
    return account


def register_devices_directly(engine: Engine) -> Callable[[OfficeAccount], None]:
    import sqlalchemy as sa

    from sync.server.db import devices, users

    def register(account: OfficeAccount) -> None:
        now = unix_now()
        with engine.begin() as conn:
            user_id = conn.execute(
                sa.select(users.c.id).where(users.c.username == account.username)
            ).scalar_one()
            conn.execute(
                devices.insert().values(
                    device_id=account.device_id,
                    office_id=account.office_id,
                    name="bench",
                    registered_by=user_id,
                    registered_at=now,
                    last_seen_at=now,
                )
            )

    return register


# ------------------------------------------------------------------------------------ changes

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英"
VILLAGES = ("东关村", "西湖村", "南岗村", "北庄村", "柳树屯", "杏花村", "河口村", "新华社区")
# codes of the desktop's code tables (a pulled case with an unknown code cannot be indexed)
DISPUTES = (
    "neighbourhood",
    "marriage_family",
    "contract",
    "labour_unpaid_wages",
    "housing_homestead",
    "damages",
    "property_management",
    "road_traffic",
)
SOURCES = ("applied", "proactive", "referred")
SUMMARY_WORDS = ("漏水", "宅基地", "赡养", "工资", "借款", "物业费", "噪声", "交通事故", "院墙")


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


def case_row(rng: random.Random, committee_id: str, seq: int) -> dict[str, Any]:
    """A realistic ``cases`` row of the desktop program (20 fields, no bookkeeping columns)."""
    year = 2026
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    applicant, respondent = _name(rng), _name(rng)
    word = rng.choice(SUMMARY_WORDS)
    return {
        "committee_id": committee_id,
        "year": year,
        "seq": seq,
        "case_number": f"（{year}）调字第{seq:05d}号",
        "status": rng.choice(("registered", "mediating", "closed")),
        "registered_on": f"{year}-{month:02d}-{day:02d}",
        "source": rng.choice(SOURCES),
        "referral_doc_no": "",
        "dispute_type": rng.choice(DISPUTES),
        "summary": f"{applicant}与{respondent}因{word}问题发生纠纷，双方多次协商未果，"
        f"申请人请求调解委员会依法调解。",
        "claims": '["请求对方赔偿损失", "请求对方停止侵害"]',
        "risk_level": rng.choice(("low", "low", "medium", "high")),
        "village": rng.choice(VILLAGES),
        "applicants": applicant,
        "respondents": respondent,
        "party_count": 2,
        "mediation_due_on": f"{year}-{month:02d}-{min(day + 15, 28):02d}",
        "amount_cents": rng.randint(0, 5_000_000),
        "difficult": 0,
        "private_hearing": 0,
    }


@dataclass
class OutboxWriter:
    """Makes outbox changes as the desktop program's ``Tx`` does: ``{field: [old, new]}``,
    idempotency key ``<device id>:<seq>``, the record's version before the change."""

    device_id: str
    rng: random.Random = field(default_factory=lambda: random.Random(7))
    seq: int = 0
    committee_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    rows: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)

    def _key(self) -> str:
        self.seq += 1
        return f"{self.device_id}:{self.seq}"

    def insert(self) -> dict[str, Any]:
        record_id = os.urandom(16).hex()
        row = case_row(self.rng, self.committee_id, len(self.rows) + 1)
        self.rows[record_id] = (1, row)
        return {
            "idempotency_key": self._key(),
            "table_name": "cases",
            "record_id": record_id,
            "op": "insert",
            "base_version": 0,
            "changes": {name: [None, value] for name, value in row.items()},
        }

    def update(self) -> dict[str, Any]:
        record_id = self.rng.choice(list(self.rows))
        version, row = self.rows[record_id]
        new_status = "closed" if row["status"] != "closed" else "mediating"
        changes = {
            "status": [row["status"], new_status],
            "summary": [row["summary"], row["summary"] + "经调解，双方达成一致。"],
            "risk_level": [row["risk_level"], "low"],
        }
        row = {**row, **{name: new for name, (_old, new) in changes.items()}}
        self.rows[record_id] = (version + 1, row)
        return {
            "idempotency_key": self._key(),
            "table_name": "cases",
            "record_id": record_id,
            "op": "update",
            "base_version": version,
            "changes": changes,
        }

    def changes(self, count: int, update_share: float = 0.2) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for _ in range(count):
            if self.rows and self.rng.random() < update_share:
                out.append(self.update())
            else:
                out.append(self.insert())
        return out


# ------------------------------------------------------------------------------------ client

PageCallback = Callable[[PullPage], None]


class SyncClient:
    """Logs in, pushes in batches of :data:`MAX_PUSH_CHANGES` and pulls page by page, as the
    desktop program does (JSON decoded into the protocol's pydantic models)."""

    def __init__(self, base_url: str, address: str | None = None, timeout: float = 120) -> None:
        headers = {PROTOCOL_HEADER: str(PROTOCOL_VERSION)}
        if address:
            headers["X-Forwarded-For"] = address
        # Plain HTTP on loopback: no TLS context (building one reads the CA bundle, ~25 ms of
        # CPU per client: 250 offices' worth was taken from the server on this shared machine).
        self.http = httpx.Client(base_url=base_url, headers=headers, timeout=timeout, verify=False)
        self.deferrals = 0
        """503 ``server_busy`` answers this client got (and retried after ``Retry-After``)."""
        self.served_seconds: list[float] = []
        """The duration of every answered attempt that was not a deferral."""

    def send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One request; a 503 is retried after its ``Retry-After`` (counted in ``deferrals``),
        any other error status raises."""
        while True:
            start = time.perf_counter()
            response = self.http.request(method, path, **kwargs)
            if response.status_code != 503:
                self.served_seconds.append(time.perf_counter() - start)
                response.raise_for_status()
                return response
            self.deferrals += 1
            time.sleep(float(response.headers.get("Retry-After", "1")))

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> SyncClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def refresh(self, refresh_token: str) -> None:
        response = self.send("POST", "/api/v1/auth/refresh", json={"refresh_token": refresh_token})
        self.http.headers["Authorization"] = f"Bearer {response.json()['access_token']}"

    def login(self, username: str, device_id: str | None = None) -> None:
        body: dict[str, Any] = {"username": username, "password": PASSWORD}
        if device_id:
            body["device_id"] = device_id
        response = self.send("POST", "/api/v1/auth/login", json=body)
        self.http.headers["Authorization"] = f"Bearer {response.json()['access_token']}"

    def push_batch(self, changes: list[dict[str, Any]] | bytes) -> PushResponse:
        """Push one batch: the changes, or the request body already encoded."""
        if isinstance(changes, bytes):
            response = self.send(
                "POST",
                "/api/v1/sync/push",
                content=changes,
                headers={"Content-Type": "application/json"},
            )
        else:
            response = self.send("POST", "/api/v1/sync/push", json={"changes": changes})
        return PushResponse.model_validate_json(response.content)

    def push(self, changes: list[dict[str, Any]]) -> list[PushResponse]:
        return [
            self.push_batch(changes[start : start + MAX_PUSH_CHANGES])
            for start in range(0, len(changes), MAX_PUSH_CHANGES)
        ]

    def pull_page(self, after: int, limit: int = MAX_PULL_LIMIT) -> PullPage:
        response = self.send("GET", "/api/v1/sync/pull", params={"after": after, "limit": limit})
        return PullPage.model_validate_json(response.content)

    def pull_all(
        self, after: int = 0, limit: int = MAX_PULL_LIMIT, on_page: PageCallback | None = None
    ) -> int:
        """Pull until ``has_more`` is false, handing every page to ``on_page`` (the desktop's
        apply step plugs in here); returns the number of records pulled."""
        total = 0
        while True:
            page = self.pull_page(after, limit)
            total += len(page.records)
            if on_page is not None:
                on_page(page)
            after = page.next_after
            if not page.has_more:
                return total

"""Real city-server processes for the tests: ``justice-city-server serve`` on 127.0.0.1 with a
free port, and fresh PostgreSQL databases."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
import pytest

PG_HOST = "127.0.0.1"
PG_PORT = 5432
PG_USER = "postgres"
SERVER_SCRIPT = Path(sys.executable).with_name("justice-city-server")
PROTOCOL_HEADERS = {"X-Protocol-Version": "1"}
FAST_PASSWORD_HASHING = ("--insecure-fast-password-hashing",)
"""``extra`` for a test server whose logins store and check cheap argon2 hashes (see
``sync.server.security.PasswordHashing``); accounts made by ``make_user`` (conftest) log in to it
without the cost of production hashing."""


def pg_url(database: str) -> str:
    return f"postgresql+psycopg://{PG_USER}@{PG_HOST}:{PG_PORT}/{database}"


def require_postgresql() -> None:
    """Fail (not skip) with a clear message when PostgreSQL is not there."""
    try:
        with psycopg.connect(
            host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", connect_timeout=5
        ):
            pass
    except psycopg.Error as exc:
        pytest.fail(
            f"PostgreSQL is not reachable at {PG_HOST}:{PG_PORT} as user {PG_USER} (trust auth). "
            "The city server's tests run against it: start it with `make pg` "
            f"(or `service postgresql start`). Error: {exc}",
            pytrace=False,
        )


@contextlib.contextmanager
def fresh_pg_database() -> Iterator[str]:
    """A new, empty database with a random name, dropped afterwards; yields its URL."""
    require_postgresql()
    name = f"justice_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres") as admin:
        admin.autocommit = True
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield pg_url(name)
    finally:
        with psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres") as admin:
            admin.autocommit = True
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class ServerProcess:
    process: subprocess.Popen[bytes]
    base_url: str
    log: Path

    def client(self, address: str | None = None) -> httpx.Client:
        """A client speaking the current protocol; ``address`` is sent as X-Forwarded-For (the
        server trusts it from 127.0.0.1, as behind a reverse proxy)."""
        headers = dict(PROTOCOL_HEADERS)
        if address:
            headers["X-Forwarded-For"] = address
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=30)

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def start_server(database_url: str, log_dir: Path, extra: Sequence[str] = ()) -> ServerProcess:
    port = free_port()
    log = log_dir / f"server-{port}.log"
    with log.open("wb") as sink:
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
                *extra,
            ],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONWARNINGS": "error"},
        )
    server = ServerProcess(process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited with {process.returncode}:\n{server.output()}")
        try:
            if httpx.get(f"{server.base_url}/api/v1/version", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    stop_server(server)
    raise AssertionError(f"the server did not answer within 60 s:\n{server.output()}")


def stop_server(server: ServerProcess) -> None:
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


@contextlib.contextmanager
def running_server(
    database_url: str, log_dir: Path, extra: Sequence[str] = ()
) -> Iterator[ServerProcess]:
    server = start_server(database_url, log_dir, extra)
    try:
        yield server
    finally:
        stop_server(server)

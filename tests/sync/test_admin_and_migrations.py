"""The admin command (a real ``justice-city-server`` process), schema migrations keeping an
existing database's data, and a database from a newer server left untouched."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path

import pytest
import sqlalchemy as sa

from sync.server import security
from sync.server.db import make_engine, sqlite_url
from sync.server.migrate import current_revision, head_revision, upgrade
from tests.sync.server_process import (
    SERVER_SCRIPT,
    ServerProcess,
    fresh_pg_database,
    running_server,
    start_server,
    stop_server,
)


def admin(
    database_url: str, *args: str, password: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SERVER_SCRIPT), "admin", *args, "--database-url", database_url],
        input=None if password is None else password + "\n",
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield sqlite_url(tmp_path / "city.sqlite3")
    else:
        with fresh_pg_database() as url:
            yield url


def test_admin_commands(empty_database: str, tmp_path: Path) -> None:
    made = admin(empty_database, "create-office", "--name", "城关司法所", "--district", "城关区")
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip() == "已新建司法所“城关司法所”（编号 1，城关区）"
    duplicate = admin(
        empty_database, "create-office", "--name", "城关司法所", "--district", "城关区"
    )
    assert duplicate.returncode == 1
    assert "已有名为“城关司法所”的司法所" in duplicate.stderr

    user = admin(
        empty_database,
        "create-user",
        "--office",
        "城关司法所",
        "--name",
        "zhangsan",
        "--full-name",
        "张三",
        "--role",
        "head",
        "--password-stdin",
        password="first-pass-1",
    )
    assert user.returncode == 0, user.stderr
    assert "已新建账号“zhangsan”" in user.stdout
    assert "司法所所长" in user.stdout
    district = admin(
        empty_database,
        "create-user",
        "--district",
        "城关区",
        "--name",
        "quju",
        "--role",
        "district",
        "--password-stdin",
        password="district-pass",
    )
    assert district.returncode == 0, district.stderr
    short = admin(
        empty_database,
        "create-user",
        "--office",
        "1",
        "--name",
        "lisi",
        "--role",
        "clerk",
        "--password-stdin",
        password="short",
    )
    assert short.returncode == 1
    assert "密码至少需要 8 个字符" in short.stderr
    no_office = admin(
        empty_database,
        "create-user",
        "--name",
        "wangwu",
        "--role",
        "clerk",
        "--password-stdin",
        password="long-enough-1",
    )
    assert no_office.returncode == 1
    assert "必须指定所属司法所" in no_office.stderr

    listing = admin(empty_database, "list")
    assert listing.returncode == 0, listing.stderr
    assert "城关司法所\t城关区" in listing.stdout
    assert "zhangsan\t张三\t司法所所长\t城关司法所" in listing.stdout
    assert "quju\tquju\t区县司法局\t城关区" in listing.stdout
    assert "lisi" not in listing.stdout

    with running_server(empty_database, tmp_path) as server, server.client() as client:

        def status(password: str) -> int:
            body = {"username": "zhangsan", "password": password}
            return client.post("/api/v1/auth/login", json=body).status_code

        assert status("first-pass-1") == 200
        reset = admin(
            empty_database,
            "reset-password",
            "--name",
            "zhangsan",
            "--password-stdin",
            password="second-pass-2",
        )
        assert reset.returncode == 0, reset.stderr
        assert "已重设“zhangsan”的密码" in reset.stdout
        assert status("first-pass-1") == 401
        assert status("second-pass-2") == 200
    missing = admin(
        empty_database,
        "reset-password",
        "--name",
        "nobody",
        "--password-stdin",
        password="whatever-123",
    )
    assert missing.returncode == 1
    assert "找不到用户“nobody”" in missing.stderr


def test_runs_without_setup_in_the_user_data_folder(tmp_path: Path) -> None:
    """No --database-url and no --data-dir: an SQLite file in the user data folder."""
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path)}
    env.pop("JUSTICE_CITY_DATABASE_URL", None)
    result = subprocess.run(
        [str(SERVER_SCRIPT), "admin", "create-office", "--name", "甲所", "--district", "甲区"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    database = tmp_path / "justice-city-server" / "city-server.sqlite3"
    assert database.exists()
    assert current_revision(make_engine(sqlite_url(database))) == head_revision()


def test_migrations_keep_an_existing_databases_data(empty_database: str, tmp_path: Path) -> None:
    """A database made by the first schema revision, with an office and a user in it, is
    migrated by the server at start; the user logs in and everything is still there."""
    engine = make_engine(empty_database)
    upgrade(engine, "0001")
    assert current_revision(engine) == "0001"
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO offices (id, name, district, created_at) VALUES (5, '老所', '老区', 1)"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO users (username, full_name, role, office_id, district, password_hash,"
                " active, created_at) VALUES ('old', '老用户', 'clerk', 5, NULL, :hash, :active, 1)"
            ),
            {"hash": security.hash_password("old-password"), "active": True},
        )
    with running_server(empty_database, tmp_path) as server, server.client() as client:
        tokens = client.post(
            "/api/v1/auth/login", json={"username": "old", "password": "old-password"}
        )
        assert tokens.status_code == 200, tokens.text
        me = client.get(
            "/api/v1/me", headers={"Authorization": f"Bearer {tokens.json()['access_token']}"}
        )
        assert me.json()["full_name"] == "老用户"
        assert me.json()["office"] == {"id": 5, "name": "老所", "district": "老区"}
    assert current_revision(engine) == head_revision()
    upgrade(engine)  # again: nothing to do, nothing lost
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT name FROM offices")).scalars().all() == ["老所"]
    engine.dispose()


def test_a_database_from_a_newer_server_is_left_alone(empty_database: str) -> None:
    engine = make_engine(empty_database)
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(
            sa.text("INSERT INTO offices (name, district, created_at) VALUES ('甲所', '甲区', 1)")
        )
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    result = admin(empty_database, "list")
    assert result.returncode == 2
    assert "比本服务器程序新，请先更新市局服务器程序" in result.stderr
    served = subprocess.run(
        [str(SERVER_SCRIPT), "serve", "--database-url", empty_database, "--port", "1"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert served.returncode == 2
    with engine.connect() as conn:
        assert (
            conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one() == "9999"
        )
        assert conn.execute(sa.text("SELECT name FROM offices")).scalars().all() == ["甲所"]
    engine.dispose()


def test_unreachable_database_is_reported(tmp_path: Path) -> None:
    result = admin("postgresql+psycopg://postgres@127.0.0.1:1/none", "list")
    assert result.returncode == 2
    assert "无法打开数据库" in result.stderr


def test_module_entry_point_matches_the_script() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sync.server", "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0
    assert "司法所市局同步服务器" in result.stdout


def test_two_server_processes_share_one_postgresql_database(tmp_path: Path) -> None:
    """Statelessness: both processes start on a fresh database at once (one migrates, the other
    waits for it), then a login on one works on the other, logout and rate limits count on both."""
    with fresh_pg_database() as url, ThreadPoolExecutor(2) as pool:
        starting = [pool.submit(start_server, url, tmp_path) for _ in range(2)]
        wait(starting)
        servers = [future.result() for future in starting if future.exception() is None]
        try:
            assert len(servers) == 2, [future.exception() for future in starting]
            _exercise_two_servers(url, servers[0], servers[1])
        finally:
            for server in servers:
                stop_server(server)


def _exercise_two_servers(url: str, a: ServerProcess, b: ServerProcess) -> None:
    assert admin(url, "create-office", "--name", "甲所", "--district", "甲区").returncode == 0
    assert (
        admin(
            url,
            "create-user",
            "--office",
            "甲所",
            "--name",
            "clerk",
            "--role",
            "clerk",
            "--password-stdin",
            password="shared-pass-1",
        ).returncode
        == 0
    )
    with a.client("10.9.9.1") as on_a, b.client("10.9.9.2") as on_b:
        body = {"username": "clerk", "password": "shared-pass-1"}
        tokens = on_a.post("/api/v1/auth/login", json=body).json()
        auth = {"Authorization": f"Bearer {tokens['access_token']}"}
        assert on_b.get("/api/v1/me", headers=auth).json()["username"] == "clerk"
        renewed = on_b.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
        assert renewed.status_code == 200
        new_auth = {"Authorization": f"Bearer {renewed.json()['access_token']}"}
        assert on_a.get("/api/v1/me", headers=new_auth).status_code == 200
        assert on_a.post("/api/v1/auth/logout", headers=new_auth).status_code == 204
        assert on_b.get("/api/v1/me", headers=new_auth).status_code == 401
        assert on_b.get("/api/v1/me", headers=auth).status_code == 401

        wrong = {"username": "clerk", "password": "wrong-pass"}
        for client in (on_a, on_b, on_a, on_b, on_a):  # five failures, spread over both
            assert client.post("/api/v1/auth/login", json=wrong).status_code == 401
        for client in (on_a, on_b):
            assert client.post("/api/v1/auth/login", json=body).status_code == 429

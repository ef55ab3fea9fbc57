"""``justice-desktop sync`` as a scheduled task runs it: separate processes, a real encrypted
database, tokens in a (file) keyring, a real server process — and a sync killed with SIGKILL in
the middle, restarted, finishing with nothing lost or doubled."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sync.protocol import Role
from sync.server import accounts
from sync.server.config import unix_now
from sync.server.db import applied_changes, make_engine, records, sqlite_url
from tests.sync.server_process import ServerProcess, free_port, running_server

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct-horse-1"

REGISTER = """
import sys
from datetime import date
from pathlib import Path
from justice_desktop.store.cases import CaseService
from justice_desktop.store.office import committees, users
from justice_desktop.store.session import open_existing
from tests.core.conftest import make_case_input

store = open_existing(Path(sys.argv[1]))
cases = CaseService(store)
user, committee = users(store)[0]["id"], committees(store)[0]["id"]
for n in range(int(sys.argv[2])):
    cases.register(user, make_case_input(committee, registered_on=date.today(), summary=f"第{n}件"))
print(store.scalar("SELECT count(*) FROM outbox WHERE pushed_at IS NULL"))
store.close()
"""


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServerProcess, Engine]]:
    url = sqlite_url(tmp_path_factory.mktemp("city") / "city.sqlite3")
    with running_server(url, tmp_path_factory.mktemp("logs")) as server:
        engine = make_engine(url)
        yield server, engine
        engine.dispose()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PYTHON_KEYRING_BACKEND": "tests.support.file_keyring.FileKeyring",
        "TEST_KEYRING_FILE": str(tmp_path / "keyring.json"),
        "JUSTICE_DATA_DIR": str(tmp_path / "default-data"),
    }


def desktop(
    env: dict[str, str], *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ui.launcher", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        input=stdin,
        timeout=300,
    )


def _office_account(engine: Engine, tag: str) -> str:
    office = accounts.create_office(engine, f"城关司法所{tag}", "河东区", unix_now())
    username = f"clerk-{tag}"
    accounts.create_user(
        engine,
        username=username,
        role=Role.CLERK,
        password=PASSWORD,
        now=unix_now(),
        office=str(office),
    )
    return username


def _office_of(engine: Engine, username: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                sa.text("SELECT office_id FROM users WHERE username = :u"), {"u": username}
            ).scalar_one()
        )


def _applied(engine: Engine, office_id: int) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                sa.select(sa.func.count())
                .select_from(applied_changes)
                .where(applied_changes.c.office_id == office_id)
            ).scalar_one()
        )


def _init(env: dict[str, str], data: Path) -> None:
    r = desktop(
        env,
        "--data-dir",
        str(data),
        "init",
        "--office",
        "城关司法所",
        "--committee",
        "城关街道人民调解委员会",
        "--prefix",
        "津东城",
    )
    assert r.returncode == 0, r.stderr


def _register(env: dict[str, str], data: Path, count: int) -> int:
    r = subprocess.run(
        [sys.executable, "-c", REGISTER, str(data), str(count)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    return int(r.stdout.strip())


def test_login_sync_status_and_errors(
    tmp_path: Path, env: dict[str, str], city: tuple[ServerProcess, Engine]
) -> None:
    server, engine = city
    user = _office_account(engine, "cli")
    data = tmp_path / "office"
    d = ["sync", "--data-dir", str(data)]
    _init(env, data)
    # Not logged in yet: a clear message, and the exit code says a person is needed.
    r = desktop(env, *d)
    assert r.returncode == 1 and "尚未设置市局服务器" in r.stderr
    r = desktop(
        env,
        *d,
        "login",
        "--server",
        server.base_url,
        "--user",
        user,
        "--password-stdin",
        stdin="wrong\n",
    )
    assert r.returncode == 1 and "用户名或密码" in r.stderr, r.stderr
    r = desktop(
        env,
        *d,
        "login",
        "--server",
        server.base_url,
        "--user",
        user,
        "--password-stdin",
        stdin=f"{PASSWORD}\n",
    )
    assert r.returncode == 0 and "已登录" in r.stdout, r.stderr
    pending = _register(env, data, 3)
    r = desktop(env, *d)
    assert r.returncode == 0, r.stderr
    assert "同步完成" in r.stdout and f"上传 {pending} 条" in r.stdout, r.stdout
    r = desktop(env, *d, "status")
    assert "待同步：0 条" in r.stdout and "上次同步：20" in r.stdout
    r = desktop(env, "sync", "status", "--data-dir", str(data))  # the folder after the operation
    assert r.returncode == 0 and "待同步：0 条" in r.stdout, r.stderr
    # A malformed address is refused before any network, in Chinese (it crashed, or went to
    # the network and came back as "try again later"); the login made above stays.
    for bad in ("https://[::1", "http://", "https://sfj.example.gov.cn:99999"):
        r = desktop(
            env, *d, "login", "--server", bad, "--user", user, "--password-stdin", stdin="x\n"
        )
        assert r.returncode == 1 and "服务器地址不正确" in r.stderr, (bad, r.stderr)
        assert "Traceback" not in r.stderr
    r = desktop(env, *d, "status")
    assert server.base_url in r.stdout, r.stdout
    # A server that cannot be reached: exit code 3 (try again later), nothing changed.
    _register(env, data, 1)
    closed = f"http://127.0.0.1:{free_port()}"
    r = desktop(
        env, *d, "login", "--server", closed, "--user", user, "--password-stdin", stdin="x\n"
    )
    assert r.returncode == 3 and "无法连接市局服务器" in r.stderr, r.stderr
    r = desktop(env, *d, "logout")
    assert r.returncode == 0
    r = desktop(env, *d)
    assert r.returncode == 1 and "登录" in r.stderr
    r = desktop(env, *d, "status")
    assert "待同步：" in r.stdout and "待同步：0 条" not in r.stdout


def test_sigkill_mid_sync_then_restart_loses_and_doubles_nothing(
    tmp_path: Path, env: dict[str, str], city: tuple[ServerProcess, Engine]
) -> None:
    server, engine = city
    user = _office_account(engine, "kill")
    data = tmp_path / "office"
    d = ["sync", "--data-dir", str(data)]
    _init(env, data)
    r = desktop(
        env,
        *d,
        "login",
        "--server",
        server.base_url,
        "--user",
        user,
        "--password-stdin",
        stdin=f"{PASSWORD}\n",
    )
    assert r.returncode == 0, r.stderr
    outbox = _register(env, data, 400)
    assert outbox > 1500
    office_id = _office_of(engine, user)
    kills = 0
    for _ in range(3):
        # killed as soon as the server holds one more batch (500) than when this run began;
        # only while a whole batch follows the kill point, so the kill lands mid-push (with
        # just the last 103 changes left, they were applied before SIGKILL arrived)
        start = _applied(engine, office_id)
        if outbox - start <= 1000:
            break
        proc = subprocess.Popen(
            [sys.executable, "-m", "ui.launcher", *d],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline:
            if _applied(engine, office_id) > start:
                proc.send_signal(signal.SIGKILL)
                break
            time.sleep(0.01)
        proc.wait(30)
        if proc.returncode == -signal.SIGKILL:
            kills += 1
            assert _applied(engine, office_id) < outbox  # killed in the middle
    assert kills >= 2
    r = desktop(env, *d, "--verify")
    assert r.returncode == 0, r.stderr
    r = desktop(env, *d, "--verify")
    assert r.returncode == 0 and "校验修复" not in r.stdout, r.stdout + r.stderr
    with engine.connect() as conn:
        on_server = conn.execute(
            sa.select(sa.func.count()).select_from(records).where(records.c.office_id == office_id)
        ).scalar()
        cases = conn.execute(
            sa.select(sa.func.count())
            .select_from(records)
            .where(records.c.office_id == office_id, records.c.table_name == "cases")
        ).scalar()
    assert cases == 400
    # Every outbox entry applied exactly once (the setup's entries included), none doubled.
    assert _applied(engine, office_id) == outbox
    r = desktop(env, *d, "status")
    assert "待同步：0 条" in r.stdout
    assert on_server is not None and on_server > 400


def test_damaged_database_is_reported_and_nothing_is_wiped(
    tmp_path: Path, env: dict[str, str], city: tuple[ServerProcess, Engine]
) -> None:
    server, engine = city
    user = _office_account(engine, "damaged")
    data = tmp_path / "office"
    d = ["sync", "--data-dir", str(data)]
    _init(env, data)
    r = desktop(
        env,
        *d,
        "login",
        "--server",
        server.base_url,
        "--user",
        user,
        "--password-stdin",
        stdin=f"{PASSWORD}\n",
    )
    assert r.returncode == 0, r.stderr
    _register(env, data, 2)
    db = data / "justice.db"
    raw = bytearray(db.read_bytes())
    raw[:4096] = bytes(4096)  # the first page (its encryption salt) destroyed
    db.write_bytes(bytes(raw))
    r = desktop(env, *d)
    assert r.returncode == 1 and "数据库文件已损坏" in r.stderr, r.stderr
    assert db.read_bytes() == bytes(raw)  # untouched: nothing wiped, nothing rewritten
    assert _applied(engine, _office_of(engine, user)) == 0

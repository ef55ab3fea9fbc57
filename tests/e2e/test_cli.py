"""The command line as a user runs it: separate processes, a real encrypted database folder."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PYTHON_KEYRING_BACKEND": "tests.support.file_keyring.FileKeyring",
        "TEST_KEYRING_FILE": str(tmp_path / "keyring.json"),
        "JUSTICE_DATA_DIR": str(tmp_path / "default-data"),
    }


def run(
    env: dict[str, str], *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "justice_desktop.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        input=stdin,
        timeout=300,
    )


def test_init_demo_data_search_backup_restore_check(tmp_path: Path, env: dict[str, str]) -> None:
    data = tmp_path / "office"
    d = ["--data-dir", str(data)]
    r = run(
        env,
        *d,
        "init",
        "--office",
        "城关司法所",
        "--committee",
        "城关街道人民调解委员会",
        "--prefix",
        "津东城",
    )
    assert r.returncode == 0, r.stderr
    recovery = re.search(r"([0-9A-Z]{4}(?:-[0-9A-Z]{4}){13})", r.stdout)
    assert recovery, r.stdout
    assert "只显示这一次" in r.stdout
    assert not (data / "demo.key").exists()

    r = run(env, *d, "init", "--office", "x", "--committee", "y", "--prefix", "z")
    assert r.returncode == 1 and "不会覆盖" in r.stderr

    r = run(env, *d, "demo-data", "--cases", "300", "--seed", "7")
    assert r.returncode == 0, r.stderr
    assert "案件" in r.stdout

    r = run(env, *d, "search", "人调字第12号")
    assert r.returncode == 0, r.stderr
    assert "人调字第12号" in r.stdout
    r = run(env, *d, "search", "张")
    assert r.returncode == 0 and "[案件]" in r.stdout
    # the options may also follow the command, as the README's "every command takes" reads
    r = run(env, "search", *d, "张")
    assert r.returncode == 0 and "[案件]" in r.stdout, r.stderr
    r = run(env, "blocks", "list", *d)
    assert r.returncode == 0, r.stderr
    assert not re.search(r"\d{17}[\dX]", r.stdout), "search output masks ID numbers"

    r = run(env, *d, "check")
    assert r.returncode == 0 and "通过" in r.stdout, r.stdout + r.stderr

    r = run(env, *d, "backup")
    assert r.returncode == 0 and "已备份到" in r.stdout
    r = run(env, *d, "restore")
    assert r.returncode == 0 and "justice-" in r.stdout
    backup_name = r.stdout.splitlines()[1].strip()
    r = run(env, *d, "restore", backup_name)
    assert r.returncode == 0, r.stderr
    assert "原数据库文件已保留为" in r.stdout

    # the keyring entry is lost: a clear message, then the recovery key opens the database
    Path(env["TEST_KEYRING_FILE"]).unlink()
    r = run(env, *d, "check")
    assert r.returncode == 1 and "恢复密钥" in r.stderr
    r = run(env, *d, "check", "--recovery-key", stdin="")  # nothing typed: no traceback
    assert r.returncode == 1 and "没有读到恢复密钥" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr
    r = run(env, *d, "--recovery-key", "check", stdin=recovery.group(1) + "\n")
    assert r.returncode == 0, r.stderr
    r = run(env, *d, "check")
    assert r.returncode == 0, "the recovered key was put back into the keyring"


def test_blocks_command(tmp_path: Path, env: dict[str, str]) -> None:
    d = ["--data-dir", str(tmp_path / "o")]
    assert (
        run(
            env, *d, "init", "--office", "所", "--committee", "东村调委会", "--prefix", "津东"
        ).returncode
        == 0
    )
    r = run(
        env,
        *d,
        "blocks",
        "add",
        "--committee",
        "东村调委会",
        "--year",
        "2025",
        "--first",
        "501",
        "--last",
        "600",
    )
    assert r.returncode == 0 and "501" in r.stdout, r.stderr
    r = run(
        env,
        *d,
        "blocks",
        "add",
        "--committee",
        "东村调委会",
        "--year",
        "2025",
        "--first",
        "550",
        "--last",
        "700",
    )
    assert r.returncode == 1 and "重叠" in r.stderr
    r = run(
        env,
        *d,
        "blocks",
        "add",
        "--committee",
        "不存在",
        "--year",
        "2025",
        "--first",
        "1",
        "--last",
        "2",
    )
    assert r.returncode == 1 and "没有名为" in r.stderr


def test_missing_database_and_no_keyring(tmp_path: Path, env: dict[str, str]) -> None:
    r = run(env, "--data-dir", str(tmp_path / "none"), "check")
    assert r.returncode == 1 and "justice-desktop init" in r.stderr
    no_keyring = {**env, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    r = run(
        no_keyring,
        "--data-dir",
        str(tmp_path / "x"),
        "init",
        "--office",
        "所",
        "--committee",
        "会",
        "--prefix",
        "津",
    )
    assert r.returncode == 1 and "密钥环" in r.stderr
    assert "Traceback" not in r.stderr
    assert not (tmp_path / "x" / "justice.db").exists()

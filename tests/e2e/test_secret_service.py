"""The real keyring path on a Linux desktop: GNOME Keyring's Secret Service on a private D-Bus
session (what UOS, Kylin and Ubuntu offer), no test backend."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
set -e
printf unlock-pass | gnome-keyring-daemon --unlock --components=secrets >/dev/null
"$PY" -c "import keyring; print(type(keyring.get_keyring()).__module__)"
"$PY" -m justice_desktop.cli --data-dir "$DATA" init --office 城关司法所 --committee 城关调委会 --prefix 津东城
"$PY" -m justice_desktop.cli --data-dir "$DATA" check
"""


@pytest.mark.skipif(
    shutil.which("dbus-run-session") is None or shutil.which("gnome-keyring-daemon") is None,
    reason="make test installs dbus and gnome-keyring",
)
def test_key_lives_in_the_secret_service(tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTHON_KEYRING_BACKEND", "DBUS_SESSION_BUS_ADDRESS"}
    }
    env.update(
        PY=sys.executable, DATA=str(tmp_path / "office"), PYTHONPATH=str(ROOT), HOME=str(tmp_path)
    )
    r = subprocess.run(
        ["dbus-run-session", "--", "bash", "-c", SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "keyring.backends.SecretService" in r.stdout
    assert "恢复密钥" in r.stdout and "完整性检查通过" in r.stdout
    files = {p.name for p in (tmp_path / "office").iterdir()}
    assert files <= {"justice.db", "justice.db-wal", "justice.db-shm", "store.json", "backups"}, (
        files
    )
    assert "key_check" in (tmp_path / "office" / "store.json").read_text()

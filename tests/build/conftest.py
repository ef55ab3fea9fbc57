"""The one-folder bundle of the desktop program, built once per test session.

``bundle_dir`` is the folder PyInstaller makes from the checked-in spec
(``build_spec/justice_desktop.spec``): it holds the executable ``justice-desktop``
(``justice-desktop.exe`` on Windows) and ``_internal/``. The build takes about half a minute;
every test of ``tests/build/`` (the bundle, the .deb, the installer) shares it.

``clean_env`` is the environment a clerk's PC gives the program: no virtual environment, no
PYTHONPATH, a home folder of its own, Qt drawing offscreen.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "build_spec" / "justice_desktop.spec"
BUNDLE_NAME = "justice-desktop"
BUILD_TIMEOUT_S = 900


def bundle_executable(bundle: Path) -> Path:
    return bundle / (BUNDLE_NAME + (".exe" if sys.platform == "win32" else ""))


@pytest.fixture(scope="session")
def bundle_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Path of a one-folder bundle built with the checked-in spec (once per session)."""
    out = tmp_path_factory.mktemp("bundle")
    pyinstaller = Path(sys.executable).with_name("pyinstaller")
    command = [
        str(pyinstaller) if pyinstaller.exists() else sys.executable,
        *([] if pyinstaller.exists() else ["-m", "PyInstaller"]),
        "--noconfirm",
        "--log-level",
        "WARN",
        "--distpath",
        str(out / "dist"),
        "--workpath",
        str(out / "work"),
        str(SPEC),
    ]
    env = {k: v for k, v in os.environ.items() if k != "PYTHON_KEYRING_BACKEND"}
    done = subprocess.run(
        command,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_S,
        check=False,
    )
    assert done.returncode == 0, (
        f"PyInstaller failed:\n{done.stdout[-4000:]}\n{done.stderr[-8000:]}"
    )
    bundle = out / "dist" / BUNDLE_NAME
    assert bundle_executable(bundle).is_file(), sorted(p.name for p in bundle.iterdir())
    yield bundle


@pytest.fixture
def clean_env(tmp_path: Path) -> dict[str, str]:
    """A minimal environment: no venv, no PYTHONPATH, a fresh HOME, offscreen Qt."""
    home = tmp_path / "home"
    home.mkdir()
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_CONFIG_HOME": str(home / ".config"),
    }
    if sys.platform == "win32":  # Windows needs its system folders to start anything
        for name in (
            "SYSTEMROOT",
            "WINDIR",
            "TEMP",
            "TMP",
            "USERPROFILE",
            "APPDATA",
            "LOCALAPPDATA",
        ):
            if name in os.environ:
                env[name] = os.environ[name]
    return env

"""The version comes from one place (``justice_desktop.__version__``) and both programs print it."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest

from justice_desktop import __version__

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def test_version_is_a_release_number_and_the_package_metadata_agrees() -> None:
    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__), __version__
    # pip installed the project from pyproject.toml, whose version is read from the package.
    assert version("justice-desktop") == __version__
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert "version" not in project
    assert "version" in project["dynamic"]


@pytest.mark.parametrize("program", ["justice-desktop", "justice-city-server"])
def test_version_option_prints_the_version_and_exits_0(program: str) -> None:
    done = subprocess.run(
        [str(BIN / program), "--version"], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"{program} {__version__}"


def test_desktop_version_starts_no_qt() -> None:
    code = (
        "import sys\n"
        "from ui.launcher import main\n"
        "rc = main(['--version'])\n"
        "assert not any(m.split('.')[0] == 'PySide6' for m in sys.modules), 'Qt imported'\n"
        "sys.exit(rc)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"justice-desktop {__version__}"

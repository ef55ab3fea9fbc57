"""Chinese typing under fcitx5 (UOS, Kylin): the desktop's input-method module, which this Qt
has no plugin for, is replaced by ``ibus`` (fcitx5 serves the IBus protocol too)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ui.input_method import available_modules, choose_input_method, module_to_use
from ui.qt import QLibraryInfo

QT_PLUGINS = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath))


def test_this_qt_has_the_ibus_plugin_and_not_fcitx() -> None:
    """The premise, read from the Qt the program runs with (and bundles)."""
    available = available_modules(QT_PLUGINS)
    assert "ibus" in available
    assert "fcitx" not in available and "fcitx5" not in available


@pytest.mark.parametrize("desktop", ["fcitx", "fcitx5"])
def test_fcitx_becomes_ibus(desktop: str) -> None:
    env = {"QT_IM_MODULE": desktop}
    assert choose_input_method(QT_PLUGINS, env) == "ibus"
    assert env["QT_IM_MODULE"] == "ibus"


@pytest.mark.parametrize("desktop", ["ibus", "compose"])
def test_a_module_this_qt_has_is_left_alone(desktop: str) -> None:
    env = {"QT_IM_MODULE": desktop}
    assert choose_input_method(QT_PLUGINS, env) is None
    assert env == {"QT_IM_MODULE": desktop}


def test_no_module_named_is_left_alone() -> None:
    env: dict[str, str] = {}
    assert choose_input_method(QT_PLUGINS, env) is None
    assert env == {}


def test_without_an_ibus_plugin_nothing_is_changed(tmp_path: Path) -> None:
    folder = tmp_path / "platforminputcontexts"
    folder.mkdir()
    (folder / "libcomposeplatforminputcontextplugin.so").write_bytes(b"")
    assert available_modules(tmp_path) == {"compose"}
    assert module_to_use({"QT_IM_MODULE": "fcitx"}, available_modules(tmp_path)) is None


def test_windows_plugin_names_are_read(tmp_path: Path) -> None:
    folder = tmp_path / "platforminputcontexts"
    folder.mkdir()
    (folder / "qtvirtualkeyboardplugin.dll").write_bytes(b"")
    (folder / "ibusplatforminputcontextplugin.dll").write_bytes(b"")
    assert available_modules(tmp_path) == {"ibus"}


def test_the_program_starts_with_ibus_under_fcitx() -> None:
    """The program's own start replaces the module before its application object is made
    (Qt reads the variable then)."""
    code = (
        "import os\n"
        "from ui.app import ensure_application\n"
        "app = ensure_application()\n"
        "print('module', os.environ['QT_IM_MODULE'])\n"
    )
    env = {**os.environ, "QT_IM_MODULE": "fcitx", "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "module ibus" in done.stdout

"""The spec's trimming of PySide6's files (build_spec/bundle_filter.py) on the path shapes of
both wheels: Linux keeps Qt under PySide6/Qt/{plugins,translations}, Windows directly under
PySide6/{plugins,translations} (and PyInstaller may hand over backslashes there)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def load_filter() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "bundle_filter", ROOT / "build_spec" / "bundle_filter.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


LINUX = "PySide6/Qt/"
WINDOWS = "PySide6/"

# (path below the Qt folder, Linux file, Windows file, dropped?)
CASES = [
    ("plugins/platforms", "libqxcb.so", "qwindows.dll", False),
    ("plugins/platforms", "libqoffscreen.so", "qoffscreen.dll", False),
    ("plugins/platforms", "libqminimal.so", "qminimal.dll", False),
    ("plugins/platforms", "libqvnc.so", "qvnc.dll", True),
    ("plugins/platforms", "libqminimalegl.so", "qminimalegl.dll", True),
    ("plugins/platforminputcontexts", "libqtvirtualkeyboardplugin.so",
     "qtvirtualkeyboardplugin.dll", True),
    ("plugins/platforminputcontexts", "libibusplatforminputcontextplugin.so",
     "ibusplatforminputcontextplugin.dll", False),
    ("plugins/platformthemes", "libqgtk3.so", "qgtk3.dll", True),
    ("plugins/platformthemes", "libqxdgdesktopportal.so", "qxdgdesktopportal.dll", False),
    ("plugins/tls", "libqopensslbackend.so", "qschannelbackend.dll", True),
    ("plugins/generic", "libqtuiotouchplugin.so", "qtuiotouchplugin.dll", True),
    ("plugins/networkinformation", "libqglib.so", "qnetworklistmanager.dll", True),
    ("plugins/imageformats", "libqjpeg.so", "qjpeg.dll", False),
    ("plugins/iconengines", "libqsvgicon.so", "qsvgicon.dll", False),
    ("translations", "qtbase_zh_CN.qm", "qtbase_zh_CN.qm", False),
    ("translations", "qtbase_de.qm", "qtbase_de.qm", True),
    ("translations", "qt_help_zh_CN.qm", "qt_help_zh_CN.qm", True),
]  # fmt: skip


@pytest.mark.parametrize(("folder", "linux_name", "windows_name", "dropped"), CASES)
def test_both_wheel_layouts_are_trimmed_alike(
    folder: str, linux_name: str, windows_name: str, dropped: bool
) -> None:
    unused = load_filter().unused
    assert unused(f"{LINUX}{folder}/{linux_name}") is dropped
    assert unused(f"{WINDOWS}{folder}/{windows_name}") is dropped
    assert unused(f"{WINDOWS}{folder}/{windows_name}".replace("/", "\\")) is dropped


def test_files_outside_qt_plugins_and_translations_are_kept() -> None:
    unused = load_filter().unused
    for dest in (
        "PySide6/Qt/lib/libQt6Core.so.6",
        "PySide6/Qt6Core.dll",
        "PySide6/QtCore.pyd",
        "resources/codes/dispute_types.json",
        "tls/something.txt",  # a "tls/" outside Qt's plugins
        "libqvnc.so",
    ):
        assert unused(dest) is False, dest

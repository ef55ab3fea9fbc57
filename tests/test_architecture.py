"""The layering rule: ui → sync → justice_desktop, and only the UI knows Qt.

* The core (``justice_desktop``) and the sync engine (``sync``) import no Qt binding, not
  even indirectly: checked on the source (every import statement) and at run time (import
  every module in a fresh interpreter, then look at ``sys.modules``).
* ``justice_desktop`` imports neither ``sync`` nor ``ui``; ``sync`` does not import ``ui``.
* Inside ``ui``, only the shim ``ui/qt.py`` imports PySide6; the modules that the command
  line and the worker use without a window (launcher, errors, case rows, overview) import
  no Qt at all.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
QT_PACKAGES = frozenset(
    {"PySide6", "PySide2", "PyQt5", "PyQt6", "shiboken6", "shiboken2", "qtpy", "sip"}
)
CORE_PACKAGES = ("justice_desktop", "sync")
FORBIDDEN = {
    "justice_desktop": QT_PACKAGES | {"sync", "ui"},
    "sync": QT_PACKAGES | {"ui"},
}
QT_SHIM = "ui.qt"
QT_FREE_UI_MODULES = ("ui.launcher", "ui.errors", "ui.case_rows", "ui.overview")


def python_files(package: str) -> list[Path]:
    folder = ROOT / package
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) of every import statement in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            yield node.lineno, target
            for alias in node.names:  # "from ui import qt" imports the module ui.qt
                yield node.lineno, f"{target}.{alias.name}"


def top(module: str) -> str:
    return module.split(".")[0]


@pytest.mark.parametrize("package", CORE_PACKAGES)
def test_core_source_imports_no_qt_and_no_higher_layer(package: str) -> None:
    files = python_files(package)
    assert files or package == "sync"
    problems = [
        f"{path.relative_to(ROOT)}:{line}: imports {module}"
        for path in files
        for line, module in imported_modules(path)
        if top(module) in FORBIDDEN[package]
    ]
    assert problems == []


def test_only_the_shim_imports_qt_in_the_ui() -> None:
    problems = [
        f"{path.relative_to(ROOT)}:{line}: imports {module}"
        for path in python_files("ui")
        for line, module in imported_modules(path)
        if top(module) in QT_PACKAGES and module_name(path) != QT_SHIM
    ]
    assert problems == []


def test_qt_free_ui_modules_do_not_import_the_shim() -> None:
    for name in QT_FREE_UI_MODULES:
        path = ROOT / (name.replace(".", "/") + ".py")
        imports = {module for _line, module in imported_modules(path)}
        assert not any(m == QT_SHIM or m.startswith(QT_SHIM + ".") for m in imports), name
        assert not any(top(m) in QT_PACKAGES for m in imports), name


_IMPORT_ALL = """
import importlib, json, sys
failed = {}
for name in json.loads(sys.argv[1]):
    try:
        importlib.import_module(name)
    except Exception as exc:
        failed[name] = f"{type(exc).__name__}: {exc}"
qt = sorted(m for m in sys.modules if m.split(".")[0] in json.loads(sys.argv[2]))
print(json.dumps({"failed": failed, "qt": qt}))
"""


def test_importing_every_core_module_loads_no_qt() -> None:
    modules = [
        module_name(path)
        for package in CORE_PACKAGES
        for path in python_files(package)
        if path.name != "__main__.py"  # running those would start the program
    ]
    modules += list(QT_FREE_UI_MODULES)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("QT_QPA_PLATFORM", None)
    result = subprocess.run(
        [sys.executable, "-c", _IMPORT_ALL, json.dumps(modules), json.dumps(sorted(QT_PACKAGES))],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["failed"] == {}
    assert report["qt"] == []


SQL_RE = re.compile(r"""["'](?:SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|PRAGMA)\s""")


def test_no_sql_outside_the_store_layer() -> None:
    """SQL lives in justice_desktop/store/ (and sync's server storage); the UI, the domain and
    everything else call store functions."""
    offenders = []
    for package in ("ui", "justice_desktop"):
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel.startswith("justice_desktop/store/"):
                continue
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if SQL_RE.search(line) or ".execute(" in line:
                    offenders.append(f"{rel}:{n}: {line.strip()}")
    assert offenders == []

"""The bundled Qt runs on the oldest supported desktops: UOS 20 has glibc 2.28 (Kylin V10 2.31).

PySide6 6.10 and later publish x86_64 wheels for manylinux_2_34 only, so a bundle made from them
could never start there; pyproject.toml keeps PySide6 below 6.10 (manylinux_2_28). This test
reads the glibc symbol versions each bundled Qt/PySide6 ELF file needs (its "Version
References", ``objdump -p``) and fails if any needs more than GLIBC_2.28.

Exempt, by name: libpython and the other libraries PyInstaller copies from the build machine
(libffi, libssl, libz …). They need whatever glibc the build machine has, which is why a release
bundle must be built on the oldest target distribution (build_spec/PACKAGING.md).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux bundle"),
    pytest.mark.skipif(shutil.which("objdump") is None, reason="objdump (binutils) is missing"),
]

#: UOS 20 (Debian 10 base): the oldest glibc the program supports.
GLIBC_FLOOR = (2, 28)
#: Where the Qt wheels' files land in the bundle: Qt's libraries and plugins, the PySide6
#: extension modules, libpyside6 and libshiboken6.
QT_FOLDERS = ("PySide6", "shiboken6")


def is_elf(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(4) == b"\x7fELF"


def needed_glibc(path: Path) -> set[tuple[int, ...]]:
    """The GLIBC_x.y versions in the file's version references (what the loader checks)."""
    dump = subprocess.run(
        ["objdump", "-p", str(path)], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    _, found, references = dump.partition("Version References:")
    if not found:
        return set()
    return {
        tuple(int(p) for p in version.split("."))
        for version in re.findall(r"\sGLIBC_(2(?:\.\d+)+)\s*$", references, re.MULTILINE)
    }


def qt_elf_files(bundle: Path) -> list[Path]:
    internal = bundle / "_internal"
    files = [
        path
        for folder in QT_FOLDERS
        for path in (internal / folder).rglob("*")
        if path.is_file() and not path.is_symlink() and is_elf(path)
    ]
    # The Qt libraries, wherever PyInstaller put them (normally PySide6/Qt/lib).
    files += [
        path
        for path in internal.glob("lib*.so*")
        if path.name.startswith(("libQt6", "libpyside6", "libshiboken6"))
        and path.is_file()
        and not path.is_symlink()
    ]
    return sorted(set(files))


def test_needed_glibc_reads_the_version_references() -> None:
    """The reader finds the versions the test interpreter needs (at least GLIBC_2.2.5-era
    ones), so an empty result below means "needs no glibc version", not "could not read"."""
    python = Path(sys.executable).resolve()
    versions = needed_glibc(python)
    assert versions and min(versions) >= (2, 0), versions


def test_bundled_qt_needs_at_most_glibc_2_28(bundle_dir: Path) -> None:
    files = qt_elf_files(bundle_dir)
    names = {p.name for p in files}
    # the libraries the program cannot start without are among the files checked
    for needed in ("libQt6Core.so.6", "libQt6Widgets.so.6", "libqxcb.so", "QtCore.abi3.so"):
        assert needed in names, needed
    assert any(name.startswith("libpyside6") for name in names), names
    too_new = {}
    for path in files:
        versions = needed_glibc(path)
        if versions and max(versions) > GLIBC_FLOOR:
            too_new[str(path.relative_to(bundle_dir))] = ".".join(map(str, max(versions)))
    assert too_new == {}, "Qt files that need a newer glibc than UOS 20's 2.28"

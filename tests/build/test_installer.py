"""The Windows installer script (build_spec/installer.nsi) compiles with makensis, and what it
compiles carries the program's version.

PyInstaller cannot cross-build a Windows bundle, so the payload here is the Linux bundle: the
installer that comes out is a CHECK-ONLY one (named so, and it refuses to install), which
proves that the script, its includes, the icon and build_installer.py's generated file list
compile. A real installer is built on Windows from a Windows bundle (build_spec/PACKAGING.md).
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

import justice_desktop

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "build_spec" / "installer.nsi"
BUILD_INSTALLER = ROOT / "build_spec" / "build_installer.py"
FIXED_FILE_INFO_SIGNATURE = struct.pack("<I", 0xFEEF04BD)

pytestmark = pytest.mark.skipif(shutil.which("makensis") is None, reason="NSIS is not installed")


def load_build_installer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_installer", BUILD_INSTALLER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build(bundle: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(BUILD_INSTALLER), "--bundle", str(bundle), "--out", str(out), *extra],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def fixed_versions(exe: bytes) -> tuple[str, str]:
    """(file version, product version) from the VS_FIXEDFILEINFO of the version resource."""
    at = exe.find(FIXED_FILE_INFO_SIGNATURE)
    assert at > 0, "no version resource in the installer"
    _sig, _struct, file_ms, file_ls, product_ms, product_ls = struct.unpack_from("<6I", exe, at)

    def dotted(ms: int, ls: int) -> str:
        return f"{ms >> 16}.{ms & 0xFFFF}.{ls >> 16}.{ls & 0xFFFF}"

    return dotted(file_ms, file_ls), dotted(product_ms, product_ls)


def string_value(exe: bytes, key: str) -> str:
    """A StringFileInfo value (UTF-16): the key, its NUL, padding to 32 bits, the value."""
    encoded = (key + "\0").encode("utf-16-le")
    at = exe.find(encoded)
    assert at > 0, f"no {key} in the version resource"
    at += len(encoded)
    while exe[at : at + 2] == b"\0\0":
        at += 2
    end = at
    while exe[end : end + 2] != b"\0\0":
        end += 2
    return exe[at:end].decode("utf-16-le")


def small_bundle(folder: Path) -> Path:
    """A stand-in payload for the checks that are about the script, not the payload."""
    (folder / "_internal" / "resources").mkdir(parents=True)
    (folder / "_internal" / "resources" / "x.txt").write_text("x", encoding="utf-8")
    (folder / "justice-desktop").write_bytes(b"\x7fELF stand-in")
    return folder


def test_installer_compiles_around_the_bundle_with_the_program_version(
    bundle_dir: Path, tmp_path: Path
) -> None:
    # zlib: the same script, compiled in a third of lzma's time (`make installer` uses lzma)
    done = build(bundle_dir, tmp_path, "--compressor", "zlib")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    version = justice_desktop.__version__
    exe = tmp_path / f"justice-desktop-{version}-setup-CHECK-ONLY.exe"
    assert exe.is_file(), sorted(p.name for p in tmp_path.iterdir())
    assert "not a Windows bundle" in done.stderr
    data = exe.read_bytes()
    assert data[:2] == b"MZ"
    # the payload is in it: compressed, the 300 MB bundle is still far more than the stub
    bundle_bytes = sum(p.stat().st_size for p in bundle_dir.rglob("*") if p.is_file())
    assert len(data) > bundle_bytes // 5

    numeric = load_build_installer().numeric_version(version)
    assert fixed_versions(data) == (numeric, numeric)
    assert string_value(data, "ProductVersion") == version
    assert string_value(data, "ProductName") == "司法所工作台"


def test_version_resource_follows_the_version_given(tmp_path: Path) -> None:
    bundle = small_bundle(tmp_path / "bundle")
    out = tmp_path / "out"
    done = build(bundle, out, "--compressor", "zlib", "--version", "12.3.4rc2")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    data = (out / "justice-desktop-12.3.4rc2-setup-CHECK-ONLY.exe").read_bytes()
    assert fixed_versions(data) == ("12.3.4.0", "12.3.4.0")
    assert string_value(data, "ProductVersion") == "12.3.4rc2"


def test_a_windows_bundle_gives_a_real_installer_name(tmp_path: Path) -> None:
    bundle = small_bundle(tmp_path / "bundle")
    (bundle / "justice-desktop.exe").write_bytes(b"MZ stand-in")
    out = tmp_path / "out"
    done = build(bundle, out, "--compressor", "zlib")
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    assert [p.name for p in out.iterdir()] == [
        f"justice-desktop-{justice_desktop.__version__}-setup.exe"
    ]
    assert "not a Windows bundle" not in done.stderr


def test_uninstaller_removes_only_the_bundles_own_entries(tmp_path: Path) -> None:
    bundle = small_bundle(tmp_path / "bundle")
    (bundle / "justice-desktop-cli.exe").write_bytes(b"MZ")
    lines = load_build_installer().bundle_entries_nsh(bundle).splitlines()
    assert lines[1:] == [
        'RMDir /r "$INSTDIR\\_internal"',
        'Delete "$INSTDIR\\justice-desktop"',
        'Delete "$INSTDIR\\justice-desktop-cli.exe"',
    ]


def makensis(tmp_path: Path, *defines: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["makensis", "-V2", "-WX", "-INPUTCHARSET", "UTF8", *defines, str(SCRIPT)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=tmp_path,
    )


def required_defines(tmp_path: Path, bundle: Path) -> dict[str, str]:
    entries = tmp_path / "entries.nsh"
    entries.write_text('Delete "$INSTDIR\\justice-desktop"\n', encoding="utf-8")
    return {
        "VERSION": "1.0.0",
        "VERSION_NUMERIC": "1.0.0.0",
        "BUNDLE_DIR": str(bundle),
        "BUNDLE_ENTRIES": str(entries),
        "ICON_FILE": str(ROOT / "resources" / "icons" / "justice-desktop.ico"),
        "OUTFILE": str(tmp_path / "justice-desktop-check.exe"),
        "COMPRESSOR": "zlib",
    }


def test_makensis_refuses_a_build_without_version_or_bundle(tmp_path: Path) -> None:
    bundle = small_bundle(tmp_path / "bundle")
    defines = required_defines(tmp_path, bundle)
    complete = makensis(tmp_path, *(f"-D{k}={v}" for k, v in defines.items()))
    assert complete.returncode == 0, complete.stdout[-4000:] + complete.stderr[-4000:]
    assert (tmp_path / "justice-desktop-check.exe").read_bytes()[:2] == b"MZ"

    for missing in ("VERSION", "BUNDLE_DIR", "BUNDLE_ENTRIES"):
        (tmp_path / "justice-desktop-check.exe").unlink(missing_ok=True)
        done = makensis(tmp_path, *(f"-D{k}={v}" for k, v in defines.items() if k != missing))
        assert done.returncode != 0, missing
        assert f"{missing} is not defined" in done.stdout + done.stderr
        assert not (tmp_path / "justice-desktop-check.exe").exists()

    empty = tmp_path / "no-bundle"
    done = makensis(
        tmp_path, *(f"-D{k}={v}" for k, v in {**defines, "BUNDLE_DIR": str(empty)}.items())
    )
    assert done.returncode != 0
    assert "no files found" in (done.stdout + done.stderr).lower()


def test_installer_refuses_windows_older_than_10(tmp_path: Path) -> None:
    """.onInit as makensis compiled it (-V4 with LogicLib's expansion shown): Windows' version
    is compared with WINVER_10 (0x0A000000), and below it the installer shows its Chinese
    message and quits before anything else (no wine here to run it, so the compiled
    instructions are the next best thing to a run)."""
    bundle = small_bundle(tmp_path / "bundle")
    defines = required_defines(tmp_path, bundle)
    done = makensis(
        tmp_path, "-V4", "-DLOGICLIB_VERBOSITY=4", *(f"-D{k}={v}" for k, v in defines.items())
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    listing = done.stdout
    start = listing.index('Function: ".onInit"')
    on_init = listing[start : listing.index("FunctionEnd", start)]
    # the comparison: not at least 10.0 -> fall through to the refusal, else jump past it
    check = re.search(
        r"^IntCmp \$_LOGICLIB_TEMP:0x0A000000 equal=(\S+), < , > \1$", on_init, re.MULTILINE
    )
    assert check is not None, "no Windows 10 check in .onInit"
    refusal = on_init[check.end() :]
    box = re.search(r"^MessageBox: \d+: \"(.*)\"$", refusal, re.MULTILINE)
    assert box is not None and "需要Windows 10或更高版本" in box.group(1)
    after_box = refusal[box.end() :].lstrip().splitlines()
    assert after_box[:2] == ["SetErrorLevel: 3", "Quit"]
    # and it comes before the installer looks at an existing installation
    assert check.start() < on_init.index("ReadRegStr $ExistingDir")


def test_build_installer_refuses_a_missing_bundle(tmp_path: Path) -> None:
    done = build(tmp_path / "nothing", tmp_path / "out")
    assert done.returncode != 0
    assert "make bundle" in done.stderr

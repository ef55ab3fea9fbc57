"""The .deb for Linux desktops: its fields and files, lintian, the desktop entry, and the
program installed from it into a clean folder starting there with no venv on the path.

The package is built from the session's bundle with ``--fast`` (gzip -1 rather than xz: the
same files in seconds rather than minutes; `make deb` compresses with xz).
"""

from __future__ import annotations

import configparser
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

import justice_desktop

ROOT = Path(__file__).resolve().parents[2]
BUILD_DEB = ROOT / "build_spec" / "build_deb.py"
PACKAGE = "justice-desktop"

pytestmark = [
    pytest.mark.skipif(sys.platform != "linux", reason="Debian packages are built on Linux"),
    pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="dpkg-deb is not installed"),
]


def load_build_deb() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_deb", BUILD_DEB)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def output(*command: str | Path) -> str:
    return subprocess.run(
        [str(c) for c in command], check=True, capture_output=True, text=True, timeout=600
    ).stdout


@pytest.fixture(scope="module")
def deb(bundle_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("deb")
    done = subprocess.run(
        [sys.executable, str(BUILD_DEB), "--bundle", str(bundle_dir), "--out", str(out), "--fast"],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    (package,) = out.glob("*.deb")
    return package


@pytest.fixture(scope="module")
def installed(deb: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A clean folder the package is installed into: with dpkg --root (a dpkg database of its
    own, so removal can be checked too) when running as root, else unpacked with dpkg -x."""
    root = tmp_path_factory.mktemp("root")
    if os.geteuid() == 0:
        (root / "var" / "lib" / "dpkg" / "info").mkdir(parents=True)
        (root / "var" / "lib" / "dpkg" / "updates").mkdir()
        (root / "var" / "lib" / "dpkg" / "status").touch()
        # --force-depends: the clean folder has none of the system's libraries registered
        output("dpkg", f"--root={root}", "--force-depends", "--force-script-chrootless", "-i", deb)
    else:
        output("dpkg-deb", "-x", deb, root)
    yield root


def fields(deb: Path) -> dict[str, str]:
    names = (
        "Package",
        "Version",
        "Architecture",
        "Depends",
        "Recommends",
        "Installed-Size",
        "Maintainer",
    )
    return {name: output("dpkg-deb", "--field", deb, name).strip() for name in names}


def test_package_fields(deb: Path) -> None:
    info = output("dpkg-deb", "--info", deb)
    assert re.search(rf"^ Package: {PACKAGE}$", info, re.MULTILINE)
    got = fields(deb)
    version = load_build_deb().debian_version(justice_desktop.__version__)
    assert got["Package"] == PACKAGE
    assert got["Version"] == version
    assert got["Architecture"] == output("dpkg", "--print-architecture").strip()
    assert deb.name == f"{PACKAGE}_{version}_{got['Architecture']}.deb"
    depends = [d.strip() for d in got["Depends"].split(",")]
    for library in ("libxcb-cursor0", "libxkbcommon-x11-0", "libgl1", "libegl1", "libdbus-1-3"):
        assert library in depends
    # the key is kept through the Secret Service; keyring's own KWallet backend would need
    # dbus-python, which the bundle does not carry
    recommends = [r.strip() for r in got["Recommends"].replace("|", ",").split(",")]
    assert "gnome-keyring" in recommends
    assert not [r for r in recommends if "kwallet" in r]
    installed_kib = int(got["Installed-Size"])
    assert 50_000 < installed_kib < 2_000_000


def needed_glibc(path: Path) -> set[tuple[int, ...]]:
    """The GLIBC_x.y versions in the file's version-needs section (readelf), which the dynamic
    loader checks against the system's glibc at start."""
    dump = output("readelf", "--version-info", "--wide", path)
    _, found, needs = dump.partition("Version needs section")
    if not found:
        return set()
    needs = needs.split("\nVersion ", 1)[0]  # up to the next section, if any
    return {
        tuple(int(p) for p in version.split("."))
        for version in re.findall(r"Name: GLIBC_(2(?:\.\d+)+)\s", needs)
    }


def test_glibc_floor_is_the_newest_glibc_any_installed_binary_needs(
    deb: Path, installed: Path
) -> None:
    """libc6 (>= X): X is exactly the newest GLIBC_x.y that any ELF file of the installed
    bundle needs (computed here with readelf, independently of build_deb's scan), so the
    package refuses to install where the program could not start and no older system is
    turned away needlessly."""
    if shutil.which("readelf") is None:
        pytest.skip("readelf (binutils) is not installed")
    depends = [d.strip() for d in fields(deb)["Depends"].split(",")]
    (libc,) = [d for d in depends if d.startswith("libc6 ")]
    match = re.fullmatch(r"libc6 \(>= ([\d.]+)\)", libc)
    assert match is not None, libc
    floor = tuple(int(p) for p in match.group(1).split("."))

    bundle = installed / "opt" / PACKAGE
    is_elf = load_build_deb().is_elf
    elf_files = [p for p in bundle.rglob("*") if p.is_file() and not p.is_symlink() and is_elf(p)]
    needed = {path: needed_glibc(path) for path in elf_files}
    newest = max(v for versions in needed.values() for v in versions)
    assert floor == newest, [str(p.relative_to(bundle)) for p, v in needed.items() if newest in v]
    # the libraries the program cannot start without are among those read
    read = {p.name for p, versions in needed.items() if versions}
    assert {PACKAGE, "libQt6Core.so.6"} <= read
    assert any(name.startswith("libpython3") for name in read), sorted(read)


def package_closure(roots: set[str]) -> set[str]:
    """The packages named, and everything they depend on that is installed here."""
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        done = subprocess.run(
            ["dpkg-query", "-W", "-f=${Depends}, ${Pre-Depends}, ${Provides}", name],
            capture_output=True,
            text=True,
            check=False,
        )
        for item in re.split(r"[,|]", done.stdout):
            dependency = item.strip().split(" ")[0].split(":")[0]
            if dependency:
                todo.append(dependency)
    return seen


def test_every_system_library_the_bundle_loads_comes_from_a_dependency(
    deb: Path, installed: Path
) -> None:
    """ldd on every binary of the installed bundle: each library found outside the bundle
    belongs to a package the .deb depends on (directly or through its dependencies), and none
    is missing."""
    bundle = installed / "opt" / PACKAGE
    internal = bundle / "_internal"
    env = {"PATH": "/usr/bin:/bin", "LD_LIBRARY_PATH": str(internal)}  # as the bootloader does
    outside: set[str] = set()
    missing: list[str] = []
    for path in bundle.rglob("*"):
        if path.is_symlink() or not path.is_file() or not load_build_deb().is_elf(path):
            continue
        done = subprocess.run(
            ["ldd", str(path)], capture_output=True, text=True, env=env, check=False
        )
        for line in done.stdout.splitlines():
            if "not found" in line:
                missing.append(f"{path.relative_to(bundle)}: {line.strip()}")
            match = re.search(r"=> (/\S+)", line)
            if match and not Path(match.group(1)).resolve().is_relative_to(bundle.resolve()):
                outside.add(str(Path(match.group(1)).resolve()))
    assert missing == []
    assert outside, "ldd found no system library at all"
    candidates = set(outside)
    for lib in outside:  # dpkg knows /lib/... or /usr/lib/... (merged /usr)
        candidates.add(lib.removeprefix("/usr") if lib.startswith("/usr/lib") else "/usr" + lib)
    found = subprocess.run(
        ["dpkg", "-S", *sorted(candidates)], capture_output=True, text=True, check=False
    ).stdout
    owners: dict[str, str] = {}
    for line in found.splitlines():
        package, _, owned = line.partition(": ")
        owner = package.split(":")[0]
        owners[owned] = owner
        owners["/usr" + owned if not owned.startswith("/usr") else owned.removeprefix("/usr")] = (
            owner
        )
    unowned = sorted(p for p in outside if p not in owners)
    assert unowned == [], "libraries no package owns"
    depends = {
        alternative.strip().split(" ")[0]
        for item in fields(deb)["Depends"].split(",")
        for alternative in item.split("|")
    }
    closure = package_closure(depends)
    not_covered = sorted(f"{owners[p]} ({p})" for p in outside if owners[p] not in closure)
    assert not_covered == [], "add these packages to build_spec/debian/control.in's Depends"


def test_package_contents_and_permissions(deb: Path) -> None:
    listing = output("dpkg-deb", "--contents", deb).splitlines()
    entries: dict[str, tuple[str, str]] = {}
    for line in listing:
        mode, owner, _size, _date, _time, path, *_link = line.split()
        entries[path.removeprefix(".")] = (mode, owner)
    expected_files = {
        f"/usr/bin/{PACKAGE}": "-rwxr-xr-x",
        f"/opt/{PACKAGE}/{PACKAGE}": "-rwxr-xr-x",
        f"/usr/share/applications/{PACKAGE}.desktop": "-rw-r--r--",
        f"/usr/share/icons/hicolor/scalable/apps/{PACKAGE}.svg": "-rw-r--r--",
        f"/usr/share/icons/hicolor/48x48/apps/{PACKAGE}.png": "-rw-r--r--",
        f"/usr/share/icons/hicolor/128x128/apps/{PACKAGE}.png": "-rw-r--r--",
        f"/usr/share/icons/hicolor/256x256/apps/{PACKAGE}.png": "-rw-r--r--",
        f"/usr/share/doc/{PACKAGE}/copyright": "-rw-r--r--",
        f"/usr/share/doc/{PACKAGE}/changelog.gz": "-rw-r--r--",
        f"/usr/share/man/man1/{PACKAGE}.1.gz": "-rw-r--r--",
        f"/usr/share/lintian/overrides/{PACKAGE}": "-rw-r--r--",
    }
    for path, mode in expected_files.items():
        assert path in entries, path
        assert entries[path][0] == mode, (path, entries[path])
    assert {owner for _, owner in entries.values()} == {"root/root"}
    for path, (mode, _) in entries.items():
        if mode.startswith("d"):
            assert mode == "drwxr-xr-x", path
        elif ".so" in Path(path).name and mode.startswith("-"):
            assert mode == "-rw-r--r--", path  # shared libraries are not executable
    # nothing but the bundle, /usr/bin and /usr/share
    parts = [Path(p).parts[1:3] for p in entries]
    tops = {"/".join(p) for p in parts if len(p) == 2}
    assert tops == {f"opt/{PACKAGE}", "usr/bin", "usr/share"}, tops


def test_lintian_finds_no_errors_or_warnings(deb: Path) -> None:
    if shutil.which("lintian") is None:
        pytest.skip("lintian is not installed")
    done = subprocess.run(
        ["lintian", "--tag-display-limit", "0", "--show-overrides", str(deb)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    lines = done.stdout.splitlines()
    problems = [line for line in lines if line.startswith(("E:", "W:"))]
    assert problems == [], "\n".join(problems)
    # the overrides are read and applied (a malformed override file would not silence them)
    assert any(line.startswith("O:") and "dir-or-file-in-opt" in line for line in lines)
    # (no exit-status check: with --show-overrides lintian exits non-zero for the overridden
    # errors it shows; the O: lines above prove that it ran to the end)


def test_desktop_entry(installed: Path) -> None:
    path = installed / "usr" / "share" / "applications" / f"{PACKAGE}.desktop"
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path, encoding="utf-8")
    entry = parser["Desktop Entry"]
    assert entry["Type"] == "Application"
    assert entry["Name[zh_CN]"] == "司法所工作台"
    assert entry["Comment[zh_CN]"]
    assert entry["Categories"] == "Office;"
    assert entry["Terminal"] == "false"
    # Exec names the program on PATH, Icon the icon the package installs into hicolor
    assert entry["Exec"].split()[0] == PACKAGE
    assert (installed / "usr" / "bin" / entry["Exec"].split()[0]).is_file()
    icons = installed / "usr" / "share" / "icons" / "hicolor"
    assert (icons / "scalable" / "apps" / f"{entry['Icon']}.svg").is_file()
    assert (icons / "48x48" / "apps" / f"{entry['Icon']}.png").is_file()
    validate = shutil.which("desktop-file-validate")
    if validate is not None:
        done = subprocess.run([validate, str(path)], capture_output=True, text=True, check=False)
        assert done.returncode == 0 and done.stdout == "", done.stdout + done.stderr


def run(program: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(program), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_installed_program_starts_in_a_clean_environment(
    installed: Path, clean_env: dict[str, str], tmp_path: Path
) -> None:
    # /usr/bin/justice-desktop runs /opt/justice-desktop/justice-desktop: inside the clean
    # folder, follow the wrapper to the program it names
    wrapper = (installed / "usr" / "bin" / PACKAGE).read_text(encoding="utf-8")
    (target,) = re.findall(r'^exec (/\S+) "\$@"$', wrapper, re.MULTILINE)
    assert target == f"/opt/{PACKAGE}/{PACKAGE}"
    program = installed / target.lstrip("/")
    assert os.access(program, os.X_OK)

    version = run(program, clean_env, "--version")
    assert version.returncode == 0, version.stderr[-2000:]
    assert justice_desktop.__version__ in version.stdout

    before = sorted(installed.rglob("*"))
    data = tmp_path / "data"
    made = run(program, clean_env, "--data-dir", str(data), "demo-data", "--cases", "50")
    assert made.returncode == 0, made.stdout[-2000:] + made.stderr[-2000:]
    smoke = run(program, clean_env, "--data-dir", str(data), "--smoke-test")
    assert smoke.returncode == 0, smoke.stdout[-3000:] + smoke.stderr[-3000:]
    # the program wrote into the data folder it was given, nothing into the package's folders
    assert any(data.iterdir())
    assert sorted(installed.rglob("*")) == before


def test_purge_removes_every_file_it_installed(installed: Path) -> None:
    """Runs last (it removes the package). The package has no maintainer scripts: the users'
    data folders (~/.local/share/justice-desktop) are never touched by removal."""
    if os.geteuid() != 0:
        pytest.skip("removal is checked with dpkg --root, which needs root")
    listed = output("dpkg", f"--root={installed}", "-L", PACKAGE).splitlines()
    assert f"/opt/{PACKAGE}/{PACKAGE}" in listed
    output("dpkg", f"--root={installed}", "--force-script-chrootless", "--purge", PACKAGE)
    left = [
        p
        for p in installed.rglob("*")
        if p.is_file() and "var" not in p.relative_to(installed).parts[:1]
    ]
    assert left == []
    assert not (installed / "opt" / PACKAGE).exists()
    assert not list((installed / "var" / "lib" / "dpkg" / "info").glob(f"{PACKAGE}.*"))

"""Build the .deb for Linux desktops (UOS, Kylin, Debian, Ubuntu) from a one-folder bundle.

    python build_spec/build_deb.py --bundle dist/justice-desktop --out dist

Writes dist/justice-desktop_<version>_<arch>.deb with

    /opt/justice-desktop/                      the PyInstaller bundle (Python and Qt inside)
    /usr/bin/justice-desktop                   a small wrapper that runs the bundle's program
    /usr/share/applications/justice-desktop.desktop
    /usr/share/icons/hicolor/*/apps/justice-desktop.{svg,png}
    /usr/share/man/man1/justice-desktop.1.gz
    /usr/share/doc/justice-desktop/{copyright,changelog.gz}
    /usr/share/lintian/overrides/justice-desktop

The package is native (its version is the program's, justice_desktop.__version__, in Debian
spelling: 0.2.0rc1 -> 0.2.0~rc1), so its changelog is changelog.gz. The architecture is the
build machine's (``dpkg --print-architecture``), checked against the bundle's executable: build
the aarch64 package from an aarch64 bundle on an aarch64 machine. ``libc6 (>= …)`` is the
newest glibc symbol version any binary in the bundle needs, so a package built on a too-new
distribution refuses to install on an older one instead of failing at start.
"""

from __future__ import annotations

import argparse
import datetime
import email.utils
import gzip
import hashlib
import io
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEBIAN = ROOT / "build_spec" / "debian"
ICONS = ROOT / "resources" / "icons"
PACKAGE = "justice-desktop"
PROGRAM = "justice-desktop"  # the bundle's executable
INSTALL_DIR = f"/opt/{PACKAGE}"
HICOLOR_PNG_SIZES = (16, 32, 48, 64, 128, 256, 512)
ELF_MAGIC = b"\x7fELF"
# e_machine -> Debian architecture
ELF_MACHINES = {0x3E: "amd64", 0xB7: "arm64", 0x03: "i386", 0x28: "armhf", 0x102: "loong64"}
GLIBC_VERSION = re.compile(rb"GLIBC_(2\.[0-9]+(?:\.[0-9]+)?)\x00")
WRAPPER = f"""#!/bin/sh
# 司法所工作台: the program lives in {INSTALL_DIR} with its own Python and Qt.
exec {INSTALL_DIR}/{PROGRAM} "$@"
"""


def program_version() -> str:
    """``justice_desktop.__version__``: the one place the version lives (pyproject reads it)."""
    sys.path.insert(0, str(ROOT))
    from justice_desktop import __version__

    return __version__


def debian_version(version: str) -> str:
    """PEP 440 to Debian ordering: pre-releases sort before the release (0.2.0~rc1 < 0.2.0)."""
    match = re.fullmatch(r"(\d+(?:\.\d+)*)(?:\.?(a|b|rc|dev)\.?(\d+))?(?:\+(.+))?", version)
    if match is None:
        raise ValueError(f"cannot turn version {version!r} into a Debian version")
    release, tag, number, local = match.groups()
    out = release
    if tag:
        out += f"~{tag}{number}"
    if local:
        out += f"+{local.replace('_', '.')}"
    return out


def dpkg_architecture() -> str:
    return subprocess.run(
        ["dpkg", "--print-architecture"], check=True, capture_output=True, text=True
    ).stdout.strip()


def elf_architecture(path: Path) -> str | None:
    with path.open("rb") as f:
        header = f.read(20)
    if header[:4] != ELF_MAGIC:
        return None
    machine = int.from_bytes(header[18:20], "little" if header[5] == 1 else "big")
    return ELF_MACHINES.get(machine, f"elf-{machine:#x}")


def is_elf(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(4) == ELF_MAGIC


def needed_glibc(bundle: Path) -> str:
    """The newest GLIBC_x.y symbol version that any ELF file in the bundle asks for."""
    newest: tuple[int, ...] = (2, 17)
    for path in bundle.rglob("*"):
        if path.is_symlink() or not path.is_file() or not is_elf(path):
            continue
        for found in set(GLIBC_VERSION.findall(path.read_bytes())):
            parts = tuple(int(p) for p in found.decode().split("."))
            newest = max(newest, parts)
    return ".".join(str(p) for p in newest)


def changelog_text(deb_version: str) -> str:
    """build_spec/debian/changelog, with an entry for this version on top if it has none."""
    text = (DEBIAN / "changelog").read_text(encoding="utf-8")
    first = re.match(rf"{PACKAGE} \(([^)]+)\)", text)
    if first is None:
        raise SystemExit("build_spec/debian/changelog: the first line is not a changelog entry")
    if first.group(1) == deb_version:
        return text
    print(
        f"warning: build_spec/debian/changelog has no entry for {deb_version}: adding one "
        "(write it in the file for a release)",
        file=sys.stderr,
    )
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "0")) or None
    when = (
        datetime.datetime.fromtimestamp(epoch, datetime.UTC)
        if epoch
        else datetime.datetime.now(datetime.UTC)
    )
    maintainer = control_field(DEBIAN / "control.in", "Maintainer")
    entry = (
        f"{PACKAGE} ({deb_version}) unstable; urgency=medium\n\n"
        f"  * 版本 {deb_version}。\n\n"
        f" -- {maintainer}  {email.utils.format_datetime(when)}\n\n"
    )
    return entry + text


def control_field(path: Path, name: str) -> str:
    match = re.search(rf"^{name}: (.+)$", path.read_text(encoding="utf-8"), re.MULTILINE)
    if match is None:
        raise SystemExit(f"{path}: no {name} field")
    return match.group(1)


def gzip_bytes(data: bytes) -> bytes:
    """gzip -9n: no name, no timestamp (reproducible, as lintian expects)."""
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=9, mtime=0, filename="") as f:
        f.write(data)
    return buffer.getvalue()


def write(path: Path, data: bytes | str, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    path.chmod(mode)


def normalise_permissions(root: Path, executables: set[Path]) -> None:
    """0755 folders and programs, 0644 everything else (shared libraries included)."""
    for dirpath, dirnames, filenames in os.walk(root):
        Path(dirpath).chmod(0o755)
        for name in filenames:
            path = Path(dirpath) / name
            if path.is_symlink():
                continue
            path.chmod(0o755 if path in executables else 0o644)
        for name in dirnames:
            (Path(dirpath) / name).chmod(0o755)


def bundle_executables(bundle: Path) -> set[Path]:
    """Files the bundle marks executable that are programs, not shared libraries."""
    found: set[Path] = set()
    for path in bundle.rglob("*"):
        if path.is_symlink() or not path.is_file():
            continue
        if not path.stat().st_mode & stat.S_IXUSR or ".so" in path.name:
            continue
        with path.open("rb") as f:
            head = f.read(4)
        if head == ELF_MAGIC or head[:2] == b"#!":
            found.add(path)
    return found


def installed_size_kib(root: Path) -> int:
    total = 0
    for path in root.rglob("*"):
        if path.is_relative_to(root / "DEBIAN"):
            continue
        total += path.lstat().st_size if path.is_file() or path.is_symlink() else 4096
    return (total + 1023) // 1024


def md5sums(root: Path) -> str:
    lines = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if relative.parts[0] == "DEBIAN" or path.is_symlink() or not path.is_file():
            continue
        lines.append(f"{hashlib.md5(path.read_bytes()).hexdigest()}  {relative.as_posix()}")
    return "\n".join(lines) + "\n"


def stage(bundle: Path, root: Path, *, deb_version: str, architecture: str) -> None:
    opt = root / INSTALL_DIR.lstrip("/")
    shutil.copytree(bundle, opt, symlinks=True)
    executables = {opt / p.relative_to(bundle) for p in bundle_executables(bundle)}
    executables.add(opt / PROGRAM)

    usr = root / "usr"
    write(usr / "bin" / PACKAGE, WRAPPER, 0o755)
    executables.add(usr / "bin" / PACKAGE)
    write(
        usr / "share" / "applications" / f"{PACKAGE}.desktop",
        (DEBIAN / f"{PACKAGE}.desktop").read_bytes(),
    )
    hicolor = usr / "share" / "icons" / "hicolor"
    write(hicolor / "scalable" / "apps" / f"{PACKAGE}.svg", (ICONS / f"{PACKAGE}.svg").read_bytes())
    for size in HICOLOR_PNG_SIZES:
        png = (ICONS / f"{PACKAGE}-{size}.png").read_bytes()
        write(hicolor / f"{size}x{size}" / "apps" / f"{PACKAGE}.png", png)
    write(
        usr / "share" / "man" / "man1" / f"{PACKAGE}.1.gz",
        gzip_bytes((DEBIAN / f"{PACKAGE}.1").read_bytes()),
    )
    doc = usr / "share" / "doc" / PACKAGE
    write(doc / "copyright", (DEBIAN / "copyright").read_bytes())
    write(doc / "changelog.gz", gzip_bytes(changelog_text(deb_version).encode("utf-8")))
    write(
        usr / "share" / "lintian" / "overrides" / PACKAGE,
        (DEBIAN / "lintian-overrides").read_bytes(),
    )
    normalise_permissions(root, executables)

    control = (
        (DEBIAN / "control.in")
        .read_text(encoding="utf-8")
        .replace("@VERSION@", deb_version)
        .replace("@ARCHITECTURE@", architecture)
        .replace("@INSTALLED_SIZE@", str(installed_size_kib(root)))
        .replace("@GLIBC@", needed_glibc(bundle))
    )
    if re.search(r"@[A-Z_]+@", control):
        raise SystemExit("build_spec/debian/control.in: a placeholder was left unfilled")
    write(root / "DEBIAN" / "md5sums", md5sums(root))
    write(root / "DEBIAN" / "control", control)
    (root / "DEBIAN").chmod(0o755)


def build(bundle: Path, out: Path, *, fast: bool = False) -> Path:
    bundle = bundle.resolve()
    program = bundle / PROGRAM
    if not program.is_file():
        raise SystemExit(f"no {PROGRAM} in {bundle}: run `make bundle` first")
    architecture = dpkg_architecture()
    bundle_architecture = elf_architecture(program)
    if bundle_architecture != architecture:
        raise SystemExit(
            f"{program} is built for {bundle_architecture}, this machine packages {architecture}: "
            "build the bundle and the .deb on a machine of the target architecture"
        )
    deb_version = debian_version(program_version())
    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    deb = out / f"{PACKAGE}_{deb_version}_{architecture}.deb"
    with tempfile.TemporaryDirectory(prefix="justice-deb-") as tmp:
        root = Path(tmp) / "root"
        root.mkdir()
        stage(bundle, root, deb_version=deb_version, architecture=architecture)
        subprocess.run(
            [
                "dpkg-deb",
                "--root-owner-group",
                # xz: the smallest package, readable by every dpkg (zstd is not, before 1.21.18)
                *(["-Zgzip", "-z1"] if fast else ["-Zxz"]),
                "--build",
                str(root),
                str(deb),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    print(f"{deb} ({deb.stat().st_size / 1e6:.1f} MB)")
    return deb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the .deb from a one-folder bundle.")
    parser.add_argument("--bundle", type=Path, default=ROOT / "dist" / PROGRAM)
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    parser.add_argument(
        "--fast",
        action="store_true",
        help="gzip -1 instead of xz: a bigger package in seconds rather than minutes (tests)",
    )
    args = parser.parse_args(argv)
    try:
        build(args.bundle, args.out, fast=args.fast)
    except subprocess.CalledProcessError as error:
        print(f"{error.cmd[0]} failed (exit {error.returncode})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

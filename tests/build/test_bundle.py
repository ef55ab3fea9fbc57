"""The one-folder bundle works on a machine without Python: in a clean environment (no venv,
no PYTHONPATH) it prints its version, makes demo data, passes its smoke test, prints a bound
case file, and opens the databases the oldest supported version wrote, data intact.

The bundle is built once per session (``bundle_dir`` in conftest.py, ~40 s)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PyInstaller.archive.readers import CArchiveReader

from justice_desktop import __version__
from justice_desktop.store.connection import connect
from justice_desktop.store.keys import DemoFileVault, decode_recovery_key
from justice_desktop.store.migrations import LATEST, current_version
from tests.build.conftest import bundle_executable

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux bundle")

ROOT = Path(__file__).resolve().parents[2]
OLDEST = ROOT / "tests" / "fixtures" / "oldest"
TIMEOUT_S = 180
#: What the desktop program never imports: the city server's stack, other Qt bindings.
NOT_BUNDLED = (
    "sync.server",
    "fastapi",
    "starlette",
    "uvicorn",
    "sqlalchemy",
    "alembic",
    "psycopg",
    "argon2",
    "PyQt5",
    "PyQt6",
    "PySide2",
    "tkinter",
    "pytest",
)


def run(
    bundle: Path, env: dict[str, str], *args: str, stdin: str | None = None, **extra: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(bundle_executable(bundle)), *args],
        env={**env, **extra},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
        # No controlling terminal: getpass reads the recovery key from standard input.
        start_new_session=True,
    )


def bundled_modules(bundle: Path) -> set[str]:
    reader = CArchiveReader(str(bundle_executable(bundle)))
    return set(reader.open_embedded_archive("PYZ.pyz").toc)


def test_bundle_holds_what_the_program_needs_and_nothing_of_the_server(bundle_dir: Path) -> None:
    internal = bundle_dir / "_internal"
    for needed in (
        "resources/fonts/wqy-microhei.ttc",
        "resources/fonts/uming.ttc",
        "resources/fonts/HanaMinB.ttf",
        "resources/fonts/LICENSE-wqy-microhei.txt",
        "resources/codes/dispute_types.json",
        "resources/pinyin/initials.txt",
        "PySide6/Qt/plugins/platforms/libqxcb.so",
        "PySide6/Qt/plugins/platforms/libqoffscreen.so",
        "PySide6/Qt/plugins/imageformats/libqjpeg.so",
        "PySide6/Qt/plugins/printsupport/libcupsprintersupport.so",
        "PySide6/Qt/plugins/platforminputcontexts/libibusplatforminputcontextplugin.so",
        "PySide6/Qt/lib/libQt6Pdf.so.6",
        "PySide6/Qt/lib/libQt6Charts.so.6",
        "PySide6/Qt/translations/qtbase_zh_CN.qm",
    ):
        assert (internal / needed).is_file(), needed
    # Wayland: libqwayland.so from Qt 6.10 on, libqwayland-{egl,generic}.so before
    assert list(internal.glob("PySide6/Qt/plugins/platforms/libqwayland*.so"))
    assert list(internal.glob("sqlcipher3/_sqlite3*.so"))
    # keyring discovers its backends through the entry points in its metadata.
    (keyring_meta,) = internal.glob("keyring-*.dist-info")
    assert "keyring.backends" in (keyring_meta / "entry_points.txt").read_text()
    # Only Chinese Qt translations; no other binding on disk.
    translations = {p.name for p in (internal / "PySide6/Qt/translations").iterdir()}
    assert translations and all(name.endswith("_zh_CN.qm") for name in translations)
    for other in ("PyQt5", "PyQt6", "PySide2", "tkinter", "sqlalchemy", "psycopg", "argon2"):
        assert not (internal / other).exists(), other
    # Nothing of the city server on disk either (data files such as its migration template).
    server_files = sorted(
        str(p.relative_to(bundle_dir))
        for p in bundle_dir.rglob("*")
        if "sync/server" in p.relative_to(bundle_dir).as_posix()
    )
    assert server_files == []

    modules = bundled_modules(bundle_dir)
    for name in (
        "ui.launcher",
        "ui.app",
        "justice_desktop.cli",
        "sync.client.engine",
        "keyring.backends.SecretService",
        "keyring.backends.Windows",
        "reportlab.graphics.barcode.qr",
        "reportlab.graphics.barcode.code128",
        "pypdf",
        "openpyxl",
        "pypinyin",
    ):
        assert name in modules, name
    unwanted = sorted(
        m for m in modules if any(m == n or m.startswith(n + ".") for n in NOT_BUNDLED)
    )
    assert unwanted == []


def test_version_in_a_clean_environment(bundle_dir: Path, clean_env: dict[str, str]) -> None:
    done = run(bundle_dir, clean_env, "--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"justice-desktop {__version__}"


def _loaded_libraries(log_prefix: Path) -> set[str]:
    """Shared objects the dynamic loader initialised, from its LD_DEBUG=files logs."""
    loaded: set[str] = set()
    for log in log_prefix.parent.glob(log_prefix.name + ".*"):
        for line in log.read_text(errors="replace").splitlines():
            if "calling init:" in line:
                loaded.add(line.split("calling init:", 1)[1].strip())
    return loaded


def test_demo_data_smoke_test_and_pdf_in_a_clean_environment(
    bundle_dir: Path, clean_env: dict[str, str], tmp_path: Path
) -> None:
    data = tmp_path / "demo"
    made = run(bundle_dir, clean_env, "--data-dir", str(data), "demo-data", "--cases", "40")
    assert made.returncode == 0, made.stderr
    assert "已生成演示数据：案件 40 件" in made.stdout

    shots = tmp_path / "shots"
    trace = tmp_path / "ld" / "trace"
    trace.parent.mkdir()
    smoke = run(
        bundle_dir,
        clean_env,
        "--data-dir",
        str(data),
        "--demo",
        "--no-crash-dialog",
        "--smoke-test",
        "--screenshots",
        str(shots),
        LD_DEBUG="files",
        LD_DEBUG_OUTPUT=str(trace),
    )
    assert smoke.returncode == 0, smoke.stdout + smoke.stderr
    assert "自检通过" in smoke.stdout
    shown = {line.removeprefix("已显示：") for line in smoke.stdout.splitlines()}
    assert {"home", "cases", "statistics", "settings", "case-1"} <= shown, smoke.stdout
    assert len(list(shots.glob("*.png"))) >= 10

    # Every shared object (Qt, PySide6, SQLCipher, Python's own extensions) came from the
    # bundle or the system, none from the virtual environment the tests run in.
    loaded = _loaded_libraries(trace)
    assert any(p.startswith(str(bundle_dir)) and "libQt6Widgets" in p for p in loaded), loaded
    assert any(p.startswith(str(bundle_dir)) and "sqlcipher3" in p for p in loaded), loaded
    venv = Path(sys.prefix).resolve()
    from_venv = sorted(p for p in loaded if p.startswith(str(venv)) or "site-packages" in p)
    assert from_venv == []

    # A bound case file: fonts, reportlab (with its QR codes) and pypdf inside the bundle.
    pdf = tmp_path / "卷宗.pdf"
    found = run(bundle_dir, clean_env, "--data-dir", str(data), "search", "人调字第1号")
    assert found.returncode == 0, found.stderr
    case = found.stdout.split()[1]  # "[案件] （2026）津东城人调字第N号 …"
    printed = run(
        bundle_dir, clean_env, "--data-dir", str(data), "pdf", case, "--file", "-o", str(pdf)
    )
    assert printed.returncode == 0, printed.stdout + printed.stderr
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "人民调解" in text and "第1页" in text


def _copy_oldest(tmp_path: Path) -> tuple[Path, dict[str, object]]:
    target = tmp_path / "oldest"
    shutil.copytree(OLDEST, target, ignore=shutil.ignore_patterns("*.py", "README.txt"))
    expected = json.loads((OLDEST / "expected.json").read_text(encoding="utf-8"))
    return target, expected


def _schema_version(folder: Path, key: bytes) -> int:
    conn = connect(folder / "justice.db", key)
    try:
        return current_version(conn)
    finally:
        conn.close()


def _db_id(folder: Path) -> str:
    return str(json.loads((folder / "store.json").read_text(encoding="utf-8"))["db_id"])


def test_demo_database_of_the_oldest_version_opens_with_its_data(
    bundle_dir: Path, clean_env: dict[str, str], tmp_path: Path
) -> None:
    fixtures, expected = _copy_oldest(tmp_path)
    demo = fixtures / "demo"
    key = DemoFileVault(demo).load(_db_id(demo))
    assert key is not None
    old_version = _schema_version(demo, key)
    assert old_version < LATEST  # the fixture predates the later migrations

    want = expected["demo"]
    assert isinstance(want, dict)
    found = run(bundle_dir, clean_env, "--data-dir", str(demo), "search", "人调字")
    assert found.returncode == 0, found.stderr
    assert found.stdout.splitlines() == want["search 人调字"]
    assert len(want["search 人调字"]) == 12
    blocks = run(bundle_dir, clean_env, "--data-dir", str(demo), "blocks", "list")
    assert blocks.stdout.splitlines() == want["blocks list"], blocks.stderr
    checked = run(bundle_dir, clean_env, "--data-dir", str(demo), "check", "--full")
    assert checked.returncode == 0, checked.stdout + checked.stderr

    # The migrations ran, after a backup of the old file.
    assert _schema_version(demo, key) == LATEST
    assert list((demo / "backups").glob("*.db"))

    smoke = run(
        bundle_dir,
        clean_env,
        "--data-dir",
        str(demo),
        "--demo",
        "--no-crash-dialog",
        "--smoke-test",
    )
    assert smoke.returncode == 0, smoke.stdout + smoke.stderr


def test_office_database_of_the_oldest_version_opens_with_the_recovery_key(
    bundle_dir: Path, clean_env: dict[str, str], tmp_path: Path
) -> None:
    fixtures, expected = _copy_oldest(tmp_path)
    office = fixtures / "office"
    want = expected["office"]
    assert isinstance(want, dict)
    recovery = str(want["recovery_key"])
    key = decode_recovery_key(recovery)
    assert _schema_version(office, key) < LATEST

    # No keyring on this machine (its key stayed in the old PC's keyring): the recovery key.
    blocks = run(
        bundle_dir, clean_env, "--data-dir", str(office), "--recovery-key", "blocks", "list",
        stdin=recovery + "\n",
    )  # fmt: skip
    assert blocks.returncode == 0, blocks.stdout + blocks.stderr
    assert blocks.stdout.splitlines()[-1:] == want["blocks list"]
    assert _schema_version(office, key) == LATEST

    without_key = run(bundle_dir, clean_env, "--data-dir", str(office), "blocks", "list")
    assert without_key.returncode != 0
    assert "密钥" in without_key.stdout + without_key.stderr


def test_resources_are_found_in_the_bundle_folder_when_frozen(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from justice_desktop import paths

    monkeypatch.delenv("JUSTICE_RESOURCES_DIR", raising=False)
    assert paths.bundle_dir() is None
    assert paths.resources_dir() == ROOT / "resources"
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path / "_internal"), raising=False)
    assert paths.bundle_dir() == tmp_path / "_internal"
    assert paths.resources_dir() == tmp_path / "_internal" / "resources"
    monkeypatch.setenv("JUSTICE_RESOURCES_DIR", str(tmp_path / "mine"))
    assert paths.resources_dir() == tmp_path / "mine"


KEYRING_SCRIPT = """
set -e
printf unlock-pass | gnome-keyring-daemon --unlock --components=secrets >/dev/null
"$EXE" --data-dir "$DATA" init --office 城关司法所 --committee 城关调委会 --prefix 津东城
"$EXE" --data-dir "$DATA" check
"""


@pytest.mark.skipif(
    shutil.which("dbus-run-session") is None or shutil.which("gnome-keyring-daemon") is None,
    reason="make test installs dbus and gnome-keyring",
)
def test_bundled_keyring_keeps_the_key_in_the_secret_service(
    bundle_dir: Path, clean_env: dict[str, str], tmp_path: Path
) -> None:
    """keyring's backends (found through its bundled metadata) with secretstorage, jeepney and
    cryptography inside the bundle: a new office's key goes to GNOME Keyring and comes back."""
    data = tmp_path / "office"
    env = {**clean_env, "EXE": str(bundle_executable(bundle_dir)), "DATA": str(data)}
    done = subprocess.run(
        ["dbus-run-session", "--", "bash", "-c", KEYRING_SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "恢复密钥" in done.stdout and "完整性检查通过" in done.stdout
    assert not (data / "demo.key").exists()

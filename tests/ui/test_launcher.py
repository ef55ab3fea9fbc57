"""``justice-desktop``: command-line delegation without Qt, and the window's start-up paths."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from pytestqt.qtbot import QtBot

from justice_desktop.store.session import DEMO_SETUP, create_office, is_demo
from tests.support.memory_keyring import MemoryKeyring
from tests.ui.conftest import MessageBoxCatcher
from tests.ui.factories import add_cases, new_office
from ui import app as gui_app
from ui import launcher
from ui.main_window import MainWindow
from ui.qt import QApplication, QTimer

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        ([], None),
        (["--demo"], None),
        (["search", "张三"], "search"),
        (["--data-dir", "search", "check"], "check"),  # a folder named "search"
        (["--data-dir=/tmp/x", "backup"], "backup"),
        (["--recovery-key", "restore"], "restore"),
        (["--no-crash-dialog"], None),
    ],
)
def test_command_of(argv: list[str], command: str | None) -> None:
    assert launcher.command_of(argv) == command


def test_gui_options(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUSTICE_DATA_DIR", str(tmp_path / "data"))
    assert launcher.parse_gui_options([]) == launcher.GuiOptions(tmp_path / "data")
    demo = launcher.parse_gui_options(["--demo", "--no-crash-dialog"])
    assert demo.data_dir == tmp_path / "data" / "demo"
    assert demo.demo and not demo.crash_dialog
    given = launcher.parse_gui_options(["--data-dir", str(tmp_path / "x"), "--recovery-key"])
    assert given.data_dir_given and given.recovery_key
    assert launcher.main(["--no-such-option"]) == 2


def run_python(code: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "JUSTICE_DATA_DIR": str(tmp_path / "default-data"),
    }
    env.pop("QT_QPA_PLATFORM", None)  # were Qt imported and started, it would need a display
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_cli_commands_run_without_importing_qt(tmp_path: Path) -> None:
    store = new_office(tmp_path / "office")
    add_cases(store, 3)
    store.close()
    code = f"""
import sys
from ui.launcher import main
rc = main(["--data-dir", {str(tmp_path / "office")!r}, "search", "zs"])
qt = sorted(m for m in sys.modules if m.startswith(("PySide6", "shiboken6")))
print("RC", rc, "QT", qt)
"""
    result = run_python(code, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "RC 0 QT []" in result.stdout
    assert "[案件] （2025）津东城人调字第1号 张*与李*邻里纠纷" in result.stdout


def test_help_needs_no_qt(tmp_path: Path) -> None:
    code = """
import sys
from ui.launcher import main
rc = main(["--help"])
print("RC", rc, "QT", "PySide6" in sys.modules)
"""
    result = run_python(code, tmp_path)
    assert "RC 0 QT False" in result.stdout
    assert "--recovery-key" in result.stdout and "--no-crash-dialog" in result.stdout


@pytest.fixture
def keyring_office(tmp_path: Path) -> Iterator[Path]:
    """A real office database whose key is in the (in-memory) system keyring."""
    folder = tmp_path / "office"
    store, recovery = create_office(folder, DEMO_SETUP)
    add_cases(store, 2)
    store.close()
    (folder / "recovery.txt").write_text(recovery, encoding="utf-8")
    assert not is_demo(folder)
    yield folder


@pytest.fixture
def no_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


def test_no_keyring_is_explained_in_chinese(
    qtbot: QtBot, keyring_office: Path, no_keyring: None, message_boxes: MessageBoxCatcher
) -> None:
    rc = launcher.main(["--data-dir", str(keyring_office), "--no-crash-dialog"])
    assert rc == 1
    assert len(message_boxes.seen) == 1
    title, text = message_boxes.seen[0]
    assert title == "无法打开数据库"
    assert text.startswith("未找到可用的系统密钥环，无法安全保存数据库密钥。")
    assert "Traceback" not in text
    log = (keyring_office / "logs" / "justice-desktop.log").read_text(encoding="utf-8")
    assert "未找到可用的系统密钥环" in log


def test_missing_key_points_to_the_recovery_key(
    qtbot: QtBot, keyring_office: Path, message_boxes: MessageBoxCatcher
) -> None:
    MemoryKeyring.reset()
    rc = launcher.main(["--data-dir", str(keyring_office), "--no-crash-dialog"])
    assert rc == 1
    assert "恢复密钥" in message_boxes.texts()[0]


def test_no_database_opens_the_first_run_wizard(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[Path] = []

    def wizard(data_dir: Path, parent: object = None) -> None:
        seen.append(data_dir)
        return None  # the user cancelled

    monkeypatch.setattr(gui_app, "run_first_run_wizard", wizard)
    empty = tmp_path / "empty"
    assert launcher.main(["--data-dir", str(empty)]) == 1
    assert seen == [empty]
    assert not (empty / "justice.db").exists()


def test_smoke_test_without_database_tells_how_to_create_one(
    qtbot: QtBot, tmp_path: Path, message_boxes: MessageBoxCatcher
) -> None:
    empty = tmp_path / "empty"
    rc = launcher.main(["--data-dir", str(empty), "--smoke-test"])
    assert rc == 1
    title, text = message_boxes.seen[0]
    assert title == "尚未创建数据库"
    assert f"justice-desktop --data-dir {empty} init --office" in text
    assert "justice-desktop --demo" in text
    assert not (empty / "justice.db").exists()


class WindowWatcher:
    """While the launcher's event loop runs: wait for the main window to finish loading,
    note what it shows, close it (which ends the program)."""

    def __init__(self) -> None:
        self.titles: list[str] = []
        self.counts: list[str] = []
        self._timer = QTimer()
        self._timer.setInterval(20)
        self._timer.timeout.connect(self._poll)
        self._timer.start()

    def _poll(self) -> None:
        for widget in QApplication.topLevelWidgets():
            if (
                isinstance(widget, MainWindow)
                and widget.isVisible()
                and widget.overview is not None
            ):
                self.titles.append(widget.windowTitle())
                self.counts.append(widget.count_label.text())
                widget.close()

    def stop(self) -> None:
        self._timer.stop()


@pytest.fixture
def watcher(qtbot: QtBot) -> Iterator[WindowWatcher]:
    w = WindowWatcher()
    yield w
    w.stop()


def test_demo_first_run_creates_and_fills_the_database(
    qtbot: QtBot, tmp_path: Path, watcher: WindowWatcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gui_app, "DEMO_CASES", 25)
    folder = tmp_path / "demo"
    rc = launcher.main(["--demo", "--data-dir", str(folder), "--no-crash-dialog"])
    assert rc == 0
    assert watcher.titles == ["司法所工作台 — 河东区城关街司法所（演示数据）"]
    assert watcher.counts == ["共 25 件案件"]
    assert is_demo(folder)
    assert (folder / "logs" / "justice-desktop.log").exists()

    # the second start opens what is there and generates nothing
    def must_not_run(*_args: object) -> object:
        raise AssertionError("demo data generated twice")

    monkeypatch.setattr(gui_app, "load_demo", must_not_run)
    assert launcher.main(["--demo", "--data-dir", str(folder), "--no-crash-dialog"]) == 0
    assert watcher.counts == ["共 25 件案件", "共 25 件案件"]


def test_recovery_key_opens_when_the_keyring_lost_the_key(
    qtbot: QtBot,
    keyring_office: Path,
    watcher: WindowWatcher,
    message_boxes: MessageBoxCatcher,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    MemoryKeyring.reset()
    answers = ["0000-1111", (keyring_office / "recovery.txt").read_text(encoding="utf-8")]
    monkeypatch.setattr(gui_app, "ask_recovery_key", lambda: answers.pop(0))
    rc = launcher.main(["--data-dir", str(keyring_office), "--recovery-key", "--no-crash-dialog"])
    assert rc == 0
    assert "恢复密钥格式不正确" in message_boxes.texts()[0]  # the typo, then the right key
    assert watcher.counts == ["共 2 件案件"]
    assert watcher.titles == ["司法所工作台 — 河东区城关街司法所"]


def test_smoke_test_opens_every_screen_and_saves_screenshots(
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(gui_app, "DEMO_CASES", 25)
    shots = tmp_path / "shots"
    rc = launcher.main(
        [
            "--demo",
            "--data-dir",
            str(tmp_path / "demo"),
            "--smoke-test",
            "--screenshots",
            str(shots),
            "--no-crash-dialog",
        ]
    )
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "自检通过" in out
    names = sorted(p.name for p in shots.glob("*.png"))
    for key in ("home", "cases", "understanders", "consultations", "adviser_logs", "settings"):
        assert any(n.endswith(f"-{key}.png") for n in names), names
    assert sum(1 for n in names if "-case-" in n) == 10  # every tab of the case editor
    assert all((shots / n).stat().st_size > 5000 for n in names)


def test_smoke_test_fails_when_a_screen_raises(
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from ui import cases_screen

    monkeypatch.setattr(gui_app, "DEMO_CASES", 5)

    def broken(self: object) -> None:
        raise RuntimeError("broken screen")

    monkeypatch.setattr(cases_screen.CasesScreen, "activate", broken)
    monkeypatch.setattr(sys, "excepthook", lambda *_a: None)  # pytest-qt would fail the test
    rc = launcher.main(
        ["--demo", "--data-dir", str(tmp_path / "demo"), "--smoke-test", "--no-crash-dialog"]
    )
    assert rc == 1
    assert "自检未通过" in capsys.readouterr().out


def test_big_log_is_rotated_at_start(tmp_path: Path) -> None:
    log = tmp_path / "justice-desktop.log"
    log.write_text("x" * 50, encoding="utf-8")
    launcher.rotate_log(log, max_bytes=100, keep=2)
    assert log.exists() and not (tmp_path / "justice-desktop.log.1").exists()  # small: kept
    log.write_text("a" * 200, encoding="utf-8")
    launcher.rotate_log(log, max_bytes=100, keep=2)
    assert not log.exists() and (tmp_path / "justice-desktop.log.1").read_text() == "a" * 200
    log.write_text("b" * 200, encoding="utf-8")
    launcher.rotate_log(log, max_bytes=100, keep=2)
    log.write_text("c" * 200, encoding="utf-8")
    launcher.rotate_log(log, max_bytes=100, keep=2)
    assert (tmp_path / "justice-desktop.log.1").read_text() == "c" * 200
    assert (tmp_path / "justice-desktop.log.2").read_text() == "b" * 200
    assert not (tmp_path / "justice-desktop.log.3").exists()  # the oldest went

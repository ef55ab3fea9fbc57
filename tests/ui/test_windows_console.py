"""The windowed Windows program prints into the console it was started from (no console
program exists here: Windows' kernel32 is stood in for by a recorder, the console by a file)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from justice_desktop import __version__
from ui.launcher import main
from ui.windows_console import ATTACH_PARENT_PROCESS, attach_parent_console


class Kernel32:
    def __init__(self, attached: bool, code_page: int = 936) -> None:
        self.attached = attached
        self.code_page = code_page
        self.asked: list[int] = []

    def AttachConsole(self, process: int) -> int:
        self.asked.append(process)
        return int(self.attached)

    def GetConsoleOutputCP(self) -> int:
        return self.code_page


def windowed(monkeypatch: pytest.MonkeyPatch) -> None:
    """A windowed program's standard streams: none (set in the test itself: pytest puts its
    own capture back between a fixture and the test)."""
    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)


def test_started_from_a_console_it_prints_there_in_its_code_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    windowed(monkeypatch)
    console = tmp_path / "console"
    kernel32 = Kernel32(attached=True, code_page=936)
    assert attach_parent_console(kernel32, str(console))
    assert kernel32.asked == [ATTACH_PARENT_PROCESS]
    stream = sys.stdout
    assert sys.stderr is stream
    print("版本 0.4.0")
    stream.close()
    assert console.read_bytes() == "版本 0.4.0\n".encode("gbk")


def test_started_from_explorer_it_stays_silent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    windowed(monkeypatch)
    assert not attach_parent_console(Kernel32(attached=False), str(tmp_path / "console"))
    assert sys.stdout is None
    assert not (tmp_path / "console").exists()


def test_a_program_with_an_output_keeps_it(tmp_path: Path) -> None:
    kernel32 = Kernel32(attached=True)
    assert not attach_parent_console(kernel32, str(tmp_path / "console"))
    assert kernel32.asked == []


def test_off_windows_nothing_is_attached(monkeypatch: pytest.MonkeyPatch) -> None:
    windowed(monkeypatch)
    assert not attach_parent_console()
    assert sys.stdout is None


def test_version_is_printed_by_the_launcher(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"justice-desktop {__version__}"

"""Printing from the windowed Windows program.

On Windows ``justice-desktop.exe`` is a windowed program (no black console window behind the
clerk's screens), so it starts with no standard output: ``justice-desktop --version`` or a
command typed in a console would print nothing. Started from a console, it attaches to that
console and prints there, in the console's code page. (``justice-desktop-cli.exe`` beside it is
the console program for scripts and the Task Scheduler: the console waits for it to end.)
"""

from __future__ import annotations

import sys
from typing import Any

ATTACH_PARENT_PROCESS = -1


def attach_parent_console(kernel32: Any = None, console: str = "CONOUT$") -> bool:
    """Send standard output (and error, if it has none) to the console this program was
    started from. False when it has an output already, runs elsewhere than Windows, or was
    started from Explorer (no console to attach to)."""
    if sys.stdout is not None:
        return False
    if kernel32 is None:
        if sys.platform != "win32":
            return False
        import ctypes

        kernel32 = ctypes.WinDLL("kernel32")
    if not kernel32.AttachConsole(ATTACH_PARENT_PROCESS):
        return False
    stream = open(  # noqa: SIM115 - it stays open: the program's output from now on
        console, "w", encoding=f"cp{kernel32.GetConsoleOutputCP()}", errors="replace"
    )
    sys.stdout = stream
    if sys.stderr is None:
        sys.stderr = stream
    return True

"""The command-line tool's command names, on their own so that the program's start (which only
needs to tell a command from window options) does not import the whole tool."""

from __future__ import annotations

COMMANDS: tuple[str, ...] = (
    "init",
    "demo-data",
    "search",
    "backup",
    "restore",
    "check",
    "blocks",
    "pdf",
    "export",
    "import",
)

"""Settings every test needs, applied before anything imports Qt or keyring.

* Qt draws offscreen: no display needed, and without it pytest-qt aborts on a headless CI.
* keyring uses an in-memory backend (``tests/support/memory_keyring.py``): tests never touch
  the developer's real keyring, and headless machines (no Secret Service) still work.
"""

from __future__ import annotations

import os

import pytest

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ["PYTHON_KEYRING_BACKEND"] = "tests.support.memory_keyring.MemoryKeyring"

# Qt messages that say something about the offscreen test platform, not about our code.
OFFSCREEN_QT_NOISE = ("This plugin does not support propagateSizeHints",)


def pytest_configure(config: pytest.Config) -> None:
    for pattern in OFFSCREEN_QT_NOISE:
        config.addinivalue_line("qt_log_ignore", pattern)

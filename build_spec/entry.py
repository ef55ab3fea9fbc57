"""The bundle's entry point: ``ui.launcher.main`` behind multiprocessing's freeze support.

The demo-data generator runs large loads in spawned worker processes; in a frozen program a
spawned worker is the bundled executable itself, started with multiprocessing's own arguments,
and ``freeze_support()`` turns that start into the worker instead of a second program.
"""

from __future__ import annotations

import multiprocessing
import sys

from ui.launcher import main

if __name__ == "__main__":
    multiprocessing.freeze_support()
    sys.exit(main())

"""The desktop window (PySide6) over the offline core.

Layering: ``ui`` → ``sync`` → ``justice_desktop``; only this package knows Qt, and inside it
only :mod:`ui.qt` imports PySide6.  :mod:`ui.launcher` (the ``justice-desktop`` command)
imports no Qt until it opens the window.  This file imports nothing.
"""

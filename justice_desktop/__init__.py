"""司法所工作台 (justice-desktop): the core, with no Qt.

``__version__`` is the program's one version: pyproject.toml reads it (``dynamic``), the
window's and the server's ``--version`` print it, the bundle and the installers are named by it.
"""

__version__ = "0.4.0"

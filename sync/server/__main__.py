"""``python -m sync.server`` is ``justice-city-server``."""

from sync.server.cli import main

raise SystemExit(main())

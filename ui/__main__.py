"""``python -m ui``: the same as the ``justice-desktop`` command."""

from ui.launcher import main

raise SystemExit(main())

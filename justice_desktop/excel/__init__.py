"""Excel (.xlsx) export of lists and import of the offices' roster and attendance sheets.

No SQL here: reads and writes go through :mod:`justice_desktop.store` (``store/imports.py``).
"""

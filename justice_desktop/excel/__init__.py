"""Excel (.xlsx) export of lists and import of the offices' roster and attendance sheets.

* :mod:`.writer` — ``write_workbook(target, [Table(title, [Column(header, kind, width,
  group)], rows)], office=, exported_at=)``: generic, streamed; for statistics tables too.
* :mod:`.exports` — ``export_list(store, user_id, ExportRequest(kind, full=…), path)`` for
  cases, roster, trainings, consultations and adviser-logs; masked unless ``full`` (head
  only, ``can_export_full``); every export audited.
* :mod:`.importer` — ``plan_roster_import`` / ``plan_attendance_import`` (dry run with a
  row-by-row report) then ``apply_import`` (one transaction).
* :mod:`.reader` — reading any sheet of a messy workbook; ``WorkbookError`` for broken files.

No SQL here: reads and writes go through :mod:`justice_desktop.store` (``store/imports.py``).
"""

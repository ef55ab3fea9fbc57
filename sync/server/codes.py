"""The code tables the server publishes to every office: the shipped ``resources/codes`` tables,
read through the desktop core's loader so both sides validate them the same way."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from justice_desktop.codes import load_code_tables
from justice_desktop.codes.tables import load_table_file
from justice_desktop.paths import resources_dir
from sync.protocol import CodeEntryInfo, CodeTableInfo, CodeTables


def published_code_tables(
    resources: Path | None = None, *, overrides: Path | None = None
) -> CodeTables:
    """Every table with a content version: the SHA-256 of the tables' canonical JSON.
    ``overrides`` holds tables the city bureau publishes in a newer version (``<table>.json``
    in the shipped format); an older or equal version there is ignored, a broken file raises
    the core's ValidationError."""
    central = (
        [load_table_file(path) for path in sorted(overrides.glob("*.json"))]
        if overrides is not None
        else []
    )
    loaded = load_code_tables(
        resources if resources is not None else resources_dir(), central=central
    )
    tables = [
        CodeTableInfo(
            table=table.name,
            title=table.title,
            version=table.version,
            entries=[
                CodeEntryInfo(code=entry.code, label=entry.label, parent=entry.parent)
                for entry in table.entries
            ],
        )
        for _name, table in sorted(loaded.items())
    ]
    canonical = json.dumps(
        [table.model_dump() for table in tables], ensure_ascii=False, sort_keys=True
    )
    version = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return CodeTables(version=version, tables=tables)

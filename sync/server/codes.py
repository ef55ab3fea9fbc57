"""The code tables the server publishes to every office: the shipped ``resources/codes`` tables,
read through the desktop core's loader so both sides validate them the same way."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from justice_desktop.codes import load_code_tables
from justice_desktop.codes.tables import CodeTable, load_table_file
from justice_desktop.paths import resources_dir
from sync.protocol import CodeEntryInfo, CodeTableInfo, CodeTables


def _signature(folder: Path | None) -> tuple[tuple[str, int, int], ...]:
    if folder is None:
        return ()
    return tuple(
        (p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(folder.glob("*.json"))
    )


@lru_cache(maxsize=8)
def _loaded(
    resources: Path, overrides: Path | None, _files: tuple[tuple[tuple[str, int, int], ...], ...]
) -> dict[str, CodeTable]:
    central = (
        [load_table_file(path) for path in sorted(overrides.glob("*.json"))]
        if overrides is not None
        else []
    )
    return load_code_tables(resources, central=central)


def server_code_tables(
    resources: Path | None = None, *, overrides: Path | None = None
) -> dict[str, CodeTable]:
    """The shipped tables with the newer ones in ``overrides`` (``<table>.json`` in the shipped
    format; an older or equal version there is ignored, a broken file raises the core's
    ValidationError). Read again only when a table file changed."""
    folder = resources if resources is not None else resources_dir()
    return _loaded(folder, overrides, (_signature(folder / "codes"), _signature(overrides)))


def published_code_tables(
    resources: Path | None = None, *, overrides: Path | None = None
) -> CodeTables:
    """Every table with a content version: the SHA-256 of the tables' canonical JSON."""
    loaded = server_code_tables(resources, overrides=overrides)
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

"""Code tables: the versioned base files in resources/ plus the office's own additions."""

from __future__ import annotations

import json
from typing import Any

from justice_desktop.codes.tables import (
    CodeTable,
    central_table,
    load_code_tables,
    validate_addition,
)
from justice_desktop.store.connection import Connection
from justice_desktop.store.database import Store
from justice_desktop.validation import ValidationError

CENTRAL_META = "central_code_tables"
CENTRAL_VERSION_META = "central_code_tables_version"


def central_tables(conn: Connection) -> list[CodeTable]:
    """The tables last received from the city server (a broken copy is ignored: the shipped
    tables then apply)."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (CENTRAL_META,)).fetchone()
    if row is None:
        return []
    try:
        return [_table(item) for item in json.loads(row[0])]
    except (ValueError, KeyError, TypeError, ValidationError):
        return []


def _table(item: dict[str, Any]) -> CodeTable:
    return central_table(
        str(item["table"]),
        str(item["title"]),
        int(item["version"]),
        [(str(e["code"]), str(e["label"]), e["parent"]) for e in item["entries"]],
    )


def save_central_tables(store: Store, version: str, tables: list[dict[str, Any]]) -> None:
    """Keep the server's tables (checked first: ValidationError when one is broken)."""
    for item in tables:
        _table(item)
    store.set_meta(CENTRAL_META, json.dumps(tables, ensure_ascii=False))
    store.set_meta(CENTRAL_VERSION_META, version)


def tables_for(conn: Connection) -> dict[str, CodeTable]:
    """Shipped tables, newer central ones and the office's additions."""
    rows = conn.execute(
        "SELECT table_name, code, label, parent_code FROM code_entries WHERE deleted = 0 "
        "ORDER BY created_at"
    ).fetchall()
    additions = [(str(r[0]), str(r[1]), str(r[2]), r[3]) for r in rows]
    return load_code_tables(office_additions=additions, central=central_tables(conn))


def office_additions(store: Store) -> list[tuple[str, str, str, str | None]]:
    rows = store.conn.execute(
        "SELECT table_name, code, label, parent_code FROM code_entries WHERE deleted = 0 ORDER BY created_at"
    ).fetchall()
    return [(str(r[0]), str(r[1]), str(r[2]), r[3]) for r in rows]


def load_tables(store: Store) -> dict[str, CodeTable]:
    return tables_for(store.conn)


def add_entry(store: Store, user_id: str, table: str, label: str, parent: str | None = None) -> str:
    """Add an office entry (e.g. 金融 to dispute types); it survives every upgrade."""
    tables = load_tables(store)
    code = validate_addition(tables, table, label, parent)
    with store.tx(user_id) as tx:
        tx.insert(
            "code_entries",
            {"table_name": table, "code": code, "label": label.strip(), "parent_code": parent},
        )
    return code

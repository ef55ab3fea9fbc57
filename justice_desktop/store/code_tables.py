"""Code tables: the versioned base files in resources/ plus the office's own additions."""

from __future__ import annotations

from justice_desktop.codes.tables import CodeTable, load_code_tables, validate_addition
from justice_desktop.store.database import Store


def office_additions(store: Store) -> list[tuple[str, str, str, str | None]]:
    rows = store.conn.execute(
        "SELECT table_name, code, label, parent_code FROM code_entries WHERE deleted = 0 ORDER BY created_at"
    ).fetchall()
    return [(str(r[0]), str(r[1]), str(r[2]), r[3]) for r in rows]


def load_tables(store: Store) -> dict[str, CodeTable]:
    return load_code_tables(office_additions=office_additions(store))


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

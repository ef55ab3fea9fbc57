"""Rebuilding the search index from the records: used by the migration that created the index
(so records written before it are found) and available for repair."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from justice_desktop.codes.tables import load_code_tables
from justice_desktop.store import search
from justice_desktop.store.connection import Connection


def _rows(conn: Connection, sql: str, params: tuple[Any, ...] = ()) -> Iterator[dict[str, Any]]:
    cur = conn.execute(sql, params)
    names = [d[0] for d in cur.description]
    for row in cur.fetchall():
        yield dict(zip(names, row, strict=True))


def reindex_all(conn: Connection) -> int:
    """Index every live case, understander and consultation; return how many. The caller
    holds the transaction."""
    from justice_desktop.store.cases import case_search_fields
    from justice_desktop.store.consultations import consultation_search_fields
    from justice_desktop.store.understanders import understander_search_fields

    additions = [
        (r["table_name"], r["code"], r["label"], r["parent_code"])
        for r in _rows(conn, "SELECT * FROM code_entries WHERE deleted = 0")
    ]
    tables = load_code_tables(office_additions=additions)
    count = 0
    for case in _rows(conn, "SELECT * FROM cases WHERE deleted = 0 ORDER BY rowid"):
        parties = list(
            _rows(
                conn,
                "SELECT * FROM parties WHERE case_id = ? AND deleted = 0 ORDER BY position",
                (case["id"],),
            )
        )
        case.setdefault("village", "")
        search.index_document(conn, "case", case["id"], **case_search_fields(case, parties, tables))
        count += 1
    for row in _rows(conn, "SELECT * FROM understanders WHERE deleted = 0 ORDER BY rowid"):
        search.index_document(conn, "understander", row["id"], **understander_search_fields(row))
        count += 1
    for row in _rows(conn, "SELECT * FROM consultations WHERE deleted = 0 ORDER BY rowid"):
        search.index_document(
            conn, "consultation", row["id"], **consultation_search_fields(row, tables)
        )
        count += 1
    return count

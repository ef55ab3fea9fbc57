"""Rebuilding the search index from the records: used by the migration that created the index
(so records written before it are found) and available for repair."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import Any

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
    from justice_desktop.store.code_tables import tables_for
    from justice_desktop.store.consultations import consultation_search_fields
    from justice_desktop.store.understanders import understander_search_fields

    tables = tables_for(conn)
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


def reindex_records(
    conn: Connection,
    case_ids: Collection[str],
    understander_ids: Collection[str] = (),
    consultation_ids: Collection[str] = (),
) -> None:
    """Bring the index up to date for some records changed outside their services (records
    pulled from the city server): index the live ones, drop the deleted ones. The caller
    holds the transaction."""
    from justice_desktop.store.cases import case_search_fields
    from justice_desktop.store.code_tables import tables_for
    from justice_desktop.store.consultations import consultation_search_fields
    from justice_desktop.store.understanders import understander_search_fields

    if not (case_ids or understander_ids or consultation_ids):
        return
    tables = tables_for(conn)
    for case_id in sorted(case_ids):
        found = list(_rows(conn, "SELECT * FROM cases WHERE id = ?", (case_id,)))
        if not found or found[0]["deleted"]:
            search.remove_document(conn, "case", case_id)
            continue
        case = found[0]
        parties = list(
            _rows(
                conn,
                "SELECT * FROM parties WHERE case_id = ? AND deleted = 0 ORDER BY position",
                (case_id,),
            )
        )
        case.setdefault("village", "")
        search.index_document(conn, "case", case_id, **case_search_fields(case, parties, tables))
    for rid in sorted(understander_ids):
        found = list(_rows(conn, "SELECT * FROM understanders WHERE id = ?", (rid,)))
        if not found or found[0]["deleted"]:
            search.remove_document(conn, "understander", rid)
        else:
            search.index_document(conn, "understander", rid, **understander_search_fields(found[0]))
    for rid in sorted(consultation_ids):
        found = list(_rows(conn, "SELECT * FROM consultations WHERE id = ?", (rid,)))
        if not found or found[0]["deleted"]:
            search.remove_document(conn, "consultation", rid)
        else:
            search.index_document(
                conn, "consultation", rid, **consultation_search_fields(found[0], tables)
            )

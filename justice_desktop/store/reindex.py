"""Rebuilding the search index from the records: used by the migration that created the index
(so records written before it are found) and available for repair."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from typing import Any

from justice_desktop.store import search
from justice_desktop.store.connection import Connection
from justice_desktop.validation import ValidationError


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


def rows_by_ids(
    conn: Connection, table: str, ids: Sequence[str], column: str = "id"
) -> list[dict[str, Any]]:
    """Every row of ``table`` whose ``column`` is one of ``ids``, read in chunks of 500."""
    out: list[dict[str, Any]] = []
    for at in range(0, len(ids), 500):
        chunk = ids[at : at + 500]
        marks = ",".join("?" * len(chunk))
        out += _rows(conn, f"SELECT * FROM {table} WHERE {column} IN ({marks})", tuple(chunk))
    return out


def _indexed(conn: Connection, kind: str, ids: list[str]) -> set[str]:
    found: set[str] = set()
    for at in range(0, len(ids), 500):
        chunk = ids[at : at + 500]
        marks = ",".join("?" * len(chunk))
        rows = conn.execute(
            f"SELECT ref_id FROM search_docs WHERE kind = ? AND ref_id IN ({marks})",
            (kind, *chunk),
        ).fetchall()
        found.update(str(r[0]) for r in rows)
    return found


def reindex_records(
    conn: Connection,
    case_ids: Collection[str],
    understander_ids: Collection[str] = (),
    consultation_ids: Collection[str] = (),
    *,
    rows: Mapping[str, Mapping[str, dict[str, Any]]] | None = None,
) -> int:
    """Bring the index up to date for some records changed outside their services (records
    pulled from the city server): index the live ones (new documents in bulk), drop the
    deleted ones. A record whose fields the index cannot read (a code no table here knows) is
    left out of the index, not an error. Returns how many documents were left out. The caller
    holds the transaction.

    ``rows`` (table → id → whole row as just written) spares reading those records back; the
    ids not in it are read from their tables."""
    from justice_desktop.store.cases import case_search_fields
    from justice_desktop.store.code_tables import tables_for
    from justice_desktop.store.consultations import consultation_search_fields
    from justice_desktop.store.understanders import understander_search_fields

    if not (case_ids or understander_ids or consultation_ids):
        return 0
    tables = tables_for(conn)
    parties: dict[str, list[dict[str, Any]]] = {}
    wanted = sorted(case_ids)
    for party in rows_by_ids(conn, "parties", wanted, "case_id"):
        if not party["deleted"]:
            parties.setdefault(str(party["case_id"]), []).append(party)
    docs: list[tuple[str, dict[str, Any]]] = []
    gone: list[tuple[str, str]] = []
    skipped = 0

    def build(kind: str, rows: list[dict[str, Any]], fields: Any) -> None:
        nonlocal skipped
        for row in rows:
            if row["deleted"]:
                gone.append((kind, str(row["id"])))
                continue
            try:
                docs.append((kind, {"ref_id": str(row["id"]), **fields(row)}))
            except (ValidationError, KeyError, TypeError):
                skipped += 1

    def case_fields(case: dict[str, Any]) -> dict[str, Any]:
        case.setdefault("village", "")
        mine = sorted(parties.get(str(case["id"]), []), key=lambda p: p["position"])
        return case_search_fields(case, mine, tables)

    given = rows or {}

    def read(table: str, ids: Collection[str]) -> list[dict[str, Any]]:
        known = given.get(table, {})
        out = [dict(known[i]) for i in ids if i in known]
        return out + rows_by_ids(conn, table, sorted(i for i in ids if i not in known))

    build("case", read("cases", wanted), case_fields)
    build("understander", read("understanders", understander_ids), understander_search_fields)
    build(
        "consultation",
        read("consultations", consultation_ids),
        lambda row: consultation_search_fields(row, tables),
    )
    for kind, ref_id in gone:
        search.remove_document(conn, kind, ref_id)
    fresh: list[search.SearchDoc] = []
    for kind in ("case", "understander", "consultation"):
        mine = [d for k, d in docs if k == kind]
        known = _indexed(conn, kind, [d["ref_id"] for d in mine])
        for d in mine:
            ref_id = d.pop("ref_id")
            if ref_id in known:
                search.index_document(conn, kind, ref_id, **d)
            else:
                fresh.append(search.SearchDoc(kind, ref_id, **d))
    search.index_documents_bulk(conn, fresh)
    return skipped

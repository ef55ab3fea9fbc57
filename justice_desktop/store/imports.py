"""SQL of the Excel exports and imports (:mod:`justice_desktop.excel` has none).

Exports read the lists in full, streamed, and write one audit entry per export (who, which
list, how many rows, 完整导出 or 脱敏导出; never values). Imports write in **one**
transaction through :class:`~justice_desktop.store.records.Tx`, so every new or changed
record gets its outbox entry (sync) and audit entry, and new 法律明白人 their search
documents; a failure rolls the whole import back.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from typing import Any

from justice_desktop.store import search
from justice_desktop.store.database import Store
from justice_desktop.store.queries import CASE_LIST_COLUMNS, CaseFilter
from justice_desktop.store.records import Row, new_id
from justice_desktop.store.understanders import understander_search_fields

__all__ = [
    "EXPORT_AUDIT_ACTION",
    "IMPORT_AUDIT_ACTION",
    "apply_attendance_import",
    "apply_roster_import",
    "audit_export",
    "existing_understanders",
    "find_trainings",
    "iter_adviser_logs",
    "iter_case_rows",
    "iter_consultations",
    "iter_training_attendance",
    "user_role",
]

EXPORT_AUDIT_ACTION = "export"
IMPORT_AUDIT_ACTION = "import"
FETCH_ROWS = 5000


def user_role(store: Store, user_id: str) -> str | None:
    """The role (clerk, lawyer, adviser, head) of an active local user; None if unknown."""
    value = store.scalar(
        "SELECT role FROM users WHERE id = ? AND deleted = 0 AND active = 1", (user_id,)
    )
    return None if value is None else str(value)


def audit_export(store: Store, user_id: str, table: str, summary: str) -> None:
    """One audit entry for an export of the list of ``table`` (``summary`` holds no values)."""
    with store.tx(user_id) as tx:
        tx.audit(EXPORT_AUDIT_ACTION, table, "", summary)


def _iter(store: Store, sql: str, params: Sequence[Any] = ()) -> Iterator[Row]:
    cur = store.conn.execute(sql, tuple(params))
    names = [d[0] for d in cur.description]
    while chunk := cur.fetchmany(FETCH_ROWS):
        for values in chunk:
            yield dict(zip(names, values, strict=True))


def iter_case_rows(store: Store, flt: CaseFilter | None = None) -> Iterator[Row]:
    """The case list's rows (``CASE_LIST_COLUMNS`` and ``source_sub``), newest first."""
    where, params = (flt or CaseFilter()).where()
    columns = ", ".join((*CASE_LIST_COLUMNS, "source_sub"))
    return _iter(
        store,
        f"SELECT {columns} FROM cases WHERE {where} ORDER BY registered_on DESC, id DESC",
        params,
    )


def iter_consultations(
    store: Store, date_from: date | None = None, date_to: date | None = None
) -> Iterator[Row]:
    sql = "SELECT * FROM consultations WHERE deleted = 0"
    params: list[str] = []
    if date_from:
        sql += " AND consulted_on >= ?"
        params.append(date_from.isoformat())
    if date_to:
        sql += " AND consulted_on <= ?"
        params.append(date_to.isoformat())
    return _iter(store, sql + " ORDER BY consulted_on, created_at", params)


def iter_adviser_logs(store: Store, year: int | None = None) -> Iterator[Row]:
    sql = "SELECT * FROM adviser_logs WHERE deleted = 0"
    params: list[str] = []
    if year:
        sql += " AND started_at >= ? AND started_at < ?"
        params += [f"{year:04d}", f"{year + 1:04d}"]
    return _iter(store, sql + " ORDER BY started_at, created_at", params)


def iter_training_attendance(store: Store, year: int | None = None) -> Iterator[Row]:
    """One row per person who attended a training: the training's date, topic, mode and
    hours with the person's name, village, group, ID number and phone."""
    sql = """SELECT t.id AS training_id, t.held_on, t.topic, t.trainer, t.mode, t.hours,
                    u.name, u.village, u.villager_group, u.id_number, u.phone
             FROM training_attendance a
             JOIN trainings t ON t.id = a.training_id
             JOIN understanders u ON u.id = a.understander_id
             WHERE a.deleted = 0 AND a.attended = 1 AND t.deleted = 0 AND u.deleted = 0"""
    params: list[str] = []
    if year:
        sql += " AND t.held_on >= ? AND t.held_on < ?"
        params += [f"{year:04d}", f"{year + 1:04d}"]
    return _iter(store, sql + " ORDER BY t.held_on, t.id, u.village, u.name", params)


def existing_understanders(store: Store) -> list[Row]:
    """Every (not deleted) person on the roster, removed people included, with all fields."""
    return store.query("SELECT * FROM understanders WHERE deleted = 0")


def find_trainings(store: Store, key: str) -> list[Row]:
    """Trainings whose id is ``key`` or whose topic is ``key`` (newest first)."""
    text = key.strip()
    return store.query(
        "SELECT * FROM trainings WHERE deleted = 0 AND (id = ? OR topic = ?) "
        "ORDER BY held_on DESC, created_at DESC",
        (text, text),
    )


def apply_roster_import(
    store: Store,
    user_id: str,
    new_rows: Sequence[Mapping[str, Any]],
    updates: Sequence[tuple[str, Mapping[str, Any]]],
    summary: str,
) -> list[str]:
    """Insert ``new_rows`` (validated understander rows) and apply ``updates`` (id, changed
    fields) in one transaction with their outbox, audit and search entries, plus one
    ``import`` audit entry with ``summary``. Returns the new ids in order."""
    ids: list[str] = []
    with store.tx(user_id) as tx:
        docs: list[search.SearchDoc] = []
        records: list[dict[str, Any]] = []
        for values in new_rows:
            uid = new_id()
            ids.append(uid)
            records.append({**values, "status": "active"})
            row = {"villager_group": "", "phone": "", "id_number": None, "certificate_no": ""}
            row.update(values)
            docs.append(
                search.SearchDoc(search.KIND_UNDERSTANDER, uid, **understander_search_fields(row))
            )
        tx.insert_many("understanders", records, ids)
        search.index_documents_bulk(tx.conn, docs)
        for uid, changes in updates:
            tx.update("understanders", uid, changes)
            current = tx.require("understanders", uid)
            search.index_document(
                tx.conn, search.KIND_UNDERSTANDER, uid, **understander_search_fields(current)
            )
        tx.audit(IMPORT_AUDIT_ACTION, "understanders", "", summary)
    return ids


def apply_attendance_import(
    store: Store, user_id: str, training_id: str, understander_ids: Sequence[str], summary: str
) -> int:
    """Mark ``understander_ids`` as having attended ``training_id`` (adding to its check-list,
    never removing), in one transaction. Returns how many were not yet marked."""
    added = 0
    with store.tx(user_id) as tx:
        tx.require("trainings", training_id)
        current = {
            str(uid): (str(rid), int(attended))
            for rid, uid, attended in tx.conn.execute(
                "SELECT id, understander_id, attended FROM training_attendance "
                "WHERE training_id = ? AND deleted = 0",
                (training_id,),
            ).fetchall()
        }
        for uid in dict.fromkeys(understander_ids):
            found = current.get(uid)
            if found is None:
                tx.insert(
                    "training_attendance",
                    {"training_id": training_id, "understander_id": uid, "attended": 1},
                )
                added += 1
            elif not found[1]:
                tx.update("training_attendance", found[0], {"attended": 1})
                added += 1
        tx.audit(IMPORT_AUDIT_ACTION, "training_attendance", training_id, summary)
    return added

"""What this machine knows about its sync with the city server (the SQL side of ``sync.client``).

* **Outbox batches**: the pending entries in ``seq`` order, each with its idempotency key
  ``<machine id>:<seq>:<digest>``. The digest covers the entry's content, so an entry whose
  ``seq`` was reused (a database restored from an older backup) can never be mistaken by the
  server for a change it has seen.
* **Push results**: an entry is marked pushed only when the server's answer for it arrived
  (applied, conflict or duplicate). The record adopts the server's version only when no later
  local change of it is still pending: a record edited while its upload was in flight stays
  pending with its new change. A rejected entry is *parked* with the server's reason: it is
  kept, shown, blocks nothing and can be sent again.
* **Pull pages**: every record of a page is written in one transaction together with the pull
  checkpoint (``sync_pull_after``), so an interrupted pull resumes at the last whole page and a
  page is never half applied. A pulled record without pending local changes takes the server's
  row (values, version, deleted); one with pending local changes keeps the locally changed
  fields (they are on their way to the server, which merges them) and takes the rest. No
  outbox entries are written for pulled rows; the audit log notes each one. A row that cannot
  be stored (the server sent a field with no column here, a required value missing) is kept in
  ``sync_incoming_problems`` with the reason, never dropped; once this program has columns for
  all its fields (an update), the sync fetches it again (``problems_to_retry``).
* **Conflicts**: a copy of the server's open conflicts, for the conflicts list.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from justice_desktop.store.connection import ROW_REFUSED, Connection, DatabaseError, rollback
from justice_desktop.store.database import Store
from justice_desktop.store.errors import DamagedDatabaseError
from justice_desktop.store.records import BOOKKEEPING
from justice_desktop.store.reindex import reindex_records, rows_by_ids
from justice_desktop.store.schema_v1 import SYNCED_TABLES

SYNC_STATE_DDL: tuple[str, ...] = (
    "ALTER TABLE outbox ADD COLUMN parked_at TEXT",
    "ALTER TABLE outbox ADD COLUMN parked_reason TEXT NOT NULL DEFAULT ''",
    "CREATE INDEX outbox_by_record ON outbox(record_id, seq)",
    """CREATE TABLE sync_conflicts (
        id INTEGER PRIMARY KEY,
        table_name TEXT NOT NULL,
        record_id TEXT NOT NULL,
        field TEXT,
        base TEXT NOT NULL,
        server TEXT NOT NULL,
        incoming TEXT NOT NULL,
        provisional TEXT NOT NULL,
        created_at INTEGER NOT NULL)""",
    """CREATE TABLE sync_incoming_problems (
        table_name TEXT NOT NULL,
        record_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        data TEXT NOT NULL,
        reason TEXT NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (table_name, record_id))""",
    """CREATE TABLE blob_downloads (
        sha256 TEXT NOT NULL,
        offset INTEGER NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (sha256, offset))""",
)

PULL_AFTER_META = "sync_pull_after"
SERVER_OFFICE_META = "sync_server_office_id"
SERVER_URL_META = "sync_server_url"
SERVER_USER_META = "sync_username"
LAST_SYNC_META = "last_sync_at"
LAST_RESULT_META = "last_sync_result"
DAY_END_META = "sync_day_end_time"
SETTINGS_VERSION_META = "sync_settings_version"

SYNC_USER = "sync"
"""The user id the audit log shows for rows written by a pull."""


@dataclass(frozen=True)
class PendingChange:
    seq: int
    idempotency_key: str
    table_name: str
    record_id: str
    op: str
    base_version: int
    changes: dict[str, Any]
    created_at: str


@dataclass(frozen=True)
class ParkedChange:
    seq: int
    table_name: str
    record_id: str
    op: str
    changes: dict[str, Any]
    created_at: str
    parked_at: str
    reason: str


@dataclass(frozen=True)
class IncomingRecord:
    """One record as the server sends it (``sync.protocol.PulledRecord`` without pydantic)."""

    table_name: str
    record_id: str
    version: int
    deleted: bool
    data: Mapping[str, Any]
    updated_at: int


@dataclass(frozen=True)
class ConflictRow:
    id: int
    table_name: str
    record_id: str
    field: str | None
    base: Any
    server: Any
    incoming: Any
    provisional: Any
    created_at: int


@contextmanager
def _write(conn: Connection, *, foreign_keys: bool = True) -> Iterator[None]:
    """``BEGIN IMMEDIATE`` … ``COMMIT`` (rolled back on any exception). With
    ``foreign_keys=False`` references are not checked meanwhile: a pulled page may hold a
    party whose case comes in a later page."""
    if not foreign_keys:
        conn.execute("PRAGMA foreign_keys = OFF")
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            rollback(conn)
            raise
        conn.execute("COMMIT")
    finally:
        if not foreign_keys:
            conn.execute("PRAGMA foreign_keys = ON")


def _now() -> str:
    return datetime.now(UTC).astimezone().isoformat(timespec="seconds")


_DAMAGE = ("malformed", "not a database")
"""What SQLite says when it finds a damaged page."""


def damage_found(store: Store, exc: BaseException) -> DamagedDatabaseError | None:
    """``exc`` as a damaged database (with the backups to restore from), when that is what
    it is: SQLite came upon a damaged page in the middle of a sync."""
    if not isinstance(exc, DatabaseError) or isinstance(exc, ROW_REFUSED):
        return None
    text = str(exc)
    if not any(words in text for words in _DAMAGE):
        return None
    try:
        backups = [path.name for path in store.list_backups()]
    except Exception:  # the backup folder's name is in the damaged database too
        backups = []
    return DamagedDatabaseError(str(store.path), text, backups)


def forget_login(store: Store) -> None:
    """The user logged out: the next sync needs a login (the server address stays)."""
    store.conn.execute("DELETE FROM meta WHERE key = ?", (SERVER_USER_META,))


def idempotency_key(machine_id: str, seq: int, content: str) -> str:
    digest = hashlib.sha256(content.encode("utf-8")).hexdigest()[:16]
    return f"{machine_id}:{seq}:{digest}"


# -- outbox -------------------------------------------------------------------------------------


def pending_count(store: Store) -> int:
    return int(
        store.scalar("SELECT count(*) FROM outbox WHERE pushed_at IS NULL AND parked_at IS NULL")
    )


def parked_count(store: Store) -> int:
    return int(store.scalar("SELECT count(*) FROM outbox WHERE parked_at IS NOT NULL"))


def pending_batch(store: Store, limit: int, after_seq: int = 0) -> list[PendingChange]:
    """The oldest pending (not parked) entries after ``after_seq``."""
    rows = store.conn.execute(
        "SELECT seq, table_name, record_id, version, op, changes, created_at FROM outbox "
        "WHERE pushed_at IS NULL AND parked_at IS NULL AND seq > ? ORDER BY seq LIMIT ?",
        (after_seq, limit),
    ).fetchall()
    machine = store.machine_id
    batch = []
    for seq, table, rid, version, op, changes, created_at in rows:
        content = f"{table}\x1f{rid}\x1f{version}\x1f{op}\x1f{changes}"
        batch.append(
            PendingChange(
                seq=int(seq),
                idempotency_key=idempotency_key(machine, int(seq), content),
                table_name=str(table),
                record_id=str(rid),
                op=str(op),
                base_version=0 if op == "insert" else max(int(version) - 1, 0),
                changes=json.loads(changes),
                created_at=str(created_at),
            )
        )
    return batch


@dataclass(frozen=True)
class PushOutcome:
    """The server's answer for one entry, as the store needs it."""

    seq: int
    record_id: str
    table_name: str
    accepted: bool
    """Applied, conflict or duplicate: the server holds the change."""
    server_version: int | None
    reason: str = ""


def record_push_results(store: Store, outcomes: Sequence[PushOutcome]) -> None:
    """Mark confirmed entries pushed and park rejected ones, in one transaction."""
    at = _now()
    conn = store.conn
    with _write(conn):
        for outcome in outcomes:
            if not outcome.accepted:
                conn.execute(
                    "UPDATE outbox SET parked_at = ?, parked_reason = ? "
                    "WHERE seq = ? AND pushed_at IS NULL",
                    (at, outcome.reason or "市局服务器拒收了这条修改", outcome.seq),
                )
                continue
            conn.execute(
                "UPDATE outbox SET pushed_at = ? WHERE seq = ? AND pushed_at IS NULL",
                (at, outcome.seq),
            )
            if outcome.server_version is None or outcome.table_name not in SYNCED_TABLES:
                continue
            later = conn.execute(
                "SELECT 1 FROM outbox WHERE record_id = ? AND seq > ? AND pushed_at IS NULL "
                "LIMIT 1",
                (outcome.record_id, outcome.seq),
            ).fetchone()
            if later is None:
                conn.execute(
                    f"UPDATE {outcome.table_name} SET version = ? WHERE id = ?",
                    (outcome.server_version, outcome.record_id),
                )


def parked(store: Store) -> list[ParkedChange]:
    rows = store.conn.execute(
        "SELECT seq, table_name, record_id, op, changes, created_at, parked_at, parked_reason "
        "FROM outbox WHERE parked_at IS NOT NULL ORDER BY seq"
    ).fetchall()
    return [
        ParkedChange(int(r[0]), r[1], r[2], r[3], json.loads(r[4]), r[5], r[6], r[7]) for r in rows
    ]


def unpark(store: Store, seqs: Iterable[int] | None = None) -> int:
    """Send parked entries again at the next sync (all of them when ``seqs`` is None)."""
    if seqs is None:
        cur = store.conn.execute(
            "UPDATE outbox SET parked_at = NULL, parked_reason = '' WHERE parked_at IS NOT NULL"
        )
    else:
        wanted = list(seqs)
        marks = ",".join("?" for _ in wanted) or "NULL"
        cur = store.conn.execute(
            f"UPDATE outbox SET parked_at = NULL, parked_reason = '' WHERE seq IN ({marks})",
            wanted,
        )
    return int(cur.rowcount)


# -- pull -----------------------------------------------------------------------------------------


def pull_after(store: Store) -> int:
    return int(store.meta(PULL_AFTER_META) or 0)


_BOOKKEEPING = frozenset(BOOKKEEPING)


@dataclass
class _Columns:
    names: frozenset[str]
    required: frozenset[str]
    defaults: dict[str, Any]
    """Every column's default value (None where it has none): a new row as it reads back."""


def _columns(conn: Connection, table: str, cache: dict[str, _Columns]) -> _Columns:
    found = cache.get(table)
    if found is None:
        info = conn.execute(f"PRAGMA table_info({table})").fetchall()
        defaults = {
            str(r[1]): None if r[4] is None else conn.execute(f"SELECT {r[4]}").fetchone()[0]
            for r in info
        }
        found = _Columns(
            frozenset(defaults),
            frozenset(r[1] for r in info if r[3] and r[4] is None and r[1] not in BOOKKEEPING),
            defaults,
        )
        cache[table] = found
    return found


@lru_cache(maxsize=4096)  # a page's records share a few hundred distinct seconds
def _iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).astimezone().isoformat(timespec="seconds")


class _Touched:
    """The records whose search documents a page changes: the searchable ones by id with
    their rows as written (the index is built from these, not read back), and the cases
    whose parties changed."""

    SEARCHABLE = ("cases", "understanders", "consultations")

    def __init__(self) -> None:
        self.rows: dict[str, dict[str, dict[str, Any]]] = {t: {} for t in self.SEARCHABLE}
        self.party_cases: set[str] = set()

    def note(self, table: str, record_id: str, row: dict[str, Any]) -> None:
        if table in self.rows:
            self.rows[table][record_id] = row
        elif table == "parties" and row.get("case_id"):
            self.party_cases.add(str(row["case_id"]))

    def forget(self, table: str, record_id: str) -> None:
        if table in self.rows:
            self.rows[table].pop(record_id, None)


@dataclass(frozen=True)
class ApplyResult:
    applied: int
    problems: int
    missing_blobs: tuple[str, ...]


def apply_pulled(store: Store, records: Sequence[IncomingRecord], next_after: int) -> ApplyResult:
    """Write one pulled page and move the checkpoint to ``next_after``, in one transaction.

    Foreign keys are not checked while a page is written: a page may hold a party whose case
    comes in a later page (the case changed after the party). The pull as a whole is complete
    once the last page is in.
    """
    conn = store.conn
    with _write(conn, foreign_keys=False):
        result = _apply_page(conn, records)
        conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (PULL_AFTER_META, str(next_after)),
        )
    return result


def apply_records(store: Store, records: Sequence[IncomingRecord]) -> ApplyResult:
    """Write records fetched outside the pull order (a repair), without moving the
    checkpoint."""
    conn = store.conn
    with _write(conn, foreign_keys=False):
        result = _apply_page(conn, records)
    return result


_CHUNK = 500


def _chunked(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for at in range(0, len(items), _CHUNK):
        yield items[at : at + _CHUNK]


def _pending_of(conn: Connection, ids: Sequence[str]) -> dict[str, tuple[set[str], bool]]:
    """Record id → (fields with pending local changes, a delete pending) for the ids that
    have any."""
    pending: dict[str, tuple[set[str], bool]] = {}
    for chunk in _chunked(ids):
        rows = conn.execute(
            "SELECT record_id, op, changes FROM outbox WHERE pushed_at IS NULL AND record_id IN "
            f"({','.join('?' * len(chunk))})",
            tuple(chunk),
        ).fetchall()
        for rid, op, changes in rows:
            fields, deleting = pending.setdefault(str(rid), (set(), False))
            if op == "delete":
                pending[str(rid)] = (fields, True)
            else:
                fields.update(json.loads(changes))
    return pending


def _apply_page(conn: Connection, records: Sequence[IncomingRecord]) -> ApplyResult:
    """Write a page with a few statements per table, not per record: the local rows and the
    pending outbox fields are read in chunks, new rows inserted with ``executemany``."""
    cache: dict[str, _Columns] = {}
    touched = _Touched()
    audit: list[tuple[str, str, str, str, str, str]] = []
    problems: list[tuple[IncomingRecord, str]] = []
    stored: list[IncomingRecord] = []
    settled: list[IncomingRecord] = []
    """Records already exactly as pulled here."""
    blobs: set[str] = set()
    stamp = _now()
    # Pages fetched at different moments can hold one record twice (changed on another PC
    # meanwhile): the later copy, in server order, is the one to write.
    # It takes the later copy's place too: the writes before it (another record moved off a
    # unique value it takes, say) happened first on the server as well.
    latest: dict[tuple[str, str], IncomingRecord] = {}
    for rec in records:
        latest.pop((rec.table_name, rec.record_id), None)
        latest[(rec.table_name, rec.record_id)] = rec
    records = list(latest.values())
    refused: set[tuple[str, str]] = set()
    by_table: dict[str, list[IncomingRecord]] = {}
    for rec in records:
        by_table.setdefault(rec.table_name, []).append(rec)
    ids = [rec.record_id for rec in records]
    pending = _pending_of(conn, ids)
    for table, group in by_table.items():
        if table not in SYNCED_TABLES:
            problems += [(r, f"本机程序不认识数据表“{table}”，请更新本机程序") for r in group]
            continue
        columns = _columns(conn, table, cache)
        local = {
            str(row["id"]): row for row in rows_by_ids(conn, table, [r.record_id for r in group])
        }
        inserts: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
        for rec in group:
            row, reason = _merge(rec, columns, local.get(rec.record_id), pending)
            if reason == _UNCHANGED:
                settled.append(rec)
                continue
            if reason is not None or row is None:
                problems.append((rec, reason or ""))
                continue
            if rec.record_id in local:
                sets = ", ".join(f"{name} = ?" for name in row)
                try:
                    conn.execute(
                        f"UPDATE {table} SET {sets} WHERE id = ?", (*row.values(), rec.record_id)
                    )
                except ROW_REFUSED as exc:  # a constraint of this table: keep the record aside
                    problems.append((rec, _refusal(exc)))
                    continue
            else:
                inserts.setdefault(tuple(row), []).append((rec, tuple(row.values())))
            before = local.get(rec.record_id)
            touched.note(table, rec.record_id, {**(before or columns.defaults), **row})
            stored.append(rec)
        for cols, pairs in inserts.items():
            sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
            try:
                conn.executemany(sql, [values for _rec, values in pairs])
            except ROW_REFUSED:  # a bad row: the rows before it are written, the rest one by one
                # (no savepoint to undo the batch: it would journal every page the group
                # touches, and made a first pull three times slower)
                written = {
                    str(row["id"])
                    for row in rows_by_ids(conn, table, [rec.record_id for rec, _ in pairs])
                }
                for rec, values in pairs:
                    if rec.record_id in written:
                        continue
                    try:
                        conn.execute(sql, values)
                    except ROW_REFUSED as exc:
                        problems.append((rec, _refusal(exc)))
                        refused.add((table, rec.record_id))
                        touched.forget(table, rec.record_id)
    if refused:
        stored = [rec for rec in stored if (rec.table_name, rec.record_id) not in refused]
    for rec in stored:
        action = "sync_delete" if rec.deleted else "sync"
        audit.append((stamp, SYNC_USER, action, rec.table_name, rec.record_id, ""))
        if rec.table_name == "attachments" and not rec.deleted and rec.data.get("sha256"):
            blobs.add(str(rec.data["sha256"]))
    if problems:
        conn.executemany(
            "INSERT INTO sync_incoming_problems "
            "(table_name, record_id, version, data, reason, at) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(table_name, record_id) DO UPDATE SET version = excluded.version, "
            "data = excluded.data, reason = excluded.reason, at = excluded.at",
            [
                (
                    rec.table_name,
                    rec.record_id,
                    rec.version,
                    json.dumps(dict(rec.data), ensure_ascii=False),
                    reason,
                    stamp,
                )
                for rec, reason in problems
            ],
        )
    done = stored + settled
    if done and conn.execute("SELECT 1 FROM sync_incoming_problems LIMIT 1").fetchone():
        conn.executemany(
            "DELETE FROM sync_incoming_problems WHERE table_name = ? AND record_id = ?",
            [(rec.table_name, rec.record_id) for rec in done],
        )
    if audit:
        conn.executemany(
            "INSERT INTO audit_log (at, user_id, action, table_name, record_id, fields) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            audit,
        )
    cases = touched.rows["cases"]
    reindex_records(
        conn,
        touched.party_cases | cases.keys(),
        touched.rows["understanders"].keys(),
        touched.rows["consultations"].keys(),
        rows=touched.rows,
    )
    missing = tuple(sorted(b for b in blobs if not _has_blob(conn, b)))
    return ApplyResult(len(stored), len(problems), missing)


_REFUSALS = (
    ("NOT NULL constraint failed", "缺少必填内容"),
    ("UNIQUE constraint failed", "与本机已有的记录重复"),
    ("FOREIGN KEY constraint failed", "引用的记录在本机不存在"),
    ("CHECK constraint failed", "内容不符合本机程序的要求"),
)


def _refusal(exc: Exception) -> str:
    """Why this machine cannot store a pulled record, in Chinese (SQLite's own words, in
    English, follow for whoever looks into it)."""
    text = str(exc)
    why = next((zh for en, zh in _REFUSALS if en in text), "数据库拒绝保存")
    return f"本机无法保存这条记录：{why}（{text}）"


def _has_blob(conn: Connection, sha256: str) -> bool:
    return conn.execute("SELECT 1 FROM blobs WHERE sha256 = ?", (sha256,)).fetchone() is not None


_UNCHANGED = ""
"""Returned by ``_merge`` for a record that is already exactly as pulled."""


def _merge(
    rec: IncomingRecord,
    columns: _Columns,
    local: dict[str, Any] | None,
    pending: Mapping[str, tuple[set[str], bool]],
) -> tuple[dict[str, Any] | None, str | None]:
    """The row to write for one pulled record (with the bookkeeping columns), or the reason
    (Chinese) it cannot be stored, or ``_UNCHANGED``."""
    data = rec.data
    if not columns.names.issuperset(data):
        unknown = sorted(set(data) - columns.names)
        return None, f"本机程序不认识字段 {'、'.join(unknown)}，请更新本机程序"
    if _BOOKKEEPING.isdisjoint(data):
        values = dict(data)
    else:
        values = {k: v for k, v in data.items() if k not in BOOKKEEPING}
    deleted = rec.deleted
    version = rec.version
    waiting = pending.get(rec.record_id) if local is not None else None
    if waiting is not None and local is not None:
        fields, deleting = waiting
        for name in fields:
            if name in local:
                values[name] = local[name]
        deleted = deleted or deleting
        version = int(local["version"])
    if (
        local is not None
        and int(local["version"]) == version
        and bool(local["deleted"]) == deleted
        and all(local.get(k) == v for k, v in values.items())
    ):
        return None, _UNCHANGED  # this machine's own change coming back: nothing to write
    updated_at = _iso(rec.updated_at)
    if local is None:
        missing = sorted(columns.required - set(values))
        if missing:
            return None, f"服务器发来的记录缺少必填字段 {'、'.join(missing)}"
        return {
            **values,
            "id": rec.record_id,
            "version": version,
            "deleted": int(deleted),
            "created_at": updated_at,
            "updated_at": updated_at,
            "updated_by": SYNC_USER,
        }, None
    return {
        **values,
        "version": version,
        "deleted": int(deleted),
        "updated_at": updated_at,
        "updated_by": SYNC_USER,
    }, None


def incoming_problems(store: Store) -> list[dict[str, Any]]:
    return store.query(
        "SELECT table_name, record_id, version, reason, at FROM sync_incoming_problems "
        "ORDER BY at, table_name, record_id"
    )


def problems_to_retry(store: Store) -> list[tuple[str, str]]:
    """The records kept aside that this program may store now, as (table, record id): those
    whose table and fields it has columns for (an updated program added them, or the reason
    was another). A record whose fields are still unknown here is not asked for again."""
    rows = store.conn.execute(
        "SELECT table_name, record_id, data FROM sync_incoming_problems ORDER BY 1, 2"
    ).fetchall()
    cache: dict[str, _Columns] = {}
    keys = []
    for table, record_id, data in rows:
        if table not in SYNCED_TABLES:
            continue
        if _columns(store.conn, table, cache).names.issuperset(json.loads(data)):
            keys.append((str(table), str(record_id)))
    return keys


# -- conflicts ----------------------------------------------------------------------------------


def replace_conflicts(store: Store, conflicts: Sequence[ConflictRow]) -> None:
    conn = store.conn
    with _write(conn):
        conn.execute("DELETE FROM sync_conflicts")
        conn.executemany(
            "INSERT INTO sync_conflicts (id, table_name, record_id, field, base, server, "
            "incoming, provisional, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    c.id,
                    c.table_name,
                    c.record_id,
                    c.field,
                    json.dumps(c.base, ensure_ascii=False),
                    json.dumps(c.server, ensure_ascii=False),
                    json.dumps(c.incoming, ensure_ascii=False),
                    json.dumps(c.provisional, ensure_ascii=False),
                    c.created_at,
                )
                for c in conflicts
            ],
        )


def open_conflicts(store: Store) -> list[ConflictRow]:
    rows = store.conn.execute(
        "SELECT id, table_name, record_id, field, base, server, incoming, provisional, "
        "created_at FROM sync_conflicts ORDER BY created_at, id"
    ).fetchall()
    return [
        ConflictRow(
            int(r[0]),
            r[1],
            r[2],
            r[3],
            json.loads(r[4]),
            json.loads(r[5]),
            json.loads(r[6]),
            json.loads(r[7]),
            int(r[8]),
        )
        for r in rows
    ]


def conflict_count(store: Store) -> int:
    return int(store.scalar("SELECT count(*) FROM sync_conflicts"))


def drop_conflict(store: Store, conflict_id: int) -> None:
    store.conn.execute("DELETE FROM sync_conflicts WHERE id = ?", (conflict_id,))


# -- checksums and repair -------------------------------------------------------------------------


def record_versions(store: Store) -> Iterator[tuple[str, str, int, bool]]:
    """(table, id, version, deleted) of every synced record here."""
    for table in SYNCED_TABLES:
        cur = store.conn.execute(f"SELECT id, version, deleted FROM {table}")
        while rows := cur.fetchmany(5000):
            for rid, version, deleted in rows:
                yield table, str(rid), int(version), bool(deleted)


def record_row(store: Store, table: str, record_id: str) -> dict[str, Any] | None:
    if table not in SYNCED_TABLES:
        return None
    rows = store.query(f"SELECT * FROM {table} WHERE id = ?", (record_id,))
    return rows[0] if rows else None


def requeue_records(store: Store, keys: Sequence[tuple[str, str]]) -> int:
    """Queue the whole current row of records the server does not have as inserts again
    (a repair after the server lost them, or an outbox entry marked pushed too eagerly by an
    older program). Returns how many were queued."""
    conn = store.conn
    queued = 0
    stamp = _now()
    with _write(conn):
        for table, rid in keys:
            if table not in SYNCED_TABLES:
                continue
            cur = conn.execute(f"SELECT * FROM {table} WHERE id = ?", (rid,))
            names = [d[0] for d in cur.description]
            found = cur.fetchone()
            if found is None:
                continue
            row = dict(zip(names, found, strict=True))
            changes: dict[str, list[Any]]
            if row["deleted"]:
                op, changes = "delete", {"deleted": [0, 1]}
            else:
                op = "insert"
                changes = {k: [None, v] for k, v in row.items() if k not in BOOKKEEPING}
            conn.execute(
                "INSERT INTO outbox (table_name, record_id, version, op, changes, created_at, "
                "created_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    table,
                    rid,
                    int(row["version"]),
                    op,
                    json.dumps(changes, ensure_ascii=False),
                    stamp,
                    SYNC_USER,
                ),
            )
            queued += 1
    return queued


# -- attachments ----------------------------------------------------------------------------------


def blob_data(store: Store, sha256: str) -> bytes | None:
    value = store.scalar("SELECT data FROM blobs WHERE sha256 = ?", (sha256,))
    return bytes(value) if value is not None else None


def save_blob(store: Store, sha256: str, data: bytes) -> None:
    store.conn.execute(
        "INSERT OR IGNORE INTO blobs (sha256, size, data) VALUES (?, ?, ?)",
        (sha256, len(data), data),
    )


def download_parts(store: Store, sha256: str) -> int:
    """Bytes of an interrupted download already here (kept in the encrypted database)."""
    return int(
        store.scalar(
            "SELECT coalesce(sum(length(data)), 0) FROM blob_downloads WHERE sha256 = ?",
            (sha256,),
        )
    )


def save_download_part(store: Store, sha256: str, offset: int, data: bytes) -> None:
    store.conn.execute(
        "INSERT OR REPLACE INTO blob_downloads (sha256, offset, data) VALUES (?, ?, ?)",
        (sha256, offset, data),
    )


def finish_download(store: Store, sha256: str) -> bool:
    """Join the parts; store the file when its SHA-256 is right. The parts are dropped either
    way (a wrong file is fetched again from the start)."""
    parts = store.conn.execute(
        "SELECT data FROM blob_downloads WHERE sha256 = ? ORDER BY offset", (sha256,)
    ).fetchall()
    data = b"".join(bytes(p[0]) for p in parts)
    ok = hashlib.sha256(data).hexdigest() == sha256
    conn = store.conn
    with _write(conn):
        if ok:
            conn.execute(
                "INSERT OR IGNORE INTO blobs (sha256, size, data) VALUES (?, ?, ?)",
                (sha256, len(data), data),
            )
        conn.execute("DELETE FROM blob_downloads WHERE sha256 = ?", (sha256,))
    return ok


def drop_unneeded_parts(store: Store, needed: Iterable[str]) -> int:
    """Drop the parts of cut downloads of files no record needs any more (deleted meanwhile),
    so they do not stay in the database for ever. Returns how many parts went."""
    keep = set(needed)
    stale = [
        str(r[0])
        for r in store.conn.execute("SELECT DISTINCT sha256 FROM blob_downloads").fetchall()
        if str(r[0]) not in keep
    ]
    dropped = 0
    for sha256 in stale:
        cur = store.conn.execute("DELETE FROM blob_downloads WHERE sha256 = ?", (sha256,))
        dropped += int(cur.rowcount)
    return dropped


def missing_blobs(store: Store) -> list[str]:
    """Attachment contents this machine has a record of but not the file."""
    rows = store.conn.execute(
        "SELECT DISTINCT a.sha256 FROM attachments a LEFT JOIN blobs b ON b.sha256 = a.sha256 "
        "WHERE a.deleted = 0 AND b.sha256 IS NULL ORDER BY a.sha256"
    ).fetchall()
    return [str(r[0]) for r in rows]


# -- joining an office ----------------------------------------------------------------------------

SETUP_TABLES = ("offices", "committees", "users", "settings", "code_entries")


def business_record_count(store: Store) -> int:
    """Records beyond the first-run setup (office, committees, users, settings)."""
    total = 0
    for table in SYNCED_TABLES:
        if table in SETUP_TABLES:
            continue
        total += int(store.scalar(f"SELECT count(*) FROM {table}"))
    return total


def drop_local_setup(store: Store) -> None:
    """Before a new machine joins an office that already has data on the server: remove the
    first-run setup made here (its office, committees, users, settings and their outbox
    entries and number blocks), so the office's own records take their place. Only allowed
    while nothing else was recorded here."""
    if business_record_count(store):
        raise ValueError("local records exist")
    conn = store.conn
    with _write(conn, foreign_keys=False):
        conn.execute("DELETE FROM number_blocks")
        marks = ",".join("?" for _ in SETUP_TABLES)
        conn.execute(f"DELETE FROM outbox WHERE table_name IN ({marks})", SETUP_TABLES)
        for table in SETUP_TABLES:
            conn.execute(f"DELETE FROM {table}")
        conn.execute("DELETE FROM meta WHERE key = 'office_id'")


def adopt_office(store: Store) -> str | None:
    """After a join: make the pulled office this database's office. Returns its id."""
    row = store.scalar("SELECT id FROM offices WHERE deleted = 0 ORDER BY created_at LIMIT 1")
    if row is None:
        return None
    store.set_meta("office_id", str(row))
    return str(row)


def local_office_record_id(store: Store) -> str | None:
    return store.meta("office_id")

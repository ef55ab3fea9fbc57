"""Push and pull: the offices' records on the server, merged per field, with stored conflicts.

Design
======

Tables (migration ``0004``): ``records`` holds the current state of every synced record of every
office — the whole row as a JSON object (field → value, without the desktop's bookkeeping
columns), the server's ``version``, a ``deleted`` flag, the ``server_seq`` of its last change,
the server's clock and the device that changed it last. ``applied_changes`` keeps the result of
every change by its idempotency key (per office). ``conflicts`` keeps concurrent changes waiting
for a person. ``sync_counters`` holds each office's last ``server_seq``.

Push (``POST /api/v1/sync/push``, at most 500 changes): one transaction per request. It first
locks the office's counter row (``SELECT … FOR UPDATE`` on PostgreSQL; every SQLite write
transaction is ``BEGIN IMMEDIATE``), so the pushes of one office — from any number of server
processes — run one after another: ``server_seq`` values are committed in the order they are
handed out (a pull never skips a sequence number that commits later), duplicate keys sent twice
at once cannot both apply, and no deadlock is possible. Ordering never depends on clients'
clocks: ``created_at`` is accepted and ignored.

For each change, in the order sent:

* its idempotency key was applied before → status ``duplicate`` with the stored result
  (``first_status``, versions); nothing changes (a lost response, a double-clicked sync);
* unknown table, unknown op, a field that is not a column of the desktop's synced table, or a
  malformed ``[old, new]`` pair, text the database cannot store (NUL, lone surrogates) or a
  ``base_version`` beyond 64 bits → ``rejected`` with a Chinese reason; the other changes of the
  batch go on. Rejections are not stored, so the change may be sent again to a newer server;
* insert or update → a per-field 3-way merge with the current server row: a field whose server
  value equals the change's old value (or already equals the new value, or is absent) takes the
  new value; a field the server changed meanwhile to something else becomes a ``conflicts`` row
  (base = the change's old value, server value, incoming = the new value) and keeps the server's
  value as the provisional value — the same on every machine, since every machine pulls the
  server's row. Different fields of one record therefore merge. A later edit of that field by
  the same machine, made on top of its own value in the open conflict while the server's value
  stayed, carries that conflict on with the newer value (an offline day's edits of one field
  make one conflict, not one per edit). An update of a record the server does not know yet
  creates it from the change's new values; an insert of a record that exists merges like an
  update whose old values are all ``null``;
* delete → applied when the server's version equals the change's ``base_version`` (nobody else
  changed the record since the deleting machine last saw it), when the record is already deleted,
  or when the server does not know it (a tombstone is kept). Otherwise the record was edited
  elsewhere: a ``conflicts`` row with ``field`` NULL (server = the current row, incoming =
  ``{"deleted": true}``) and the record stays, not deleted;
* an edit of a deleted record → a ``conflicts`` row with ``field`` NULL (server =
  ``{"deleted": true}``, incoming = the edit's new values) and the record is brought back with
  the edit applied. So a delete against an edit, in either arrival order, never deletes silently
  nor resurrects silently: the provisional state is *not deleted, with the edit applied*, and a
  person decides.

Every change that is applied or becomes a conflict bumps the record's version by exactly one and
gives it the office's next ``server_seq`` (so the machines that sent it pull the provisional row
back). Because the server counts one version per change, a machine whose edits were not
interleaved with another machine's sees the server's version equal to its own: that is what
makes ``base_version`` meaningful for deletes.

Pull (``GET /api/v1/sync/pull?after=&limit=``): the office's records with ``server_seq >
after`` in ``server_seq`` order, each with its whole row, version and ``deleted`` flag, plus
``next_after`` and ``has_more``. A record changed twice appears once, at its newest sequence
number; paging with ``next_after`` has no gaps and no duplicates. District and city accounts
may pull the offices they may read; only the office's own users push.

Resolve (``POST /api/v1/sync/conflicts/{id}/resolve``): a person's decision — the chosen value
of a field conflict, or ``keep`` true/false for a delete against an edit — is applied like a
pushed change (the record's version + 1, the office's next ``server_seq``, under the same
counter lock), so every machine pulls the resolution. The conflict row keeps who resolved it,
when, the decision, the request's idempotency key and the result: a replay returns that result
and changes nothing; a different decision on a resolved conflict is refused (409). Only the
office's own users resolve. ``GET /api/v1/sync/conflicts?include_resolved=true`` lists resolved
conflicts too.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from justice_desktop.store.records import BOOKKEEPING
from justice_desktop.store.schema_v1 import SYNCED_TABLES
from sync.protocol import (
    ChangeResult,
    ChangeStatus,
    ConflictInfo,
    ConflictList,
    PulledRecord,
    PullPage,
    PushChange,
    PushRequest,
    PushResponse,
    ResolveRequest,
    ResolveResult,
)
from sync.server.authz import Principal, require_write
from sync.server.db import applied_changes, auth_sessions, conflicts, records, sync_counters

OPS = ("insert", "update", "delete")


@cache
def synced_fields() -> Mapping[str, frozenset[str]]:
    """The fields each synced table of the desktop program has (bookkeeping columns excluded),
    read from the desktop's own schema migrated into a throw-away in-memory database."""
    import sqlcipher3

    from justice_desktop.store.migrations import migrate

    conn = sqlcipher3.connect(":memory:", isolation_level=None)
    try:
        migrate(conn)
        return {
            table: frozenset(
                row[1]
                for row in conn.execute(f"PRAGMA table_info({table})").fetchall()
                if row[1] not in BOOKKEEPING
            )
            for table in SYNCED_TABLES
        }
    finally:
        conn.close()


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


MAX_VERSION = 2**63 - 2
"""The largest ``base_version`` a change may carry (versions are 64-bit on the server)."""


def _storable(text: str) -> bool:
    """Whether the database can store ``text``: PostgreSQL's text holds neither NUL characters
    nor lone UTF-16 surrogates (which JSON's ``\\u`` escapes can carry)."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _invalid_reason(change: PushChange, fields: Mapping[str, frozenset[str]]) -> str | None:
    """Why the server cannot apply ``change`` (Chinese), or None."""
    names = (change.idempotency_key, change.table_name, change.record_id, change.op)
    if not all(_storable(name) for name in names) or not _storable(_dumps(change.changes)):
        return "修改内容含有无法保存的字符（空字符或不成对的代理字符）"
    if change.base_version > MAX_VERSION:
        return "修改的版本号超出范围"
    known = fields.get(change.table_name)
    if known is None:
        return f"市局服务器不认识数据表“{change.table_name}”，请更新市局服务器程序"
    if change.op not in OPS:
        return f"市局服务器不认识操作“{change.op}”"
    if change.op == "delete":
        return None
    malformed = [
        name
        for name, pair in change.changes.items()
        if not isinstance(pair, list) or len(pair) != 2
    ]
    if malformed:
        return f"字段 {'、'.join(sorted(malformed))} 的修改内容格式不正确"
    unknown = sorted(set(change.changes) - known)
    if unknown:
        return (
            f"市局服务器不认识数据表“{change.table_name}”的字段 {'、'.join(unknown)}，"
            "请更新市局服务器程序"
        )
    return None


@dataclass
class _Row:
    id: int | None
    """The ``records`` row's id; None for a record this batch creates."""
    version: int
    deleted: bool
    data: dict[str, Any]


@dataclass
class _Write:
    """A record's state after the batch's changes so far, written once at the end."""

    row: _Row
    table_name: str
    record_id: str
    server_seq: int
    device: str | None


class _Batch:
    """One push request inside its transaction (the office's counter row is locked).

    The changes are merged in memory, in the order sent, against the state the batch loaded up
    front: the stored results of all its idempotency keys (one query) and all the records it
    touches (one query per table). The writes — each record's final state, the applied
    changes' results and the conflicts, in order — go to the database at the end with one
    ``executemany`` each, so a batch costs a handful of round trips, not several per change."""

    def __init__(
        self,
        conn: sa.Connection,
        office_id: int,
        now: int,
        last_seq: int,
        changes: list[PushChange],
    ) -> None:
        self.conn = conn
        self.office_id = office_id
        self.now = now
        self.device: str | None = None
        self.last_seq = last_seq
        self.fields = synced_fields()
        self.stored = self._load_results(changes)
        self.rows = self._load_rows(changes)
        self.writes: dict[tuple[str, str], _Write] = {}
        self.applied: list[dict[str, Any]] = []
        self.conflicts: list[dict[str, Any]] = []
        self.open: dict[tuple[str, str], list[dict[str, Any]]] = {}
        """A record's open field conflicts (stored ones with their ``id``, and this batch's),
        read at its first clash."""
        self.continued: dict[int, str] = {}
        """Stored conflict id → its new incoming value."""

    def _load_results(self, changes: list[PushChange]) -> dict[str, str]:
        keys = sorted({c.idempotency_key for c in changes if _storable(c.idempotency_key)})
        if not keys:
            return {}
        found = self.conn.execute(
            sa.select(applied_changes.c.idempotency_key, applied_changes.c.result).where(
                applied_changes.c.office_id == self.office_id,
                applied_changes.c.idempotency_key.in_(keys),
            )
        )
        return {row.idempotency_key: row.result for row in found}

    def _load_rows(self, changes: list[PushChange]) -> dict[tuple[str, str], _Row]:
        by_table: dict[str, set[str]] = {}
        for change in changes:
            if change.table_name in self.fields and _storable(change.record_id):
                by_table.setdefault(change.table_name, set()).add(change.record_id)
        rows: dict[tuple[str, str], _Row] = {}
        for table_name, record_ids in sorted(by_table.items()):
            found = self.conn.execute(
                sa.select(
                    records.c.id,
                    records.c.record_id,
                    records.c.version,
                    records.c.deleted,
                    records.c.data,
                ).where(
                    records.c.office_id == self.office_id,
                    records.c.table_name == table_name,
                    records.c.record_id.in_(sorted(record_ids)),
                )
            )
            for row in found:
                rows[(table_name, row.record_id)] = _Row(
                    int(row.id), int(row.version), bool(row.deleted), json.loads(row.data)
                )
        return rows

    def apply(self, change: PushChange) -> ChangeResult:
        key = change.idempotency_key
        stored = self.stored.get(key)
        if stored is not None:
            first = ChangeResult.model_validate_json(stored)
            return first.model_copy(
                update={"status": ChangeStatus.DUPLICATE, "first_status": first.status}
            )
        reason = _invalid_reason(change, self.fields)
        if reason is not None:
            # A lone surrogate cannot be sent back in JSON either: it becomes "?".
            shown = key if _storable(key) else key.encode("utf-8", "replace").decode("utf-8")
            return ChangeResult(idempotency_key=shown, status=ChangeStatus.REJECTED, reason=reason)
        row = self.rows.get((change.table_name, change.record_id))
        result = self._delete(change, row) if change.op == "delete" else self._edit(change, row)
        stored = result.model_dump_json()
        self.stored[key] = stored
        self.applied.append(
            {
                "office_id": self.office_id,
                "idempotency_key": key,
                "result": stored,
                "applied_at": self.now,
            }
        )
        return result

    def flush(self) -> None:
        """Write the batch: new records, changed records, applied changes, conflicts."""
        new = [write for write in self.writes.values() if write.row.id is None]
        changed = [write for write in self.writes.values() if write.row.id is not None]
        if new:
            self.conn.execute(
                records.insert(),
                [
                    {
                        "office_id": self.office_id,
                        "table_name": write.table_name,
                        "record_id": write.record_id,
                        **self._values(write),
                    }
                    for write in new
                ],
            )
        if changed:
            self.conn.execute(
                records.update()
                .where(records.c.id == sa.bindparam("row_id"))
                .values(
                    version=sa.bindparam("version"),
                    data=sa.bindparam("data"),
                    deleted=sa.bindparam("deleted"),
                    server_seq=sa.bindparam("server_seq"),
                    updated_at=sa.bindparam("updated_at"),
                    updated_by_device=sa.bindparam("updated_by_device"),
                ),
                [{"row_id": write.row.id, **self._values(write)} for write in changed],
            )
        if self.applied:
            self.conn.execute(applied_changes.insert(), self.applied)
        if self.conflicts:
            self.conn.execute(conflicts.insert(), self.conflicts)
        if self.continued:
            self.conn.execute(
                conflicts.update()
                .where(conflicts.c.id == sa.bindparam("conflict_id"))
                .values(incoming_value=sa.bindparam("incoming")),
                [{"conflict_id": cid, "incoming": value} for cid, value in self.continued.items()],
            )

    def _values(self, write: _Write) -> dict[str, Any]:
        return {
            "version": write.row.version,
            "data": _dumps(write.row.data),
            "deleted": write.row.deleted,
            "server_seq": write.server_seq,
            "updated_at": self.now,
            "updated_by_device": write.device,
        }

    # -- the merge ---------------------------------------------------------------------
    def _edit(self, change: PushChange, row: _Row | None) -> ChangeResult:
        pairs = {name: (pair[0], pair[1]) for name, pair in change.changes.items()}
        if row is None:
            data = {name: new for name, (_old, new) in pairs.items()}
            version, seq = self._write(change, None, data, deleted=False)
            return self._result(change, ChangeStatus.APPLIED, version, seq)
        was_deleted = row.deleted  # _write updates ``row`` in place
        data = dict(row.data)
        clashing: list[str] = []
        for name, (old, new) in pairs.items():
            current = data.get(name)
            if name in data and current != new and current != old:
                clashing.append(name)
                if not self._continues(change, name, old, current, new):
                    self._conflict(change, name, base=old, server=current, incoming=new)
            else:
                data[name] = new
        if was_deleted:
            self._conflict(
                change,
                None,
                base={name: old for name, (old, _new) in pairs.items()},
                server={"deleted": True},
                incoming={name: new for name, (_old, new) in pairs.items()},
                provisional=data,
            )
        version, seq = self._write(change, row, data, deleted=False)
        if was_deleted:
            reason = "这条记录已在别的电脑上删除：修改已保留，记录暂不删除，等待人工处理"
            if clashing:
                reason += f"；字段 {'、'.join(clashing)} 也有冲突"
            return self._result(change, ChangeStatus.CONFLICT, version, seq, reason, clashing)
        if clashing:
            reason = (
                f"字段 {'、'.join(clashing)} 已在别的电脑上改成其他内容：暂按市局服务器上的内容，"
                "等待人工处理"
            )
            return self._result(change, ChangeStatus.CONFLICT, version, seq, reason, clashing)
        return self._result(change, ChangeStatus.APPLIED, version, seq)

    def _delete(self, change: PushChange, row: _Row | None) -> ChangeResult:
        if row is None or row.deleted or row.version == change.base_version:
            data = {} if row is None else row.data
            version, seq = self._write(change, row, data, deleted=True)
            return self._result(change, ChangeStatus.APPLIED, version, seq)
        self._conflict(change, None, base=None, server=row.data, incoming={"deleted": True})
        version, seq = self._write(change, row, row.data, deleted=False)
        reason = "这条记录已在别的电脑上修改：暂不删除，等待人工处理"
        return self._result(change, ChangeStatus.CONFLICT, version, seq, reason)

    # -- storage -----------------------------------------------------------------------
    def _write(
        self, change: PushChange, row: _Row | None, data: dict[str, Any], *, deleted: bool
    ) -> tuple[int, int]:
        self.last_seq += 1
        if row is None:
            row = _Row(None, change.base_version + 1, deleted, data)
            self.rows[(change.table_name, change.record_id)] = row
        else:
            row.version += 1
            row.deleted = deleted
            row.data = data
        self.writes[(change.table_name, change.record_id)] = _Write(
            row, change.table_name, change.record_id, self.last_seq, self.device
        )
        return row.version, self.last_seq

    def _open_conflicts(self, table_name: str, record_id: str) -> list[dict[str, Any]]:
        key = (table_name, record_id)
        found = self.open.get(key)
        if found is None:
            rows = self.conn.execute(
                sa.select(
                    conflicts.c.id,
                    conflicts.c.field,
                    conflicts.c.server_value,
                    conflicts.c.incoming_value,
                    conflicts.c.idempotency_key,
                )
                .where(
                    conflicts.c.office_id == self.office_id,
                    conflicts.c.table_name == table_name,
                    conflicts.c.record_id == record_id,
                    conflicts.c.resolved_at.is_(None),
                    conflicts.c.field.is_not(None),
                )
                .order_by(conflicts.c.id)
            )
            found = [dict(row._mapping) for row in rows]
            self.open[key] = found
        return found

    def _continues(self, change: PushChange, field: str, old: Any, current: Any, new: Any) -> bool:
        """A later edit of a field by the machine whose earlier edit of it is an open conflict
        (made on top of that edit's value, the server's value unchanged since) carries that
        conflict on with its new value, instead of one more conflict per edit of an offline
        day: a person decides once, between the server's value and this machine's latest."""
        machine = change.idempotency_key.partition(":")[0]
        for entry in reversed(self._open_conflicts(change.table_name, change.record_id)):
            if (
                entry["field"] == field
                and entry["server_value"] == _dumps(current)
                and entry["incoming_value"] == _dumps(old)
                and entry["idempotency_key"].partition(":")[0] == machine
            ):
                entry["incoming_value"] = _dumps(new)
                if entry.get("id") is not None:
                    self.continued[int(entry["id"])] = entry["incoming_value"]
                return True
        return False

    def _conflict(
        self,
        change: PushChange,
        field: str | None,
        *,
        base: Any,
        server: Any,
        incoming: Any,
        provisional: Any = None,
    ) -> None:
        entry = {
            "office_id": self.office_id,
            "table_name": change.table_name,
            "record_id": change.record_id,
            "field": field,
            "base_value": _dumps(base),
            "server_value": _dumps(server),
            "incoming_value": _dumps(incoming),
            "provisional_value": _dumps(server if provisional is None else provisional),
            "idempotency_key": change.idempotency_key,
            "created_at": self.now,
        }
        self.conflicts.append(entry)
        if field is not None:  # the same dict: a later edit in this batch may carry it on
            self._open_conflicts(change.table_name, change.record_id).append(entry)

    @staticmethod
    def _result(
        change: PushChange,
        status: ChangeStatus,
        version: int,
        seq: int,
        reason: str = "",
        clashing: list[str] | None = None,
    ) -> ChangeResult:
        return ChangeResult(
            idempotency_key=change.idempotency_key,
            status=status,
            server_version=version,
            server_seq=seq,
            reason=reason,
            conflict_fields=clashing or [],
        )


def _lock_counter(conn: sa.Connection, office_id: int) -> int:
    values = {"office_id": office_id, "last_seq": 0}
    if conn.dialect.name == "postgresql":
        conn.execute(postgresql.insert(sync_counters).values(values).on_conflict_do_nothing())
    else:
        conn.execute(sqlite.insert(sync_counters).values(values).on_conflict_do_nothing())
    return int(
        conn.execute(
            sa.select(sync_counters.c.last_seq)
            .where(sync_counters.c.office_id == office_id)
            .with_for_update()
        ).scalar_one()
    )


def push(engine: Engine, principal: Principal, request: PushRequest, now: int) -> PushResponse:
    """Apply a batch of changes to the caller's office in one transaction."""
    office_id = (principal.office_id or 0) if request.office_id is None else request.office_id
    require_write(principal, office_id)  # district and city accounts are refused here
    with engine.begin() as conn:
        session_device = conn.execute(
            sa.select(auth_sessions.c.device_id).where(auth_sessions.c.id == principal.session_id)
        ).scalar()
        last_seq = _lock_counter(conn, office_id)
        batch = _Batch(conn, office_id, now, last_seq, request.changes)
        results: list[ChangeResult] = []
        for change in request.changes:
            batch.device = session_device or change.idempotency_key.partition(":")[0][:64] or None
            results.append(batch.apply(change))
        batch.flush()
        if batch.last_seq != last_seq:
            conn.execute(
                sync_counters.update()
                .where(sync_counters.c.office_id == office_id)
                .values(last_seq=batch.last_seq)
            )
    return PushResponse(office_id=office_id, results=results)


def _pull_rows(engine: Engine, office_id: int, after: int, limit: int) -> list[sa.Row[Any]]:
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Walk the (office_id, server_seq) index in order. Without fresh statistics (a big
            # first push before autovacuum analyzed the table) PostgreSQL otherwise fetches every
            # record after ``after`` and sorts them for each page: quadratic in a first pull.
            conn.exec_driver_sql("SET LOCAL enable_sort = off")
        rows = conn.execute(
            sa.select(records)
            .where(records.c.office_id == office_id, records.c.server_seq > after)
            .order_by(records.c.server_seq)
            .limit(limit + 1)
        ).all()
    return list(rows)


def pull(engine: Engine, office_id: int, after: int, limit: int) -> PullPage:
    """The office's records changed after ``after`` (authorization is the caller's job)."""
    rows = _pull_rows(engine, office_id, after, limit)
    page = [
        PulledRecord(
            table_name=row.table_name,
            record_id=row.record_id,
            version=int(row.version),
            deleted=bool(row.deleted),
            server_seq=int(row.server_seq),
            data=json.loads(row.data),
            updated_at=int(row.updated_at),
        )
        for row in rows[:limit]
    ]
    return PullPage(
        office_id=office_id,
        records=page,
        next_after=page[-1].server_seq if page else after,
        has_more=len(rows) > limit,
    )


def pull_json(engine: Engine, office_id: int, after: int, limit: int) -> bytes:
    """:func:`pull` already serialized: the :class:`PullPage` JSON, built around each record's
    stored JSON text (``records.data``, written by this module) without decoding and encoding
    it again. A first pull of 100,000 cases spends most of its server time there otherwise."""
    rows = _pull_rows(engine, office_id, after, limit)
    page = rows[:limit]
    dumps = json.dumps
    parts = [
        f'{{"table_name":{dumps(row.table_name)},"record_id":{dumps(row.record_id)},'
        f'"version":{int(row.version)},"deleted":{"true" if row.deleted else "false"},'
        f'"server_seq":{int(row.server_seq)},"data":{row.data},'
        f'"updated_at":{int(row.updated_at)}}}'
        for row in page
    ]
    next_after = int(page[-1].server_seq) if page else after
    has_more = "true" if len(rows) > limit else "false"
    return (
        f'{{"office_id":{int(office_id)},"records":[{",".join(parts)}],'
        f'"next_after":{next_after},"has_more":{has_more}}}'
    ).encode()


def open_conflicts(engine: Engine, office_id: int, include_resolved: bool = False) -> ConflictList:
    """The office's conflicts no person has resolved yet (with ``include_resolved``: all of
    them, each resolved one with its resolution), oldest first."""
    query = sa.select(conflicts).where(conflicts.c.office_id == office_id)
    if not include_resolved:
        query = query.where(conflicts.c.resolved_at.is_(None))
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(conflicts.c.id)).all()
    return ConflictList(
        office_id=office_id,
        conflicts=[
            ConflictInfo(
                id=int(row.id),
                table_name=row.table_name,
                record_id=row.record_id,
                field=row.field,
                base=json.loads(row.base_value),
                server=json.loads(row.server_value),
                incoming=json.loads(row.incoming_value),
                provisional=json.loads(row.provisional_value),
                created_at=int(row.created_at),
                resolved_at=None if row.resolved_at is None else int(row.resolved_at),
                resolved_by=None if row.resolved_by is None else int(row.resolved_by),
                resolution=None if row.resolution is None else json.loads(row.resolution),
            )
            for row in rows
        ],
    )


class ResolveRefused(Exception):
    """A resolve the server refuses: HTTP ``status`` (404, 409 or 422), a ``code`` for programs
    and a Chinese ``message`` for people."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def _replay(stored: str) -> ResolveResult:
    return ResolveResult.model_validate_json(stored).model_copy(update={"replayed": True})


def _chosen(field: str | None, request: ResolveRequest) -> Any:
    """The resolution as stored: the field's value, or ``{"keep": …}`` for a delete against an
    edit; a request that does not answer the conflict's question is refused (422)."""
    if field is None:
        if request.keep is None:
            raise ResolveRefused(
                422, "keep_required", "这条冲突是“删除”与“修改”之争：请选择保留还是删除这条记录"
            )
        return {"keep": request.keep}
    if "value" not in request.model_fields_set:
        raise ResolveRefused(422, "value_required", f"请选择字段“{field}”要保留的内容")
    return request.value


def resolve_conflict(
    engine: Engine, principal: Principal, conflict_id: int, request: ResolveRequest, now: int
) -> ResolveResult:
    """Apply a person's decision on one conflict as a normal change of its record (version + 1,
    the office's next ``server_seq``, so every machine pulls it) and mark the conflict resolved.

    Repeating the same resolve (same idempotency key, or the same decision under another key)
    changes nothing and returns the stored result with ``replayed``; a different decision on an
    already resolved conflict is refused (409). District and city accounts only read (403)."""
    if not principal.role.is_office_role:
        require_write(principal, 0)  # raises the read-only message
    with engine.begin() as conn:
        office_id = conn.execute(
            sa.select(conflicts.c.office_id).where(conflicts.c.id == conflict_id)
        ).scalar()
        if office_id is None:
            raise ResolveRefused(404, "conflict_not_found", "找不到这条冲突记录")
        require_write(principal, int(office_id))
        # The office's counter lock serializes this with every push and resolve of the office.
        last_seq = _lock_counter(conn, int(office_id))
        row = conn.execute(sa.select(conflicts).where(conflicts.c.id == conflict_id)).one()
        by_key = conn.execute(
            sa.select(conflicts.c.id, conflicts.c.resolution_result).where(
                conflicts.c.office_id == office_id,
                conflicts.c.resolution_key == request.idempotency_key,
            )
        ).first()
        if by_key is not None:
            if int(by_key.id) != conflict_id:
                raise ResolveRefused(
                    409, "idempotency_key_reused", "这个幂等键已用于处理另一条冲突，请换一个"
                )
            return _replay(by_key.resolution_result)
        resolution = _chosen(row.field, request)
        if row.resolved_at is not None:
            if _dumps(resolution) == row.resolution:
                return _replay(row.resolution_result)
            raise ResolveRefused(
                409,
                "already_resolved",
                "这条冲突已经有人处理过，处理结果与您的选择不同；请先同步，查看现在的内容后再修改",
            )
        record = conn.execute(
            sa.select(records.c.id, records.c.version, records.c.deleted, records.c.data).where(
                records.c.office_id == office_id,
                records.c.table_name == row.table_name,
                records.c.record_id == row.record_id,
            )
        ).first()
        if record is None:  # pragma: no cover - a conflict always belongs to a stored record
            raise ResolveRefused(404, "record_not_found", "找不到这条冲突所属的记录")
        data = json.loads(record.data)
        if row.field is None:
            deleted = not resolution["keep"]
        else:
            data[row.field] = resolution
            deleted = bool(record.deleted)
        device = conn.execute(
            sa.select(auth_sessions.c.device_id).where(auth_sessions.c.id == principal.session_id)
        ).scalar()
        seq, version = last_seq + 1, int(record.version) + 1
        conn.execute(
            records.update()
            .where(records.c.id == record.id)
            .values(
                data=_dumps(data),
                deleted=deleted,
                version=version,
                server_seq=seq,
                updated_at=now,
                updated_by_device=device,
            )
        )
        conn.execute(
            sync_counters.update()
            .where(sync_counters.c.office_id == office_id)
            .values(last_seq=seq)
        )
        result = ResolveResult(
            conflict_id=conflict_id,
            table_name=row.table_name,
            record_id=row.record_id,
            server_version=version,
            server_seq=seq,
            deleted=deleted,
            resolved_at=now,
            resolved_by=principal.user_id,
            resolution=resolution,
        )
        conn.execute(
            conflicts.update()
            .where(conflicts.c.id == conflict_id)
            .values(
                resolved_at=now,
                resolved_by=principal.user_id,
                resolution=_dumps(resolution),
                resolution_key=request.idempotency_key,
                resolution_result=result.model_dump_json(),
            )
        )
    return result

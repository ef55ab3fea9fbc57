"""Fast bulk writer for generated records: loading demo data.

This is NOT the normal write path (:mod:`justice_desktop.store.records`). Rows arrive ready
made, keyed by column name, and go in with ``executemany`` in large batches, one transaction
per batch, together with their search documents (:func:`search.index_documents_bulk`, with the
same titles and subtitles the services write) and the case-number blocks they use.

No outbox entries are written and there is no audit entry per record: one ``demo-data`` audit
entry summarises the load. The database is marked ``meta.demo_data = 1``. **A database holding
demo data is never synced** — the city server never hears of these fictitious records, and a
real office must start from a fresh database.

Cancelling (``progress`` returning False) stops after the batch just committed: every committed
batch holds whole cases (a case with all its parties, sessions, agreement …), so the database
stays consistent.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, Protocol

from justice_desktop.codes.tables import CodeTable
from justice_desktop.domain.numbering import NumberBlock
from justice_desktop.store import numbers, search
from justice_desktop.store.cases import case_search_fields
from justice_desktop.store.consultations import consultation_search_fields
from justice_desktop.store.database import Store
from justice_desktop.store.errors import StoreError
from justice_desktop.store.records import Row
from justice_desktop.store.schema_v1 import SYNCED_TABLES
from justice_desktop.store.understanders import understander_search_fields

__all__ = [
    "DEMO_GRANTOR",
    "DEMO_META_KEY",
    "TABLE_ORDER",
    "BulkResult",
    "BulkWriter",
    "ReadyBatch",
    "RecordBatch",
    "committee_seq_bases",
    "default_note",
    "is_demo_database",
    "load_batches",
    "prepare_batch",
]

DEMO_META_KEY = "demo_data"
DEMO_GRANTOR = "demo"  # number_blocks.granted_by of the blocks the demo data used
AUDIT_ACTION = "demo-data"
BULK_CACHE_KIB = 262_144  # page cache during the load (256 MB); restored afterwards

#: Insert order: parents before the rows that reference them (foreign keys stay on).
TABLE_ORDER: tuple[str, ...] = (
    "understanders",
    "trainings",
    "training_attendance",
    "assessments",
    "adviser_logs",
    "cases",
    "parties",
    "case_mediators",
    "investigations",
    "sessions",
    "extensions",
    "agreements",
    "follow_ups",
    "judicial_confirmations",
    "consultations",
)
_BOOKKEEPING_FILLED = ("version", "deleted", "updated_by")

Progress = Callable[[int, int], bool]


class RecordBatch(Protocol):
    """What the writer takes: whole cases (with every child row) and other records."""

    @property
    def case_count(self) -> int: ...

    @property
    def rows(self) -> Mapping[str, Sequence[Mapping[str, Any]]]: ...


@dataclass
class BulkResult:
    """What a load wrote. ``rows`` counts rows of real tables (records, search documents,
    number blocks, the audit entry), not the FTS5 index entries behind each document."""

    counts: dict[str, int] = field(default_factory=dict)
    cases: int = 0
    search_docs: int = 0
    batches: int = 0
    cancelled: bool = False
    seconds: float = 0.0

    @property
    def record_rows(self) -> int:
        return sum(self.counts.values())

    @property
    def rows(self) -> int:
        return self.record_rows + self.search_docs


def is_demo_database(store: Store) -> bool:
    return store.meta(DEMO_META_KEY) == "1"


def committee_seq_bases(
    store: Store, committee_ids: Iterable[str], years: Iterable[int]
) -> dict[tuple[str, int], int]:
    """For each committee and year, the highest case number already used or held in a block:
    generated cases number from the next one up, so case numbers stay unique."""
    out: dict[tuple[str, int], int] = {}
    year_list = list(years)
    for cid in committee_ids:
        for year in year_list:
            top_block = store.scalar(
                "SELECT max(last) FROM number_blocks WHERE committee_id = ? AND year = ?",
                (cid, year),
            )
            top_case = store.scalar(
                "SELECT max(seq) FROM cases WHERE committee_id = ? AND year = ?", (cid, year)
            )
            base = max(int(top_block or 0), int(top_case or 0))
            if base:
                out[(cid, year)] = base
    return out


@dataclass
class ReadyBatch:
    """A :class:`RecordBatch` with the Python half of the writing done by
    :func:`prepare_batch`: no database needed, picklable, so a load can make it in another
    process while this one writes the previous batch."""

    case_count: int
    #: (table, columns, one tuple of the columns' values per row), in :data:`TABLE_ORDER`
    tables: list[tuple[str, tuple[str, ...], list[tuple[Any, ...]]]]
    docs: search.DocRows
    #: (committee id, year, lowest, highest case sequence number) used by the cases
    ranges: list[tuple[str, int, int, int]]


def prepare_batch(batch: RecordBatch, tables: Mapping[str, CodeTable]) -> ReadyBatch:
    """The Python half of writing ``batch``: check its tables, make its rows into tuples and
    its search documents into rows. No database use."""
    rows = batch.rows
    unknown = set(rows) - set(TABLE_ORDER)
    if unknown:
        raise KeyError(f"bulk writer does not load {sorted(unknown)}")
    ready: list[tuple[str, tuple[str, ...], list[tuple[Any, ...]]]] = []
    for table in TABLE_ORDER:
        table_rows = rows.get(table)
        if table_rows:
            cols = tuple(table_rows[0])
            if len(cols) == 1:
                only = cols[0]
                ready.append((table, cols, [(r[only],) for r in table_rows]))
            else:
                ready.append((table, cols, list(map(itemgetter(*cols), table_rows))))
    return ReadyBatch(
        batch.case_count,
        ready,
        search.document_rows(_search_docs(rows, dict(tables))),
        _case_ranges(rows.get("cases", ())),
    )


def _case_ranges(cases: Sequence[Mapping[str, Any]]) -> list[tuple[str, int, int, int]]:
    ranges: dict[tuple[str, int], list[int]] = {}
    for c in cases:
        k = (str(c["committee_id"]), int(c["year"]))
        seq = int(c["seq"])
        found = ranges.get(k)
        if found is None:
            ranges[k] = [seq, seq]
        else:
            found[0] = min(found[0], seq)
            found[1] = max(found[1], seq)
    return [(cid, year, lo, hi) for (cid, year), (lo, hi) in ranges.items()]


@dataclass
class _Prepared:
    ready: ReadyBatch
    counts: dict[str, int] = field(default_factory=dict)
    blocks: int = 0
    indexed: int = 0


class BulkWriter:
    """Writes :class:`RecordBatch` es (or :class:`ReadyBatch` es made from them elsewhere)
    into ``store``, one transaction each.

    :meth:`write` does one batch start to end. :func:`load_batches` overlaps batches: the
    ``COMMIT`` of one batch (encrypting and writing its pages, the WAL checkpoint: all inside
    SQLite, without the GIL) runs in a helper thread while the calling thread generates and
    prepares the next batch (or receives it ready from a worker process). Only one thread
    uses the connection at any time.
    """

    def __init__(
        self, store: Store, tables: Mapping[str, CodeTable], user_id: str, *, chunk_docs: int = 5000
    ) -> None:
        self.store = store
        self.conn = store.conn
        self.tables = dict(tables)
        self.user_id = user_id
        self.chunk_docs = chunk_docs
        self.result = BulkResult()
        self._sql: dict[tuple[str, tuple[str, ...]], str] = {}
        self._columns: dict[str, frozenset[str]] = {}
        self._marked = False
        self._thread: threading.Thread | None = None
        self._failure: BaseException | None = None
        self._open: _Prepared | None = None

    # -- one batch ------------------------------------------------------------------------
    def write(self, batch: RecordBatch | ReadyBatch) -> None:
        """Write one batch in its own transaction and wait for the commit."""
        self.insert(self.prepare(batch))
        self.finish(background=False)
        self.wait()

    def prepare(self, batch: RecordBatch | ReadyBatch) -> _Prepared:
        """The Python half (:func:`prepare_batch`), unless done already. No database use."""
        if isinstance(batch, ReadyBatch):
            return _Prepared(batch)
        return _Prepared(prepare_batch(batch, self.tables))

    def insert(self, prepared: _Prepared) -> None:
        """``BEGIN``, the record rows, their number blocks and their search documents."""
        if self._thread is not None or self._open is not None:
            raise RuntimeError("the previous batch is not finished")
        ready = prepared.ready
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            if not self._marked:
                self.store.set_meta(DEMO_META_KEY, "1")
            for table, cols, table_rows in ready.tables:
                if table_rows:
                    self._insert(table, cols, table_rows)
                    prepared.counts[table] = prepared.counts.get(table, 0) + len(table_rows)
            prepared.blocks = self._grant_blocks(ready.ranges)
            prepared.indexed = search.index_document_rows(
                conn, ready.docs, batch_size=self.chunk_docs
            )
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        self._open = prepared

    def finish(self, *, background: bool) -> None:
        """``COMMIT`` the open batch, in a helper thread when ``background``; :meth:`wait`
        collects the outcome."""
        if self._open is None:
            raise RuntimeError("no batch to finish")

        def run() -> None:
            try:
                self.conn.execute("COMMIT")
            except BaseException as exc:  # handed to wait(), in the caller's thread
                self._failure = exc

        if background:
            self._thread = threading.Thread(target=run, name="demo-data-commit", daemon=True)
            self._thread.start()
        else:
            run()

    def wait(self) -> None:
        """Wait for the open batch; count it when committed, roll it back and raise if not."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        prepared, self._open = self._open, None
        failure, self._failure = self._failure, None
        if failure is not None:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise failure
        if prepared is None:
            return
        self._marked = True
        for table, n in prepared.counts.items():
            self.result.counts[table] = self.result.counts.get(table, 0) + n
        if prepared.blocks:
            self.result.counts["number_blocks"] = (
                self.result.counts.get("number_blocks", 0) + prepared.blocks
            )
        self.result.search_docs += prepared.indexed
        self.result.cases += prepared.ready.case_count
        self.result.batches += 1

    @property
    def busy(self) -> bool:
        return self._open is not None

    def _insert(self, table: str, cols: tuple[str, ...], rows: Sequence[tuple[Any, ...]]) -> None:
        """Rows made by :func:`prepare_batch`: the values of ``cols``. ``updated_by`` is a
        constant in the SQL text, like ``version`` and ``deleted``: no Python work per row."""
        if table not in TABLE_ORDER or table not in SYNCED_TABLES:
            raise KeyError(f"bulk writer does not load {table}")
        key = (table, cols)
        sql = self._sql.get(key)
        if sql is None:
            known = self._table_columns(table)
            bad = set(cols) - known
            if bad or any(c in cols for c in _BOOKKEEPING_FILLED):
                raise KeyError(f"columns not loadable into {table}: {sorted(bad) or cols}")
            names = ", ".join((*cols, *_BOOKKEEPING_FILLED))
            marks = ", ".join(["?"] * len(cols))
            user = "'" + self.user_id.replace("'", "''") + "'"
            sql = f"INSERT INTO {table} ({names}) VALUES ({marks}, 1, 0, {user})"
            self._sql[key] = sql
        self.conn.executemany(sql, rows)

    def _table_columns(self, table: str) -> frozenset[str]:
        if table not in self._columns:
            cur = self.conn.execute(f"PRAGMA table_info({table})")
            self._columns[table] = frozenset(str(r[1]) for r in cur.fetchall())
        return self._columns[table]

    def _grant_blocks(self, ranges: Sequence[tuple[str, int, int, int]]) -> int:
        """Record the numbers the cases use (``ranges``: see :class:`ReadyBatch`) as (fully
        used) blocks: a demo block that ends right below a batch's first number is extended
        instead of adding another."""
        added = 0
        at = self.store.clock()
        for cid, year, lo, hi in ranges:
            wanted = NumberBlock(lo, hi)
            held = numbers.blocks(self.conn, cid, year)
            below = self.conn.execute(
                "SELECT id, first FROM number_blocks WHERE committee_id = ? AND year = ? "
                "AND granted_by = ? AND last = ? AND next = last + 1",
                (cid, year, DEMO_GRANTOR, lo - 1),
            ).fetchone()
            if below is not None:
                merged = NumberBlock(int(below[1]), hi)
                for block, _, _ in held:
                    if block.first != merged.first and block.overlaps(merged):
                        raise StoreError(
                            f"演示数据的编号段 {lo}–{hi} 与已有的编号段 {block.first}–{block.last} 重叠。"
                        )
                self.conn.execute(
                    "UPDATE number_blocks SET last = ?, next = ? WHERE id = ?",
                    (hi, hi + 1, below[0]),
                )
            else:
                numbers.add_block(self.conn, cid, year, wanted, DEMO_GRANTOR, at)
                self.conn.execute(
                    "UPDATE number_blocks SET next = last + 1 "
                    "WHERE committee_id = ? AND year = ? AND first = ? AND granted_by = ?",
                    (cid, year, lo, DEMO_GRANTOR),
                )
                added += 1
        return added

    # -- the end --------------------------------------------------------------------------
    def finish_load(self, note: str) -> None:
        """The one audit entry summarising the load (counts only: no personal data)."""
        stamp = self.store.clock().isoformat(timespec="seconds")
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            self.conn.execute(
                "INSERT INTO audit_log (at, user_id, action, table_name, record_id, fields) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (stamp, self.user_id, AUDIT_ACTION, "cases", "", note),
            )
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")
        self.result.counts["audit_log"] = self.result.counts.get("audit_log", 0) + 1


def _search_docs(
    rows: Mapping[str, Sequence[Mapping[str, Any]]], tables: dict[str, CodeTable]
) -> list[search.SearchDoc]:
    """Documents of this batch, oldest first (understanders, then cases and consultations
    by date), with the fields the services index them with."""
    doc = search.SearchDoc
    docs: list[search.SearchDoc] = [
        doc(search.KIND_UNDERSTANDER, u["id"], **understander_search_fields(_row(u)))
        for u in rows.get("understanders", ())
    ]
    parties: dict[str, list[Row]] = defaultdict(list)
    for p in rows.get("parties", ()):
        parties[p["case_id"]].append(_row(p))
    dated: list[tuple[str, bool, int, search.SearchDoc]] = []
    for n, c in enumerate(rows.get("cases", ())):
        found = parties.get(c["id"], [])
        if any(found[i]["position"] > found[i + 1]["position"] for i in range(len(found) - 1)):
            found.sort(key=_position)
        fields_ = case_search_fields(_row(c), found, tables)
        dated.append((c["registered_on"], True, n, doc(search.KIND_CASE, c["id"], **fields_)))
    for n, q in enumerate(rows.get("consultations", ())):
        fields_ = consultation_search_fields(_row(q), tables)
        dated.append(
            (q["consulted_on"], False, n, doc(search.KIND_CONSULTATION, q["id"], **fields_))
        )
    dated.sort(key=_doc_order)
    docs.extend(d[3] for d in dated)
    return docs


def _position(p: Mapping[str, Any]) -> int:
    return int(p["position"])


def _doc_order(d: tuple[str, bool, int, search.SearchDoc]) -> tuple[str, bool, int]:
    """By date; on one day a consultation before the case it led to."""
    return d[0], d[1], d[2]


def _row(row: Mapping[str, Any]) -> Row:
    return row if isinstance(row, dict) else dict(row)


def load_batches(
    store: Store,
    batches: Iterable[RecordBatch | ReadyBatch],
    *,
    tables: Mapping[str, CodeTable],
    user_id: str,
    total_cases: int,
    progress: Progress | None = None,
    note: Callable[[BulkResult], str] | None = None,
) -> BulkResult:
    """Write every batch (one transaction each), calling ``progress(cases_done, total_cases)``
    after each commit; ``False`` stops the load there. Ends with the summary audit entry.

    Batches overlap: the next batch is generated (by iterating ``batches``) while the previous
    one is committed in a helper thread.
    """
    started = time.perf_counter()
    writer = BulkWriter(store, tables, user_id)
    conn = store.conn
    old_cache = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
    completed = False
    try:
        for batch in batches:
            prepared = writer.prepare(batch)
            if writer.busy:
                writer.wait()
                if progress is not None and not progress(writer.result.cases, total_cases):
                    break
            writer.insert(prepared)
            writer.finish(background=True)
        else:
            if writer.busy:
                writer.wait()
                if progress is not None:
                    progress(writer.result.cases, total_cases)
        completed = True
    finally:
        if writer.busy:  # an error or an interruption while a batch was being committed
            with contextlib.suppress(Exception):
                writer.wait()
        writer.result.cancelled = writer.result.cases < total_cases
        try:
            if writer.result.batches:
                writer.finish_load(note(writer.result) if note else default_note(writer.result))
        except Exception:
            if completed:
                raise  # otherwise the error already on its way matters more
        finally:
            conn.execute(f"PRAGMA cache_size = {int(old_cache)}")
    writer.result.seconds = time.perf_counter() - started
    return writer.result


def default_note(result: BulkResult) -> str:
    parts = [f"{table}={n}" for table, n in sorted(result.counts.items())]
    parts.append(f"search_docs={result.search_docs}")
    if result.cancelled:
        parts.append("cancelled=1")
    return ",".join(parts)

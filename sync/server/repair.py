"""Checksums of an office's records on the server, and targeted repair.

A desktop compares its own digests (:mod:`sync.checksum`) with the server's
(``GET /api/v1/sync/checksums``); for a bucket that differs it lists the server's entries of
that bucket (``GET /api/v1/sync/checksums/{bucket}``: table, id, version, deleted) and fetches
the records it lacks or holds at another version (``POST /api/v1/sync/records``), instead of
pulling the whole office again.

Only ``table_name``, ``record_id``, ``version`` and ``deleted`` are read for the digests; the
records' data is read only for the keys asked for. The digests and ``last_seq`` come from one
snapshot (one SQLite transaction; ``REPEATABLE READ`` on PostgreSQL), so they describe exactly
the records up to ``last_seq``. Authorization is the caller's job.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sync.checksum import BucketDigests, bucket_of
from sync.protocol import (
    BucketEntry,
    BucketListing,
    OfficeChecksums,
    PulledRecord,
    RecordKey,
    RecordsResponse,
)
from sync.server.db import records, sync_counters

_KEY_BATCH = 500
"""Record ids per ``IN (…)`` when fetching records by key."""


def _snapshot(engine: Engine) -> sa.Connection:
    conn = engine.connect()
    if conn.dialect.name == "postgresql":
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
    return conn


def _keys(conn: sa.Connection, office_id: int) -> Iterator[tuple[str, str, int, bool]]:
    result = conn.execute(
        sa.select(records.c.table_name, records.c.record_id, records.c.version, records.c.deleted)
        .where(records.c.office_id == office_id)
        .execution_options(yield_per=5000)
    )
    for table_name, record_id, version, deleted in result:
        yield table_name, record_id, int(version), bool(deleted)


def office_checksums(engine: Engine, office_id: int) -> OfficeChecksums:
    """The bucket digests of every record of the office (tombstones included)."""
    digests = BucketDigests()
    with _snapshot(engine) as conn:
        last_seq = conn.execute(
            sa.select(sync_counters.c.last_seq).where(sync_counters.c.office_id == office_id)
        ).scalar()
        digests.add_many(_keys(conn, office_id))
        conn.rollback()
    return OfficeChecksums(
        office_id=office_id,
        last_seq=int(last_seq or 0),
        buckets={str(bucket): digest for bucket, digest in digests.hexdigests().items()},
        counts={str(bucket): count for bucket, count in digests.nonempty_counts().items()},
        record_count=digests.record_count,
    )


def bucket_listing(engine: Engine, office_id: int, bucket: int) -> BucketListing:
    """Table, id, version and deleted flag of every record of the office in ``bucket``."""
    with _snapshot(engine) as conn:
        entries = [
            BucketEntry(
                table_name=table_name, record_id=record_id, version=version, deleted=deleted
            )
            for table_name, record_id, version, deleted in _keys(conn, office_id)
            if bucket_of(record_id) == bucket
        ]
        conn.rollback()
    entries.sort(key=lambda entry: (entry.table_name, entry.record_id))
    return BucketListing(office_id=office_id, bucket=bucket, entries=entries)


def records_by_key(engine: Engine, office_id: int, keys: list[RecordKey]) -> RecordsResponse:
    """The office's records with these keys, whole (unknown keys are left out), in the order
    asked for."""
    by_table: dict[str, set[str]] = defaultdict(set)
    for key in keys:
        by_table[key.table_name].add(key.record_id)
    found: dict[tuple[str, str], PulledRecord] = {}
    with engine.connect() as conn:
        for table_name, ids in by_table.items():
            id_list = sorted(ids)
            for start in range(0, len(id_list), _KEY_BATCH):
                rows = conn.execute(
                    sa.select(records).where(
                        records.c.office_id == office_id,
                        records.c.table_name == table_name,
                        records.c.record_id.in_(id_list[start : start + _KEY_BATCH]),
                    )
                )
                for row in rows:
                    found[(row.table_name, row.record_id)] = PulledRecord(
                        table_name=row.table_name,
                        record_id=row.record_id,
                        version=int(row.version),
                        deleted=bool(row.deleted),
                        server_seq=int(row.server_seq),
                        data=json.loads(row.data),
                        updated_at=int(row.updated_at),
                    )
        conn.rollback()
    ordered: list[PulledRecord] = []
    for key in keys:
        record = found.pop((key.table_name, key.record_id), None)
        if record is not None:
            ordered.append(record)
    return RecordsResponse(office_id=office_id, records=ordered)

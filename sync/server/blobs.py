"""Attachment contents (blobs): uploaded in chunks, resumable, content-addressed by SHA-256 and
kept per office in the database.

Design
======

A blob is known by its office and the SHA-256 of its bytes (64 lowercase hex digits). Blobs
are partitioned by office like records: attachments hold personal data, so only readers of the
office see a blob, even when another office holds the same bytes.

Upload (``PUT /api/v1/blobs/{sha256}?offset=&total=``, body = raw bytes, at most
``MAX_BLOB_CHUNK``): the ``blobs`` row says how many bytes have arrived (``received``); a chunk
must start exactly there (otherwise 409 ``offset_mismatch`` with the current ``received``, so a
client resumes after a cut by asking ``GET /api/v1/blobs/{sha256}`` or simply reading the 409).
Each chunk is one ``blob_chunks`` row. When ``received`` reaches ``total`` the server hashes the
chunks in order: a mismatch deletes them and starts the blob over (422 ``hash_mismatch``); a
match marks the blob complete. Uploading a complete blob again changes nothing (200). A PUT
with another ``total`` than the unfinished upload's starts that upload over.

Every upload transaction first locks the blob's row (``SELECT … FOR UPDATE`` on PostgreSQL;
every SQLite write transaction is ``BEGIN IMMEDIATE``), so concurrent PUTs of one blob — from
any number of server processes — run one after another and cannot interleave chunks.

Download (``GET /api/v1/blobs/{sha256}/content``) streams the chunks one at a time, optionally a
single byte range (``Range: bytes=a-b``, ``bytes=a-`` or ``bytes=-n``; 206 with
``Content-Range``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from sync.protocol import MAX_BLOB_CHUNK, MAX_BLOB_SIZE, BlobStatus
from sync.server.db import blob_chunks, blobs


class BlobError(Exception):
    """An upload or download refused; ``message`` is Chinese, for the user."""

    def __init__(
        self, status: int, code: str, message: str, current: BlobStatus | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.current = current


def _status(sha256: str, row: sa.Row[Any, Any, Any] | None) -> BlobStatus:
    if row is None:
        return BlobStatus(sha256=sha256, size=None, received=0, complete=False)
    return BlobStatus(
        sha256=sha256, size=int(row.size), received=int(row.received), complete=bool(row.complete)
    )


def _where(office_id: int, sha256: str) -> tuple[sa.ColumnElement[bool], ...]:
    return (blobs.c.office_id == office_id, blobs.c.sha256 == sha256)


def _chunks_where(office_id: int, sha256: str) -> tuple[sa.ColumnElement[bool], ...]:
    return (blob_chunks.c.office_id == office_id, blob_chunks.c.sha256 == sha256)


def status(engine: Engine, office_id: int, sha256: str) -> BlobStatus:
    """What the server holds of the blob (authorization is the caller's job)."""
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(blobs.c.size, blobs.c.received, blobs.c.complete).where(
                *_where(office_id, sha256)
            )
        ).first()
    return _status(sha256, row)


def _lock(
    conn: sa.Connection, office_id: int, sha256: str, total: int, now: int
) -> sa.Row[Any, Any, Any]:
    values = {
        "office_id": office_id,
        "sha256": sha256,
        "size": total,
        "received": 0,
        "complete": False,
        "created_at": now,
    }
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    conn.execute(insert(blobs).values(values).on_conflict_do_nothing())
    return conn.execute(
        sa.select(blobs.c.size, blobs.c.received, blobs.c.complete)
        .where(*_where(office_id, sha256))
        .with_for_update()
    ).one()


def _hash_chunks(conn: sa.Connection, office_id: int, sha256: str) -> str:
    digest = hashlib.sha256()
    offsets = conn.execute(
        sa.select(blob_chunks.c.offset)
        .where(*_chunks_where(office_id, sha256))
        .order_by(blob_chunks.c.offset)
    ).scalars()
    for offset in list(offsets):
        data = conn.execute(
            sa.select(blob_chunks.c.data).where(
                *_chunks_where(office_id, sha256), blob_chunks.c.offset == offset
            )
        ).scalar_one()
        digest.update(data)
    return digest.hexdigest()


def put_chunk(
    engine: Engine, office_id: int, sha256: str, offset: int, total: int, data: bytes, now: int
) -> BlobStatus:
    """Append ``data`` at ``offset`` to the blob's upload of ``total`` bytes (write
    authorization is the caller's job). Raises :class:`BlobError` on a refused chunk."""
    if len(data) > MAX_BLOB_CHUNK:
        raise BlobError(413, "chunk_too_large", "上传的数据块过大，请分块上传（每块不超过 4 MB）")
    if total > MAX_BLOB_SIZE:
        raise BlobError(413, "blob_too_large", "附件过大，市局服务器最多接收 512 MB 的文件")
    failure: BlobError | None = None
    with engine.begin() as conn:
        row = _lock(conn, office_id, sha256, total, now)
        current = _status(sha256, row)
        if current.complete:
            return current
        if current.size != total:
            # Another size than the unfinished upload's: start over with this one.
            conn.execute(blob_chunks.delete().where(*_chunks_where(office_id, sha256)))
            conn.execute(
                blobs.update().where(*_where(office_id, sha256)).values(size=total, received=0)
            )
            current = BlobStatus(sha256=sha256, size=total, received=0, complete=False)
        if offset != current.received:
            raise BlobError(
                409,
                "offset_mismatch",
                f"上传位置不一致：服务器已收到 {current.received} 字节，请从该位置继续上传",
                current,
            )
        if offset + len(data) > total:
            raise BlobError(422, "chunk_beyond_size", "上传的数据超出了文件的总大小", current)
        if data:
            conn.execute(
                blob_chunks.insert().values(
                    office_id=office_id, sha256=sha256, offset=offset, data=data
                )
            )
        received = offset + len(data)
        complete = False
        if received == total:
            if _hash_chunks(conn, office_id, sha256) == sha256:
                complete = True
            else:
                conn.execute(blob_chunks.delete().where(*_chunks_where(office_id, sha256)))
                received = 0
                failure = BlobError(422, "hash_mismatch", "文件校验失败，请重新上传")
        conn.execute(
            blobs.update()
            .where(*_where(office_id, sha256))
            .values(received=received, complete=complete, completed_at=now if complete else None)
        )
        result = BlobStatus(sha256=sha256, size=total, received=received, complete=complete)
    if failure is not None:  # raised after the commit: the reset must stay
        failure.current = result
        raise failure
    return result


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int
    """Inclusive."""

    @property
    def length(self) -> int:
        return self.end - self.start + 1


_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$")


class RangeNotSatisfiable(Exception):
    pass


def parse_range(header: str | None, size: int) -> ByteRange | None:
    """The single byte range a ``Range`` header asks for; None for the whole blob (no header,
    or one this server ignores such as several ranges). Raises :class:`RangeNotSatisfiable`."""
    if header is None:
        return None
    match = _RANGE.match(header)
    if match is None:
        return None
    first, last = match.group(1), match.group(2)
    if not first and not last:
        return None
    if not first:  # the last n bytes
        length = int(last)
        if length == 0 or size == 0:
            raise RangeNotSatisfiable()
        return ByteRange(max(0, size - length), size - 1)
    start = int(first)
    end = size - 1 if not last else min(int(last), size - 1)
    if start >= size or (last and int(last) < start):
        raise RangeNotSatisfiable()
    return ByteRange(start, end)


def complete_size(engine: Engine, office_id: int, sha256: str) -> int | None:
    """The size of a complete blob; None when it is missing or not complete."""
    current = status(engine, office_id, sha256)
    return current.size if current.complete else None


def stream(engine: Engine, office_id: int, sha256: str, start: int, end: int) -> Iterator[bytes]:
    """The bytes ``start``–``end`` (inclusive) of a complete blob, one chunk at a time. Each
    chunk is read in a short transaction of its own (a complete blob never changes), so a slow
    download holds no lock and no connection between chunks."""
    if end < start:
        return
    with engine.connect() as conn:
        offsets = [
            int(offset)
            for offset in conn.execute(
                sa.select(blob_chunks.c.offset)
                .where(*_chunks_where(office_id, sha256))
                .order_by(blob_chunks.c.offset)
            ).scalars()
        ]
    # The last chunk starting at or before ``start``, then on while chunks start <= end.
    first = max((i for i, offset in enumerate(offsets) if offset <= start), default=0)
    for offset in offsets[first:]:
        if offset > end:
            break
        with engine.connect() as conn:
            data: bytes = conn.execute(
                sa.select(blob_chunks.c.data).where(
                    *_chunks_where(office_id, sha256), blob_chunks.c.offset == offset
                )
            ).scalar_one()
        piece = data[max(0, start - offset) : end - offset + 1]
        if piece:
            yield piece


@dataclass(frozen=True)
class Pruned:
    uploads: int
    bytes: int


def prune_unfinished(engine: Engine, started_before: int) -> Pruned:
    """Delete the uploads that began before ``started_before`` (unix seconds) and never
    completed, with their chunks: a PC that never came back leaves them for ever otherwise.
    A PC that does come back is told ``received`` 0 and sends the file again from the start;
    complete blobs are never touched."""
    stale = sa.and_(blobs.c.complete.is_(False), blobs.c.created_at < started_before)
    with engine.begin() as conn:
        rows = conn.execute(
            sa.select(blobs.c.office_id, blobs.c.sha256).where(stale).with_for_update()
        ).all()
        size = 0
        for office_id, sha256 in rows:
            size += int(
                conn.execute(
                    sa.select(
                        sa.func.coalesce(sa.func.sum(sa.func.length(blob_chunks.c.data)), 0)
                    ).where(*_chunks_where(int(office_id), str(sha256)))
                ).scalar_one()
            )
            conn.execute(sa.delete(blob_chunks).where(*_chunks_where(int(office_id), str(sha256))))
            conn.execute(sa.delete(blobs).where(*_where(int(office_id), str(sha256))))
    return Pruned(uploads=len(rows), bytes=size)

"""Checksums of an office's synced records, the same on the server and on the desktop.

The records of one office are split into ``NUM_BUCKETS`` buckets by the first byte of
SHA-256(record id). Each record contributes a 128-bit hash of its table, id, version and
``deleted`` flag; a bucket's digest is the XOR of its records' hashes, so it does not depend on
the order records are added in. Two sides that hold the same records at the same versions have
the same digest in every bucket; a bucket whose digests (or counts) differ names the few
records to compare (``GET /api/v1/sync/checksums/{bucket}``) and fetch again
(``POST /api/v1/sync/records``).

Pure Python with no server or desktop imports: both sides use this module.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable

NUM_BUCKETS = 256
_SEPARATOR = "\x1f"


def bucket_of(record_id: str) -> int:
    """The bucket of a record: the first byte of SHA-256 of its id (UTF-8)."""
    return hashlib.sha256(record_id.encode("utf-8")).digest()[0]


def record_hash(table: str, record_id: str, version: int, deleted: bool) -> int:
    """A record's 128-bit hash: the first 16 bytes (big-endian) of SHA-256 of
    ``table \\x1f record_id \\x1f version \\x1f 0|1``."""
    text = f"{table}{_SEPARATOR}{record_id}{_SEPARATOR}{version}{_SEPARATOR}{int(deleted)}"
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:16], "big")


class BucketDigests:
    """The XOR digests and record counts of the buckets of one office's records."""

    __slots__ = ("counts", "digests")

    def __init__(self) -> None:
        self.digests: list[int] = [0] * NUM_BUCKETS
        """Bucket → XOR of its records' hashes (0 for an empty bucket)."""
        self.counts: Counter[int] = Counter()
        """Bucket → number of records; only non-empty buckets are keys (a missing one is 0)."""

    def add(self, table: str, record_id: str, version: int, deleted: bool) -> None:
        bucket = bucket_of(record_id)
        self.digests[bucket] ^= record_hash(table, record_id, version, deleted)
        self.counts[bucket] += 1

    def remove(self, table: str, record_id: str, version: int, deleted: bool) -> None:
        """Undo an :meth:`add` of exactly these values (XOR is its own inverse): keeps the
        digests current when a record changes (remove the old state, add the new one)."""
        bucket = bucket_of(record_id)
        self.digests[bucket] ^= record_hash(table, record_id, version, deleted)
        self.counts[bucket] -= 1
        if self.counts[bucket] <= 0:
            del self.counts[bucket]

    def add_many(self, rows: Iterable[tuple[str, str, int, bool]]) -> None:
        """:meth:`add` for each ``(table, record_id, version, deleted)``; the same result,
        faster for many records."""
        digests, counts = self.digests, [0] * NUM_BUCKETS
        sha256, from_bytes = hashlib.sha256, int.from_bytes
        for table, record_id, version, deleted in rows:
            bucket = sha256(record_id.encode("utf-8")).digest()[0]
            text = f"{table}\x1f{record_id}\x1f{version}\x1f{1 if deleted else 0}"
            digests[bucket] ^= from_bytes(sha256(text.encode("utf-8")).digest()[:16], "big")
            counts[bucket] += 1
        self.counts.update({bucket: count for bucket, count in enumerate(counts) if count})

    def hexdigests(self) -> dict[int, str]:
        """Bucket → 32 hex digits, for every bucket holding at least one record."""
        return {bucket: f"{self.digests[bucket]:032x}" for bucket in sorted(self.counts)}

    def nonempty_counts(self) -> dict[int, int]:
        """Bucket → number of records, for every bucket holding at least one record."""
        return {bucket: self.counts[bucket] for bucket in sorted(self.counts)}

    @property
    def record_count(self) -> int:
        return sum(self.counts.values())

    def differing_buckets(self, other: BucketDigests) -> list[int]:
        """The buckets whose digest or count differs from ``other``'s."""
        return [
            bucket
            for bucket in range(NUM_BUCKETS)
            if self.digests[bucket] != other.digests[bucket]
            or self.counts[bucket] != other.counts[bucket]
        ]

    @classmethod
    def from_hex(cls, buckets: dict[str, str], counts: dict[str, int]) -> BucketDigests:
        """The digests as the server sends them (:class:`sync.protocol.OfficeChecksums`)."""
        result = cls()
        for key, digest in buckets.items():
            result.digests[int(key)] = int(digest, 16)
        for key, count in counts.items():
            if count:
                result.counts[int(key)] = count
        return result

"""Number blocks held by this machine, and drawing the next case number from them."""

from __future__ import annotations

from datetime import datetime

from justice_desktop.domain.numbering import DEFAULT_BLOCK_SIZE, NumberBlock
from justice_desktop.store.connection import Connection, rollback
from justice_desktop.store.errors import NumberBlockExhaustedError, StoreError

LOCAL_AUTHORITY = "local"


def blocks(conn: Connection, committee_id: str, year: int) -> list[tuple[NumberBlock, int, str]]:
    rows = conn.execute(
        "SELECT first, last, next, granted_by FROM number_blocks "
        "WHERE committee_id = ? AND year = ? ORDER BY first",
        (committee_id, year),
    ).fetchall()
    return [(NumberBlock(r[0], r[1]), int(r[2]), str(r[3])) for r in rows]


def add_block(
    conn: Connection,
    committee_id: str,
    year: int,
    block: NumberBlock,
    granted_by: str,
    at: datetime,
) -> None:
    """Record a block this machine may use; refuse one that overlaps a block already held."""
    for held, _, _ in blocks(conn, committee_id, year):
        if held.overlaps(block):
            raise StoreError(
                f"编号段 {block.first}–{block.last} 与本机已有的编号段 {held.first}–{held.last} 重叠，"
                "不能登记。"
            )
    conn.execute(
        "INSERT INTO number_blocks (committee_id, year, first, last, next, granted_by, granted_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (committee_id, year, block.first, block.last, block.first, granted_by, at.isoformat()),
    )


def next_number(
    conn: Connection,
    committee_id: str,
    committee_label: str,
    year: int,
    at: datetime,
    *,
    self_allocate: bool,
) -> int:
    """Take the next free number. Call inside the transaction that writes the case.

    ``self_allocate`` is true only on a standalone office's numbering machine: it may grant
    itself the next block above every block it knows. Any other machine must be given blocks.
    """
    row = conn.execute(
        "SELECT id, next FROM number_blocks WHERE committee_id = ? AND year = ? AND next <= last "
        "ORDER BY first LIMIT 1",
        (committee_id, year),
    ).fetchone()
    if row is None:
        if not self_allocate:
            raise NumberBlockExhaustedError(committee_label, year)
        top = conn.execute(
            "SELECT max(last) FROM number_blocks WHERE committee_id = ? AND year = ?",
            (committee_id, year),
        ).fetchone()[0]
        used = conn.execute(
            "SELECT max(seq) FROM cases WHERE committee_id = ? AND year = ?", (committee_id, year)
        ).fetchone()[0]
        first = max(int(top or 0), int(used or 0)) + 1
        add_block(
            conn,
            committee_id,
            year,
            NumberBlock(first, first + DEFAULT_BLOCK_SIZE - 1),
            LOCAL_AUTHORITY,
            at,
        )
        return next_number(conn, committee_id, committee_label, year, at, self_allocate=False)
    block_id, seq = int(row[0]), int(row[1])
    conn.execute("UPDATE number_blocks SET next = next + 1 WHERE id = ?", (block_id,))
    return seq


def years_with_blocks(conn: Connection, committee_id: str) -> list[int]:
    rows = conn.execute(
        "SELECT DISTINCT year FROM number_blocks WHERE committee_id = ? ORDER BY year",
        (committee_id,),
    ).fetchall()
    return [int(r[0]) for r in rows]


def grant_block(
    conn: Connection,
    committee_id: str,
    year: int,
    block: NumberBlock,
    granted_by: str,
    at: datetime,
) -> None:
    """``add_block`` in a transaction of its own."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        add_block(conn, committee_id, year, block, granted_by, at)
    except BaseException:
        rollback(conn)
        raise
    conn.execute("COMMIT")


def remaining(conn: Connection, committee_id: str, year: int) -> int:
    """Numbers still free in this machine's blocks of one committee and year."""
    value = conn.execute(
        "SELECT coalesce(sum(last - next + 1), 0) FROM number_blocks "
        "WHERE committee_id = ? AND year = ? AND next <= last",
        (committee_id, year),
    ).fetchone()[0]
    return int(value)


def highest_used(conn: Connection, committee_id: str, year: int) -> int:
    """The highest number this machine knows to be taken (its blocks' used part, and every
    case it holds, pulled ones included)."""
    used_blocks = conn.execute(
        "SELECT max(next - 1) FROM number_blocks WHERE committee_id = ? AND year = ?",
        (committee_id, year),
    ).fetchone()[0]
    used_cases = conn.execute(
        "SELECT max(seq) FROM cases WHERE committee_id = ? AND year = ?", (committee_id, year)
    ).fetchone()[0]
    return max(int(used_blocks or 0), int(used_cases or 0))


def close_local_blocks(conn: Connection) -> int:
    """When the office starts syncing, the city server hands out the numbers: the unused rest
    of blocks this machine gave itself is closed, so it cannot collide with blocks the server
    grants to other machines. Numbers already used (and printed) stay as they are."""
    cur = conn.execute(
        "UPDATE number_blocks SET next = last + 1 WHERE granted_by = ? AND next <= last",
        (LOCAL_AUTHORITY,),
    )
    return int(cur.rowcount)

"""Ordered schema migrations, tracked in ``PRAGMA user_version``.

Each migration runs in its own transaction together with the version bump, so an interrupted
upgrade leaves the database at the previous version, never half-way. Never edit a released
migration: add a new one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from justice_desktop.store.connection import Connection
from justice_desktop.store.errors import NewerSchemaError
from justice_desktop.store.schema_v1 import DDL_V1


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[Connection], None]


def _run_all(statements: list[str]) -> Callable[[Connection], None]:
    def apply(conn: Connection) -> None:
        for sql in statements:
            conn.execute(sql)

    return apply


def _v2_search(conn: Connection) -> None:
    from justice_desktop.store.search import SEARCH_DDL

    for sql in SEARCH_DDL:
        conn.execute(sql)
    from justice_desktop.store.reindex import reindex_all

    reindex_all(conn)  # records written before the index existed are found too


def _v3_prevention(conn: Connection) -> None:
    """Fields the statistics' prevention block counts (排查/预防/防止激化…)."""
    for sql in (
        "ALTER TABLE cases ADD COLUMN prevented TEXT NOT NULL DEFAULT '[]'",
        "ALTER TABLE cases ADD COLUMN prevented_people INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE cases ADD COLUMN from_screening INTEGER NOT NULL DEFAULT 0",
    ):
        conn.execute(sql)


def _v4_local_state(conn: Connection) -> None:
    """Drafts of forms being edited and each user's preferences: local to this PC, never
    synced (no outbox), inside the encrypted database because drafts hold personal data."""
    from justice_desktop.store.local_state import LOCAL_STATE_DDL

    for sql in LOCAL_STATE_DDL:
        conn.execute(sql)


CASE_COUNT_DDL: tuple[str, ...] = (
    "CREATE TABLE row_counts (name TEXT PRIMARY KEY, n INTEGER NOT NULL)",
    "INSERT INTO row_counts (name, n) SELECT 'cases', count(*) FROM cases WHERE deleted = 0",
    """CREATE TRIGGER cases_count_insert AFTER INSERT ON cases WHEN NEW.deleted = 0
        BEGIN UPDATE row_counts SET n = n + 1 WHERE name = 'cases'; END""",
    """CREATE TRIGGER cases_count_delete AFTER DELETE ON cases WHEN OLD.deleted = 0
        BEGIN UPDATE row_counts SET n = n - 1 WHERE name = 'cases'; END""",
    """CREATE TRIGGER cases_count_update AFTER UPDATE OF deleted ON cases
        WHEN OLD.deleted != NEW.deleted
        BEGIN UPDATE row_counts SET n = n + (CASE WHEN NEW.deleted = 0 THEN 1 ELSE -1 END)
            WHERE name = 'cases'; END""",
)


def _v5_case_count(conn: Connection) -> None:
    """The number of (not deleted) cases, kept by triggers: counting a million index entries
    takes ~0.1 s, and the window needs the number before it can show the first page."""
    for sql in CASE_COUNT_DDL:
        conn.execute(sql)


def _v6_sync_state(conn: Connection) -> None:
    """Parked outbox entries, the copy of the server's conflicts and pulled records that
    could not be stored (see ``store/sync_state.py``)."""
    from justice_desktop.store.sync_state import SYNC_STATE_DDL

    for sql in SYNC_STATE_DDL:
        conn.execute(sql)


STATISTICS_INDEX_DDL: tuple[str, ...] = (
    # 受理 side of the statistics: one index range scan of the period, never the table
    """CREATE INDEX cases_stats_registered ON cases(registered_on, committee_id, source,
        source_sub, dispute_type, dispute_subtype, prevented, party_count, difficult,
        from_screening, prevented_people) WHERE deleted = 0""",
    # 调解成功 side, by the outcome date
    """CREATE INDEX cases_stats_succeeded ON cases(outcome_on, committee_id, source, source_sub,
        dispute_type, dispute_subtype, amount_cents, from_screening, id)
        WHERE deleted = 0 AND outcome = 'success'""",
    # the agreement form of a settled case without reading the agreement's text
    "CREATE INDEX agreements_stats_form ON agreements(case_id, form) WHERE deleted = 0",
)


def _v7_statistics(conn: Connection) -> None:
    """Covering indexes of the statistics tables (``store/statistics.py``): the yearly table
    over a million cases reads only index pages."""
    for sql in STATISTICS_INDEX_DDL:
        conn.execute(sql)


# Migration 8: the two statistics indexes of migration 7 again, each with the columns the
# drill-down lists read (``statistics.case_ids``): the case id on the 受理 side, the
# registration date (the lists' order) on the 调解成功 side. The list behind a yearly figure of a
# million-case database was read through the case rows (1-2 s); now it is an index range scan.
STATISTICS_DRILL_INDEX_DDL: tuple[str, ...] = (
    "DROP INDEX IF EXISTS cases_stats_registered",
    """CREATE INDEX cases_stats_registered ON cases(registered_on, committee_id, source,
        source_sub, dispute_type, dispute_subtype, prevented, party_count, difficult,
        from_screening, prevented_people, id) WHERE deleted = 0""",
    "DROP INDEX IF EXISTS cases_stats_succeeded",
    """CREATE INDEX cases_stats_succeeded ON cases(outcome_on, committee_id, source, source_sub,
        dispute_type, dispute_subtype, amount_cents, from_screening, id, registered_on)
        WHERE deleted = 0 AND outcome = 'success'""",
)


def _v8_statistics_drill(conn: Connection) -> None:
    """Statistics indexes covering the drill-down lists too (no data changes)."""
    for sql in STATISTICS_DRILL_INDEX_DDL:
        conn.execute(sql)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "初始数据结构", _run_all(DDL_V1)),
    Migration(2, "全文检索索引", _v2_search),
    Migration(3, "纠纷预防统计字段", _v3_prevention),
    Migration(4, "草稿与个人设置", _v4_local_state),
    Migration(5, "案件数量计数", _v5_case_count),
    Migration(6, "同步状态", _v6_sync_state),
    Migration(7, "统计报表索引", _v7_statistics),
    Migration(8, "统计明细索引", _v8_statistics_drill),
)
LATEST = MIGRATIONS[-1].version


def current_version(conn: Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def pending(conn: Connection) -> list[Migration]:
    found = current_version(conn)
    if found > LATEST:
        raise NewerSchemaError(found, LATEST)
    return [m for m in MIGRATIONS if m.version > found]


def migrate(conn: Connection, *, target: int = LATEST) -> list[int]:
    """Bring the database up to ``target``; return the versions applied."""
    applied: list[int] = []
    for migration in pending(conn):
        if migration.version > target:
            break
        conn.execute("BEGIN IMMEDIATE")
        try:
            migration.apply(conn)
            conn.execute(f"PRAGMA user_version = {migration.version}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        applied.append(migration.version)
    return applied

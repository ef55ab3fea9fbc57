"""Upgrading a database from every earlier schema version keeps the user's data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from justice_desktop.store import backup as backups
from justice_desktop.store.connection import connect, key_check
from justice_desktop.store.database import DB_FILE, IDENTITY_FILE, open_store
from justice_desktop.store.errors import NewerSchemaError
from justice_desktop.store.keys import MemoryVault, generate_key
from justice_desktop.store.migrations import LATEST, MIGRATIONS, current_version, migrate
from justice_desktop.store.search import search

STAMP = "2024-03-01T09:00:00"


def _old_database(data_dir: Path, version: int) -> MemoryVault:
    """A database as a program with schema ``version`` left it, holding one case."""
    data_dir.mkdir(parents=True)
    key = generate_key()
    vault = MemoryVault({"db1": key})
    (data_dir / IDENTITY_FILE).write_text(json.dumps({"db_id": "db1", "key_check": key_check(key)}))
    conn = connect(data_dir / DB_FILE, key)
    migrate(conn, target=version)
    assert current_version(conn) == version
    conn.execute(
        "INSERT INTO meta VALUES ('db_id', 'db1'), ('machine_id', 'm1'), ('numbering_authority', 'local')"
    )
    conn.execute(
        "INSERT INTO offices (id, version, deleted, created_at, updated_at, updated_by, name) VALUES ('o1', ?, ?, ?, ?, ?, '城关司法所')",
        (1, 0, STAMP, STAMP, "u1"),
    )
    conn.execute(
        "INSERT INTO committees (id, version, deleted, created_at, updated_at, updated_by, office_id, name, number_prefix, body_type) "
        "VALUES ('c1', 1, 0, ?, ?, 'u1', 'o1', '城关街道人民调解委员会', '津东城', 'subdistrict')",
        (STAMP, STAMP),
    )
    conn.execute(
        "INSERT INTO cases (id, version, deleted, created_at, updated_at, updated_by, committee_id, year, seq, "
        "case_number, status, registered_on, source, dispute_type, summary, applicants, respondents, party_count, "
        "mediation_due_on) VALUES ('k1', 1, 0, ?, ?, 'u1', 'c1', 2024, 7, '（2024）津东城人调字第7号', "
        "'registered', '2024-03-01', 'applied', 'neighbourhood', '相邻通行纠纷，堵塞道路', '孙八', '周九', 2, '2024-04-01')",
        (STAMP, STAMP),
    )
    conn.execute(
        "INSERT INTO parties (id, version, deleted, created_at, updated_at, updated_by, case_id, side, position, kind, name, phone) "
        "VALUES ('p1', 1, 0, ?, ?, 'u1', 'k1', 'applicant', 0, 'person', '孙八', '13700001234'), "
        "('p2', 1, 0, ?, ?, 'u1', 'k1', 'respondent', 1, 'person', '周九', '')",
        (STAMP, STAMP, STAMP, STAMP),
    )
    conn.execute(
        "INSERT INTO outbox (table_name, record_id, version, op, changes, created_at, created_by) VALUES ('cases', 'k1', 1, 'insert', '{}', ?, 'u1')",
        (STAMP,),
    )
    conn.close()
    return vault


@pytest.mark.parametrize("version", [m.version for m in MIGRATIONS if m.version < LATEST])
def test_upgrade_from_every_earlier_version_keeps_data(tmp_path: Path, version: int) -> None:
    data = tmp_path / f"v{version}"
    vault = _old_database(data, version)
    store = open_store(data, vault)
    assert current_version(store.conn) == LATEST
    case = store.query("SELECT * FROM cases WHERE id = 'k1'")[0]
    assert case["case_number"] == "（2024）津东城人调字第7号"
    assert case["summary"] == "相邻通行纠纷，堵塞道路"
    assert case["prevented"] == "[]"  # a column added by migration 3 has its default
    assert [p["name"] for p in store.query("SELECT name FROM parties ORDER BY position")] == [
        "孙八",
        "周九",
    ]
    assert store.scalar("SELECT count(*) FROM outbox") == 1
    assert store.integrity_problems(full=True) == []
    assert backups.list_backups(data), "a backup is taken before upgrading"
    store.close()


def test_migrating_twice_changes_nothing(tmp_path: Path) -> None:
    vault = _old_database(tmp_path / "db", LATEST)
    store = open_store(tmp_path / "db", vault)
    assert migrate(store.conn) == []
    store.close()


def test_database_from_a_newer_program_is_not_touched(tmp_path: Path) -> None:
    data = tmp_path / "db"
    vault = _old_database(data, LATEST)
    conn = connect(data / DB_FILE, vault.keys["db1"])
    conn.execute(f"PRAGMA user_version = {LATEST + 1}")
    conn.close()
    with pytest.raises(NewerSchemaError, match="升级本程序"):
        open_store(data, vault)


def test_failed_migration_rolls_back_to_the_previous_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from justice_desktop.store import migrations

    data = tmp_path / "db"
    vault = _old_database(data, 2)

    def broken(conn: object) -> None:
        conn.execute("ALTER TABLE cases ADD COLUMN prevented TEXT")  # type: ignore[attr-defined]
        raise RuntimeError("power cut")

    monkeypatch.setattr(
        migrations, "MIGRATIONS", (*MIGRATIONS[:2], migrations.Migration(3, "x", broken))
    )
    with pytest.raises(RuntimeError):
        open_store(data, vault)
    conn = connect(data / DB_FILE, vault.keys["db1"])
    assert current_version(conn) == 2
    columns = [r[1] for r in conn.execute("PRAGMA table_info(cases)")]
    assert "prevented" not in columns
    conn.close()


def test_search_works_after_upgrading_from_version_1(tmp_path: Path) -> None:
    """Migration 2 created the search index: records written before it still get found once
    re-indexed, and new ones are found at once."""
    vault = _old_database(tmp_path / "db", 1)
    store = open_store(tmp_path / "db", vault)
    hits = search(store.conn, "孙八")
    assert [h.ref_id for h in hits] == ["k1"]
    assert [h.ref_id for h in search(store.conn, "人调字第7号")] == ["k1"]
    assert [h.ref_id for h in search(store.conn, "1234")] == ["k1"]
    store.close()

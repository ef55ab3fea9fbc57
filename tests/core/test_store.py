"""The encrypted store: encryption, keys, recovery, outbox and audit, backups, damage."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail

from justice_desktop.store import backup as backups
from justice_desktop.store.cases import CaseService
from justice_desktop.store.database import DB_FILE, Store, create_store, open_store
from justice_desktop.store.errors import (
    BadRecoveryKeyError,
    DamagedDatabaseError,
    KeyringUnavailableError,
    MissingKeyError,
    WrongKeyError,
)
from justice_desktop.store.keys import (
    KeyringVault,
    MemoryVault,
    decode_recovery_key,
    encode_recovery_key,
    generate_key,
)
from justice_desktop.store.office import OfficeSetup, set_up_office
from justice_desktop.store.outbox import history, pending, pending_count
from justice_desktop.validation import ValidationError


def test_file_is_encrypted(store: Store, new_case: Callable[..., str]) -> None:
    new_case()
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw = store.path.read_bytes()
    assert not raw.startswith(b"SQLite format 3")
    assert "张三".encode() not in raw and b"11010519491231002X" not in raw
    plain = sqlite3.connect(store.path)
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        plain.execute("SELECT * FROM cases").fetchall()
    plain.close()


def test_wrong_key_gives_clear_error(tmp_path: Path) -> None:
    vault = MemoryVault({})
    store, _ = create_store(tmp_path, vault)
    set_up_office(store, OfficeSetup("所", "调委会", "津"))
    store.close()
    vault.keys[next(iter(vault.keys))] = generate_key()
    with pytest.raises(WrongKeyError) as err:
        open_store(tmp_path, vault)
    assert "恢复密钥" in str(err.value)


def test_recovery_key_opens_when_keyring_entry_is_lost(tmp_path: Path) -> None:
    vault = MemoryVault({})
    store, recovery = create_store(tmp_path, vault)
    ids = set_up_office(store, OfficeSetup("所", "调委会", "津"))
    store.close()
    vault.keys.clear()
    with pytest.raises(MissingKeyError):
        open_store(tmp_path, vault)
    with pytest.raises(BadRecoveryKeyError):
        open_store(
            tmp_path, vault, recovery_key=recovery[:-1] + ("0" if recovery[-1] != "0" else "1")
        )
    reopened = open_store(tmp_path, vault, recovery_key=recovery.lower().replace("-", " "))
    assert reopened.meta("office_id") == ids["office_id"]
    reopened.close()
    assert vault.keys, "the recovered key is put back into the keyring"
    open_store(tmp_path, vault).close()


def test_recovery_key_round_trip_and_typo_detection() -> None:
    for _ in range(50):
        key = generate_key()
        text = encode_recovery_key(key)
        assert len(text.split("-")) == 14
        assert decode_recovery_key(text) == key
        assert (
            decode_recovery_key(text.replace("1", "I").replace("0", "O")) == key or "1" not in text
        )
    text = encode_recovery_key(bytes(32))
    swapped = text[:5] + ("A" if text[5] != "A" else "B") + text[6:]
    with pytest.raises(BadRecoveryKeyError, match="校验码"):
        decode_recovery_key(swapped)
    with pytest.raises(BadRecoveryKeyError, match="56"):
        decode_recovery_key("ABCD-EFGH")


class _MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.data.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.data[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.data.pop((service, username), None)


@pytest.fixture
def restore_keyring() -> object:
    previous = keyring.get_keyring()
    yield None
    keyring.set_keyring(previous)


def test_no_keyring_backend_is_a_clear_refusal_not_a_plaintext_fallback(
    tmp_path: Path, restore_keyring: object
) -> None:
    keyring.set_keyring(fail.Keyring())
    with pytest.raises(KeyringUnavailableError) as err:
        create_store(tmp_path / "office", KeyringVault())
    assert "密钥环" in str(err.value) and "恢复密钥" in str(err.value)
    assert not (tmp_path / "office" / DB_FILE).exists()
    assert not any(p.suffix in {".key", ".txt"} for p in (tmp_path / "office").glob("*"))


def test_keyring_vault_stores_and_loads(tmp_path: Path, restore_keyring: object) -> None:
    backend = _MemoryKeyring()
    keyring.set_keyring(backend)
    store, _ = create_store(tmp_path, KeyringVault())
    store.close()
    assert any(service == "justice-desktop" for service, _ in backend.data)
    open_store(tmp_path, KeyringVault()).close()


def test_every_change_writes_outbox_and_audit_in_the_same_transaction(
    store: Store, new_case: Callable[..., str], cases: CaseService, ids: dict[str, str]
) -> None:
    start = pending_count(store)
    cid = new_case()
    entries = [e for e in pending(store, limit=1000) if e.seq > 0][-4:]
    assert [e.table_name for e in entries] == ["cases", "parties", "parties", "case_mediators"]
    case_entry = next(e for e in entries if e.table_name == "cases")
    assert case_entry.version == 1 and case_entry.op == "insert"
    assert case_entry.changes["summary"][0] is None
    assert pending_count(store) == start + 4

    from justice_desktop.domain.party import PartyInput

    with pytest.raises(ValidationError):
        cases.add_party(ids["user_id"], cid, PartyInput(side="third", name="", phone="1"))
    assert pending_count(store) == start + 4, "a refused change leaves no outbox entry"

    cases.add_party(ids["user_id"], cid, PartyInput(side="third", name="赵六"))
    update = [e for e in pending(store, limit=1000) if e.record_id == cid][-1]
    assert update.op == "update" and update.version == 2
    assert update.changes["party_count"] == [2, 3]
    trail = history(store, cid)
    assert [t["action"] for t in trail][:2] == ["update", "insert"]
    assert all(t["user_id"] == ids["user_id"] for t in trail)
    assert "13812345678" not in json.dumps(trail, ensure_ascii=False), (
        "audit holds field names, not values"
    )


def test_audit_log_is_append_only(store: Store, new_case: Callable[..., str]) -> None:
    new_case()
    with pytest.raises(Exception, match="只能追加"):
        store.conn.execute("UPDATE audit_log SET user_id = 'x'")
    with pytest.raises(Exception, match="只能追加"):
        store.conn.execute("DELETE FROM audit_log")


def test_opening_a_case_is_recorded(
    store: Store, new_case: Callable[..., str], cases: CaseService, ids: dict[str, str]
) -> None:
    cid = new_case()
    cases.load(cid, user_id=ids["user_id"])
    assert history(store, cid)[0]["action"] == "view"


def test_backup_and_restore(tmp_path: Path, vault: MemoryVault) -> None:
    data = tmp_path / "office"
    store, _ = create_store(data, vault)
    ids = set_up_office(store, OfficeSetup("所", "调委会", "津"))
    first = store.backup(keep=3)
    with store.tx(ids["user_id"]) as tx:
        tx.insert("users", {"name": "备份后加入", "role": "clerk"})
    for _ in range(4):
        store.backup(keep=3)
    assert len(backups.list_backups(data)) == 3
    assert not first.exists(), "only the last N backups are kept"
    store.close()

    newest = backups.list_backups(data)[0]
    key = vault.keys[next(iter(vault.keys))]
    kept = backups.restore_backup(data / DB_FILE, newest, key, store.clock())
    assert kept is not None and kept.exists(), "the replaced file is kept, never deleted"
    restored = open_store(data, vault)
    assert restored.scalar("SELECT count(*) FROM users WHERE name = '备份后加入'") == 1
    restored.close()


def test_damaged_file_is_reported_with_backups_never_replaced(
    tmp_path: Path, vault: MemoryVault
) -> None:
    data = tmp_path / "office"
    store, _ = create_store(data, vault)
    set_up_office(store, OfficeSetup("所", "调委会", "津"))
    store.backup()
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    path = data / DB_FILE
    raw = bytearray(path.read_bytes())
    for i in range(0, len(raw), 4096):  # scramble every page, key check included
        raw[i + 100 : i + 200] = bytes(100)
    path.write_bytes(bytes(raw))
    with pytest.raises(DamagedDatabaseError) as err:
        open_store(data, vault)
    message = str(err.value)
    assert "已损坏" in message and "justice-desktop restore" in message
    assert err.value.backups, "the message lists the backups to go back to"
    assert path.read_bytes() == bytes(raw), "the damaged file is left as it was"


def test_damaged_backup_is_refused_for_restore(tmp_path: Path, vault: MemoryVault) -> None:
    data = tmp_path / "office"
    store, _ = create_store(data, vault)
    set_up_office(store, OfficeSetup("所", "调委会", "津"))
    bad = store.backup()
    store.close()
    bad.write_bytes(bad.read_bytes()[:5000])
    key = vault.keys[next(iter(vault.keys))]
    from justice_desktop.store.errors import StoreError

    with pytest.raises(StoreError):
        backups.restore_backup(data / DB_FILE, bad, key, store.clock())
    assert open_store(data, vault).scalar("SELECT count(*) FROM offices") == 1


def test_check_and_back_up_daily(tmp_path: Path, vault: MemoryVault) -> None:
    from datetime import datetime, timedelta

    from tests.core.conftest import Clock

    clock = Clock(datetime(2025, 6, 16, 9))
    store, _ = create_store(tmp_path / "o", vault, clock=clock)
    first = store.check_and_back_up()
    assert first is not None and first.exists()
    assert store.check_and_back_up(min_age=timedelta(hours=24)) is None
    import os

    day_old = (datetime.now() - timedelta(hours=25)).timestamp()
    os.utime(first, (day_old, day_old))
    clock.now = datetime.now()
    assert store.check_and_back_up(min_age=timedelta(hours=24)) is not None
    store.close()

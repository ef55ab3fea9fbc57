"""Office settings: office name, committees, users, the backup folder, restoring a backup."""

from __future__ import annotations

from pathlib import Path

import pytest

from justice_desktop.store import backup as backups
from justice_desktop.store.database import Store, create_store, open_store
from justice_desktop.store.errors import DamagedDatabaseError, StoreError
from justice_desktop.store.keys import MemoryVault
from justice_desktop.store.office import (
    OfficeSetup,
    add_committee,
    add_user,
    check_office_setup,
    committees,
    deactivate_user,
    rename_office,
    set_up_office,
    update_committee,
    users,
)
from justice_desktop.store.settings import (
    backup_entries,
    load_office_settings,
    restore_and_close,
    set_backup_folder,
)
from justice_desktop.validation import ValidationError


def _audited(store: Store, table: str, record_id: str) -> int:
    return int(
        store.scalar(
            "SELECT COUNT(*) FROM outbox WHERE table_name = ? AND record_id = ?",
            (table, record_id),
        )
    )


def test_check_office_setup_names_the_field() -> None:
    with pytest.raises(ValidationError) as err:
        check_office_setup(OfficeSetup("所", "调委会", " ", user_name="李明"))
    assert err.value.field == "number_prefix"
    with pytest.raises(ValidationError) as err:
        check_office_setup(OfficeSetup("所", "调委会", "津", user_name=""))
    assert err.value.field == "user_name"
    assert "姓名" in err.value.message
    cleaned = check_office_setup(OfficeSetup(" 所 ", "调委会", "津"))
    assert cleaned.office_name == "所"


def test_rename_office_and_committees(office: tuple[Store, dict[str, str]]) -> None:
    store, ids = office
    user = ids["user_id"]
    rename_office(store, user, "河东区城关街司法所")
    assert load_office_settings(store).office_name == "河东区城关街司法所"
    assert _audited(store, "offices", ids["office_id"]) == 2
    with pytest.raises(ValidationError) as err:
        rename_office(store, user, "  ")
    assert err.value.field == "office_name"

    cid = add_committee(store, user, "东村人民调解委员会", "津东村", "village")
    with pytest.raises(ValidationError) as err:
        add_committee(store, user, "东村人民调解委员会", "津东", "village")
    assert err.value.field == "name"
    with pytest.raises(ValidationError) as err:
        add_committee(store, user, "西村人民调解委员会", "津西村", "")
    assert err.value.field == "body_type"
    update_committee(store, user, cid, "东村村民调解委员会", "津东", "village")
    found = {c["id"]: c for c in committees(store)}
    assert found[cid]["name"] == "东村村民调解委员会"
    assert found[cid]["number_prefix"] == "津东"
    assert _audited(store, "committees", cid) == 2


def test_users_deactivate_not_self(office: tuple[Store, dict[str, str]]) -> None:
    store, ids = office
    me = ids["user_id"]
    other = add_user(store, me, "王芳", "lawyer")
    with pytest.raises(ValidationError) as err:
        deactivate_user(store, me, me)
    assert "当前" in err.value.message
    deactivate_user(store, me, other)
    assert [u["id"] for u in users(store)] == [me]
    with pytest.raises(ValidationError):
        deactivate_user(store, me, other)
    with pytest.raises(ValidationError) as err:
        add_user(store, me, "", "clerk")
    assert err.value.field == "name"


def test_backup_folder_is_configurable(
    office: tuple[Store, dict[str, str]], tmp_path: Path, vault: MemoryVault
) -> None:
    store, _ids = office
    default = backups.backup_dir(store.data_dir)
    assert store.backup_folder == default
    elsewhere = tmp_path / "u盘" / "备份"
    assert set_backup_folder(store, elsewhere) == elsewhere
    made = store.backup()
    assert made.parent == elsewhere
    assert [b.path for b in backup_entries(store)] == [made]
    assert backup_entries(store)[0].size > 0
    assert backups.list_backups(store.data_dir) == []
    assert store.last_backup_at() is not None
    settings = load_office_settings(store)
    assert settings.custom_backup_folder
    # back to the default
    assert set_backup_folder(store, None) == default
    assert backup_entries(store) == []
    with pytest.raises(ValidationError) as err:
        set_backup_folder(store, Path("relative/folder"))
    assert err.value.field == "backup_folder"


def _fresh(folder: Path, vault: MemoryVault) -> tuple[Store, dict[str, str]]:
    """A store this test closes itself (the ``office`` fixture closes its own at teardown)."""
    store, _recovery = create_store(folder, vault)
    return store, set_up_office(
        store, OfficeSetup("城关司法所", "城关街道人民调解委员会", "津东城")
    )


def test_configured_folder_is_known_before_opening(tmp_path: Path, vault: MemoryVault) -> None:
    store, _ids = _fresh(tmp_path / "office", vault)
    set_backup_folder(store, tmp_path / "elsewhere")
    made = store.backup()
    data_dir = store.data_dir
    store.close()
    (data_dir / "justice.db").write_bytes(b"\0" * 8192)
    with pytest.raises(DamagedDatabaseError) as err:
        open_store(data_dir, vault)
    assert made.name in str(err.value)


def test_restore_and_close(tmp_path: Path, vault: MemoryVault) -> None:
    store, ids = _fresh(tmp_path / "office", vault)
    made = store.backup()
    rename_office(store, ids["user_id"], "改过的名字")
    kept = restore_and_close(store, made)
    assert kept is not None and kept.exists()
    reopened = open_store(store.data_dir, vault)
    try:
        assert load_office_settings(reopened).office_name == "城关司法所"
    finally:
        reopened.close()


def test_restore_refuses_a_damaged_backup(
    office: tuple[Store, dict[str, str]], tmp_path: Path
) -> None:
    store, _ids = office
    bad = tmp_path / "justice-20250101-000000-000.db"
    bad.write_bytes(b"\0" * 8192)
    with pytest.raises(StoreError):
        restore_and_close(store, bad)
    assert store.scalar("SELECT COUNT(*) FROM offices") == 1  # still open, untouched


def test_configured_backup_folder_is_readable_without_the_key(store: Store, tmp_path: Path) -> None:
    from justice_desktop.store.database import configured_backup_folder

    assert configured_backup_folder(store.data_dir) == store.data_dir / "backups"
    chosen = tmp_path / "U盘备份"
    chosen.mkdir()
    store.set_backup_folder(chosen)
    assert configured_backup_folder(store.data_dir) == chosen
    store.set_backup_folder(None)
    assert configured_backup_folder(store.data_dir) == store.data_dir / "backups"

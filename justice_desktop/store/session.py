"""Opening the right database with the right key vault: shared by the command line and the UI."""

from __future__ import annotations

from pathlib import Path

from justice_desktop.store.database import Store, create_store, database_exists, open_store
from justice_desktop.store.keys import DemoFileVault, KeyringVault, KeyVault
from justice_desktop.store.office import OfficeSetup, set_up_office

DEMO_MARKER = "demo.key"


def is_demo(data_dir: Path) -> bool:
    return (data_dir / DEMO_MARKER).exists()


def vault_for(data_dir: Path) -> KeyVault:
    return DemoFileVault(data_dir) if is_demo(data_dir) else KeyringVault()


def open_existing(data_dir: Path, recovery_key: str | None = None) -> Store:
    return open_store(data_dir, vault_for(data_dir), recovery_key=recovery_key)


def create_office(data_dir: Path, setup: OfficeSetup, *, demo: bool = False) -> tuple[Store, str]:
    """A new database with its office set up; returns it and the recovery key to show once."""
    vault: KeyVault = DemoFileVault(data_dir) if demo else KeyringVault()
    store, recovery = create_store(data_dir, vault)
    set_up_office(store, setup)
    return store, recovery


DEMO_SETUP = OfficeSetup(
    office_name="河东区城关街司法所",
    committee_name="城关街道人民调解委员会",
    number_prefix="津东城",
    body_type="subdistrict",
    user_name="李明",
    user_role="clerk",
)

__all__ = [
    "DEMO_SETUP",
    "create_office",
    "database_exists",
    "is_demo",
    "open_existing",
    "vault_for",
]

"""Schema migrations, run programmatically when the server or an admin command starts.

The migrations live in ``sync/server/migrations`` (Alembic). ``upgrade`` brings a database to the
newest revision and keeps its data; a database written by a newer server (a revision this code
does not know) is refused with :class:`SchemaTooNew` instead of being touched. On PostgreSQL an
advisory lock makes several server processes starting at once migrate one after another.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
PG_MIGRATION_LOCK = 0x6A75_7374  # advisory lock key: one migrating process at a time


class SchemaTooNew(Exception):
    """The database was migrated by a newer server than this one."""

    def __init__(self, revision: str) -> None:
        super().__init__(
            f"数据库结构版本 {revision} 比本服务器程序新，请先更新市局服务器程序；数据未作任何改动。"
        )
        self.revision = revision


def _config(connection: sa.Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def script_directory() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config)


def head_revision() -> str:
    head = script_directory().get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database to ``revision`` (default: the newest), keeping its data."""
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": PG_MIGRATION_LOCK})
            connection.commit()
        try:
            current = MigrationContext.configure(connection).get_current_revision()
            connection.commit()
            known = {rev.revision for rev in script_directory().walk_revisions()}
            if current is not None and current not in known:
                raise SchemaTooNew(current)
            command.upgrade(_config(connection), revision)
            connection.commit()
        finally:
            if connection.dialect.name == "postgresql":
                connection.rollback()
                connection.execute(
                    sa.text("SELECT pg_advisory_unlock(:key)"), {"key": PG_MIGRATION_LOCK}
                )
                connection.commit()

"""Alembic's environment: runs the migrations on the connection ``sync.server.migrate`` passes.

Alembic loads this file as the module ``env_py``; importing it any other way (the architecture
test imports every module) does nothing.
"""

from __future__ import annotations

from alembic import context

from sync.server.db import metadata


def run() -> None:
    connection = context.config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


if __name__ == "env_py":
    run()

"""The server's schema (SQLAlchemy Core) and engines for SQLite and PostgreSQL.

The tables here describe the schema at the newest migration; Alembic migrations in
``sync/server/migrations/versions`` create and change it (never ``metadata.create_all``). Times
are Unix seconds (``BigInteger``) on the server's clock, the same on both backends.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine

metadata = sa.MetaData()

offices = sa.Table(
    "offices",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False, unique=True),
    sa.Column("district", sa.String(200), nullable=False, index=True),
    sa.Column("created_at", sa.BigInteger, nullable=False),
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(200), nullable=False, unique=True),
    sa.Column("full_name", sa.String(200), nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("office_id", sa.Integer, sa.ForeignKey("offices.id"), nullable=True),
    sa.Column("district", sa.String(200), nullable=True),
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.BigInteger, nullable=False),
)

devices = sa.Table(
    "devices",
    metadata,
    sa.Column("device_id", sa.String(64), primary_key=True),
    sa.Column("office_id", sa.Integer, sa.ForeignKey("offices.id"), nullable=False, index=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("registered_by", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("registered_at", sa.BigInteger, nullable=False),
    sa.Column("last_seen_at", sa.BigInteger, nullable=False),
)

auth_sessions = sa.Table(
    "auth_sessions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True),
    sa.Column("device_id", sa.String(64), sa.ForeignKey("devices.device_id"), nullable=True),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("revoked_at", sa.BigInteger, nullable=True),
)

access_tokens = sa.Table(
    "access_tokens",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column(
        "session_id", sa.Integer, sa.ForeignKey("auth_sessions.id"), nullable=False, index=True
    ),
    sa.Column("expires_at", sa.BigInteger, nullable=False, index=True),
)

refresh_tokens = sa.Table(
    "refresh_tokens",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column(
        "session_id", sa.Integer, sa.ForeignKey("auth_sessions.id"), nullable=False, index=True
    ),
    sa.Column("expires_at", sa.BigInteger, nullable=False, index=True),
    sa.Column("used_at", sa.BigInteger, nullable=True),
)

login_failures = sa.Table(
    "login_failures",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(200), nullable=False, index=True),
    sa.Column("address", sa.String(100), nullable=False, index=True),
    sa.Column("at", sa.BigInteger, nullable=False, index=True),
)


number_counters = sa.Table(
    "number_counters",
    metadata,
    sa.Column("office_id", sa.Integer, sa.ForeignKey("offices.id"), primary_key=True),
    sa.Column("committee_key", sa.String(64), primary_key=True),
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("next_first", sa.BigInteger, nullable=False),
)
"""Per office, committee and year: the first number of the next block to hand out."""

number_blocks = sa.Table(
    "number_blocks",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("office_id", sa.Integer, sa.ForeignKey("offices.id"), nullable=False),
    sa.Column("committee_key", sa.String(64), nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("first", sa.BigInteger, nullable=False),
    sa.Column("last", sa.BigInteger, nullable=False),
    sa.Column(
        "device_id", sa.String(64), sa.ForeignKey("devices.device_id"), nullable=False, index=True
    ),
    sa.Column("granted_by", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("granted_at", sa.BigInteger, nullable=False),
    sa.UniqueConstraint(
        "office_id", "committee_key", "year", "first", name="uq_number_blocks_first"
    ),
)
"""Every block granted: ``first``–``last`` of one committee's numbers in one year, to one
device. Blocks of one office, committee and year never overlap."""


sync_counters = sa.Table(
    "sync_counters",
    metadata,
    sa.Column("office_id", sa.Integer, sa.ForeignKey("offices.id"), primary_key=True),
    sa.Column("last_seq", sa.BigInteger, nullable=False),
)
"""Per office: the last ``server_seq`` handed out (pull cursors count on it, never on clocks)."""

records = sa.Table(
    "records",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("office_id", sa.Integer, sa.ForeignKey("offices.id"), nullable=False),
    sa.Column("table_name", sa.String(64), nullable=False),
    sa.Column("record_id", sa.String(64), nullable=False),
    sa.Column("version", sa.BigInteger, nullable=False),
    sa.Column("data", sa.Text, nullable=False),
    sa.Column("deleted", sa.Boolean, nullable=False),
    sa.Column("server_seq", sa.BigInteger, nullable=False),
    sa.Column("updated_at", sa.BigInteger, nullable=False),
    sa.Column("updated_by_device", sa.String(64), nullable=True),
    sa.UniqueConstraint("office_id", "table_name", "record_id", name="uq_records_record"),
    sa.Index("ix_records_office_seq", "office_id", "server_seq", unique=True),
)
"""The current state of every synced record of every office: ``data`` is the whole row (JSON
object field → value, bookkeeping columns excluded)."""

applied_changes = sa.Table(
    "applied_changes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("office_id", sa.Integer, sa.ForeignKey("offices.id"), nullable=False),
    sa.Column("idempotency_key", sa.String(200), nullable=False),
    sa.Column("result", sa.Text, nullable=False),
    sa.Column("applied_at", sa.BigInteger, nullable=False),
    sa.UniqueConstraint("office_id", "idempotency_key", name="uq_applied_changes_key"),
)
"""The stored result of every change applied (or turned into a conflict), by idempotency key."""

conflicts = sa.Table(
    "conflicts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("office_id", sa.Integer, sa.ForeignKey("offices.id"), nullable=False),
    sa.Column("table_name", sa.String(64), nullable=False),
    sa.Column("record_id", sa.String(64), nullable=False),
    sa.Column("field", sa.String(64), nullable=True),
    sa.Column("base_value", sa.Text, nullable=False),
    sa.Column("server_value", sa.Text, nullable=False),
    sa.Column("incoming_value", sa.Text, nullable=False),
    sa.Column("provisional_value", sa.Text, nullable=False),
    sa.Column("idempotency_key", sa.String(200), nullable=False),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("resolved_at", sa.BigInteger, nullable=True),
    sa.Column("resolved_by", sa.Integer, nullable=True),
    sa.Column("resolution", sa.Text, nullable=True),
    sa.Column("resolution_key", sa.String(200), nullable=True),
    sa.Column("resolution_result", sa.Text, nullable=True),
    sa.Index("ix_conflicts_office_open", "office_id", "resolved_at"),
    sa.Index("ix_conflicts_resolution_key", "office_id", "resolution_key", unique=True),
)
"""Concurrent changes waiting for a person: one row per field (``field`` NULL for delete
against edit); values are JSON text. Once resolved (migration ``0005``): ``resolved_at``,
``resolved_by`` (the user's id), ``resolution`` (JSON: the chosen value, or ``{"keep": …}`` for
a delete against an edit), ``resolution_key`` (the resolve request's idempotency key) and
``resolution_result`` (the :class:`sync.protocol.ResolveResult` a replay returns)."""


blobs = sa.Table(
    "blobs",
    metadata,
    sa.Column("office_id", sa.Integer, sa.ForeignKey("offices.id"), primary_key=True),
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("received", sa.BigInteger, nullable=False),
    sa.Column("complete", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("completed_at", sa.BigInteger, nullable=True),
)
"""Attachment contents of one office by SHA-256 (migration ``0006``): the size the upload
declared, the bytes received so far, and whether they are all there and verified."""

blob_chunks = sa.Table(
    "blob_chunks",
    metadata,
    sa.Column("office_id", sa.Integer, primary_key=True),
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("offset", sa.BigInteger, primary_key=True),
    sa.Column("data", sa.LargeBinary, nullable=False),
    sa.ForeignKeyConstraint(
        ["office_id", "sha256"], ["blobs.office_id", "blobs.sha256"], name="fk_blob_chunks_blob"
    ),
)
"""The bytes of a blob as uploaded, one row per chunk (at most ``MAX_BLOB_CHUNK`` bytes) at
its byte ``offset``; the chunks of a blob are contiguous from 0."""

sync_turns = sa.Table(
    "sync_turns",
    metadata,
    sa.Column("session_id", sa.Integer, sa.ForeignKey("auth_sessions.id"), primary_key=True),
    sa.Column("office_id", sa.Integer, sa.ForeignKey("offices.id"), nullable=False),
    sa.Column("granted_at", sa.BigInteger, nullable=False),
    sa.Column("expires_at", sa.BigInteger, nullable=False),
)
"""Login sessions syncing now (migration ``0007``), each until it says it is done or its turn
expires (:mod:`sync.server.turns`)."""

office_settings = sa.Table(
    "office_settings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("office_id", sa.Integer, sa.ForeignKey("offices.id"), nullable=True),
    sa.Column("key", sa.String(64), nullable=False),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("version", sa.BigInteger, nullable=False),
    sa.Column("updated_at", sa.BigInteger, nullable=False),
)
sa.Index(
    "ix_office_settings_scope_key",
    sa.func.coalesce(office_settings.c.office_id, 0),
    office_settings.c.key,
    unique=True,
)
"""Settings the city bureau manages (migration ``0006``): ``office_id`` NULL is the city-wide
default, otherwise the office's own value. ``version`` is a counter over the whole table (the
largest so far + 1 at each change), so the largest version of the rows that apply to an office
changes whenever one of them does."""


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str, pool_size: int | None = None) -> Engine:
    """An engine for ``url``. SQLite gets WAL, foreign keys, a busy timeout and ``BEGIN
    IMMEDIATE`` transactions (a deferred transaction that later writes fails at once under
    concurrent writers instead of waiting). ``pool_size``: connections kept open (PostgreSQL;
    the server sizes it to the requests it runs at once)."""
    if not url.startswith("sqlite"):
        options: dict[str, Any] = {}
        if pool_size is not None:
            options["pool_size"] = pool_size
        return sa.create_engine(url, pool_pre_ping=True, **options)
    engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy's "begin" event issues BEGIN
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine

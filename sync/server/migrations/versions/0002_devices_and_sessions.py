"""Registered devices, login sessions with hashed access and refresh tokens, login failures.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "devices",
        sa.Column("device_id", sa.String(64), primary_key=True),
        sa.Column("office_id", sa.Integer, sa.ForeignKey("offices.id"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("registered_by", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("registered_at", sa.BigInteger, nullable=False),
        sa.Column("last_seen_at", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_devices_office_id", "devices", ["office_id"])
    op.create_table(
        "auth_sessions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("device_id", sa.String(64), sa.ForeignKey("devices.device_id"), nullable=True),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("revoked_at", sa.BigInteger, nullable=True),
    )
    op.create_index("ix_auth_sessions_user_id", "auth_sessions", ["user_id"])
    for table in ("access_tokens", "refresh_tokens"):
        op.create_table(
            table,
            sa.Column("token_hash", sa.String(64), primary_key=True),
            sa.Column("session_id", sa.Integer, sa.ForeignKey("auth_sessions.id"), nullable=False),
            sa.Column("expires_at", sa.BigInteger, nullable=False),
            *(
                [sa.Column("used_at", sa.BigInteger, nullable=True)]
                if table == "refresh_tokens"
                else []
            ),
        )
        op.create_index(f"ix_{table}_session_id", table, ["session_id"])
        op.create_index(f"ix_{table}_expires_at", table, ["expires_at"])
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(200), nullable=False),
        sa.Column("address", sa.String(100), nullable=False),
        sa.Column("at", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_login_failures_username", "login_failures", ["username"])
    op.create_index("ix_login_failures_address", "login_failures", ["address"])
    op.create_index("ix_login_failures_at", "login_failures", ["at"])


def downgrade() -> None:
    op.drop_table("login_failures")
    op.drop_table("refresh_tokens")
    op.drop_table("access_tokens")
    op.drop_table("auth_sessions")
    op.drop_table("devices")

"""Resolved conflicts: who resolved them, the chosen resolution, its idempotency key and the
stored result a replay returns.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision: str | None = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain nullable columns: SQLite adds them with ALTER TABLE, no table rebuild.
    op.add_column("conflicts", sa.Column("resolved_by", sa.Integer, nullable=True))
    op.add_column("conflicts", sa.Column("resolution", sa.Text, nullable=True))
    op.add_column("conflicts", sa.Column("resolution_key", sa.String(200), nullable=True))
    op.add_column("conflicts", sa.Column("resolution_result", sa.Text, nullable=True))
    op.create_index(
        "ix_conflicts_resolution_key", "conflicts", ["office_id", "resolution_key"], unique=True
    )


def downgrade() -> None:
    op.drop_index("ix_conflicts_resolution_key", "conflicts")
    op.drop_column("conflicts", "resolution_result")
    op.drop_column("conflicts", "resolution_key")
    op.drop_column("conflicts", "resolution")
    op.drop_column("conflicts", "resolved_by")

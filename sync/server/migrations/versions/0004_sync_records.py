"""Push and pull: the offices' records, applied changes (idempotency), conflicts and the
per-office server sequence.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision: str | None = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_counters",
        sa.Column("office_id", sa.Integer, sa.ForeignKey("offices.id"), primary_key=True),
        sa.Column("last_seq", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "records",
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
    )
    op.create_index("ix_records_office_seq", "records", ["office_id", "server_seq"], unique=True)
    op.create_table(
        "applied_changes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("office_id", sa.Integer, sa.ForeignKey("offices.id"), nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.Column("result", sa.Text, nullable=False),
        sa.Column("applied_at", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("office_id", "idempotency_key", name="uq_applied_changes_key"),
    )
    op.create_table(
        "conflicts",
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
    )
    op.create_index("ix_conflicts_office_open", "conflicts", ["office_id", "resolved_at"])


def downgrade() -> None:
    op.drop_index("ix_conflicts_office_open", "conflicts")
    op.drop_table("conflicts")
    op.drop_table("applied_changes")
    op.drop_index("ix_records_office_seq", "records")
    op.drop_table("records")
    op.drop_table("sync_counters")

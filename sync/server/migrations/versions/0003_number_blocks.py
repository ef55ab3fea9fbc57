"""Case-number blocks handed out to devices, and the counter each block is cut from.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision: str | None = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "number_counters",
        sa.Column("office_id", sa.Integer, sa.ForeignKey("offices.id"), primary_key=True),
        sa.Column("committee_key", sa.String(64), primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("next_first", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "number_blocks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("office_id", sa.Integer, sa.ForeignKey("offices.id"), nullable=False),
        sa.Column("committee_key", sa.String(64), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("first", sa.BigInteger, nullable=False),
        sa.Column("last", sa.BigInteger, nullable=False),
        sa.Column("device_id", sa.String(64), sa.ForeignKey("devices.device_id"), nullable=False),
        sa.Column("granted_by", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("granted_at", sa.BigInteger, nullable=False),
        sa.UniqueConstraint(
            "office_id", "committee_key", "year", "first", name="uq_number_blocks_first"
        ),
    )
    op.create_index("ix_number_blocks_device_id", "number_blocks", ["device_id"])


def downgrade() -> None:
    op.drop_index("ix_number_blocks_device_id", "number_blocks")
    op.drop_table("number_blocks")
    op.drop_table("number_counters")

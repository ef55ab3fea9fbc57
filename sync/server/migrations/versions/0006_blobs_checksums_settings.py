"""Attachment contents (blobs, in chunks) per office, and the office settings the city bureau
manages. Checksums need no schema: they are computed from ``records``.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision: str | None = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "blobs",
        sa.Column("office_id", sa.Integer, sa.ForeignKey("offices.id"), primary_key=True),
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("received", sa.BigInteger, nullable=False),
        sa.Column("complete", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("completed_at", sa.BigInteger, nullable=True),
    )
    op.create_table(
        "blob_chunks",
        sa.Column("office_id", sa.Integer, primary_key=True),
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("offset", sa.BigInteger, primary_key=True),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id", "sha256"],
            ["blobs.office_id", "blobs.sha256"],
            name="fk_blob_chunks_blob",
        ),
    )
    op.create_table(
        "office_settings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("office_id", sa.Integer, sa.ForeignKey("offices.id"), nullable=True),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("version", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.BigInteger, nullable=False),
    )
    # One row per scope and key; the city-wide default (office_id NULL) counts as scope 0.
    op.create_index(
        "ix_office_settings_scope_key",
        "office_settings",
        [sa.text("coalesce(office_id, 0)"), "key"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("ix_office_settings_scope_key", "office_settings")
    op.drop_table("office_settings")
    op.drop_table("blob_chunks")
    op.drop_table("blobs")

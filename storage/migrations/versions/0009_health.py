"""Per-source run outcomes, for the health report and the quiet-source alert.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 21:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "source_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_key", sa.String(length=512), nullable=False),
        sa.Column("source_name", sa.String(length=512), nullable=False),
        sa.Column("network", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("fetched", sa.Integer(), nullable=False),
        sa.Column("new", sa.Integer(), nullable=False),
        sa.Column("retries", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source_runs")),
    )
    op.create_index(op.f("ix_source_runs_finished_at"), "source_runs", ["finished_at"], unique=False)
    op.create_index(
        "ix_source_runs_source_key_finished_at", "source_runs", ["source_key", "finished_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_source_runs_source_key_finished_at", table_name="source_runs")
    op.drop_index(op.f("ix_source_runs_finished_at"), table_name="source_runs")
    op.drop_table("source_runs")

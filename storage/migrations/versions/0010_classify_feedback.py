"""Catalogue additions curators applied from `exemplar classify --report`.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 21:58:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "catalogue_additions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("tool", sa.String(length=256), nullable=False),
        sa.Column("spelling", sa.String(length=256), nullable=False),
        sa.Column("domains", sa.JSON(), nullable=False),
        sa.Column("posts_count", sa.Integer(), nullable=False),
        sa.Column("applied_by", sa.String(length=320), nullable=True),
        sa.Column("applied_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalogue_additions")),
        sa.UniqueConstraint(
            "kind", "tool", "spelling", name=op.f("uq_catalogue_additions_kind_tool_spelling")
        ),
    )


def downgrade() -> None:
    op.drop_table("catalogue_additions")

"""Thread parts remember when posting them was attempted, and Bluesky's content id.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 12:55:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("publications") as batch:
        batch.add_column(sa.Column("remote_cid", sa.String(length=128), nullable=True))
        batch.add_column(sa.Column("attempted_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("publications") as batch:
        batch.drop_column("attempted_at")
        batch.drop_column("remote_cid")

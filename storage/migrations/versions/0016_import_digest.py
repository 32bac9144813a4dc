"""``posts.import_digest``: the digest of the imported payload a stored copy was made from, so that a
re-import skips unchanged records before parsing them (see :mod:`bot.jobs.unchanged`).

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-02 01:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("posts") as batch:
        batch.add_column(sa.Column("import_digest", sa.String(length=32), nullable=True))
        batch.create_index(op.f("ix_posts_import_digest"), ["import_digest"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("posts") as batch:
        batch.drop_index(op.f("ix_posts_import_digest"))
        batch.drop_column("import_digest")

"""What is stored and published stays true: why posts were removed, which copy of a post is stored,
and the installation's own id (in thread keys).

* ``removed_posts.reason``: why a post went (its author removed it, deleted at home, not public...);
  every removal leaves a row, so the post is never collected again.
* ``posts.copy_rank``: where the stored copy came from (2: the post's home instance, 1: another
  instance, 0: an archive import); see :mod:`storage.precedence`.
* ``published_items``: each item of a published digest as it was posted and emailed (the archive
  shows this record, not the live post); removal at the author's request empties it.
* ``app_state['installation_id']``: made once when the database is created, part of every thread key.

Revision ID: 0014
Revises: 0010
Create Date: 2026-12-01 22:50:00
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INSTALLATION_ID = "installation_id"


def upgrade() -> None:
    with op.batch_alter_table("removed_posts") as batch:
        batch.add_column(sa.Column("reason", sa.Text(), nullable=False, server_default=""))
    with op.batch_alter_table("posts") as batch:
        batch.add_column(sa.Column("copy_rank", sa.Integer(), nullable=False, server_default="1"))
    op.create_table(
        "published_items",
        sa.Column("digest_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("post_uri", sa.String(length=2048), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("removed_at", sa.DateTime(), nullable=True),
        sa.Column("removed_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["digest_id"], ["digests.id"], name=op.f("fk_published_items_digest_id_digests"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("digest_id", "position", name=op.f("pk_published_items")),
    )
    op.create_index(op.f("ix_published_items_post_uri"), "published_items", ["post_uri"], unique=False)
    app_state = sa.table("app_state", sa.column("key", sa.String), sa.column("value", sa.Text))
    bind = op.get_bind()
    exists = bind.execute(sa.select(app_state.c.key).where(app_state.c.key == INSTALLATION_ID)).first()
    if exists is None:
        op.bulk_insert(app_state, [{"key": INSTALLATION_ID, "value": uuid.uuid4().hex}])


def downgrade() -> None:
    op.drop_index(op.f("ix_published_items_post_uri"), table_name="published_items")
    op.drop_table("published_items")
    op.execute(sa.text("DELETE FROM app_state WHERE key = 'installation_id'"))
    with op.batch_alter_table("posts") as batch:
        batch.drop_column("copy_rank")
    with op.batch_alter_table("removed_posts") as batch:
        batch.drop_column("reason")

"""Indexes for the desk inbox: in its order (newest first, the id breaking ties), per source, per label.

* ``ix_posts_created_at_id`` replaces ``ix_posts_created_at``: the inbox pages by ``(created_at, id)``
  (a keyset), which PostgreSQL can then read in order without sorting; every query on
  ``created_at`` alone uses it as before.
* ``ix_posts_source_created_at_id``: the inbox filtered by source walks one source's posts in order,
  rather than every post looking for that source's.
* ``ix_post_labels_label_post_id`` replaces ``ix_post_labels_label``: the posts carrying a rare
  label are read from the index alone.

Revision ID: 0017
Revises: 0014
Create Date: 2026-12-02 01:05:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_posts_created_at_id", "posts", ["created_at", "id"], unique=False)
    op.drop_index("ix_posts_created_at", table_name="posts")
    op.create_index("ix_posts_source_created_at_id", "posts", ["source", "created_at", "id"], unique=False)
    op.create_index("ix_post_labels_label_post_id", "post_labels", ["label", "post_id"], unique=False)
    op.drop_index("ix_post_labels_label", table_name="post_labels")


def downgrade() -> None:
    op.create_index("ix_post_labels_label", "post_labels", ["label"], unique=False)
    op.drop_index("ix_post_labels_label_post_id", table_name="post_labels")
    op.drop_index("ix_posts_source_created_at_id", table_name="posts")
    op.create_index("ix_posts_created_at", "posts", ["created_at"], unique=False)
    op.drop_index("ix_posts_created_at_id", table_name="posts")

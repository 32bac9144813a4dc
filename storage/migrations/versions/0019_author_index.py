"""An author's posts in the inbox's order: ``ix_posts_author_acct_created_at_id`` replaces
``ix_posts_author_acct``.

The desk's exclusion confirmation shows an author's newest posts; with the author alone indexed, every
one of their posts was read and sorted to find the newest five. Every lookup by author alone (opt-outs
removing their posts) uses the new index as it used the old.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 14:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_posts_author_acct_created_at_id", "posts", ["author_acct", "created_at", "id"], unique=False
    )
    op.drop_index("ix_posts_author_acct", table_name="posts")


def downgrade() -> None:
    op.create_index("ix_posts_author_acct", "posts", ["author_acct"], unique=False)
    op.drop_index("ix_posts_author_acct_created_at_id", table_name="posts")

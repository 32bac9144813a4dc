"""The archive's search index, tool filter, removals by authors, and OAuth apps on their instances.

The full-text index (``archive_fts``) is backend-specific, so it is created here by hand and left out
of the models: an FTS5 table on SQLite, a table with a ``tsvector`` column and a GIN index on
PostgreSQL. Both hold text already folded (accents and case) by :func:`storage.search.fold`.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 21:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "archive_tools",
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("tool", sa.String(length=256), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_archive_tools_post_id_posts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("post_id", "tool", name=op.f("pk_archive_tools")),
    )
    op.create_index(op.f("ix_archive_tools_tool"), "archive_tools", ["tool"], unique=False)
    op.create_table(
        "removed_posts",
        sa.Column("uri", sa.String(length=2048), nullable=False),
        sa.Column("author_acct", sa.String(length=320), nullable=False),
        sa.Column("via", sa.String(length=32), nullable=False),
        sa.Column("removed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("uri", name=op.f("pk_removed_posts")),
    )
    op.create_index(op.f("ix_removed_posts_author_acct"), "removed_posts", ["author_acct"], unique=False)
    op.create_table(
        "oauth_clients",
        sa.Column("instance_url", sa.String(length=2048), nullable=False),
        sa.Column("redirect_uri", sa.String(length=2048), nullable=False),
        sa.Column("client_id", sa.String(length=512), nullable=False),
        sa.Column("client_secret", sa.String(length=512), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("instance_url", "redirect_uri", name=op.f("pk_oauth_clients")),
    )
    op.create_index(
        "ix_digests_status_period_start", "digests", ["status", "period_start", "id"], unique=False
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TABLE archive_fts ("
            " post_id INTEGER PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,"
            " body TEXT NOT NULL,"
            " document TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED)"
        )
        op.execute("CREATE INDEX archive_fts_document ON archive_fts USING GIN (document)")
    else:
        op.execute("CREATE VIRTUAL TABLE archive_fts USING fts5(body, tokenize='unicode61 remove_diacritics 2')")
        # FTS5 tables take no foreign keys: a deleted post leaves the index by trigger.
        op.execute(
            "CREATE TRIGGER archive_fts_post_deleted AFTER DELETE ON posts BEGIN"
            " DELETE FROM archive_fts WHERE rowid = old.id; END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.execute("DROP TRIGGER IF EXISTS archive_fts_post_deleted")
    op.execute("DROP TABLE IF EXISTS archive_fts")
    op.drop_table("oauth_clients")
    op.drop_index("ix_digests_status_period_start", table_name="digests")
    op.drop_index(op.f("ix_removed_posts_author_acct"), table_name="removed_posts")
    op.drop_table("removed_posts")
    op.drop_index(op.f("ix_archive_tools_tool"), table_name="archive_tools")
    op.drop_table("archive_tools")

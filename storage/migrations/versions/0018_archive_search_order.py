"""The archive's search index in archive order: one row per published item, replacing ``archive_fts``.

``archive_search`` is keyed by each item's place in the archive (:func:`storage.search.archive_key`),
so a search reads its matches newest first and stops when a page is full, at any age of the archive.
On SQLite an FTS5 table over it (external content, rowid = key) is kept in step by triggers; on
PostgreSQL a generated ``tsvector`` column carries a GIN index. A row leaves with its post or its item
(foreign keys; the FTS5 table by trigger).

The rows of the items published already are filled from the old per-post index (``archive_fts``,
whose text is already folded); a published post that was never indexed is indexed by the next web
request, as any newly published one is.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 13:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.search import archive_key

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FTS_TRIGGERS = {
    "archive_search_added": "AFTER INSERT ON archive_search BEGIN"
    " INSERT INTO archive_search_fts (rowid, body) VALUES (new.key, new.body); END",
    "archive_search_removed": "AFTER DELETE ON archive_search BEGIN"
    " INSERT INTO archive_search_fts (archive_search_fts, rowid, body) VALUES ('delete', old.key, old.body);"
    " END",
    "archive_search_changed": "AFTER UPDATE ON archive_search BEGIN"
    " INSERT INTO archive_search_fts (archive_search_fts, rowid, body) VALUES ('delete', old.key, old.body);"
    " INSERT INTO archive_search_fts (rowid, body) VALUES (new.key, new.body); END",
}


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    document = (
        " document TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED," if postgresql else ""
    )
    # On SQLite the key is the table's rowid (INTEGER PRIMARY KEY), which FTS5 reads rows by.
    key_type = "BIGINT" if postgresql else "INTEGER"
    op.execute(
        "CREATE TABLE archive_search ("
        f" key {key_type} NOT NULL PRIMARY KEY,"
        " item_id INTEGER NOT NULL UNIQUE REFERENCES digest_items (id) ON DELETE CASCADE,"
        " post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,"
        " digest_id INTEGER NOT NULL REFERENCES digests (id) ON DELETE CASCADE,"
        " section VARCHAR(16) NOT NULL,"
        f" body TEXT NOT NULL,{document}"
        " CHECK (key >= 0))"
    )
    # Each post's other appearances (the newest is the one listed), and a digest's rows.
    op.execute("CREATE INDEX archive_search_post ON archive_search (post_id, digest_id)")
    op.execute("CREATE INDEX archive_search_digest ON archive_search (digest_id)")
    if postgresql:
        op.execute("CREATE INDEX archive_search_document ON archive_search USING GIN (document)")
    else:
        op.execute(
            "CREATE VIRTUAL TABLE archive_search_fts USING fts5(body, content='archive_search',"
            " content_rowid='key', tokenize='unicode61 remove_diacritics 2')"
        )
        for name, body in _FTS_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")
    _fill_from_the_old_index(postgresql)
    if not postgresql:
        op.execute("DROP TRIGGER IF EXISTS archive_fts_post_deleted")
    op.execute("DROP TABLE archive_fts")


def _fill_from_the_old_index(postgresql: bool) -> None:
    connection = op.get_bind()
    indexed_post = "archive_fts.post_id" if postgresql else "archive_fts.rowid"
    rows = connection.execute(
        sa.text(
            "SELECT i.id, i.digest_id, i.post_id, i.section, i.removed, d.period_start,"
            f" (SELECT body FROM archive_fts WHERE {indexed_post} = i.post_id)"
            " FROM digest_items i JOIN digests d ON d.id = i.digest_id"
            " WHERE d.status = 'published' ORDER BY i.digest_id, i.position, i.id"
        ).columns(period_start=sa.DateTime())
    ).all()
    values, place, digest = [], 0, None
    for item_id, digest_id, post_id, section, removed, period_start, body in rows:
        place = place + 1 if digest_id == digest else 0
        digest = digest_id
        if not removed and body is not None:
            values.append(
                {
                    "key": archive_key(period_start, digest_id, place),
                    "item_id": item_id,
                    "post_id": post_id,
                    "digest_id": digest_id,
                    "section": section,
                    "body": body,
                }
            )
    if values:
        connection.execute(
            sa.text(
                "INSERT INTO archive_search (key, item_id, post_id, digest_id, section, body)"
                " VALUES (:key, :item_id, :post_id, :digest_id, :section, :body)"
            ),
            values,
        )


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        op.execute(
            "CREATE TABLE archive_fts ("
            " post_id INTEGER PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,"
            " body TEXT NOT NULL,"
            " document TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED)"
        )
        op.execute("CREATE INDEX archive_fts_document ON archive_fts USING GIN (document)")
        op.execute(
            "INSERT INTO archive_fts (post_id, body)"
            " SELECT DISTINCT ON (post_id) post_id, body FROM archive_search ORDER BY post_id, key DESC"
        )
    else:
        op.execute("CREATE VIRTUAL TABLE archive_fts USING fts5(body, tokenize='unicode61 remove_diacritics 2')")
        op.execute(
            "CREATE TRIGGER archive_fts_post_deleted AFTER DELETE ON posts BEGIN"
            " DELETE FROM archive_fts WHERE rowid = old.id; END"
        )
        op.execute(
            "INSERT INTO archive_fts (rowid, body)"
            " SELECT post_id, body FROM (SELECT post_id, body, max(key) FROM archive_search GROUP BY post_id)"
        )
        for name in _FTS_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE archive_search_fts")
    op.execute("DROP TABLE archive_search")

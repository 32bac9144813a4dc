"""The archive's full-text index: SQLite FTS5 or PostgreSQL ``tsvector``, over folded text.

Both backends index the same thing: the words of a published post (its text, content warning, link
card title, hashtags, the tools it uses, its author's name and handle), folded by :func:`fold` so that
"video" finds "Vídeo" and "ÉCOLE" finds "école", and joined by single spaces so both backends' parsers
see the same words. Queries are folded the same way; each word matches as a prefix, all words must
match, and results are ranked (BM25 on SQLite, ``ts_rank`` on PostgreSQL).

The index table, ``archive_fts``, is made by migration 0007 and is not a model: its shape differs per
backend. A deleted post leaves it (a foreign key on PostgreSQL, a trigger on SQLite).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

from sqlalchemy import (
    ColumnElement,
    Select,
    TableClause,
    column,
    exists,
    func,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.orm import InstrumentedAttribute, Session

INDEX_TABLE = "archive_fts"
MAX_QUERY_WORDS = 12

_WORD = re.compile(r"[^\W_]+")
# Letters that Unicode does not decompose into a base letter and a mark.
_UNDECOMPOSABLE = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i", "ħ": "h"}
)


def is_index_table(name: str | None) -> bool:
    """Whether ``name`` is the search index or one of FTS5's shadow tables (not a model's table)."""
    return bool(name) and (name == INDEX_TABLE or str(name).startswith(f"{INDEX_TABLE}_"))


def fold(value: str) -> str:
    """Lower case, accents removed, words joined by single spaces. Pure.

    >>> fold("Vídeo: ¡ÉCOLE ÇA-VA! Straße, Łódź")
    'video ecole ca va strasse lodz'
    """
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(_WORD.findall(bare.translate(_UNDECOMPOSABLE)))


def query_words(query: str) -> list[str]:
    """The folded words of a search query (at most :data:`MAX_QUERY_WORDS`). Pure."""
    return fold(query).split()[:MAX_QUERY_WORDS]


def index_documents(session: Session, documents: Mapping[int, str]) -> None:
    """Put (or replace) each post's searchable text, by post id, into the index."""
    if not documents:
        return
    rows = [{"post_id": post_id, "body": fold(body)} for post_id, body in documents.items()]
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text(
                "INSERT INTO archive_fts (post_id, body) VALUES (:post_id, :body) "
                "ON CONFLICT (post_id) DO UPDATE SET body = excluded.body"
            ),
            rows,
        )
        return
    session.execute(text("DELETE FROM archive_fts WHERE rowid = :post_id"), rows)
    session.execute(text("INSERT INTO archive_fts (rowid, body) VALUES (:post_id, :body)"), rows)


def indexed(dialect: str, post_id: ColumnElement[int] | InstrumentedAttribute[int]) -> ColumnElement[bool]:
    """Whether the index holds the post whose id is ``post_id`` (for ``WHERE NOT ...``)."""
    index = _index_table(dialect)
    key = index.c.rowid if dialect == "sqlite" else index.c.post_id
    return exists().where(key == post_id)


def matches(dialect: str, query: str) -> Select[tuple[int, float]] | None:
    """A ``SELECT post_id, rank`` of the posts matching ``query`` (best first by ``rank`` ascending);
    ``None`` when the query has no words."""
    words = query_words(query)
    if not words:
        return None
    index = _index_table(dialect)
    if dialect == "postgresql":
        tsquery = func.to_tsquery("simple", " & ".join(f"{word}:*" for word in words))
        return select(
            index.c.post_id.label("post_id"), (-func.ts_rank(index.c.document, tsquery)).label("rank")
        ).where(index.c.document.op("@@")(tsquery))
    expression = " ".join(f'"{word}"*' for word in words)
    return select(index.c.rowid.label("post_id"), func.bm25(literal_column(INDEX_TABLE)).label("rank")).where(
        literal_column(INDEX_TABLE).op("MATCH")(expression)
    )


def _index_table(dialect: str) -> TableClause:
    if dialect == "postgresql":
        return table(INDEX_TABLE, column("post_id"), column("document"))
    return table(INDEX_TABLE, column("rowid"), column("body"))


def document_text(parts: Iterable[str]) -> str:
    """The text indexed for one post, from its parts (unfolded: :func:`index_documents` folds)."""
    return " ".join(part for part in parts if part)

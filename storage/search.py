"""The archive's full-text index: one row per published item, in archive order, over folded text.

``archive_search`` holds one row for each live item of a published digest: its post, digest and
section, and the post's searchable words (its text, content warning, link card title, hashtags, the
tools it uses, its author's name and handle), folded by :func:`fold` so that "video" finds "Vídeo" and
"ÉCOLE" finds "école". Its key is the item's place in the archive (:func:`archive_key`): a larger key
is listed earlier. The words are indexed by an FTS5 table kept in step by triggers on SQLite, by a
``tsvector`` column with a GIN index on PostgreSQL (migration 0018).

Search reads the index in key order, newest first, and stops once a page is full: the cost of a page
does not grow with the archive. Each word matches as a prefix and all words must match; results are
never ranked, so a page's place in the list is a key (see :mod:`storage.archive_queries`).

A row leaves with its post (a person removing themselves) or its item, by foreign key; the FTS5 table
follows by trigger. The table is not a model: its shape differs per backend.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    FromClause,
    Integer,
    String,
    Text,
    column,
    func,
    literal_column,
    table,
    text,
)
from sqlalchemy.orm import Session

INDEX_TABLE = "archive_search"
FTS_TABLE = "archive_search_fts"
MAX_QUERY_WORDS = 12

# An archive key packs (period start in minutes, digest id, place in the digest) into 63 bits.
_PLACE_BITS = 14
_DIGEST_BITS = 22
_MINUTE_BITS = 63 - _DIGEST_BITS - _PLACE_BITS
MAX_KEY = (1 << 63) - 1
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Two workers indexing at once on PostgreSQL take turns on this advisory lock ("arch" in ASCII).
_INDEX_LOCK = 0x61726368

_WORD = re.compile(r"[^\W_]+")
# Letters that Unicode does not decompose into a base letter and a mark.
_UNDECOMPOSABLE = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i", "ħ": "h"}
)

entries = table(
    INDEX_TABLE,
    column("key", BigInteger),
    column("item_id", Integer),
    column("post_id", Integer),
    column("digest_id", Integer),
    column("section", String),
    column("body", Text),
)


@dataclass(frozen=True, slots=True)
class Entry:
    """One published item's row in the index (``body`` unfolded: :func:`add_entries` folds)."""

    key: int
    item_id: int
    post_id: int
    digest_id: int
    section: str
    body: str


def is_index_table(name: str | None) -> bool:
    """Whether ``name`` is the search index or one of its FTS5 tables (not a model's table)."""
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


def archive_key(period_start: datetime, digest_id: int, place: int) -> int:
    """Where an item sits in the archive, as one integer: the archive lists newest period first, then
    the higher digest id, then the digest's own order (``place``: 0 for its first item, by position
    and id), and a larger key is listed earlier. Periods are told apart to the minute. Pure.

    >>> day = datetime(2026, 11, 30, tzinfo=UTC)
    >>> archive_key(day, 7, 0) > archive_key(day, 7, 1) > archive_key(day, 6, 0)
    True
    """
    start = period_start if period_start.tzinfo else period_start.replace(tzinfo=UTC)
    minutes = int((start - _EPOCH).total_seconds() // 60)
    if not 0 <= minutes < 1 << _MINUTE_BITS:
        raise ValueError(f"a digest period starting {period_start} cannot be placed in the archive")
    if not 0 < digest_id < 1 << _DIGEST_BITS or not 0 <= place < 1 << _PLACE_BITS:
        raise ValueError(f"digest {digest_id}, item {place}: too many to place in the archive")
    last_place = (1 << _PLACE_BITS) - 1
    return (minutes << (_DIGEST_BITS + _PLACE_BITS)) | (digest_id << _PLACE_BITS) | (last_place - place)


def lock_for_indexing(session: Session) -> None:
    """Hold off other processes' indexing until this transaction ends, so that each looks for the
    unindexed items after the other has added its own: an advisory lock on PostgreSQL; on SQLite the
    database's write lock, taken before anything is read (a reader that wrote later could not)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _INDEX_LOCK})
    else:
        session.execute(text(f"DELETE FROM {INDEX_TABLE} WHERE 0 = 1"))


def add_entries(session: Session, rows: Sequence[Entry]) -> None:
    """Put these items into the index; an item indexed already (by another worker) is kept as it is."""
    if not rows:
        return
    values = [{**asdict(row), "body": fold(row.body)} for row in rows]
    columns = "key, item_id, post_id, digest_id, section, body"
    params = ", ".join(f":{name}" for name in columns.split(", "))
    session.execute(
        text(f"INSERT INTO {INDEX_TABLE} ({columns}) VALUES ({params}) ON CONFLICT DO NOTHING"), values
    )


def searched(dialect: str, query: str) -> tuple[FromClause, ColumnElement[int], ColumnElement[bool]] | None:
    """What a search reads: the index (joined to its FTS5 table on SQLite), the key to order and cut
    pages by (the FTS5 table's own rowid, which it walks in order), and the condition that all the
    query's words match. ``None`` when the query has no words."""
    words = query_words(query)
    if not words:
        return None
    if dialect == "postgresql":
        document: ColumnElement[Any] = literal_column(f"{INDEX_TABLE}.document")
        tsquery = func.to_tsquery("simple", " & ".join(f"{word}:*" for word in words))
        return entries, entries.c.key, document.op("@@")(tsquery)
    fts = table(FTS_TABLE, column("rowid"))
    expression = " ".join(f'"{word}"*' for word in words)
    matched = literal_column(FTS_TABLE).op("MATCH")(expression)
    return entries.join(fts, fts.c.rowid == entries.c.key), fts.c.rowid, matched


def document_text(parts: Iterable[str]) -> str:
    """The text indexed for one post, from its parts (unfolded: :func:`add_entries` folds)."""
    return " ".join(part for part in parts if part)

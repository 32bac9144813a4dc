"""The desk inbox's read: one page of stored posts, newest first, filtered, paged by keyset.

A page is found from a cursor (the creation time and id of the post it follows or precedes), so the
hundredth page costs what the first does: an index walk of ``posts(created_at, id)`` (or
``posts(source, created_at, id)`` when filtering by source) that stops after one page, and for a
rare tag or label a read of that tag's or label's index instead (see :func:`_read`). Only the
columns the inbox shows are read, and nothing is counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, exists, func, literal, select, tuple_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import NullType

from storage.labels import has_label
from storage.models import Post as PostRow
from storage.models import PostLabel, PostTag, UTCDateTime

INBOX_COLUMNS = (
    PostRow.id,
    PostRow.author_acct,
    PostRow.author_name,
    PostRow.url,
    PostRow.created_at,
    PostRow.html,
    PostRow.links,
)

# How many posts a tag or label filter checks one by one before it reads that tag's or label's index.
WINDOW = 1000
# A label or tag on fewer rows than this is read from its own index at once: the walk through the
# window would find too few of its posts anyway (at 100,000 posts, fewer than 1 in 100 carry it).
RARE = 500


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a page starts: just past the post created at ``created_at`` with id ``post_id``."""

    created_at: datetime
    post_id: int

    def token(self) -> str:
        """The cursor as it travels in a link: ``2026-11-20T09:15:00.000000Z_1234``."""
        return f"{self.created_at.astimezone(UTC):%Y-%m-%dT%H:%M:%S.%f}Z_{self.post_id}"

    @classmethod
    def parse(cls, token: str, *, max_id: int) -> Cursor | None:
        """The cursor a link carried, or None if ``token`` is not one this module wrote."""
        stamp, _, number = token.rpartition("_")
        if not stamp.endswith("Z") or not number.isascii() or not number.isdigit() or len(number) > 10:
            return None
        try:
            created = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
        except ValueError:
            return None
        post_id = int(number)
        return cls(created, post_id) if 1 <= post_id <= max_id else None


@dataclass(frozen=True, slots=True)
class InboxFilters:
    """Which posts the inbox lists (every field optional)."""

    tag: str | None = None
    label: str | None = None
    source: str | None = None
    since: datetime | None = None


@dataclass(frozen=True, slots=True)
class InboxPage:
    """One page of posts, newest first, and the cursors of the pages beside it (None: no such page)."""

    rows: Sequence[Any]
    older: Cursor | None
    newer: Cursor | None


def inbox_page(
    session: Session,
    filters: InboxFilters,
    *,
    size: int,
    before: Cursor | None = None,
    after: Cursor | None = None,
) -> InboxPage:
    """The ``size`` newest posts older than ``before`` (or the oldest ``size`` newer than ``after``,
    shown newest first); without a cursor, the newest page."""
    key = tuple_(PostRow.created_at, PostRow.id)
    if after is not None:
        rows = _read(session, filters, size + 1, key > tuple_(*_bound(after)), ascending=True)
        more_newer = len(rows) > size
        rows = rows[:size][::-1]
        return InboxPage(
            rows,
            older=_cursor(rows[-1]) if rows else None,
            newer=_cursor(rows[0]) if rows and more_newer else None,
        )
    past = key < tuple_(*_bound(before)) if before is not None else None
    rows = _read(session, filters, size + 1, past, ascending=False)
    more_older = len(rows) > size
    rows = rows[:size]
    return InboxPage(
        rows,
        older=_cursor(rows[-1]) if rows and more_older else None,
        newer=_cursor(rows[0]) if rows and before is not None else None,
    )


def _read(
    session: Session,
    filters: InboxFilters,
    limit: int,
    keyset: ColumnElement[bool] | None,
    *,
    ascending: bool,
) -> list[Any]:
    """The first ``limit`` matching posts in the inbox's order (or its reverse).

    Source, time and cursor follow an index in that order. A tag or a label is a lookup per post,
    cheap while matches are common and slow when they are rare (the whole archive is walked to find
    none): so that walk is bounded to the next ``WINDOW`` posts, and when these hold too few
    matches, the posts are found from the tag's or the label's own index instead. A tag or label on
    fewer than ``RARE`` rows in all (counted up to that many) goes to its index without the walk.
    """
    order = _ascending if ascending else _descending
    # Plain rows of the shown columns, executed on the connection: nothing for the ORM to do.
    connection = session.connection()
    ordered = [c for c in (keyset, *_ordered_conditions(filters)) if c is not None]
    lookups = _lookup_conditions(filters)
    if not lookups:
        return list(connection.execute(order(select(*INBOX_COLUMNS).where(*ordered)).limit(limit)))
    driving = _driving_rows(filters)
    counted = select(func.count()).select_from(driving.limit(RARE).subquery())
    if RARE <= 0 or int(connection.scalar(counted) or 0) >= RARE:
        edge = connection.scalar(order(select(PostRow.created_at).where(*ordered)).offset(WINDOW).limit(1))
        window: list[ColumnElement[bool]] = []
        if edge is not None:
            window.append(PostRow.created_at <= edge if ascending else PostRow.created_at >= edge)
        statement = select(*INBOX_COLUMNS).where(*ordered, *window, *lookups)
        rows = list(connection.execute(order(statement).limit(limit)))
        if len(rows) >= limit or edge is None:
            return rows
    # Distinct (each is anyway): SQLite then reads the subquery first instead of folding it in.
    chosen = driving.distinct().subquery()
    statement = (
        select(*INBOX_COLUMNS)
        .join_from(chosen, PostRow, PostRow.id == chosen.c.post_id)
        .where(*ordered, *lookups)
    )
    return list(connection.execute(order(statement).limit(limit)))


def _ordered_conditions(filters: InboxFilters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.source:
        conditions.append(PostRow.source == filters.source)
    if filters.since:
        conditions.append(PostRow.created_at >= filters.since)
    return conditions


def _lookup_conditions(filters: InboxFilters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.tag:
        conditions.append(exists().where(PostTag.post_id == PostRow.id, PostTag.tag == _tag(filters.tag)))
    if filters.label:
        conditions.append(has_label(filters.label))
    return conditions


def _driving_rows(filters: InboxFilters) -> Select[Any]:
    """The ids of the posts with a row for the label (else the tag), read from its own index."""
    if filters.label:
        return select(PostLabel.post_id).where(_Rare(PostLabel.label == filters.label))
    assert filters.tag
    return select(PostTag.post_id).where(_Rare(PostTag.tag == _tag(filters.tag)))


class _Rare(FunctionElement[Any]):
    """A condition few rows meet. SQLite's statistics know how many rows a tag or label has on
    average, not that this one has few: ``unlikely()`` tells its planner to read the index. Other
    databases (PostgreSQL keeps per-value statistics) get the condition as it is."""

    type = NullType()  # not Boolean: SQLite would be given ``unlikely(...) = 1``
    inherit_cache = True


@compiles(_Rare)
def _rare_anywhere(element: _Rare, compiler: SQLCompiler, **options: Any) -> str:
    return str(compiler.process(element.clauses, **options))


@compiles(_Rare, "sqlite")
def _rare_in_sqlite(element: _Rare, compiler: SQLCompiler, **options: Any) -> str:
    return f"unlikely({compiler.process(element.clauses, **options)})"


def _tag(tag: str) -> str:
    return tag.lstrip("#").lower()


def _bound(cursor: Cursor) -> tuple[Any, Any]:
    # Typed literals, so that each backend gets the column's own datetime form.
    return literal(cursor.created_at, UTCDateTime()), literal(cursor.post_id, Integer())


def _descending(statement: Select[Any]) -> Select[Any]:
    return statement.order_by(PostRow.created_at.desc(), PostRow.id.desc())


def _ascending(statement: Select[Any]) -> Select[Any]:
    return statement.order_by(PostRow.created_at, PostRow.id)


def _cursor(row: Any) -> Cursor:
    return Cursor(row.created_at, row.id)

"""The desk inbox's read: one page of stored posts, newest first, filtered, paged by keyset.

A page is found from a cursor (the creation time and id of the post it follows or precedes), so the
hundredth page costs what the first does: an index walk of ``posts(created_at, id)`` (or
``posts(source, created_at, id)`` when filtering by source) that stops after one page. Only the
columns the inbox shows are read, and nothing is counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, exists, literal, select, tuple_
from sqlalchemy.orm import Session

from storage.labels import has_label
from storage.models import Post as PostRow
from storage.models import PostTag, UTCDateTime

INBOX_COLUMNS = (
    PostRow.id,
    PostRow.author_acct,
    PostRow.author_name,
    PostRow.url,
    PostRow.created_at,
    PostRow.html,
    PostRow.links,
)


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
    statement = select(*INBOX_COLUMNS).where(*_conditions(filters))
    if after is not None:
        statement = statement.where(key > tuple_(*_bound(after)))
        rows = list(session.execute(_ascending(statement).limit(size + 1)))
        more_newer = len(rows) > size
        rows = rows[:size][::-1]
        return InboxPage(
            rows,
            older=_cursor(rows[-1]) if rows else None,
            newer=_cursor(rows[0]) if rows and more_newer else None,
        )
    if before is not None:
        statement = statement.where(key < tuple_(*_bound(before)))
    rows = list(session.execute(_descending(statement).limit(size + 1)))
    more_older = len(rows) > size
    rows = rows[:size]
    return InboxPage(
        rows,
        older=_cursor(rows[-1]) if rows and more_older else None,
        newer=_cursor(rows[0]) if rows and before is not None else None,
    )


def _conditions(filters: InboxFilters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.tag:
        tag = filters.tag.lstrip("#").lower()
        conditions.append(exists().where(PostTag.post_id == PostRow.id, PostTag.tag == tag))
    if filters.label:
        conditions.append(has_label(filters.label))
    if filters.source:
        conditions.append(PostRow.source == filters.source)
    if filters.since:
        conditions.append(PostRow.created_at >= filters.since)
    return conditions


def _bound(cursor: Cursor) -> tuple[Any, Any]:
    # Typed literals, so that each backend gets the column's own datetime form.
    return literal(cursor.created_at, UTCDateTime()), literal(cursor.post_id, Integer())


def _descending(statement: Select[Any]) -> Select[Any]:
    return statement.order_by(PostRow.created_at.desc(), PostRow.id.desc())


def _ascending(statement: Select[Any]) -> Select[Any]:
    return statement.order_by(PostRow.created_at, PostRow.id)


def _cursor(row: Any) -> Cursor:
    return Cursor(row.created_at, row.id)

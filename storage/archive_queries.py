"""What the public archive reads, one page at a time, in SQL.

Every query here is bounded by the page it serves, not by the size of the archive: digests are read
newest first along the ``period_start`` index and items through ``digest_id``, a search along the
full-text index in archive order (see :mod:`storage.search`), with ``LIMIT size + 1`` telling whether
another page follows (no ``COUNT`` over the whole archive). Posts are loaded in the
same statement as their items, never lazily one by one.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, bindparam, exists, false, func, select
from sqlalchemy.orm import Session, aliased, contains_eager, joinedload, selectinload

from storage import app_state, published, search
from storage.models import (
    AppState,
    ArchiveTool,
    Digest,
    DigestEvent,
    DigestItemRow,
    PostTag,
    QuestionAnswer,
    RemovedPost,
    Sighting,
)
from storage.models import Post as PostRow

PUBLISHED = "published"
REPLY_WINDOW = timedelta(days=60)
T = TypeVar("T")
Narrowed = TypeVar("Narrowed", Select[int], Select[int, int])
# What the published archive looks like, cheaply: (digests published, the highest id, version).
Fingerprint = tuple[int, int, str]


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of results: its rows, its 1-based number (``None`` for a page found by key), whether a
    next (older) page exists, and, for a search, each row's archive key and whether a newer page
    exists."""

    rows: list[T]
    number: int | None
    has_next: bool
    keys: list[int] = field(default_factory=list)
    has_previous: bool = False


@dataclass(frozen=True, slots=True)
class Window:
    """Which page of a search: the ``number``-th, or the one just older than the archive key
    ``before``, or just newer than ``after``."""

    number: int = 1
    before: int | None = None
    after: int | None = None


@dataclass(frozen=True, slots=True)
class ItemFilters:
    """What a browse or search page narrows to; empty values do not filter."""

    section: str | None = None
    query: str = ""
    tag: str = ""
    tool: str = ""
    since: datetime | None = None
    answered: bool | None = None


def _page(rows: Sequence[T], number: int, size: int) -> Page[T]:
    return Page(list(rows[:size]), number, len(rows) > size, has_previous=number > 1)


def published_digests(session: Session, number: int, size: int) -> Page[Digest]:
    """Published digests, newest period first."""
    statement = (
        select(Digest)
        .where(Digest.status == PUBLISHED)
        .order_by(Digest.period_start.desc(), Digest.id.desc())
        .limit(size + 1)
        .offset((number - 1) * size)
    )
    return _page(list(session.scalars(statement)), number, size)


def section_counts(session: Session, digest_ids: Collection[int]) -> dict[int, dict[str, int]]:
    """How many live items each of these digests has, by section."""
    counts: dict[int, dict[str, int]] = {digest_id: {} for digest_id in digest_ids}
    if digest_ids:
        rows = session.execute(
            select(DigestItemRow.digest_id, DigestItemRow.section, func.count())
            .where(DigestItemRow.digest_id.in_(list(digest_ids)), DigestItemRow.removed == false())
            .group_by(DigestItemRow.digest_id, DigestItemRow.section)
        )
        for digest_id, section, count in rows:
            counts[digest_id][section] = count
    return counts


def published_digest(session: Session, digest_id: int, *, with_items: bool = True) -> Digest | None:
    """One published digest, with its items and their posts loaded (three statements) unless not
    ``with_items``."""
    statement = select(Digest).where(Digest.id == digest_id, Digest.status == PUBLISHED)
    if with_items:
        statement = statement.options(selectinload(Digest.items).joinedload(DigestItemRow.post))
    return session.scalars(statement).first()


def digests_with_items(session: Session, digest_ids: Collection[int]) -> list[Digest]:
    """These digests with their items and the items' posts loaded (three statements in all)."""
    if not digest_ids:
        return []
    return list(
        session.scalars(
            select(Digest)
            .where(Digest.id.in_(list(digest_ids)))
            .options(selectinload(Digest.items).joinedload(DigestItemRow.post))
        )
    )


def publish_times(session: Session, digest_ids: Collection[int]) -> dict[int, datetime]:
    """When each digest was published (its ``published`` event; its last update if none is recorded)."""
    if not digest_ids:
        return {}
    ids = list(digest_ids)
    found: dict[int, datetime] = {}
    for digest_id, at in session.execute(
        select(DigestEvent.digest_id, func.min(DigestEvent.at))
        .where(DigestEvent.digest_id.in_(ids), DigestEvent.action == PUBLISHED)
        .group_by(DigestEvent.digest_id)
    ):
        found[digest_id] = at
    missing = [digest_id for digest_id in ids if digest_id not in found]
    if missing:
        found.update(
            (digest_id, at)
            for digest_id, at in session.execute(
                select(Digest.id, Digest.updated_at).where(Digest.id.in_(missing))
            )
        )
    return found


def fingerprint(session: Session) -> Fingerprint:
    """Changes whenever a digest is published (how many are, the highest id) or a post leaves the
    archive (the archive's version, see :func:`storage.app_state.touch_archive`): one statement, along
    the ``status`` index and the ``app_state`` key."""
    version = select(AppState.value).where(AppState.key == app_state.ARCHIVE_VERSION).scalar_subquery()
    count, highest, touched = session.execute(
        select(func.count(), func.coalesce(func.max(Digest.id), 0), version).where(Digest.status == PUBLISHED)
    ).one()
    return int(count), int(highest), str(touched or "")


def unindexed_items(session: Session, *, limit: int | None = None) -> list[DigestItemRow]:
    """Live items of published digests that the search index does not hold yet (the first ``limit``
    of them, if given), each with its digest and its post (and the post's hashtags) loaded."""
    indexed = exists().where(search.entries.c.item_id == DigestItemRow.id)
    statement = (
        select(DigestItemRow)
        .join(Digest, Digest.id == DigestItemRow.digest_id)
        .where(Digest.status == PUBLISHED, DigestItemRow.removed == false(), ~indexed)
        .options(
            contains_eager(DigestItemRow.digest),
            joinedload(DigestItemRow.post).selectinload(PostRow.tags),
        )
    )
    return list(session.scalars(statement.limit(limit)).unique())


def places_in_digests(session: Session, digest_ids: Collection[int]) -> dict[int, int]:
    """Each item's place in its digest (0 first, by position and id, removed items counted too: a
    place never changes), by item id, for every item of these digests."""
    places: dict[int, int] = {}
    if digest_ids:
        rows = session.execute(
            select(DigestItemRow.id, DigestItemRow.digest_id)
            .where(DigestItemRow.digest_id.in_(list(digest_ids)))
            .order_by(DigestItemRow.digest_id, DigestItemRow.position, DigestItemRow.id)
        )
        place, digest = 0, None
        for item_id, digest_id in rows:
            place = place + 1 if digest_id == digest else 0
            digest = digest_id
            places[item_id] = place
    return places


def record_tools(session: Session, tools: Mapping[int, Collection[str]]) -> None:
    """Note which tools each post uses (kept when already noted)."""
    rows = [{"post_id": post_id, "tool": name[:256]} for post_id, names in tools.items() for name in names]
    if not rows:
        return
    # executemany: any number of rows (each dialect's module loads only when that backend is in use)
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        session.execute(postgresql.insert(ArchiveTool).on_conflict_do_nothing(), rows)
    else:
        from sqlalchemy.dialects import sqlite

        session.execute(sqlite.insert(ArchiveTool).on_conflict_do_nothing(), rows)


def tool_choices(session: Session) -> list[str]:
    """Every tool some published exemplar uses, by name."""
    return sorted(session.scalars(select(ArchiveTool.tool).distinct()))


def items(
    session: Session, filters: ItemFilters, number: int, size: int, *, window: Window | None = None
) -> Page[DigestItemRow]:
    """Published items, each post once (its latest appearance), newest digest first; each with its
    post and digest loaded. A search reads the index in archive order (see :func:`_search`), by
    ``window`` when given (else page ``number``).

    Two statements: the page's item ids, ordered and limited in SQL, then those items with their
    posts and digests."""
    if filters.query:
        return _search(session, filters, window or Window(number=number), size)
    statement = _item_ids(session, filters)
    ids = list(session.scalars(statement.limit(size + 1).offset((number - 1) * size)))
    return Page(_load_items(session, ids[:size]), number, len(ids) > size, has_previous=number > 1)


def _load_items(session: Session, ids: Sequence[int]) -> list[DigestItemRow]:
    """These items in this order, each with its digest and post loaded (one statement)."""
    if not ids:
        return []
    loaded = {
        row.id: row
        for row in session.scalars(
            select(DigestItemRow)
            .join(Digest, Digest.id == DigestItemRow.digest_id)
            .join(PostRow, PostRow.id == DigestItemRow.post_id)
            .where(DigestItemRow.id.in_(list(ids)))
            .options(contains_eager(DigestItemRow.digest), contains_eager(DigestItemRow.post))
        ).unique()
    }
    return [loaded[item_id] for item_id in ids]


def _search(session: Session, filters: ItemFilters, window: Window, size: int) -> Page[DigestItemRow]:
    """One page of a search, newest first in archive order. The index is read in key order and the
    read stops once the page (and one more row) is found; whether a page lies beyond the other end is
    a read that stops at its first row."""
    found = _search_keys(session, filters)
    if found is None:
        return Page([], window.number, False)  # a query of no words matches nothing
    statement, key = found
    rows: list[tuple[int, int]]
    if window.after is not None:
        newer = statement.where(key > window.after).order_by(key.asc()).limit(size + 1)
        fetched = [(item_id, k) for item_id, k in session.execute(newer)]
        rows, has_previous = list(reversed(fetched[:size])), len(fetched) > size
        has_next = bool(rows) and _any(session, statement.where(key < rows[-1][1]), key.desc())
        number = None
    else:
        older = statement.order_by(key.desc()).limit(size + 1)
        if window.before is not None:
            older = older.where(key < window.before)
        else:
            older = older.offset((window.number - 1) * size)
        fetched = [(item_id, k) for item_id, k in session.execute(older)]
        rows, has_next = fetched[:size], len(fetched) > size
        if window.before is None:
            has_previous, number = window.number > 1, window.number
        else:
            has_previous = bool(rows) and _any(session, statement.where(key > rows[0][1]), key.asc())
            number = None
    shown = _load_items(session, [item_id for item_id, _key in rows])
    return Page(shown, number, has_next, [k for _item, k in rows], has_previous)


def _any(session: Session, statement: Select[int, int], order: Any) -> bool:
    """Whether ``statement`` finds a row (read in ``order``, the index's, so it stops at the first)."""
    return session.execute(statement.order_by(order).limit(1)).first() is not None


def _search_keys(session: Session, filters: ItemFilters) -> tuple[Select[int, int], Any] | None:
    """``SELECT item_id, key`` of the items a search finds (unordered, unlimited), and the key to
    order and cut them by; ``None`` when the query has no words.

    The index holds every live published item; a post is listed at its latest appearance (highest
    digest id), in its section when browsing one, as :func:`_item_ids` lists it."""
    found = search.searched(session.get_bind().dialect.name, filters.query)
    if found is None:
        return None
    source, key, matched = found
    entry, later = search.entries, search.entries.alias("later")
    newer_appearance = select(1).where(
        later.c.post_id == entry.c.post_id, later.c.digest_id > entry.c.digest_id
    )
    if filters.section:
        newer_appearance = newer_appearance.where(later.c.section == entry.c.section)
    statement = select(entry.c.item_id, key).select_from(source).where(matched, ~newer_appearance.exists())
    if filters.section:
        statement = statement.where(entry.c.section == filters.section)
    if filters.since is not None:
        if _few_posts_since(session, filters.since):
            # Read once into a list that each match is looked up in: the walk may pass every match.
            recent = select(PostRow.id).where(PostRow.created_at >= filters.since)
            statement = statement.where(entry.c.post_id.in_(recent.scalar_subquery()))
        else:
            statement = statement.where(
                exists().where(PostRow.id == entry.c.post_id, PostRow.created_at >= filters.since)
            )
    return _narrowed(statement, entry.c.post_id, filters), key


def _narrowed(statement: Narrowed, post_id: Any, filters: ItemFilters) -> Narrowed:
    """``statement`` narrowed to the posts carrying the filters' tag and tool, and answered or not."""
    if filters.tag:
        statement = statement.where(exists().where(PostTag.post_id == post_id, PostTag.tag == filters.tag))
    if filters.tool:
        statement = statement.where(
            exists().where(ArchiveTool.post_id == post_id, ArchiveTool.tool == filters.tool)
        )
    if filters.answered is not None:
        answered = exists().where(QuestionAnswer.post_id == post_id)
        statement = statement.where(answered if filters.answered else ~answered)
    return statement


# A ``since`` that leaves at most this many stored posts is read from the posts' ``created_at``
# index; an older one walks the digests newest first (it fills a page before going far).
SINCE_BY_POSTS = 5000


def _item_ids(session: Session, filters: ItemFilters) -> Select[int]:
    """The ordered ids of the items :func:`items` shows when not searching."""
    item, digest = DigestItemRow, Digest
    later_item = aliased(DigestItemRow)
    published_ids = select(Digest.id).where(Digest.status == PUBLISHED).scalar_subquery()
    # A post is in few digests: its other appearances are found through its id, and the latest digest
    # (highest id) shows it. ``digest_id + 0`` keeps SQLite from walking every published digest's items
    # instead of that post's few rows.
    other_digest = later_item.digest_id + 0
    newer_appearance = select(1).where(
        later_item.post_id == item.post_id,
        later_item.removed == false(),
        other_digest > item.digest_id,
        other_digest.in_(published_ids),
    )
    if filters.section:
        newer_appearance = newer_appearance.where(later_item.section == item.section)
    is_published: ColumnElement[bool] = digest.status == PUBLISHED
    if filters.since is not None and _few_posts_since(session, filters.since):
        # Start from the posts written since then (their index) rather than from the newest digest:
        # a recent ``since`` matches few items, and walking the digests would reach every one of them
        # before giving up. ``status || ''`` is the same test without an index to start from.
        is_published = (digest.status + "") == PUBLISHED
        recent = select(PostRow.id).where(PostRow.created_at >= filters.since)
        statement = (
            select(item.id)
            .join(digest, digest.id == item.digest_id)
            .where(item.post_id.in_(recent.scalar_subquery()))
        )
    else:
        statement = select(item.id).join(digest, digest.id == item.digest_id)
        if filters.since is not None:
            statement = statement.join(PostRow, PostRow.id == item.post_id).where(
                PostRow.created_at >= filters.since
            )
    statement = statement.where(is_published, item.removed == false(), ~newer_appearance.exists())
    if filters.section:
        statement = statement.where(item.section == filters.section)
    statement = _narrowed(statement, item.post_id, filters)
    return statement.order_by(digest.period_start.desc(), digest.id.desc(), item.position, item.id)


def _few_posts_since(session: Session, since: datetime) -> bool:
    """Whether at most :data:`SINCE_BY_POSTS` stored posts were written since ``since`` (counted
    along the ``created_at`` index, never past that many)."""
    recent = select(PostRow.id).where(PostRow.created_at >= since).limit(SINCE_BY_POSTS + 1).subquery()
    return int(session.scalar(select(func.count()).select_from(recent)) or 0) <= SINCE_BY_POSTS


def post_with_digest(session: Session, post_id: int) -> PostRow | None:
    """A stored post, if it is shown in the published archive."""
    shown = (
        select(DigestItemRow.post_id)
        .join(Digest, Digest.id == DigestItemRow.digest_id)
        .where(DigestItemRow.post_id == post_id, Digest.status == PUBLISHED, DigestItemRow.removed == false())
    )
    return session.scalars(select(PostRow).where(PostRow.id == post_id, PostRow.id.in_(shown))).first()


def record_removal(session: Session, post: PostRow, *, via: str, now: datetime) -> None:
    """Remove ``post`` for good at its author's request: gone from the archive, the feeds and digests,
    and never stored again."""
    reason = "its author removed it from the archive"
    session.merge(
        RemovedPost(uri=post.uri, author_acct=post.author_acct, via=via, removed_at=now, reason=reason)
    )
    published.mark_removed(session, [post.uri], reason=reason, now=now)
    app_state.touch_archive(session)
    session.delete(post)


def removed_uris(session: Session, uris: Collection[str]) -> set[str]:
    """Which of these post URIs their authors removed."""
    if not uris:
        return set()
    removed = select(RemovedPost.uri).where(RemovedPost.uri.in_(bindparam("uris", expanding=True)))
    return set(session.scalars(removed, {"uris": list(uris)}))


def question_ids(session: Session, post_ids: Collection[int]) -> list[int]:
    """Which of these posts are featured as open questions."""
    if not post_ids:
        return []
    return list(
        session.scalars(
            select(DigestItemRow.post_id)
            .where(DigestItemRow.post_id.in_(list(post_ids)), DigestItemRow.section == "question")
            .distinct()
        )
    )


def collected_replies(session: Session, question: PostRow) -> list[PostRow]:
    """Stored posts by other people that reply to ``question``: Mastodon names the parent by the id it
    has on the instance a reply was seen through, so each sighting of the question is matched with
    replies seen through the same instance, within :data:`REPLY_WINDOW` of it."""
    reply_seen = aliased(Sighting)
    found: dict[int, PostRow] = {}
    sightings = session.execute(
        select(Sighting.source_key, Sighting.remote_id).where(Sighting.post_id == question.id)
    ).all()
    for source_key, remote_id in sightings:
        rows = session.scalars(
            select(PostRow)
            .join(reply_seen, reply_seen.post_id == PostRow.id)
            .where(
                reply_seen.source_key == source_key,
                PostRow.created_at >= question.created_at,
                PostRow.created_at < question.created_at + REPLY_WINDOW,
                PostRow.author_acct != question.author_acct,
                PostRow.raw["in_reply_to_id"].as_string() == remote_id,
            )
        )
        found.update((row.id, row) for row in rows)
    return sorted(found.values(), key=lambda row: row.created_at)


def add_answers(session: Session, question: PostRow, replies: Sequence[PostRow]) -> None:
    """Credit the authors of ``replies`` as answering ``question`` (answers already known are kept)."""
    known = set(
        session.scalars(select(QuestionAnswer.answer_uri).where(QuestionAnswer.post_id == question.id))
    )
    for reply in replies:
        if reply.uri not in known:
            session.add(
                QuestionAnswer(
                    post_id=question.id,
                    answer_uri=reply.uri,
                    answer_url=reply.url or reply.uri,
                    author_acct=reply.author_acct,
                    author_name=reply.author_name,
                    created_at=reply.created_at,
                )
            )
            known.add(reply.uri)

"""Repository functions: every read and write Exemplar makes, each taking a Session.

Writes are batched (one statement per table per batch) so that storing a page of posts costs a
handful of round trips, whatever the page size.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, Table, bindparam, delete, func, insert, literal, select, update
from sqlalchemy.orm import Session, selectinload

from bot.posts import Post
from storage import app_state, published
from storage.json_text import SerialisedJson, flat_dict, post_json_columns
from storage.labels import has_label
from storage.many_rows import insert_rows, rows_where_in
from storage.models import Cursor, PostTag, RemovedPost, Sighting, SourceState, UTCDateTime, table_of
from storage.models import Post as PostRow
from storage.precedence import COUNT_FIELDS, CopyRank, Version, collected_rank, merged_counts, replaces

POSTS = table_of(PostRow)
POST_TAGS = table_of(PostTag)
SIGHTINGS = table_of(Sighting)
REMOVED = table_of(RemovedPost)


@dataclass(frozen=True, slots=True)
class SaveResult:
    """What storing a batch did: posts new to the database, changed, or already known as they are.

    ``written`` maps the URI of every inserted or changed post to its id (what needs labelling), and
    ``ids`` that of every post of the batch stored now.
    """

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    written: Mapping[str, int] = field(default_factory=dict, compare=False)
    ids: Mapping[str, int] = field(default_factory=dict, compare=False)


@dataclass(frozen=True, slots=True)
class SeenThrough:
    """The source and hashtag a batch of posts was collected through."""

    source_key: str
    tag: str


RankOf = Callable[[Post], CopyRank]


def save_posts(
    session: Session,
    posts: Iterable[Post],
    *,
    seen: SeenThrough | None,
    now: datetime,
    rank: CopyRank | RankOf = collected_rank,
    imported: Mapping[str, ImportedPayload] | None = None,
) -> SaveResult:
    """Insert new posts, update stored ones where the new copy takes precedence
    (:mod:`storage.precedence`), and record where each was seen. Keyed on ``uri``.

    ``rank`` says where the copies came from (per post, by default from what the network said);
    ``now`` is when they were fetched. ``imported`` maps URIs to the imported payload each post was
    made from: its digest (:mod:`bot.jobs.unchanged`) is kept with every copy written or found
    unchanged from it, and any other copy written clears the stored digest.
    """
    by_uri = {post.uri: post for post in posts}
    if not by_uri:
        return SaveResult()
    rank_of = rank if callable(rank) else _fixed_rank(rank)
    payloads = imported or {}
    digest_of = {uri: payload.digest for uri, payload in payloads.items()}
    existing = _existing_copies(session, list(by_uri))
    fresh = [post for uri, post in by_uri.items() if uri not in existing]
    inserted = _insert_new(session, fresh, now, rank_of, payloads)
    # A concurrent writer may have stored some of them first: treat those as existing.
    for uri in {post.uri for post in fresh} - inserted.keys():
        existing.update(_existing_copies(session, [uri]))

    changed: list[tuple[Post, dict[str, Any]]] = []
    digest_kept: dict[int, str] = {}  # unchanged posts whose stored digest is not yet this payload's
    for uri, post in by_uri.items():
        stored = existing.get(uri)
        if stored is None or uri in inserted:
            continue
        post_rank = rank_of(post)
        if replaces(Version(post_rank, post.edited_at, now), stored.version):
            values = {
                **_row_values(post, now, payloads.get(uri)),
                "copy_rank": post_rank,
                "import_digest": digest_of.get(uri),
            }
            values.update(merged_counts(post_rank, values, stored.counts))
            if post_rank != stored.version.rank or _signature(values) != stored.signature:
                changed.append((post, values))
                continue
        digest = digest_of.get(uri)
        if digest is not None and digest != stored.digest:
            digest_kept[stored.post_id] = digest
    _update_changed(session, changed, {uri: copy.post_id for uri, copy in existing.items()})
    _keep_digests(session, digest_kept)

    ids = {**{uri: copy.post_id for uri, copy in existing.items()}, **inserted}
    if seen is not None:
        _record_sightings(session, by_uri.values(), ids, seen, now)
    written = {**inserted, **{post.uri: ids[post.uri] for post, _values in changed}}
    return SaveResult(
        new=len(inserted),
        updated=len(changed),
        unchanged=len(existing) - len(changed),
        written=written,
        ids=ids,
    )


def _fixed_rank(rank: CopyRank) -> RankOf:
    def of(_post: Post) -> CopyRank:
        return rank

    return of


_SIGNATURE_FIELDS = (
    "edited_at",
    "html",
    "spoiler_text",
    "sensitive",
    "replies_count",
    "reblogs_count",
    "favourites_count",
)


def _signature(values: Mapping[str, Any]) -> tuple[Any, ...]:
    """What makes a stored copy stale: edits and count changes."""
    return tuple(values[name] for name in _SIGNATURE_FIELDS)


@dataclass(frozen=True, slots=True)
class _StoredCopy:
    post_id: int
    version: Version
    signature: tuple[Any, ...]
    counts: dict[str, int]
    digest: str | None


_COPY_COLUMNS = ("uri", "id", "copy_rank", "updated_at", "import_digest", *_SIGNATURE_FIELDS)


def _existing_copies(session: Session, uris: Sequence[str]) -> dict[str, _StoredCopy]:
    if session.autoflush:  # as a select through the session would
        session.flush()
    rows = rows_where_in(session.connection(), POSTS, _COPY_COLUMNS, "uri", uris)
    copies = {}
    for row in rows:
        values = dict(zip(_SIGNATURE_FIELDS, row[5:], strict=True))
        copies[row[0]] = _StoredCopy(
            post_id=row[1],
            version=Version(row[2], values["edited_at"], row[3]),
            signature=_signature(values),
            counts={name: values[name] for name in COUNT_FIELDS},
            digest=row[4],
        )
    return copies


@dataclass(frozen=True, slots=True)
class ImportedPayload:
    """What an import knows of the payload a post was made from: its digest, and its JSON text when
    the post's ``raw`` is exactly that text parsed (then stored as it is, not serialised again)."""

    digest: str
    raw_json: str | None = None


def _row_values(post: Post, now: datetime, payload: ImportedPayload | None = None) -> dict[str, Any]:
    return {
        "uri": post.uri,
        "url": post.url,
        "source": post.source,
        "author_acct": post.author.acct,
        "author_name": post.author.display_name,
        "author_url": post.author.url,
        "created_at": post.created_at,
        "edited_at": post.edited_at,
        "text": post.text,
        "html": post.html,
        "spoiler_text": post.spoiler_text,
        "sensitive": post.sensitive,
        "language": post.language,
        "visibility": post.visibility,
        "links": list(post.links),
        "media": [flat_dict(item) for item in post.media],
        "card": flat_dict(post.card) if post.card else None,
        "replies_count": post.replies_count,
        "reblogs_count": post.reblogs_count,
        "favourites_count": post.favourites_count,
        "raw": dict(post.raw)
        if payload is None or payload.raw_json is None
        else SerialisedJson(payload.raw_json),
        "updated_at": now,
    }


_INSERT_COLUMNS = (
    "uri",
    "url",
    "source",
    "author_acct",
    "author_name",
    "author_url",
    "created_at",
    "edited_at",
    "text",
    "html",
    "spoiler_text",
    "sensitive",
    "language",
    "visibility",
    "links",
    "media",
    "card",
    "replies_count",
    "reblogs_count",
    "favourites_count",
    "raw",
    "updated_at",
    "first_seen_at",
    "copy_rank",
    "import_digest",
)


def _new_row(post: Post, now: datetime, rank: CopyRank, payload: ImportedPayload | None) -> tuple[Any, ...]:
    """A new post's values in the order of :data:`_INSERT_COLUMNS` (those of :func:`_row_values`)."""
    author = post.author
    links, media, card = post_json_columns(post)
    return (
        post.uri,
        post.url,
        post.source,
        author.acct,
        author.display_name,
        author.url,
        post.created_at,
        post.edited_at,
        post.text,
        post.html,
        post.spoiler_text,
        post.sensitive,
        post.language,
        post.visibility,
        links,
        media,
        card,
        post.replies_count,
        post.reblogs_count,
        post.favourites_count,
        dict(post.raw) if payload is None or payload.raw_json is None else SerialisedJson(payload.raw_json),
        now,
        now,
        rank,
        payload.digest if payload else None,
    )


def _insert_new(
    session: Session,
    posts: Sequence[Post],
    now: datetime,
    rank_of: RankOf,
    imported: Mapping[str, ImportedPayload],
) -> dict[str, int]:
    if not posts:
        return {}
    rows = [_new_row(post, now, rank_of(post), imported.get(post.uri)) for post in posts]
    connection = session.connection()
    returned = insert_rows(
        connection, POSTS, _INSERT_COLUMNS, rows, skip_conflicts_on=("uri",), returning=("id", "uri")
    )
    ids = {uri: post_id for post_id, uri in returned}
    tags = [(ids[post.uri], tag) for post in posts if post.uri in ids for tag in post.hashtags]
    insert_rows(connection, POST_TAGS, ("post_id", "tag"), tags)
    return ids


def _update_changed(
    session: Session, changed: Sequence[tuple[Post, dict[str, Any]]], ids: dict[str, int]
) -> None:
    if not changed:
        return
    connection = session.connection()
    by_id = update(POSTS).where(POSTS.c.id == bindparam("_post_id"))
    connection.execute(by_id, [{"_post_id": ids[post.uri], **values} for post, values in changed])
    post_ids = [ids[post.uri] for post, _values in changed]
    connection.execute(delete(POST_TAGS).where(POST_TAGS.c.post_id.in_(post_ids)))
    tags = [{"post_id": ids[post.uri], "tag": tag} for post, _values in changed for tag in post.hashtags]
    if tags:
        connection.execute(insert(POST_TAGS), tags)


def _keep_digests(session: Session, digests: Mapping[int, str]) -> None:
    if digests:
        by_id = update(POSTS).where(POSTS.c.id == bindparam("_post_id"))
        session.connection().execute(
            by_id, [{"_post_id": post_id, "import_digest": digest} for post_id, digest in digests.items()]
        )


def _record_sightings(
    session: Session, posts: Iterable[Post], ids: Mapping[str, int], seen: SeenThrough, now: datetime
) -> None:
    rows = [
        (ids[post.uri], seen.source_key, seen.tag, post.remote_id, now) for post in posts if post.uri in ids
    ]
    insert_rows(
        session.connection(),
        SIGHTINGS,
        ("post_id", "source_key", "tag", "remote_id", "seen_at"),
        rows,
        skip_conflicts_on=("post_id", "source_key", "tag"),
    )


def record_sightings(
    session: Session,
    posts: Sequence[Post],
    seen: SeenThrough,
    now: datetime,
    ids: Mapping[str, int] | None = None,
) -> None:
    """Remember that these stored posts were also seen through ``seen`` (``ids``: the stored id of
    each by URI, when known already; :attr:`SaveResult.ids`)."""
    if not posts:
        return
    if ids is None:
        rows = session.execute(select(PostRow.uri, PostRow.id).where(PostRow.uri.in_([p.uri for p in posts])))
        ids = dict(rows.all())
    _record_sightings(session, posts, ids, seen, now)


def _dialect_insert(session: Session, table: Table) -> Any:
    # Each dialect's module is imported only when that backend is in use.
    name = session.get_bind().dialect.name
    if name == "sqlite":
        from sqlalchemy.dialects import sqlite

        return sqlite.insert(table)
    if name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(table)
    raise NotImplementedError(f"Exemplar supports SQLite and PostgreSQL, not {name}")


def remove_posts(session: Session, condition: Any, *, via: str, reason: str, now: datetime) -> int:
    """Remove the stored posts matching ``condition`` for good, leaving a tombstone for each
    (``removed_posts``: uri, why, when), so they are never collected again. Returns how many went."""
    doomed = select(
        PostRow.uri, PostRow.author_acct, literal(via), literal(now, UTCDateTime()), literal(reason)
    )
    doomed = doomed.where(condition)
    statement = _dialect_insert(session, REMOVED).from_select(
        ["uri", "author_acct", "via", "removed_at", "reason"], doomed
    )
    session.execute(statement.on_conflict_do_nothing(index_elements=["uri"]))
    uris = list(session.scalars(select(PostRow.uri).where(condition)))
    if uris:
        app_state.touch_archive(session)
    published.mark_removed(session, uris, reason=reason, now=now)
    result = session.execute(delete(PostRow).where(condition))
    return int(getattr(result, "rowcount", 0) or 0)


def delete_posts_by_author(
    session: Session, acct: str, *, now: datetime | None = None, reason: str = "its author opted out"
) -> int:
    """Remove every stored post by ``acct`` (they opted out); returns how many went."""
    when = now or datetime.now(UTC)
    return remove_posts(session, PostRow.author_acct == acct, via="opt-out", reason=reason, now=when)


def delete_posts_seen_at(
    session: Session,
    source_key: str,
    remote_ids: Sequence[str],
    *,
    now: datetime | None = None,
    reason: str = "deleted at its home instance",
) -> int:
    """Remove the posts that ``source_key`` knows under ``remote_ids`` (deleted at their home)."""
    if not remote_ids:
        return 0
    post_ids = select(Sighting.post_id).where(
        Sighting.source_key == source_key, Sighting.remote_id.in_(remote_ids)
    )
    when = now or datetime.now(UTC)
    return remove_posts(session, PostRow.id.in_(post_ids), via="refresh", reason=reason, now=when)


def forget_sightings(session: Session, source_key: str, remote_ids: Sequence[str]) -> int:
    """Forget that ``source_key`` serves these posts (it no longer does); the posts stay."""
    if not remote_ids:
        return 0
    result = session.execute(
        delete(Sighting).where(Sighting.source_key == source_key, Sighting.remote_id.in_(remote_ids))
    )
    return int(getattr(result, "rowcount", 0) or 0)


def posts_seen_at(session: Session, source_key: str, remote_ids: Sequence[str]) -> dict[str, tuple[str, str]]:
    """``remote id -> (uri, author acct)`` of the stored posts ``source_key`` knows under these ids."""
    if not remote_ids:
        return {}
    rows = session.execute(
        select(Sighting.remote_id, PostRow.uri, PostRow.author_acct)
        .join(PostRow, PostRow.id == Sighting.post_id)
        .where(Sighting.source_key == source_key, Sighting.remote_id.in_(remote_ids))
    )
    return {remote_id: (uri, acct) for remote_id, uri, acct in rows}


def removed_posts(session: Session, *, limit: int | None = None) -> list[RemovedPost]:
    """The tombstones of removed posts, most recent first."""
    statement = select(RemovedPost).order_by(RemovedPost.removed_at.desc(), RemovedPost.uri)
    if limit is not None:
        statement = statement.limit(limit)
    return list(session.scalars(statement))


def recent_remote_ids(session: Session, source_key: str, since: datetime) -> list[str]:
    """Local ids at ``source_key`` of stored posts created since ``since``, newest first."""
    query = (
        select(Sighting.remote_id)
        .join(PostRow, PostRow.id == Sighting.post_id)
        .where(Sighting.source_key == source_key, PostRow.created_at >= since)
        .group_by(Sighting.remote_id)
        .order_by(func.max(PostRow.created_at).desc())
    )
    return list(session.scalars(query))


def mark_refreshed(session: Session, source_key: str, remote_ids: Sequence[str], now: datetime) -> None:
    """Record that the posts behind ``remote_ids`` were just re-read from ``source_key``."""
    if remote_ids:
        post_ids = select(Sighting.post_id).where(
            Sighting.source_key == source_key, Sighting.remote_id.in_(remote_ids)
        )
        session.execute(update(PostRow).where(PostRow.id.in_(post_ids)).values(refreshed_at=now))


def get_cursor(session: Session, source_key: str, tag: str) -> Cursor | None:
    return session.get(Cursor, (source_key, tag))


def put_cursor(session: Session, cursor: Cursor, now: datetime) -> None:
    cursor.updated_at = now
    session.merge(cursor)


def last_refresh(session: Session, source_key: str) -> datetime | None:
    state = session.get(SourceState, source_key)
    return state.refreshed_at if state else None


def set_last_refresh(session: Session, source_key: str, when: datetime) -> None:
    session.merge(SourceState(source_key=source_key, refreshed_at=when))


@dataclass(frozen=True, slots=True)
class PostQuery:
    """Which stored posts to list."""

    tag: str | None = None
    since: datetime | None = None
    limit: int | None = None
    label: str | None = None
    source: str | None = None
    offset: int = 0


def _post_query(query: PostQuery) -> Select[Any]:
    statement = select(PostRow).order_by(PostRow.created_at.desc(), PostRow.id.desc())
    if query.tag:
        tagged = select(PostTag.post_id).where(PostTag.tag == query.tag.lstrip("#").lower())
        statement = statement.where(PostRow.id.in_(tagged))
    if query.since:
        statement = statement.where(PostRow.created_at >= query.since)
    if query.label:
        statement = statement.where(has_label(query.label))
    if query.source:
        statement = statement.where(PostRow.source == query.source)
    if query.limit is not None:
        statement = statement.limit(query.limit)
    if query.offset:
        statement = statement.offset(query.offset)
    return statement


def iter_posts(session: Session, query: PostQuery, *, with_tags: bool = True) -> Iterator[PostRow]:
    """Stored posts matching ``query``, newest first, streamed in batches (with their hashtags loaded,
    unless ``with_tags`` is false)."""
    statement = _post_query(query)
    if with_tags:
        statement = statement.options(selectinload(PostRow.tags))
    rows: Iterator[PostRow] = iter(session.scalars(statement.execution_options(yield_per=500)))
    yield from rows


def count_posts(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(PostRow)) or 0)


def sightings_of(session: Session, post_ids: Sequence[int]) -> dict[int, list[tuple[str, str]]]:
    """(source_key, tag) pairs each post was seen through."""
    seen: dict[int, list[tuple[str, str]]] = {}
    if post_ids:
        rows = session.execute(
            select(Sighting.post_id, Sighting.source_key, Sighting.tag)
            .where(Sighting.post_id.in_(post_ids))
            .order_by(Sighting.id)
        )
        for post_id, source_key, tag in rows:
            seen.setdefault(post_id, []).append((source_key, tag))
    return seen


def delete_posts_by_uri(
    session: Session,
    uris: Sequence[str],
    *,
    now: datetime | None = None,
    reason: str = "no longer public at its home instance",
) -> int:
    """Remove the posts with these canonical URIs (made non-public at the source)."""
    if not uris:
        return 0
    when = now or datetime.now(UTC)
    return remove_posts(session, PostRow.uri.in_(uris), via="refresh", reason=reason, now=when)


def find_post_id(session: Session, reference: str) -> int | None:
    """The id of a stored post named by its id, its URI or its URL."""
    if reference.isdigit():
        found = session.get(PostRow, int(reference))
        return found.id if found else None
    return session.scalar(
        select(PostRow.id).where((PostRow.uri == reference) | (PostRow.url == reference)).limit(1)
    )

"""Digest storage: digests and their items, events, exclusions, the suppression list and answers."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, delete, exists, func, insert, or_, select, update
from sqlalchemy.orm import Session

from storage.labels import CURATOR, has_label
from storage.models import (
    Digest,
    DigestEvent,
    DigestItemRow,
    Exclusion,
    PostLabel,
    PostTag,
    QuestionAnswer,
    SuppressedAuthor,
    table_of,
)
from storage.models import Post as PostRow

EXCLUSION_KINDS = ("post", "author", "domain")


def open_digests_for_period(session: Session, start: datetime, end: datetime) -> list[Digest]:
    """Drafts and approved digests covering exactly this period, newest first."""
    return list(
        session.scalars(
            select(Digest)
            .where(
                Digest.period_start == start,
                Digest.period_end == end,
                Digest.status.in_(("draft", "approved")),
            )
            .order_by(Digest.id.desc())
        )
    )


def open_digest_states(session: Session, start: datetime, end: datetime) -> list[tuple[int, str]]:
    """``(id, status)`` of the drafts and approved digests covering exactly this period, newest first
    (over the table: drafting needs no mapped objects)."""
    table = table_of(Digest)
    rows = session.connection().execute(
        select(table.c.id, table.c.status)
        .where(
            table.c.period_start == start,
            table.c.period_end == end,
            table.c.status.in_(("draft", "approved")),
        )
        .order_by(table.c.id.desc())
    )
    return [(digest_id, status) for digest_id, status in rows]


def insert_draft(
    session: Session, *, start: datetime, end: datetime, timezone: str, hashtag: str, now: datetime
) -> int:
    """Store a new, empty draft of this period; returns its id."""
    result = session.connection().execute(
        insert(table_of(Digest)).values(
            period_start=start,
            period_end=end,
            timezone=timezone,
            hashtag=hashtag,
            status="draft",
            intro="",
            created_at=now,
            updated_at=now,
        )
    )
    key = result.inserted_primary_key
    assert key is not None  # an insert of one row always has one
    return int(key[0])


def update_digest(session: Session, digest_id: int, **values: Any) -> None:
    """Set these columns of one digest, in one statement."""
    table = table_of(Digest)
    session.connection().execute(update(table).where(table.c.id == digest_id).values(**values))


def insert_event(
    session: Session, digest_id: int, *, actor: str, action: str, now: datetime, **detail: Any
) -> None:
    """:func:`record_event` as one statement, now (for callers that hold no mapped digest)."""
    session.connection().execute(
        insert(table_of(DigestEvent)).values(
            digest_id=digest_id, at=now, actor=actor, action=action, detail=detail
        )
    )


def list_digests(
    session: Session, *, statuses: Collection[str] = (), limit: int | None = None
) -> list[Digest]:
    statement = select(Digest).order_by(Digest.period_start.desc(), Digest.id.desc())
    if statuses:
        statement = statement.where(Digest.status.in_(list(statuses)))
    if limit is not None:
        statement = statement.limit(limit)
    return list(session.scalars(statement))


def record_event(
    session: Session, digest_id: int, *, actor: str, action: str, now: datetime, **detail: Any
) -> None:
    session.add(DigestEvent(digest_id=digest_id, at=now, actor=actor, action=action, detail=detail))


def events_of(session: Session, digest_id: int) -> list[DigestEvent]:
    return list(
        session.scalars(
            select(DigestEvent).where(DigestEvent.digest_id == digest_id).order_by(DigestEvent.id)
        )
    )


CANDIDATE_COLUMNS = (
    PostRow.id,
    PostRow.author_acct,
    PostRow.created_at,
    PostRow.links,
    PostRow.spoiler_text,
    PostRow.sensitive,
    PostRow.favourites_count,
    PostRow.reblogs_count,
    PostRow.replies_count,
)


def candidate_posts(
    session: Session, *, start: datetime, end: datetime, hashtags: Sequence[str], labels: Sequence[str]
) -> list[Row[Any]]:
    """Stored posts of the period that carry one of ``hashtags`` and one of ``labels``.

    Only the columns selection needs (``CANDIDATE_COLUMNS``) are read; every condition is a correlated
    lookup on a primary key, so the cost follows the number of posts in the period, not the archive.
    """
    tagged = exists().where(PostTag.post_id == PostRow.id, PostTag.tag.in_(list(hashtags)))
    statement = (
        select(*CANDIDATE_COLUMNS)
        .where(
            PostRow.created_at >= start,
            PostRow.created_at < end,
            tagged,
            or_(*(has_label(label) for label in labels)),
            ~exists().where(SuppressedAuthor.acct == PostRow.author_acct),
        )
        .order_by(PostRow.created_at)
    )
    return list(session.execute(statement))


def candidates_with_labels(
    session: Session, *, start: datetime, end: datetime, hashtags: Sequence[str], labels: Sequence[str]
) -> list[tuple[Row[Any], frozenset[str]]]:
    """The posts :func:`candidate_posts` finds, each with the names of the labels it carries.

    Two reads of the period on the ``created_at`` index (its tagged posts that have a row for one of
    ``labels``, and their label rows), and the label rules applied here, instead of a lookup per
    label per post and a third query for the labels: the cost follows the posts of the period,
    never the size of the archive.
    """
    posts, tags, labels_table = table_of(PostRow), table_of(PostTag), table_of(PostLabel)
    suppressed = table_of(SuppressedAuthor)
    # Over the tables, not the mapped classes: the first draft in a process then compiles plain Core
    # statements and never has to configure the ORM's mappers.
    in_period = and_(posts.c.created_at >= start, posts.c.created_at < end)
    connection = session.connection()
    rows = connection.execute(
        select(*(posts.c[column.key] for column in CANDIDATE_COLUMNS))
        .where(
            in_period,
            exists().where(tags.c.post_id == posts.c.id, tags.c.tag.in_(list(hashtags))),
            # A post with no row for any of the labels cannot carry one: it is not read at all.
            exists().where(labels_table.c.post_id == posts.c.id, labels_table.c.label.in_(list(labels))),
            ~exists().where(suppressed.c.acct == posts.c.author_acct),
        )
        .order_by(posts.c.created_at)
    ).all()
    if not rows:
        return []
    label_rows = connection.execute(
        select(labels_table.c.post_id, labels_table.c.label, labels_table.c.origin, labels_table.c.present)
        .join(posts, posts.c.id == labels_table.c.post_id)
        .where(in_period)
    )
    curator_says: dict[tuple[int, str], bool] = {}
    rule_says: dict[tuple[int, str], bool] = {}
    for post_id, label, origin, present in label_rows:
        (curator_says if origin == CURATOR else rule_says)[(post_id, label)] = bool(present)
    carried: dict[int, set[str]] = {}  # effective_labels: a curator's row wins; present labels count
    selected: set[int] = set()  # has_label: a curator's word, else that a rule gave the label
    wanted = frozenset(labels)
    for key in curator_says.keys() | rule_says.keys():
        post_id, label = key
        if curator_says.get(key, rule_says.get(key, False)):
            carried.setdefault(post_id, set()).add(label)
        if label in wanted and curator_says.get(key, key in rule_says):
            selected.add(post_id)
    return [(row, frozenset(carried.get(row[0], ()))) for row in rows if row[0] in selected]


def digest_header(session: Session, digest_id: int) -> Row[Any] | None:
    """One digest's own columns (not its items), over the table."""
    table = table_of(Digest)
    return session.connection().execute(select(table).where(table.c.id == digest_id)).first()


# The post columns an item's view shows (bot.jobs.digest.PostFields).
VIEW_POST_COLUMNS = (
    "id",
    "url",
    "uri",
    "source",
    "author_acct",
    "author_name",
    "author_url",
    "created_at",
    "text",
    "html",
    "spoiler_text",
    "sensitive",
    "links",
    "media",
    "card",
    "favourites_count",
    "reblogs_count",
    "replies_count",
)


def live_items_with_posts(session: Session, digest_id: int) -> list[Row[Any]]:
    """A digest's live items in order (as :func:`live_items`), each with the columns of its post that
    its view shows, in one statement over the tables: ``post_id``, ``section``, ``position``,
    ``blurb``, ``pinned`` and :data:`VIEW_POST_COLUMNS`."""
    items, posts = table_of(DigestItemRow), table_of(PostRow)
    statement = (
        select(
            items.c.post_id,
            items.c.section,
            items.c.position,
            items.c.blurb,
            items.c.pinned,
            *(posts.c[name] for name in VIEW_POST_COLUMNS),
        )
        .join(posts, posts.c.id == items.c.post_id)
        .where(items.c.digest_id == digest_id, items.c.removed.is_(False))
        .order_by(items.c.position, items.c.id)
    )
    return list(session.connection().execute(statement))


def post_addresses(session: Session, post_ids: Collection[int]) -> dict[int, str]:
    """``post id -> its URL`` (its URI when it has none): where its home instance serves it."""
    found: dict[int, str] = {}
    ids = list(post_ids)
    for begin in range(0, len(ids), 500):
        rows = session.execute(
            select(PostRow.id, PostRow.url, PostRow.uri).where(PostRow.id.in_(ids[begin : begin + 500]))
        )
        found.update((post_id, url or uri) for post_id, url, uri in rows)
    return found


def exclusions(session: Session) -> dict[str, set[str]]:
    """Everything excluded for good, by kind."""
    found: dict[str, set[str]] = {kind: set() for kind in EXCLUSION_KINDS}
    table = table_of(Exclusion)
    for kind, value in session.connection().execute(select(table.c.kind, table.c.value)):
        found.setdefault(kind, set()).add(value)
    return found


def add_exclusion(session: Session, kind: str, value: str, *, by: str, reason: str, now: datetime) -> None:
    if kind not in EXCLUSION_KINDS:
        raise ValueError(f"unknown exclusion kind {kind!r}")
    session.merge(Exclusion(kind=kind, value=value, reason=reason, created_by=by, created_at=now))


def suppress_author(session: Session, acct: str, *, via: str, reason: str, now: datetime) -> bool:
    """Put ``acct`` on the permanent suppression list; returns whether they were not on it already."""
    if session.get(SuppressedAuthor, acct) is not None:
        return False
    session.add(SuppressedAuthor(acct=acct, reason=reason, requested_via=via, recorded_at=now))
    return True


def suppressed_accounts(session: Session) -> set[str]:
    return set(session.scalars(select(SuppressedAuthor.acct)))


def answers_of(session: Session, post_ids: Sequence[int]) -> dict[int, list[QuestionAnswer]]:
    found: dict[int, list[QuestionAnswer]] = {}
    if post_ids:
        rows = session.scalars(
            select(QuestionAnswer)
            .where(QuestionAnswer.post_id.in_(post_ids))
            .order_by(QuestionAnswer.created_at)
        )
        for row in rows:
            found.setdefault(row.post_id, []).append(row)
    return found


def answer_credits(session: Session, post_ids: Collection[int]) -> dict[int, list[tuple[str, str]]]:
    """``post id -> [(author name, answer url)]``, oldest answer first: what a digest credits."""
    found: dict[int, list[tuple[str, str]]] = {}
    ids = list(post_ids)
    table = table_of(QuestionAnswer)
    for begin in range(0, len(ids), 500):
        rows = session.connection().execute(
            select(table.c.post_id, table.c.author_name, table.c.answer_url)
            .where(table.c.post_id.in_(ids[begin : begin + 500]))
            .order_by(table.c.created_at)
        )
        for post_id, name, url in rows:
            found.setdefault(post_id, []).append((name, url))
    return found


def replace_answers(session: Session, post_id: int, answers: Iterable[QuestionAnswer]) -> None:
    session.execute(delete(QuestionAnswer).where(QuestionAnswer.post_id == post_id))
    session.add_all(list(answers))


@dataclass(frozen=True, slots=True)
class KeptItem:
    """An item a curator touched (or removed): re-drafting leaves it exactly as it is."""

    post_id: int
    section: str
    position: int
    removed: bool


@dataclass(frozen=True, slots=True)
class NewItem:
    """An item selection chose, to be stored in a draft."""

    post_id: int
    section: str
    position: int
    score: float


def clear_uncurated_items(session: Session, digest_id: int) -> list[KeptItem]:
    """Delete a draft's items no curator touched, in one statement; return those that stay."""
    table = table_of(DigestItemRow)
    connection = session.connection()
    connection.execute(
        delete(table).where(
            table.c.digest_id == digest_id, table.c.curated.is_(False), table.c.removed.is_(False)
        )
    )
    rows = connection.execute(
        select(table.c.post_id, table.c.section, table.c.position, table.c.removed).where(
            table.c.digest_id == digest_id
        )
    )
    return [
        KeptItem(post_id, section, position, bool(removed)) for post_id, section, position, removed in rows
    ]


def add_items(session: Session, digest_id: int, items: Sequence[NewItem]) -> None:
    """Store a draft's new items in one batched insert."""
    if items:
        session.connection().execute(
            insert(table_of(DigestItemRow)),
            [
                {
                    "digest_id": digest_id,
                    "post_id": item.post_id,
                    "section": item.section,
                    "position": item.position,
                    "score": item.score,
                    "pinned": False,
                    "curated": False,
                    "removed": False,
                    "blurb": "",
                }
                for item in items
            ],
        )


def live_item_counts(session: Session, digest_ids: Collection[int]) -> dict[int, int]:
    """How many items each digest shows (not removed), counted in one statement; 0 is left out."""
    if not digest_ids:
        return {}
    rows = session.connection().execute(
        select(DigestItemRow.digest_id, func.count())
        .where(DigestItemRow.digest_id.in_(list(digest_ids)), DigestItemRow.removed.is_(False))
        .group_by(DigestItemRow.digest_id)
    )
    return {digest_id: int(count) for digest_id, count in rows}


def live_items(digest: Digest) -> list[DigestItemRow]:
    """The items a digest shows (not removed), in order."""
    return sorted((item for item in digest.items if not item.removed), key=lambda i: (i.position, i.id))

"""What curators and authors took out of digests, listed with who and when, and undone.

Exclusions (a post, an author, a domain) are curators' decisions and can be undone. Suppressed
authors are opt-outs: those the author asked for stay until the author says otherwise; those a
curator made (``exemplar optout``) can be lifted. Leaders' email unsubscribes are listed too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, String, cast, delete, func, select
from sqlalchemy.orm import Session

from digests.select import link_domain_matches
from storage.inbox import INBOX_COLUMNS
from storage.models import Digest, DigestItemRow, Exclusion, Subscription, SuppressedAuthor
from storage.models import Post as PostRow

# Suppressions made by a curator rather than asked for by the author: these may be lifted.
CURATOR_SUPPRESSIONS = ("command", "desk")
SAMPLE_SIZE = 5


@dataclass(frozen=True, slots=True)
class Matches:
    """The stored posts an exclusion would take out of digests."""

    count: int
    in_open_digests: int
    sample: list[Any]  # the newest matches, with the columns of storage.inbox.INBOX_COLUMNS


def normalise_value(kind: str, value: str) -> str:
    """The stored form of an exclusion's value: lower case; no ``@`` before an author, no ``www.``."""
    value = value.strip()
    if kind == "author":
        return value.lstrip("@").lower()
    if kind == "domain":
        return value.lower().removeprefix("www.").strip(".")
    return value


def matching_posts(session: Session, kind: str, value: str) -> Matches:
    """How many stored posts ``kind``/``value`` matches, how many sit in open digests, and the newest
    few (the columns the desk shows of them). A post or an author is matched in SQL; a domain by
    the host rule selection uses, on the posts whose stored links mention it."""
    if kind == "domain":
        ids = _domain_ids(session, value)
        return _matches(
            session, [PostRow.id.in_(ids[start : start + 500]) for start in range(0, len(ids), 500)]
        )
    if kind == "author":
        return _matches(session, [PostRow.author_acct == value])
    post_id = int(value) if value.isdigit() and len(value) < 10 else 0
    return _matches(session, [PostRow.id == post_id] if post_id else [])


def _matches(session: Session, conditions: list[ColumnElement[bool]]) -> Matches:
    """The matches of posts meeting any of ``conditions`` (each a part, counted apart: chunks of ids)."""
    connection = session.connection()  # plain rows of the shown columns: no ORM objects to build
    count = in_open = 0
    sample: list[Any] = []
    for condition in conditions:
        count += int(connection.scalar(select(func.count()).select_from(PostRow).where(condition)) or 0)
        in_open += int(
            connection.scalar(
                select(func.count())
                .select_from(DigestItemRow)
                .join(Digest, Digest.id == DigestItemRow.digest_id)
                .join(PostRow, PostRow.id == DigestItemRow.post_id)
                .where(condition, DigestItemRow.removed.is_(False), Digest.status.in_(("draft", "approved")))
            )
            or 0
        )
        newest = (
            select(*INBOX_COLUMNS).where(condition).order_by(PostRow.created_at.desc(), PostRow.id.desc())
        )
        sample += connection.execute(newest.limit(SAMPLE_SIZE))
    sample.sort(key=lambda row: (row.created_at, row.id), reverse=True)
    return Matches(count, in_open, sample[:SAMPLE_SIZE])


def exclusion_subject(session: Session, post_id: int) -> Any:
    """What an exclusion of a stored post's author or domain reads of it (id, author, links); None
    when no post has that id."""
    query = select(PostRow.id, PostRow.author_acct, PostRow.links).where(PostRow.id == post_id)
    return session.connection().execute(query).first()


def _domain_ids(session: Session, value: str) -> list[int]:
    if not value:
        return []
    # A cheap text filter on the stored JSON first, then the exact host rule selection uses.
    rows = session.connection().execute(
        select(PostRow.id, PostRow.links).where(
            func.lower(cast(PostRow.links, String)).contains(value, autoescape=True)
        )
    )
    return [post_id for post_id, links in rows if any(link_domain_matches(link, {value}) for link in links)]


def list_exclusions(session: Session) -> list[Exclusion]:
    return list(session.scalars(select(Exclusion).order_by(Exclusion.created_at.desc(), Exclusion.kind)))


def remove_exclusion(session: Session, kind: str, value: str) -> bool:
    """Undo an exclusion; returns whether there was one."""
    result = session.execute(delete(Exclusion).where(Exclusion.kind == kind, Exclusion.value == value))
    return bool(getattr(result, "rowcount", 0))


def list_suppressions(session: Session) -> list[SuppressedAuthor]:
    return list(session.scalars(select(SuppressedAuthor).order_by(SuppressedAuthor.recorded_at.desc())))


def lift_suppression(session: Session, acct: str) -> bool:
    """Lift a curator's suppression of ``acct``; an author's own opt-out is never lifted here.

    Raises :class:`PermissionError` for an opt-out the author asked for.
    """
    row = session.get(SuppressedAuthor, acct)
    if row is None:
        return False
    if row.requested_via not in CURATOR_SUPPRESSIONS:
        raise PermissionError(f"{acct} opted out themselves ({row.requested_via}); only they can undo it")
    session.delete(row)
    return True


def list_unsubscribes(session: Session) -> list[Subscription]:
    """Leaders who left the digest list, most recent first (``updated_at`` is when they left)."""
    query = select(Subscription).where(Subscription.status == "unsubscribed")
    return list(session.scalars(query.order_by(Subscription.updated_at.desc())))


def who_suppressed(row: SuppressedAuthor) -> str:
    """Who made a suppression, in words."""
    if row.requested_via in CURATOR_SUPPRESSIONS:
        return f"a curator ({row.requested_via})"
    return f"the author ({row.requested_via})"


def describe_time(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC"

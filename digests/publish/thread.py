"""Posting a digest as a reply-chained thread on one network, exactly once.

The parts are fixed in the publication log before the first is posted, each with a key of its own; each
part is marked *attempted* just before it is posted and its remote id stored the moment it is. A publish
interrupted after part 3 of 7 resumes at part 4. A part attempted but never recorded (the process died,
or the network failed while answering) may have gone out: the poster looks for it on the network first
(Mastodon: the server returns the same status for the same ``Idempotency-Key``, and our own recent
replies are read; X: our recent tweets; Bluesky: the record at the part's fixed record key) and posts it
only if it is not there. Publishing a published thread posts nothing.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import Engine

from digests.render.measure import URL
from digests.render.thread import ThreadPart
from storage import publications
from storage.db import session_scope


@dataclass(frozen=True, slots=True)
class PlannedPart:
    """A part as fixed before posting: ``key`` makes posting it again recognisable."""

    number: int
    text: str
    spoiler_text: str
    key: str


@dataclass(frozen=True, slots=True)
class PostedPart:
    """Where a part lives: its id on the network (a status id, a tweet id, an ``at://`` URI)."""

    remote_id: str
    url: str | None
    cid: str | None = None


class ThreadPoster(Protocol):
    """One network's way of posting a thread part, and of finding one that may already be posted."""

    channel: str

    def part_key(self, digest_id: int, number: int) -> str: ...

    def post(
        self, part: PlannedPart, *, root: PostedPart | None, parent: PostedPart | None
    ) -> PostedPart: ...

    def find(
        self, part: PlannedPart, *, root: PostedPart | None, parent: PostedPart | None, since: datetime
    ) -> PostedPart | None: ...


@dataclass(frozen=True, slots=True)
class PostedThread:
    """Where the thread lives: each part's remote id and URL, and how many this run posted."""

    remote_ids: tuple[str, ...]
    urls: tuple[str | None, ...]
    posted_now: int


def publish_thread(
    engine: Engine,
    digest_id: int,
    parts: Sequence[ThreadPart],
    poster: ThreadPoster,
    *,
    clock: Callable[[], datetime],
) -> PostedThread:
    """Post the parts not yet posted, each replying to the one before."""
    channel = poster.channel
    with session_scope(engine) as session:
        rows = publications.thread_parts(session, digest_id, channel)
        if not rows:
            keys = [poster.part_key(digest_id, number) for number in range(1, len(parts) + 1)]
            rows = publications.fix_thread_parts(
                session, digest_id, channel, [(p.text, p.spoiler_text) for p in parts], keys
            )
        plan = [
            (
                PlannedPart(row.part, row.text, row.spoiler_text, row.idempotency_key),
                PostedPart(row.remote_id, row.remote_url, row.remote_cid) if row.remote_id else None,
                row.attempted_at,
            )
            for row in rows
        ]
    posted: list[PostedPart] = []
    posted_now = 0
    for part, done, attempted_at in plan:
        if done is None:
            root, parent = (posted[0], posted[-1]) if posted else (None, None)
            if attempted_at is not None:
                done = poster.find(part, root=root, parent=parent, since=attempted_at)
            if done is None:
                with session_scope(engine) as session:
                    publications.mark_part_attempted(session, digest_id, channel, part.number, now=clock())
                done = poster.post(part, root=root, parent=parent)
                posted_now += 1
            with session_scope(engine) as session:
                publications.mark_part_posted(
                    session,
                    digest_id,
                    channel,
                    part.number,
                    remote_id=done.remote_id,
                    remote_url=done.url,
                    remote_cid=done.cid,
                    now=clock(),
                )
        posted.append(done)
    return PostedThread(tuple(p.remote_id for p in posted), tuple(p.url for p in posted), posted_now)


def first_line(text: str) -> str:
    """A part's first line with its links taken out: what identifies it when read back."""
    return _plain(text.split("\n", 1)[0])


def looks_like_part(
    part: PlannedPart, text: str, *, replies_to: str | None, parent: PostedPart | None
) -> bool:
    """Whether a post of ours, read back from the network, is ``part``.

    A part after the first is our only reply to the part before it; the first part is not a reply, and
    starts as the part does (links are left out: networks shorten or rewrite them).
    """
    if parent is not None:
        return replies_to == parent.remote_id
    return replies_to is None and _plain(text).startswith(first_line(part.text))


def is_our_part(part: PlannedPart, text: str, *, replies_to: str | None, parent: PostedPart | None) -> bool:
    """Whether a status a network answered a post of ``part`` with is that part: it replies where the
    part does and says what the part says, links aside (networks shorten or rewrite them). A server
    answers a key it has seen before with the status it made then, which may be another thread's."""
    replies_right = replies_to == (parent.remote_id if parent is not None else None)
    return replies_right and _words(text) == _words(part.text)


def _words(text: str) -> str:
    return " ".join(word for word in _plain(text).split() if not word.startswith(("http", "www.")))


def _plain(text: str) -> str:
    return " ".join(URL.sub(" ", html.unescape(text)).split())

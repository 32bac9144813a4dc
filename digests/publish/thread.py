"""Posting a digest as a reply-chained thread, exactly once.

The parts are fixed in the publication log before the first is posted, each with its own
``Idempotency-Key``; each part's remote id is stored the moment it is posted. A publish interrupted
after part 3 of 7 resumes at part 4 (and if part 4 was posted but not yet recorded, the same key makes
the server return it instead of posting it twice); publishing a published thread posts nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Engine

from storage import publications
from storage.db import session_scope


class StatusPoster(Protocol):
    def post_status(
        self,
        text: str,
        *,
        in_reply_to_id: str | None,
        visibility: str,
        spoiler_text: str,
        idempotency_key: str,
    ) -> dict[str, Any]: ...


@dataclass(frozen=True, slots=True)
class PostedThread:
    """Where the thread lives: each part's remote id and URL, and how many this run posted."""

    remote_ids: tuple[str, ...]
    urls: tuple[str | None, ...]
    posted_now: int


def publish_thread(
    engine: Engine,
    digest_id: int,
    channel: str,
    parts: Sequence[tuple[str, str]],
    poster: StatusPoster,
    *,
    visibility: str,
    clock: Callable[[], datetime],
    key_prefix: str = "exemplar",
) -> PostedThread:
    """Post the parts not yet posted, each replying to the one before. ``parts`` are (text, CW)."""
    with session_scope(engine) as session:
        rows = publications.thread_parts(session, digest_id, channel)
        if not rows:
            rows = publications.fix_thread_parts(session, digest_id, channel, parts, key_prefix)
        plan = [
            (row.part, row.text, row.spoiler_text, row.idempotency_key, row.remote_id, row.remote_url)
            for row in rows
        ]
    remote_ids: list[str] = []
    urls: list[str | None] = []
    posted_now = 0
    previous: str | None = None
    for part, text, spoiler, key, remote_id, remote_url in plan:
        if remote_id is None:
            status = poster.post_status(
                text,
                in_reply_to_id=previous,
                visibility=visibility,
                spoiler_text=spoiler,
                idempotency_key=key,
            )
            remote_id, remote_url = str(status["id"]), status.get("url") or status.get("uri")
            with session_scope(engine) as session:
                publications.mark_part_posted(
                    session, digest_id, channel, part, remote_id=remote_id, remote_url=remote_url, now=clock()
                )
            posted_now += 1
        remote_ids.append(remote_id)
        urls.append(remote_url)
        previous = remote_id
    return PostedThread(tuple(remote_ids), tuple(urls), posted_now)

"""The exactly-once log of thread parts posted per network (emails: :mod:`storage.deliveries`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Publication


def thread_parts(session: Session, digest_id: int, channel: str) -> list[Publication]:
    return list(
        session.scalars(
            select(Publication)
            .where(Publication.digest_id == digest_id, Publication.channel == channel)
            .order_by(Publication.part)
        )
    )


def fix_thread_parts(
    session: Session,
    digest_id: int,
    channel: str,
    parts: Sequence[tuple[str, str]],
    keys: Sequence[str],
) -> list[Publication]:
    """Record the parts (text, content warning) a thread will consist of, before any is posted."""
    if len(keys) != len(parts):
        raise ValueError(f"{len(parts)} parts need {len(parts)} keys, not {len(keys)}")
    rows = [
        Publication(
            digest_id=digest_id,
            channel=channel,
            part=number,
            text=text,
            spoiler_text=spoiler,
            idempotency_key=key,
            remote_id=None,
            remote_url=None,
            posted_at=None,
        )
        for number, ((text, spoiler), key) in enumerate(zip(parts, keys, strict=True), start=1)
    ]
    session.add_all(rows)
    return rows


def mark_part_attempted(session: Session, digest_id: int, channel: str, part: int, *, now: datetime) -> None:
    _part(session, digest_id, channel, part).attempted_at = now


def mark_part_posted(
    session: Session,
    digest_id: int,
    channel: str,
    part: int,
    *,
    remote_id: str,
    remote_url: str | None,
    now: datetime,
    remote_cid: str | None = None,
) -> None:
    row = _part(session, digest_id, channel, part)
    row.remote_id, row.remote_url, row.remote_cid, row.posted_at = remote_id, remote_url, remote_cid, now


def forget_attempts(session: Session, digest_id: int, channel: str) -> int:
    """Clear the attempt marks of unposted parts (a curator checked that none went out)."""
    rows = [row for row in thread_parts(session, digest_id, channel) if row.remote_id is None]
    marked = [row for row in rows if row.attempted_at is not None]
    for row in marked:
        row.attempted_at = None
    return len(marked)


def _part(session: Session, digest_id: int, channel: str, part: int) -> Publication:
    row = session.get(Publication, (digest_id, channel, part))
    if row is None:
        raise LookupError(f"digest {digest_id} has no {channel} part {part}")
    return row

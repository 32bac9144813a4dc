"""The exactly-once logs: thread parts posted per network, emails sent per recipient, unsubscribes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Digest, EmailDelivery, Publication, Unsubscribe


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


def deliveries(session: Session, digest_id: int) -> dict[str, EmailDelivery]:
    rows = session.scalars(select(EmailDelivery).where(EmailDelivery.digest_id == digest_id))
    return {row.recipient: row for row in rows}


def delivery(session: Session, digest_id: int, recipient: str) -> EmailDelivery:
    row = session.get(EmailDelivery, (digest_id, recipient))
    if row is None:
        row = EmailDelivery(digest_id=digest_id, recipient=recipient, status="pending", attempts=0)
        session.add(row)
    return row


def digests_with_failed_emails(session: Session) -> list[int]:
    """Published digests that still owe someone an email."""
    rows = session.scalars(
        select(EmailDelivery.digest_id)
        .join(Digest, Digest.id == EmailDelivery.digest_id)
        .where(EmailDelivery.status == "failed", Digest.status == "published")
        .distinct()
        .order_by(EmailDelivery.digest_id)
    )
    return list(rows)


def unsubscribed(session: Session) -> set[str]:
    return set(session.scalars(select(Unsubscribe.email)))


def unsubscribe(session: Session, email: str, now: datetime) -> bool:
    """Take ``email`` off every digest list; returns whether it was on."""
    address = email.strip().lower()
    if session.get(Unsubscribe, address) is not None:
        return False
    session.add(Unsubscribe(email=address, unsubscribed_at=now))
    return True

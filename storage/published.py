"""Published digests' items, frozen as they were posted and emailed (``published_items``)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import PublishedItem


def freeze(session: Session, digest_id: int, records: Sequence[Mapping[str, Any]]) -> bool:
    """Record each item of ``digest_id`` as published (``uri`` names its post), once: a digest
    already frozen keeps its record (a resumed publish posts what was fixed the first time).
    Returns whether this call froze it."""
    if session.scalar(select(PublishedItem.digest_id).where(PublishedItem.digest_id == digest_id).limit(1)):
        return False
    for position, record in enumerate(records):
        session.add(
            PublishedItem(
                digest_id=digest_id,
                position=position,
                post_uri=str(record["uri"]),
                record=dict(record),
                removed_at=None,
                removed_reason="",
            )
        )
    session.flush()
    return True


def frozen_items(session: Session, digest_ids: Collection[int]) -> dict[int, list[PublishedItem]]:
    """The frozen items of these digests, in the order they were published (only frozen digests)."""
    found: dict[int, list[PublishedItem]] = {}
    if digest_ids:
        rows = session.scalars(
            select(PublishedItem)
            .where(PublishedItem.digest_id.in_(list(digest_ids)))
            .order_by(PublishedItem.digest_id, PublishedItem.position)
        )
        for row in rows:
            found.setdefault(row.digest_id, []).append(row)
    return found


# What a removed item's record keeps: where it sat, never what it said or who said it.
KEPT_WHEN_REMOVED = ("post_id", "section", "position", "created_at", "source")


def mark_removed(session: Session, uris: Collection[str], *, reason: str, now: datetime) -> int:
    """Empty the published records of these posts (their authors deleted them, made them private, or
    opted out), keeping only where each sat. Returns how many items changed."""
    if not uris:
        return 0
    rows = session.scalars(
        select(PublishedItem).where(
            PublishedItem.post_uri.in_(list(uris)), PublishedItem.removed_at.is_(None)
        )
    ).all()
    for row in rows:
        kept = {key: row.record[key] for key in KEPT_WHEN_REMOVED if key in row.record}
        row.record = {**kept, "removed": True}
        row.removed_at = now
        row.removed_reason = reason
    return len(rows)

"""Recognising records that are already stored exactly as they are, before any work is spent on them.

A re-import of the same file (or of a file that overlaps an earlier one) used to normalise, screen and
compare every record, at almost the cost of a new one. A record whose key is stored with the very same
payload would produce the very same post, so it is decided from the stored key and payload alone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Post as PostRow


def _mastodon_key(record: Any) -> str | None:
    # Only a status that is not a boost is stored as it came (a boost stores the boosted status, and
    # its booster's profile still has to be screened).
    if isinstance(record, Mapping) and record.get("reblog") is None:
        uri = record.get("uri")
        return uri if isinstance(uri, str) and uri else None
    return None


# The formats whose stored ``raw`` payload is the record itself, and how to read a record's key.
KEYS: dict[str, Callable[[Any], str | None]] = {"mastodon": _mastodon_key}


def unchanged_positions(session: Session, fmt: str, records: Sequence[Any]) -> set[int]:
    """The positions in ``records`` of records stored already with exactly this payload."""
    key_of = KEYS.get(fmt)
    if key_of is None:
        return set()
    keys = {position: key for position, record in enumerate(records) if (key := key_of(record))}
    if not keys:
        return set()
    query = select(PostRow.uri, PostRow.raw).where(PostRow.uri.in_(set(keys.values())))
    stored: dict[str, Any] = dict(session.execute(query).all())
    return {position for position, key in keys.items() if key in stored and stored[key] == records[position]}

"""Recognising records that are already stored exactly as they are, before any work is spent on them.

A re-import of the same file (or of a file that overlaps an earlier one) used to normalise, screen and
compare every record, at almost the cost of a new one. A record whose key is stored with the very same
payload would produce the very same post, so it is decided from the stored key and payload alone.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Text, select, type_coerce
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
    wanted = PostRow.uri.in_(set(keys.values()))
    if session.get_bind().dialect.name == "sqlite":
        # SQLite keeps the payload as the text json.dumps wrote: comparing that text with the record
        # written the same way is a fraction of the cost of parsing every stored payload back.
        text = session.execute(select(PostRow.uri, type_coerce(PostRow.raw, Text)).where(wanted))
        stored_text: dict[str, str] = dict(text.all())
        return {
            position
            for position, key in keys.items()
            if key in stored_text and stored_text[key] == _as_stored(records[position])
        }
    stored: dict[str, Any] = dict(session.execute(select(PostRow.uri, PostRow.raw).where(wanted)).all())
    return {position for position, key in keys.items() if key in stored and stored[key] == records[position]}


def _as_stored(record: Any) -> str | None:
    """The record as SQLAlchemy's JSON type writes it (``json.dumps``), or ``None`` if it cannot be."""
    try:
        return json.dumps(record)
    except (TypeError, ValueError, RecursionError):
        return None

"""What every normaliser reads the same way, whatever the network: timestamps and counts. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from bot.text_tags import hashtags_in_text


def parse_timestamp(value: object) -> datetime | None:
    """An aware UTC datetime from an ISO 8601 string (``Z`` or offset), or ``None``."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
    else:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def positive_int(value: object) -> int:
    """A count from a payload: a positive JSON integer, else 0 (``true`` is not a count)."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def post_hashtags(tagged: Sequence[str], text: str) -> tuple[str, ...]:
    """A post's hashtags as the network tagged them, or (when it tagged none) as the text shows them;
    each once, in order."""
    return tuple(dict.fromkeys(tagged or hashtags_in_text(text)))

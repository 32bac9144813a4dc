"""What every normaliser shares, whatever the network: its shape, and how timestamps, counts and
hashtags are read. Pure."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.posts import Post
from bot.text_tags import hashtags_in_text


@dataclass(frozen=True, slots=True)
class Normaliser:
    """A network's pure half: a raw record to a post, and the author's profile for the opt-out rule
    (:func:`bot.consent.rules.opt_out_reason` reads it)."""

    normalise: Callable[[Mapping[str, Any]], Post]
    account_of: Callable[[Mapping[str, Any]], Mapping[str, Any] | None]


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

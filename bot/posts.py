"""The normalised post: one shape for every network, built from the raw payload.

Collectors and importers turn network payloads into :class:`Post`; storage saves it, the classifier
reads it. Every field here is derived from ``raw``, which is kept so that it can be recomputed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

MediaKind = Literal["image", "video", "gifv", "audio", "unknown"]


@dataclass(frozen=True, slots=True)
class Author:
    """Who wrote a post. ``acct`` is always fully qualified: ``user@instance``."""

    acct: str
    display_name: str
    url: str
    bot: bool = False


@dataclass(frozen=True, slots=True)
class Media:
    """One attachment: a picture, a video, an animated GIF or a sound."""

    kind: MediaKind
    url: str
    preview_url: str | None = None
    description: str | None = None
    duration: float | None = None


@dataclass(frozen=True, slots=True)
class Card:
    """A link preview card, as the home server built it from the linked page."""

    url: str
    type: str
    title: str = ""
    description: str = ""
    provider_name: str = ""
    image: str | None = None


@dataclass(frozen=True, slots=True)
class Post:
    """A public post, normalised. ``uri`` is its canonical identity across instances."""

    source: str
    uri: str
    url: str
    remote_id: str
    author: Author
    created_at: datetime
    text: str
    html: str
    visibility: str
    edited_at: datetime | None = None
    spoiler_text: str = ""
    sensitive: bool = False
    language: str | None = None
    hashtags: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    mentions: tuple[str, ...] = ()
    media: tuple[Media, ...] = ()
    card: Card | None = None
    poll_options: tuple[str, ...] = ()
    in_reply_to_id: str | None = None
    replies_count: int = 0
    reblogs_count: int = 0
    favourites_count: int = 0
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

"""What a digest is, as plain data: the input of every renderer and the output of selection.

Nothing here touches the database or the network. Post content in these objects is untrusted: it is
exactly what the author wrote (plain ``text`` and the original ``html``), and every renderer escapes or
sanitises it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

Section = Literal["video", "tool", "question"]
SECTIONS: tuple[Section, ...] = ("video", "tool", "question")
SECTION_TITLES: dict[Section, str] = {
    "video": "Videos",
    "tool": "Tools",
    "question": "Open questions",
}

DigestStatus = Literal["draft", "approved", "published", "rejected", "superseded"]


@dataclass(frozen=True, slots=True)
class Answer:
    """Someone who answered a question in its thread: credited with a link, never an @-mention."""

    name: str
    url: str


@dataclass(frozen=True, slots=True)
class DigestItem:
    """One exemplar in a digest: the post it features, where it sits, and the curator's words on it."""

    post_id: int
    section: Section
    position: int
    url: str
    uri: str
    author_name: str
    author_acct: str
    author_url: str
    text: str
    html: str
    created_at: datetime
    spoiler_text: str = ""
    sensitive: bool = False
    blurb: str = ""
    pinned: bool = False
    reason: str = ""
    links: tuple[str, ...] = ()
    media_kinds: tuple[str, ...] = ()
    card_title: str = ""
    card_url: str = ""
    thumbnail: str = ""
    duration_seconds: float | None = None
    tool_names: tuple[str, ...] = ()
    favourites_count: int = 0
    reblogs_count: int = 0
    replies_count: int = 0
    answers: tuple[Answer, ...] = ()
    source: str = "mastodon"  # the network the post was collected from: mastodon, x or bluesky
    removed: bool = False  # published, then removed at the author's request: shown without content


@dataclass(frozen=True, slots=True)
class Digest:
    """A digest as it will be shown: period, intro, and its sections in order."""

    id: int
    status: DigestStatus
    period_start: datetime
    period_end: datetime
    timezone: str
    hashtag: str
    intro: str = ""
    items: tuple[DigestItem, ...] = ()
    title: str = field(default="")

    def section(self, name: Section) -> tuple[DigestItem, ...]:
        """The items of one section, in their order."""
        return tuple(sorted((i for i in self.items if i.section == name), key=lambda i: i.position))

    @property
    def heading(self) -> str:
        """E.g. "#fliplead exemplars, 17–23 November 2026"."""
        return self.title or f"#{self.hashtag} exemplars, {period_label(self.period_start, self.period_end)}"


def period_label(start: datetime, end: datetime) -> str:
    """A human period: "17–23 November 2026", "28 October – 3 November 2026", "29 Dec 2025 – 4 Jan 2026".

    ``end`` is exclusive (the instant after the period), as stored.
    """
    last = end - timedelta(microseconds=1)
    if start.year != last.year:
        return f"{start.day} {start:%B %Y} – {last.day} {last:%B %Y}"
    if start.month != last.month:
        return f"{start.day} {start:%B} – {last.day} {last:%B %Y}"
    if start.day == last.day:
        return f"{start.day} {start:%B %Y}"
    return f"{start.day}–{last.day} {start:%B %Y}"

"""Choosing a digest's exemplars: a documented score and diversity rules. Pure: data in, data out.

The score of a candidate post is::

    score = (1 + ln(1 + favourites·w_fav + boosts·w_boost + replies·w_reply)) × 0.5 ^ (age_days / half_life)

so engagement counts with diminishing returns, and a post loses half its weight every
``half_life_days`` before the end of the period. Open questions still unanswered are multiplied by
``unanswered_boost``, so the section favours questions that deserve answers.

Selection then fills each section in score order, videos first, then questions (a post that asks
the community belongs where answers are sought, even if it names a tool), then tools; a post appears
at most once. It skips:

* posts a curator removed from this digest, or excluded for good (the post, its author, or a domain
  it links to);
* posts with a content warning or marked sensitive, unless ``allow_sensitive``;
* a post whose author already has ``max_per_author`` items in the digest;
* a post sharing a link or video already in the digest (the same link only once).

Pinned posts come first in their section and are never dropped by these rules (a curator chose them).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

from digests.model import Answer, Section

FILL_ORDER: tuple[Section, ...] = ("video", "question", "tool")
_TRACKING_KEYS = frozenset({"fbclid", "gclid", "si", "igshid", "ref_src", "feature"})


@dataclass(slots=True)  # not frozen: a draft makes thousands, and frozen ones cost 3× to make
class Candidate:
    """A stored post that may go into a digest, with what selection needs to know about it
    (built once, never changed)."""

    post_id: int
    author_acct: str
    created_at: datetime
    labels: frozenset[str]
    links: tuple[str, ...] = ()
    spoiler_text: str = ""
    sensitive: bool = False
    favourites_count: int = 0
    reblogs_count: int = 0
    replies_count: int = 0
    answers: tuple[Answer, ...] = ()


@dataclass(frozen=True, slots=True)
class SelectionRules:
    """The knobs of selection (``[digest]`` in the config)."""

    section_sizes: dict[Section, int] = field(default_factory=lambda: {"video": 5, "tool": 5, "question": 5})
    max_per_author: int = 2
    allow_sensitive: bool = False
    favourite_weight: float = 1.0
    boost_weight: float = 2.0
    reply_weight: float = 1.5
    half_life_days: float = 3.5
    unanswered_boost: float = 1.5


@dataclass(frozen=True, slots=True)
class Exclusions:
    """What curators excluded for good."""

    posts: Collection[int] = frozenset()
    authors: Collection[str] = frozenset()
    domains: Collection[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Choice:
    """A post chosen for a section, and its score."""

    post_id: int
    section: Section
    score: float
    pinned: bool = False


def score(candidate: Candidate, section: Section, period_end: datetime, rules: SelectionRules) -> float:
    """How much a candidate deserves a place in ``section`` (see the module docstring)."""
    engagement = (
        candidate.favourites_count * rules.favourite_weight
        + candidate.reblogs_count * rules.boost_weight
        + candidate.replies_count * rules.reply_weight
    )
    age_days = max(0.0, (period_end - candidate.created_at).total_seconds() / 86_400)
    decay: float = 0.5 ** (age_days / rules.half_life_days)
    value = (1 + math.log1p(max(0.0, engagement))) * decay
    if section == "question" and not candidate.answers:
        value *= rules.unanswered_boost
    return value


def select(
    candidates: Iterable[Candidate],
    rules: SelectionRules,
    period_end: datetime,
    *,
    pinned: Collection[int] = (),
    removed: Collection[int] = (),
    exclusions: Exclusions = Exclusions(),
) -> list[Choice]:
    """The posts for each section, in order (pinned first, then by score)."""
    pool = [c for c in candidates if c.post_id not in removed and not _excluded(c, exclusions)]
    chosen: list[Choice] = []
    taken: set[int] = set()
    per_author: dict[str, int] = {}
    links_used: set[str] = set()

    def take(candidate: Candidate, section: Section, value: float, is_pinned: bool) -> None:
        chosen.append(Choice(candidate.post_id, section, value, is_pinned))
        taken.add(candidate.post_id)
        per_author[candidate.author_acct] = per_author.get(candidate.author_acct, 0) + 1
        links_used.update(canonical_link(link) for link in candidate.links)

    for candidate in pool:
        if candidate.post_id in pinned:
            take(
                candidate,
                _section_for(candidate),
                score(candidate, _section_for(candidate), period_end, rules),
                True,
            )

    for section in FILL_ORDER:
        room = rules.section_sizes.get(section, 0) - sum(1 for c in chosen if c.section == section)
        if room <= 0:
            continue
        ranked = sorted(
            (
                (-score(c, section, period_end, rules), c.created_at, c.post_id, c)
                for c in pool
                if section in c.labels and c.post_id not in taken
            ),
            key=lambda entry: entry[:3],
        )
        for negated, _created, _post_id, candidate in ranked:
            if room <= 0:
                break
            if not _allowed(candidate, rules, per_author, links_used):
                continue
            take(candidate, section, -negated, False)
            room -= 1
    return chosen


def _section_for(candidate: Candidate) -> Section:
    for section in FILL_ORDER:
        if section in candidate.labels:
            return section
    return FILL_ORDER[0]


def _allowed(
    candidate: Candidate, rules: SelectionRules, per_author: dict[str, int], links_used: set[str]
) -> bool:
    if (candidate.spoiler_text or candidate.sensitive) and not rules.allow_sensitive:
        return False
    if per_author.get(candidate.author_acct, 0) >= rules.max_per_author:
        return False
    return not any(canonical_link(link) in links_used for link in candidate.links)


def _excluded(candidate: Candidate, exclusions: Exclusions) -> bool:
    if candidate.post_id in exclusions.posts or candidate.author_acct in exclusions.authors:
        return True
    if not exclusions.domains:
        return False
    return any(link_domain_matches(link, exclusions.domains) for link in candidate.links)


def link_domain_matches(link: str, domains: Collection[str]) -> bool:
    """Whether ``link``'s host is one of ``domains`` or a subdomain of one."""
    host = (urlsplit(link).hostname or "").lower()
    return any(host == d or host.endswith("." + d) for d in domains)


def canonical_link(link: str) -> str:
    """A link's identity for "only once": scheme and ``www.`` ignored, tracking parameters dropped.

    YouTube's short and long forms are the same video.

    >>> canonical_link("https://youtu.be/abc?si=x") == canonical_link("http://www.youtube.com/watch?v=abc")
    True
    """
    parts = urlsplit(link.strip())
    host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    path = parts.path.rstrip("/")
    pairs = [pair for pair in sorted(parts.query.split("&")) if pair and not _is_tracking(pair)]
    if host == "youtu.be" and path:
        host, path, pairs = "youtube.com", "/watch", [f"v={path.lstrip('/')}"]
    elif host == "youtube.com" and path.startswith(("/shorts/", "/live/")):
        path, pairs = "/watch", [f"v={path.split('/')[2]}"]
    elif host == "youtube.com" and path == "/watch":
        pairs = [pair for pair in pairs if pair.startswith("v=")]  # a start time is the same video
    return urlunsplit(("", host, path, "&".join(pairs), ""))


def _is_tracking(pair: str) -> bool:
    key = pair.split("=", 1)[0].lower()
    return key.startswith("utm_") or key in _TRACKING_KEYS

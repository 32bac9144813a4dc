"""Which copy of a post is kept when another copy of it arrives: the one precedence rule.

A post can reach Exemplar many times: from its home instance, from other instances that federated it
(or claim to serve its URI), and from archive imports. The stored copy is replaced only by a copy that
ranks at least as high, by, in order:

1. where it came from: the post's home instance, then any other instance, then an archive import;
2. its version: a later ``edited_at`` (an edited post is newer than the unedited one);
3. when it was fetched.

So the home instance's copy wins over any other, an older version never replaces a newer one, and
counts from other sources never lower what home said (a copy from elsewhere that does replace another
copy from elsewhere keeps the higher of the two counts).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum
from urllib.parse import urlsplit

from bot.posts import Post

COUNT_FIELDS = ("replies_count", "reblogs_count", "favourites_count")


class CopyRank(IntEnum):
    """Where a copy of a post came from; a higher rank is more authoritative."""

    ARCHIVE = 0
    OTHER_INSTANCE = 1
    HOME = 2


@dataclass(frozen=True, slots=True)
class Version:
    """What the rule compares: a copy's rank, its ``edited_at`` and when it was fetched."""

    rank: int
    edited_at: datetime | None
    fetched_at: datetime

    def key(self) -> tuple[int, bool, float, float]:
        edited = self.edited_at.timestamp() if self.edited_at is not None else 0.0
        return (self.rank, self.edited_at is not None, edited, self.fetched_at.timestamp())


def replaces(incoming: Version, stored: Version) -> bool:
    """Whether ``incoming`` may replace the ``stored`` copy (a tie goes to the copy that came last)."""
    return incoming.key() >= stored.key()


def merged_counts(rank: int, incoming: Mapping[str, int], stored: Mapping[str, int]) -> dict[str, int]:
    """The counts to keep when a copy of ``rank`` replaces the stored one: home's as they are, anyone
    else's never lower than what is stored."""
    if rank >= CopyRank.HOME:
        return {name: incoming[name] for name in COUNT_FIELDS}
    return {name: max(incoming[name], stored[name]) for name in COUNT_FIELDS}


def collected_rank(post: Post) -> CopyRank:
    """The rank of a copy read from a network: home, unless the network says it serves someone else's.

    X and Bluesky are one service each: whatever they answer is the post's home. A Mastodon instance
    serves a post from home when its author is local there (``acct`` without a domain) and the post's
    URI is on the author's own server; a federated copy names the author's server in ``acct``.
    """
    if post.source != "mastodon":
        return CopyRank.HOME
    account = post.raw.get("account") if isinstance(post.raw, Mapping) else None
    acct = account.get("acct") if isinstance(account, Mapping) else None
    if not isinstance(acct, str) or "@" in acct:
        return CopyRank.OTHER_INSTANCE
    author_host = urlsplit(post.author.url).hostname
    if author_host is None or urlsplit(post.uri).hostname != author_host:
        return CopyRank.OTHER_INSTANCE
    return CopyRank.HOME

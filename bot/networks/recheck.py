"""What re-checking consent reads: each stored post as its source shows it now, just before a
digest is published.

Each network's ``recheck`` (in its folder) answers, per digest item, the post (or ``None`` when it is
gone) and its author's profile in the shape :func:`bot.consent.rules.opt_out_reason` reads. When a
source cannot be asked, or answers with something unreadable, the item is *unreachable*, never
"gone": a post nobody could check must not read as a deletion, nor as a pass.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol, TypeVar

import httpx

from bot.config import Settings
from bot.posts import Post
from bot.retry import RetryPolicy
from digests.model import DigestItem

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Current:
    """A post as its source shows it now."""

    post: Post | None  # None: deleted / not found at the source
    profile: Mapping[str, Any] | None  # the author's profile, as bot.consent.rules.opt_out_reason reads it
    reachable: bool  # False: the source could not be asked (network error, no access configured)
    problem: str | None = None  # why it could not be checked, in the curator's words


UNREACHABLE = Current(None, None, reachable=False)
GONE = Current(None, None, reachable=True)


class HomeLookup(Protocol):
    """Looks a post up at its home instance by URL (:class:`bot.networks.mastodon.home.HomeInstances`)."""

    def status(self, url: str) -> tuple[dict[str, Any] | None, bool]:
        """The status as its home shows it (``None``: gone), and whether the home could be asked."""
        ...


@dataclass(frozen=True, slots=True)
class Recheck:
    """What a network's re-check may use: the settings (its configured access), one retry policy,
    Mastodon's home instances, and where httpx-based SDKs send requests (tests replay through it)."""

    settings: Settings
    policy: RetryPolicy
    home: HomeLookup | None = None
    transport: httpx.BaseTransport | None = None

    @property
    def timeout(self) -> float:
        return self.settings.collect.request_timeout


def through_api(
    items: Sequence[DigestItem],
    client: T | None,
    recheck: Callable[[T | None, Sequence[str]], dict[str, Current]],
    needed: str,
) -> dict[int, Current]:
    """Re-check items by URI through a network's API ``client``; without one (no ``needed`` access is
    configured) every item is unreachable, and says why."""
    now = recheck(client, [item.uri for item in items])
    found = {}
    for item in items:
        current = now[item.uri]
        if client is None:
            current = replace(current, problem=f"could not be re-checked: no {needed} is configured")
        found[item.post_id] = current
    return found


def batches(items: Sequence[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])

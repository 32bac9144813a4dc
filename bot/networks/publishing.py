"""What publishing a digest thread needs from a network: a :class:`Channel` (how the network measures
a post, who posts the parts, and what to check before the first one), built from the settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import httpx

from bot.config import Settings
from bot.retry import RetryPolicy
from digests.publish.thread import ThreadPoster
from digests.render.measure import TextMeasure

# Our clock and the network's may disagree: a part found this much older than the attempt still counts.
CLOCK_SLACK = timedelta(minutes=10)


def part_key(digest_id: int, channel: str, number: int, installation: str = "") -> str:
    """A thread part's key where any text will do (Mastodon sends it as the ``Idempotency-Key``).

    Digest ids start at 1 in every database, so the installation's id is part of the key: two
    installations posting through one account never share a key.

    >>> part_key(12, "mastodon", 3, "5f0c")
    'exemplar-5f0c-12-mastodon-3'
    """
    scope = f"{installation}-" if installation else ""
    return f"exemplar-{scope}{digest_id}-{channel}-{number}"


@dataclass(frozen=True, slots=True)
class Channel:
    """A network to publish to: how it measures posts, who posts, and what to check first."""

    measure: TextMeasure
    poster: ThreadPoster
    check: Callable[[], None] | None = None


@dataclass(frozen=True, slots=True)
class Publishing:
    """What a network's channel is built from: the settings (its ``[publish.<network>]`` section), one
    retry policy, whether this is a dry run (nothing may be asked that a dry run need not ask), and
    where httpx-based SDKs send requests (tests replay through it)."""

    settings: Settings
    policy: RetryPolicy
    dry_run: bool
    transport: httpx.BaseTransport | None = None
    # This installation's id (storage.app_state.installation_id), part of every thread key.
    installation: str = ""

    @property
    def timeout(self) -> float:
        return self.settings.collect.request_timeout

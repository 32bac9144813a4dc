"""Reading posts from their home instance, within a request budget.

An instance only knows the counts (favourites, boosts, replies) it has seen, so a remote post's counts
are low wherever it was collected. Before a digest is scored, its candidates are re-read from the
instance they were written on, and questions' threads are read there for answers.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from bot.config import MastodonSource
from bot.errors import ExemplarError, SourceError
from bot.networks.mastodon.client import MastodonClient
from bot.retry import RetryPolicy

log = logging.getLogger(__name__)

_STATUS_PATHS = (re.compile(r"^/@[^/]+/(\d+)/?$"), re.compile(r"^/users/[^/]+/statuses/(\d+)/?$"))


class BudgetExhaustedError(ExemplarError):
    """The request budget for this run is spent."""


def home_status_id(url: str) -> tuple[str, str] | None:
    """``(host, local id)`` of a Mastodon post from its URL or URI, or ``None`` if it is not one.

    >>> home_status_id("https://mastodon.social/@maria/113481707975926080")
    ('mastodon.social', '113481707975926080')
    """
    parts = urlsplit(url)
    for pattern in _STATUS_PATHS:
        match = pattern.match(parts.path)
        if match and parts.hostname:
            return parts.hostname, match.group(1)
    return None


@dataclass(slots=True)
class HomeInstances:
    """Mastodon clients for the home instances of posts, sharing one request budget.

    ``known`` maps an instance's domain to the base URL to reach it by (configured sources); any other
    home is reached at ``https://{domain}``.
    """

    known: Mapping[str, str]
    policy: RetryPolicy
    request_timeout: float
    budget: int
    _clients: dict[str, MastodonClient] = field(default_factory=dict)

    @property
    def requests_made(self) -> int:
        return sum(client.requests_made for client in self._clients.values())

    def status(self, url: str) -> tuple[dict[str, Any] | None, bool]:
        """The post at its home (``None`` if gone there) and whether the home could be asked at all."""
        located = home_status_id(url)
        if located is None:
            return None, False
        client = self._client(located[0])
        self._spend()
        try:
            return client.status(located[1]), True
        except SourceError as error:
            log.info("could not refresh %s from its home instance: %s", url, error)
            return None, False

    def replies(self, url: str) -> list[dict[str, Any]]:
        """Direct replies to the post, read from its thread at home (empty if unreachable)."""
        located = home_status_id(url)
        if located is None:
            return []
        self._spend()
        try:
            return self._client(located[0]).replies(located[1])
        except SourceError as error:
            log.info("could not read the thread of %s: %s", url, error)
            return []

    def _spend(self) -> None:
        if self.requests_made >= self.budget:
            raise BudgetExhaustedError(f"the request budget of {self.budget} is spent")

    def _client(self, domain: str) -> MastodonClient:
        if domain not in self._clients:
            base_url = self.known.get(domain, f"https://{domain}")
            source = MastodonSource(base_url=base_url, hashtags=(), access_token=None, name=domain)
            # One attempt per post: a flaky home costs the budget once, not max_retries times.
            policy = RetryPolicy(
                max_retries=0,
                backoff_seconds=self.policy.backoff_seconds,
                max_rate_limit_wait=0,
                sleep=self.policy.sleep,
                clock=self.policy.clock,
            )
            self._clients[domain] = MastodonClient(source, policy, self.request_timeout)
        return self._clients[domain]

"""Post search on Bluesky through the atproto SDK, with our retry policy around each call.

The SDK logs in with an app password and refreshes its session itself; each page comes back as the
raw JSON the API sent (the SDK's models dumped with their wire names).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import httpx
from atproto import Client
from atproto_client import exceptions as at
from atproto_client.request import Request

from bot.config import BlueskySource
from bot.retry import Failure, FailureKind, RetryPolicy

T = TypeVar("T")

PAGE_SIZE = 100


class BlueskyClient:
    """The calls Exemplar makes to Bluesky, each counted and retried by one policy."""

    def __init__(
        self,
        source: BlueskySource,
        policy: RetryPolicy,
        request_timeout: float,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.source = source
        self.policy = policy
        self.requests_made = 0
        options: dict[str, Any] = {"timeout": request_timeout}
        if transport is not None:
            options["transport"] = transport
        self._client = Client(base_url=source.base_url, request=Request(**options))
        self._logged_in = False

    def search_page(self, tag: str, *, cursor: str | None, since: str | None) -> dict[str, Any]:
        """One page of the newest posts with ``#tag`` (``sort=latest``), optionally only since a time."""
        if not self._logged_in:
            self._call(
                lambda: self._client.login(self.source.handle, self.source.app_password.reveal()), "login"
            )
            self._logged_in = True
        params: dict[str, Any] = {"q": f"#{tag}", "tag": [tag], "sort": "latest", "limit": PAGE_SIZE}
        if cursor:
            params["cursor"] = cursor
        if since:
            params["since"] = since

        def fetch() -> dict[str, Any]:
            page = self._client.app.bsky.feed.search_posts(params=params)
            dumped: dict[str, Any] = page.model_dump(mode="json", by_alias=True, exclude_none=True)
            return dumped

        return self._call(fetch, f"{self.source.name} #{tag}")

    def _call(self, operation: Callable[[], T], what: str) -> T:
        def attempt() -> T:
            self.requests_made += 1
            return operation()

        return self.policy.call(attempt, classify_bluesky_error, what)


def classify_bluesky_error(error: Exception) -> Failure:
    """What an atproto exception means for the retry policy."""
    response = getattr(error, "response", None)
    headers = getattr(response, "headers", None) or {}
    if isinstance(error, at.RateLimitExceededError):
        reset = headers.get("ratelimit-reset") or headers.get("RateLimit-Reset")
        return Failure(FailureKind.RATE_LIMITED, "rate limited (429)", float(reset) if reset else None)
    if isinstance(error, at.InvokeTimeoutError | at.NetworkError):
        return Failure(FailureKind.TRANSIENT, f"network or gateway error ({type(error).__name__})")
    if isinstance(error, at.UnauthorizedError):
        return Failure(
            FailureKind.FATAL,
            "Bluesky refused the login: check the handle and the app password in the variable named by "
            "bluesky.app_password_env (an app password, from Settings → App passwords)",
        )
    if (
        isinstance(error, at.RequestException)
        and response is not None
        and getattr(response, "status_code", 0) >= 500
    ):
        return Failure(FailureKind.TRANSIENT, f"server error {response.status_code}")
    if isinstance(error, at.ModelError | ValueError):
        return Failure(
            FailureKind.MALFORMED, f"the response was not what the API promised ({type(error).__name__})"
        )
    return Failure(FailureKind.FATAL, f"{type(error).__name__}: {error}")

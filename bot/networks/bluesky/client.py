"""Post search and lookup on Bluesky through the atproto SDK, with our retry policy around each call.

The SDK logs in with an app password and refreshes its session itself; each page comes back as the
raw JSON the API sent (the SDK's models dumped with their wire names).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx
from atproto import Client
from atproto_client import exceptions as at
from atproto_client.request import Request

from bot.config import BlueskySource
from bot.retry import CountedCalls, Failure, FailureKind, RetryPolicy
from bot.valid_http import ValidTextTransport

PAGE_SIZE = 100
LOOKUP_LIMIT = 25


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
        self._calls = CountedCalls(policy, classify_bluesky_error)
        options: dict[str, Any] = {"timeout": request_timeout}
        options["transport"] = ValidTextTransport(transport or httpx.HTTPTransport())
        self._client = Client(base_url=source.base_url, request=Request(**options))
        self._logged_in = False

    def search_page(self, tag: str, *, cursor: str | None, since: str | None) -> dict[str, Any]:
        """One page of the newest posts with ``#tag`` (``sort=latest``), optionally only since a time."""
        self._log_in()
        params: dict[str, Any] = {"q": f"#{tag}", "tag": [tag], "sort": "latest", "limit": PAGE_SIZE}
        if cursor:
            params["cursor"] = cursor
        if since:
            params["since"] = since

        def fetch() -> dict[str, Any]:
            return _as_json(self._client.app.bsky.feed.search_posts(params=params))

        return self._calls(fetch, f"{self.source.name} #{tag}")

    def posts_page(self, uris: Sequence[str]) -> dict[str, Any]:
        """The post views of these ``at://`` URIs (1 to 25), as ``app.bsky.feed.getPosts`` answers.

        A post that is gone is simply not in ``posts``. The author views carry labels but no bio.
        """
        _check_lookup(uris, "posts")
        self._log_in()

        def fetch() -> dict[str, Any]:
            return _as_json(self._client.app.bsky.feed.get_posts(params={"uris": list(uris)}))

        return self._calls(fetch, f"{self.source.name} lookup of {len(uris)} posts")

    def profiles_page(self, actors: Sequence[str]) -> dict[str, Any]:
        """The full profiles (bio, labels) of these DIDs or handles (1 to 25), as ``getProfiles`` answers."""
        _check_lookup(actors, "profiles")
        self._log_in()

        def fetch() -> dict[str, Any]:
            return _as_json(self._client.app.bsky.actor.get_profiles(params={"actors": list(actors)}))

        return self._calls(fetch, f"{self.source.name} lookup of {len(actors)} profiles")

    def _log_in(self) -> None:
        if self._logged_in:
            return
        source = self.source
        self._calls(lambda: self._client.login(source.handle, source.app_password.reveal()), "login")
        self._logged_in = True

    @property
    def requests_made(self) -> int:
        return self._calls.made


def _check_lookup(keys: Sequence[str], what: str) -> None:
    if not 0 < len(keys) <= LOOKUP_LIMIT:
        raise ValueError(f"look up 1 to {LOOKUP_LIMIT} {what} at a time, not {len(keys)}")


def classify_bluesky_error(error: Exception) -> Failure:
    """What an atproto exception means for the retry policy."""
    response = getattr(error, "response", None)
    headers = getattr(response, "headers", None) or {}
    if isinstance(error, at.RateLimitExceededError):
        reset = headers.get("ratelimit-reset") or headers.get("RateLimit-Reset")
        return Failure(FailureKind.RATE_LIMITED, "rate limited (429)", float(reset) if reset else None)
    # The SDK wraps timeouts and network errors but lets httpx's other transport errors through (a
    # connection dropped before the answer is a RemoteProtocolError): all are worth another try.
    if isinstance(error, at.InvokeTimeoutError | at.NetworkError | httpx.TransportError):
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


def _as_json(model: Any) -> dict[str, Any]:
    """An SDK response as the JSON the API sent (wire names, nothing the API left out)."""
    dumped: dict[str, Any] = model.model_dump(mode="json", by_alias=True, exclude_none=True)
    return dumped
